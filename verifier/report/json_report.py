"""The machine-readable report: the same content as the text report, one object per step."""
import json

from verifier.checks.catalog import CHECKS
from verifier.checks.verdict import Verdict
from verifier.report.order import ordered
from verifier.report.text import place, root_causes

REPORT_FORMAT = "tally-verifier/report/v1"


def _failure(f, names) -> dict:
    """A failure: its location as before, and as fields for programs: `code` (the check id), `place` (the location
    in words, with the manifest's names), `detail` (the check's own words: the formula, expected and found values);
    `expected` and `found` as values where the check has them (V7.3–V7.5 so far)."""
    out = {"location": f.location.as_dict(), "message": f.message, "code": f.check,
           "place": place(f.location, names), "detail": f.message}
    if f.expected is not None or f.found is not None:
        out.update(expected=f.expected, found=f.found)
    return out


def as_dict(v: Verdict) -> dict:
    names = v.result["names"] if v.result else None
    steps = []
    for c in CHECKS:
        s = v.findings.steps[c.id]
        steps.append({"id": c.id, "name": c.name, "phase": c.phase, "title": c.title, "spec_section": c.section,
                      "status": s.status, "checked": s.checked, "failed": s.failed, "not_run_reason": s.not_run,
                      "optional": s.not_run is not None and s.optional, "unlisted_failures": s.unlisted,
                      "failures": [_failure(f, names) for f in ordered(s.findings)]})
    status, words = v.anchor
    return {"format": REPORT_FORMAT, "record": v.record, "election_id": v.election_id,
            "election_fingerprint": v.fingerprint, "test_record": v.test_record,
            "anchor": {"status": status, "text": words, "expected_fingerprints": list(v.expected_fingerprints),
                       "trusted_keys": v.trusted_keys},
            "record_digest": v.record_digest, "warnings": v.warnings, "inputs_sha256": v.inputs,
            "auditor_inputs_sha256": v.auditor_inputs, "counts": v.counts, "verified": v.verified,
            "verdict": v.verdict_line(), "root_causes": root_causes(v),
            "result": {k: val for k, val in v.result.items() if k != "names"} if v.result else None, "steps": steps}


def render(v: Verdict) -> str:
    return json.dumps(as_dict(v), indent=2, ensure_ascii=False) + "\n"
