"""The human-readable report: each numbered step with counts, every failure with its place, the verdict."""
from verifier.checks.catalog import CHECKS
from verifier.checks.findings import MAX_KEPT_PER_CHECK
from verifier.checks.verdict import Verdict
from verifier.report.order import ordered


def render(v: Verdict) -> str:
    out = [f"tally-verifier report for {v.record}"]
    if v.election_id:
        out.append(f"election {v.election_id}, fingerprint {v.fingerprint}")
    for w in v.warnings:
        out.append(f"!!! {w}")
    if v.counts:
        out.append(", ".join(f"{k}: {n}" for k, n in v.counts.items()))
    out.append("")
    phase = None
    for c in CHECKS:
        step = v.findings.steps[c.id]
        if c.phase != phase:
            phase = c.phase
            out.append(f"[{phase}]")
        if step.not_run is not None:
            status = f"NOT RUN ({step.not_run})"
        else:
            status = f"{'FAILED' if step.failed else 'ok'}  {step.checked} checked, {step.failed} failed"
        out.append(f"  {c.id:<5} {c.name:<24} {status}")
    failures = v.findings.failures()
    if failures:
        out.append("")
        out.append("Failures:")
        for f in ordered(failures):
            out.append(f"  {f.check} {f.location.describe()}: {f.message}")
        for c in CHECKS:
            step = v.findings.steps[c.id]
            if step.failed > len(step.findings):
                out.append(f"  {c.id}: {step.failed - MAX_KEPT_PER_CHECK} more failures not listed")
    if v.seconds:
        out.append("")
        out.append("time: " + ", ".join(f"{k} {s:.2f} s" for k, s in v.seconds.items()) + f" ({v.engine})")
    out.append("")
    if v.verified:
        out.append("VERIFIED: every step passed" + (" (TEST RECORD: small key)" if v.test_record else ""))
    else:
        failed = [c.id for c in CHECKS if v.findings.steps[c.id].status != "passed"]
        out.append(f"NOT VERIFIED: {len(failures)} failure(s) in {', '.join(failed)}")
    return "\n".join(out) + "\n"
