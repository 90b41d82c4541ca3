"""The human-readable report: at the top what was checked (anchor, fingerprint, the SHA-256 of every input and of
the whole record), then each numbered step with its counts, every failure with its place, and the verdict."""
from verifier.checks.catalog import CHECKS
from verifier.checks.verdict import Verdict
from verifier.report.order import ordered


def render(v: Verdict) -> str:
    out = [f"tally-verifier report for {v.record}", v.anchor[1]]
    if v.election_id:
        out.append(f"election {v.election_id}, fingerprint {v.fingerprint}")
    if v.record_digest:
        out.append(f"record digest {v.record_digest} (SPEC.md §5: the same for the same bytes)")
    width = max(map(len, [*v.inputs, *v.auditor_inputs]), default=0)
    out += [f"  {name:<{width}}  sha256 {digest}" for name, digest in v.inputs.items()]
    out += [f"  {name:<{width}}  sha256 {digest}" for name, digest in v.auditor_inputs.items()]
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
        counts = f"{step.checked} checked, {step.failed} failed"
        if step.failed:
            status = f"FAILED  {counts}" + (f" (then not run: {step.not_run})" if step.not_run else "")
        elif step.not_run is not None:
            status = f"{'not run' if step.optional else 'NOT RUN'} ({step.not_run})"
        else:
            status = f"ok  {counts}"
        out.append(f"  {c.id:<5} {c.name:<24} {status}")
    failures = v.findings.failures()
    if failures:
        out.append("")
        out.append("Failures:")
        for f in ordered(failures):
            place = f.location.describe()
            out.append(f"  {f.check} {place}: {f.message}" if place else f"  {f.check}: {f.message}")
        for c in CHECKS:
            step = v.findings.steps[c.id]
            if step.unlisted:
                out.append(f"  {c.id}: {step.unlisted} more failures not listed")
    if v.seconds:
        out.append("")
        out.append("time: " + ", ".join(f"{k} {s:.2f} s" for k, s in v.seconds.items()) + f" ({v.engine})")
    out.append("")
    out.append(v.verdict_line())
    if v.fingerprint:  # last, to compare with the published one (the verdict may ask for that)
        out.append(f"election fingerprint {v.fingerprint}")
    return "\n".join(out) + "\n"
