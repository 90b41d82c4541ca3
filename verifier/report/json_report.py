"""The machine-readable report of `verify`: the shared envelope (report/envelope.py) with the same content as the
text report: the run's figures under "verify", every failure kept in "findings" in check order."""
import json

from verifier.checks.catalog import CHECKS
from verifier.checks.findings import Finding
from verifier.checks.verdict import Verdict
from verifier.report.envelope import envelope, finding
from verifier.report.order import ordered
from verifier.report.text import place, root_causes


def _failure(f: Finding, names: dict | None) -> dict:
    """A failure: `code` (the check id), `location` (fields), `place` (the location in words, with the manifest's
    names), `detail` (the check's own words: the formula, the values); `expected` and `found` as values where the
    check compares two."""
    values = {"expected": f.expected, "found": f.found} if f.expected is not None or f.found is not None else {}
    return finding(f.check, f.location.as_dict(), place(f.location, names), f.message, **values)


def as_dict(v: Verdict) -> dict:
    names = v.result["names"] if v.result else None
    steps = []
    for c in CHECKS:
        s = v.findings.steps[c.id]
        steps.append({"id": c.id, "name": c.name, "phase": c.phase, "title": c.title, "spec_section": c.section,
                      "status": s.status, "checked": s.checked, "failed": s.failed, "not_run_reason": s.not_run,
                      "optional": s.not_run is not None and s.optional, "unlisted_failures": s.unlisted})
    status, words = v.anchor
    body = {"record": v.record, "election_id": v.election_id, "election_fingerprint": v.fingerprint,
            "test_record": v.test_record,
            "anchor": {"status": status, "text": words, "expected_fingerprints": list(v.expected_fingerprints),
                       "trusted_keys": v.trusted_keys},
            "record_digest": v.record_digest, "auditor_inputs": list(v.auditor_inputs), "warnings": v.warnings,
            "counts": v.counts, "verdict": v.verdict_line(), "root_causes": root_causes(v),
            "result": {k: val for k, val in v.result.items() if k != "names"} if v.result else None,
            "steps": steps}
    failures = [_failure(f, names) for c in CHECKS for f in ordered(v.findings.steps[c.id].findings)]
    return envelope("verify", v.verified, [*v.inputs.items(), *v.auditor_inputs.items()], failures, body)


def render(v: Verdict) -> str:
    return json.dumps(as_dict(v), indent=2, ensure_ascii=False) + "\n"
