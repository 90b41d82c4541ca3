"""`tally-verifier protocols DIR [--json FILE]`: check published paper result protocols.

Exit status: 0 every protocol consistent, 1 at least one finding, 2 the directory could not be read.
"""
import json

import click

from verifier.cli.common import EXIT_FAILED, EXIT_VERIFIED, exit_with, main
from verifier.record.paper_protocols import read_protocol_dir
from verifier.report.output import OutputFile
from verifier.tally.protocol_checks import CheckResult, consistent, run_checks

JSON_FORMAT = "tally-verifier/protocols-report/1"


def _report(directory: str, ps, results: tuple[CheckResult, ...], ok: bool) -> dict:
    return {
        "format": JSON_FORMAT,
        "directory": directory,
        "inputs": [{"file": i.file, "sha256": i.sha256, "size": i.size} for i in ps.inputs],
        "protocols": len(ps.protocols),
        "contests": [c.id for c in ps.contests],
        "checks": [
            {"id": r.check.id, "title": r.check.title, "family": r.check.family, "identity": r.check.identity,
             "counts": r.check.counts, "checked": r.checked, "failed": r.failed, "findings": len(r.findings),
             "not_checked": list(r.not_checked)}
            for r in results
        ],
        "findings": [
            {"check": f.check, "file": f.file, "line": f.line, "level": f.level, "unit": f.unit,
             "contest": f.contest, "item": f.item, "expected": f.expected, "found": f.found, "message": f.message}
            for r in results for f in r.findings
        ],
        "verdict": "consistent" if ok else "inconsistent",
    }


@main.command("protocols")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=str))
@click.option("--json", "json_out", metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
              help="Also write the machine-readable report to FILE ('-' for standard output).")
def protocols(directory: str, json_out: str | None) -> None:
    """Check the paper result protocols in DIR: each protocol's own arithmetic, and every level the sum of the
    level below (polling station -> district -> region -> nation).

    \b
    Example:
      tally-verifier protocols fixtures/protocols/example --json protocols.json"""
    # created before the work and written before the verdict: an unusable path is an error, never after a verdict
    out = OutputFile(json_out) if json_out not in (None, "-") else None
    try:
        ps = read_protocol_dir(directory)  # RecordError -> one line on stderr, exit 2 (verifier.cli.common)
        results = run_checks(ps)
        ok = consistent(results)
        if out:
            out.write(json.dumps(_report(directory, ps, results, ok), indent=2, ensure_ascii=False) + "\n")
            out.commit()
    finally:
        if out:
            out.discard()

    click.echo(f"protocols: {directory}: {len(ps.protocols)} protocols, {len(ps.contests)} contests, "
               f"{len(ps.units)} registered units")
    width = max(len(r.check.title) for r in results)
    for r in results:
        status = "ok" if r.ok else "FAILED"
        extra = f"  ({len(r.not_checked)} not checked)" if r.not_checked else ""
        click.echo(f"{r.check.id:<4} {r.check.title:<{width}}  checked {r.checked:>6} {r.check.counts:<9} "
                   f"failed {r.failed:>6}  {status}{extra}")
    findings = [f for r in results for f in r.findings]
    if findings:
        click.echo(f"findings ({len(findings)}):")
        for f in findings:
            click.echo(f"  {f.render()}")
    notes = [(r.check.id, n) for r in results for n in r.not_checked]
    if notes:
        click.echo(f"not checked ({len(notes)}):")
        for cid, n in notes:
            click.echo(f"  {cid} {n}")
    failed_checks = [r.check.id for r in results if not r.ok]
    if ok:
        click.echo(f"verdict: CONSISTENT: all {len(results)} checks passed")
    else:
        click.echo(f"verdict: INCONSISTENT: {len(findings)} finding(s) in {', '.join(failed_checks)}")

    if json_out == "-":
        click.echo(json.dumps(_report(directory, ps, results, ok), indent=2, ensure_ascii=False) + "\n", nl=False)
    exit_with(EXIT_VERIFIED if ok else EXIT_FAILED)
