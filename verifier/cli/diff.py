"""`tally-verifier diff OLD NEW`: does the later snapshot NEW of the ballot box extend OLD exactly (SPEC.md §12.3)."""
import click

from verifier.cli.common import EXIT_FAILED, EXIT_VERIFIED, exit_with, main
from verifier.engine.diff import diff_records
from verifier.engine.local import LocalEngine


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=True, file_okay=True))
@click.argument("new", type=click.Path(exists=True, dir_okay=True, file_okay=True))
@click.option("--workers", type=click.IntRange(1, 1024), default=None, help="Local worker processes.")
def diff(old: str, new: str, workers: int | None) -> None:
    """Check that the ballot box of NEW (a later snapshot, or the final record) extends that of OLD exactly:
    OLD's lines are NEW's first lines byte for byte, the chain continues, both heads are the collector's for the
    same election; verify only NEW's added entries. Exit 0 it does and they pass, 1 not, 2 unreadable.

    \b
    Example:
      tally-verifier diff snapshot-0900 snapshot-1200"""
    d = diff_records(old, new, LocalEngine(workers))
    v = d.verdict
    if d.new_entries:
        click.echo(f"OLD: {d.old_entries} entries; NEW: {d.new_entries} entries")
    for p in d.problems:
        click.echo(f"  {p}")
    failures = v.findings.failures() if v else []
    for f in failures:
        place = f.location.describe()
        click.echo(f"  {f.check} {place}: {f.message}" if place else f"  {f.check}: {f.message}")
    if d.ok:
        click.echo(f"NEW extends OLD: {d.added} entries added, every check on them passed")
    elif d.departs_at:
        click.echo("NEW DOES NOT EXTEND OLD")
    elif not d.problems:
        click.echo(f"NEW extends OLD: {d.added} entries added; {len(failures)} failure(s)")
    elif d.new_entries:  # read to its end: the problem is the heads'
        click.echo(f"NEW extends OLD line by line ({d.added} entries added), but see above")
    else:
        click.echo("NEW DOES NOT EXTEND OLD")
    if v and v.fingerprint:
        click.echo(f"election fingerprint {v.fingerprint}")
    exit_with(EXIT_VERIFIED if d.ok else EXIT_FAILED)
