"""`tally-verifier verify` and `tally-verifier checks`."""
import click

from verifier.checks.catalog import CHECKS, markdown_table
from verifier.cli.common import EXIT_FAILED, EXIT_VERIFIED, exit_with, main
from verifier.engine.local import LocalEngine
from verifier.engine.run import verify_record
from verifier.report import json_report, text


@main.command("verify")
@click.argument("record", type=click.Path(exists=True, dir_okay=True, file_okay=True))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="Also write the report as JSON.")
@click.option("--workers", type=click.IntRange(1, 1024), default=None, help="Worker processes (default: every core).")
@click.option("--no-batch", is_flag=True, help="Verify every validity proof individually instead of in batches.")
def verify(record: str, json_path: str | None, workers: int | None, no_batch: bool) -> None:
    """Verify an election RECORD (a directory, .zip or .tar.gz). Exit 0 verified, 1 a check failed, 2 unreadable."""
    verdict = verify_record(record, LocalEngine(workers), batch=not no_batch)
    click.echo(text.render(verdict), nl=False)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            fh.write(json_report.render(verdict))
    exit_with(EXIT_VERIFIED if verdict.verified else EXIT_FAILED)


@main.command("checks")
@click.option("--markdown", is_flag=True, help="Print the table of SPEC.md §4 instead.")
def checks(markdown: bool) -> None:
    """List the numbered verification steps."""
    if markdown:
        click.echo(markdown_table())
        return
    phase = None
    for c in CHECKS:
        if c.phase != phase:
            phase = c.phase
            click.echo(f"[{phase}]")
        click.echo(f"  {c.id:<5} {c.name:<24} {c.title}  (SPEC.md §{c.section})")
