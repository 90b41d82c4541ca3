"""The `protocols` command's output: the text report and the JSON report (the shared envelope, report/envelope.py,
kind "protocols"). Pure functions over the checks' results; the command (verifier.cli.protocols) only prints and
writes them. `ps` is the verifier.record.paper_protocols.ProtocolSet that was checked (read by attribute: the report
layer imports only the checks layer)."""
import json

from verifier.checks.protocols import CheckResult
from verifier.report.envelope import envelope, finding


def _finding(f) -> dict:
    """A finding of verifier.tally.protocol_checks, in the shared form: its place as fields (`item`: the figure)."""
    location = {"file": f.file, "line": f.line, "level": f.level, "unit": f.unit, "contest": f.contest,
                "item": f.item}
    return finding(f.check, {k: v for k, v in location.items() if v is not None}, f.where(), f.message,
                   expected=f.expected, found=f.found)


def report(directory: str, ps, results: tuple[CheckResult, ...], ok: bool) -> dict:
    body = {
        "directory": directory,
        "protocols": len(ps.protocols),
        "contests": [c.id for c in ps.contests],
        "checks": [
            {"id": r.check.id, "title": r.check.title, "family": r.check.family, "identity": r.check.identity,
             "counts": r.check.counts, "checked": r.checked, "failed": r.failed, "findings": len(r.findings),
             "not_checked": list(r.not_checked)}
            for r in results
        ],
    }
    return envelope("protocols", ok, [(i.file, i.sha256) for i in ps.inputs],
                    [_finding(f) for r in results for f in r.findings], body)


def render_json(directory: str, ps, results: tuple[CheckResult, ...], ok: bool) -> str:
    return json.dumps(report(directory, ps, results, ok), indent=2, ensure_ascii=False) + "\n"


def render_text(directory: str, ps, results: tuple[CheckResult, ...], ok: bool) -> str:
    """The text report, every line ending in a newline."""
    lines = [(f"protocols: {directory}: {len(ps.protocols)} protocols, {len(ps.contests)} contests, "
              f"{len(ps.units)} registered units")]
    width = max(len(r.check.title) for r in results)
    for r in results:
        status = "ok" if r.ok else "FAILED"
        extra = f"  ({len(r.not_checked)} not checked)" if r.not_checked else ""
        lines.append(f"{r.check.id:<4} {r.check.title:<{width}}  checked {r.checked:>6} {r.check.counts:<9} "
                     f"failed {r.failed:>6}  {status}{extra}")
    findings = [f for r in results for f in r.findings]
    if findings:
        lines.append(f"findings ({len(findings)}):")
        lines += [f"  {f.render()}" for f in findings]
    notes = [(r.check.id, n) for r in results for n in r.not_checked]
    if notes:
        lines.append(f"not checked ({len(notes)}):")
        lines += [f"  {cid} {n}" for cid, n in notes]
    failed_checks = [r.check.id for r in results if not r.ok]
    if ok:
        lines.append(f"verdict: CONSISTENT: all {len(results)} checks passed")
    else:
        lines.append(f"verdict: INCONSISTENT: {len(findings)} finding(s) in {', '.join(failed_checks)}")
    return "".join(line + "\n" for line in lines)
