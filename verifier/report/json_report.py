"""The machine-readable report: the same content as the text report, one object per step."""
import json

from verifier.checks.catalog import CHECKS
from verifier.checks.verdict import Verdict
from verifier.report.order import ordered

REPORT_FORMAT = "tally-verifier/report/v1"


def as_dict(v: Verdict) -> dict:
    steps = []
    for c in CHECKS:
        s = v.findings.steps[c.id]
        steps.append({"id": c.id, "name": c.name, "phase": c.phase, "title": c.title, "spec_section": c.section,
                      "status": s.status, "checked": s.checked, "failed": s.failed, "not_run_reason": s.not_run,
                      "failures": [{"location": f.location.as_dict(), "message": f.message}
                                   for f in ordered(s.findings)]})
    return {"format": REPORT_FORMAT, "record": v.record, "election_id": v.election_id,
            "election_fingerprint": v.fingerprint, "test_record": v.test_record, "warnings": v.warnings,
            "inputs_sha256": v.inputs, "counts": v.counts, "verified": v.verified, "steps": steps}


def render(v: Verdict) -> str:
    return json.dumps(as_dict(v), indent=2, ensure_ascii=False) + "\n"
