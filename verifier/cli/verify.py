"""`tally-verifier verify` and `tally-verifier checks`."""
import os
import sys

import click

from verifier.checks.catalog import SUITES, markdown_table
from verifier.cli.common import EXIT_FAILED, EXIT_VERIFIED, InputFile, anchor_options, exit_with, main, state_option
from verifier.engine import Engine
from verifier.engine.local import LocalEngine
from verifier.engine.progress import for_terminal
from verifier.engine.run import verify_record
from verifier.report import json_report, text
from verifier.report.output import OutputFile


@main.command("verify")
@click.argument("record", type=click.Path(exists=True, dir_okay=True, file_okay=True))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help="Also write the report as JSON; '-' writes it to standard output (the text report is then not "
                   "printed: the JSON alone is the output).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the report as one self-contained HTML file (charts, drill-down; nothing fetched).")
@click.option("--no-color", is_flag=True, help="Plain text even on a terminal (as when NO_COLOR is set).")
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help="Local worker processes (default: every core). Not with --scheduler.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run the ballot-box chunks on a Dask distributed cluster (e.g. tcp://10.0.0.1:8786) instead of "
                   "local processes. The report is the same.")
@click.option("--no-batch", is_flag=True,
              help="Verify every validity proof individually instead of in batches (about 40x slower).")
@click.option("--chunk-size", type=click.IntRange(1, 100_000), default=None,
              help="Ballots per chunk (default: chosen from the ballot style and the number of workers).")
@click.option("--receipts", "receipts_path", type=InputFile(), default=None,
              help="Receipts voters kept (box lines as their clients received them, one per line): each must be "
                   "in the box unchanged (V3.10).")
@anchor_options
@click.option("--until", type=click.Choice(["setup", "registry", "box"]), default=None,
              help="A record published before the tally: verify it up to this stage (setup; registry; box: the "
                   "ballot box so far, whose head may be a snapshot head). Later files may be absent; their steps "
                   "are not run (SPEC.md §12).")
@state_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (there is none when stderr is not a terminal).")
def verify(record: str, json_path: str | None, html_path: str | None, no_color: bool, workers: int | None,
           scheduler: str | None, no_batch: bool, chunk_size: int | None, receipts_path: str | None,
           expect_fingerprints: tuple[str, ...], trusted_keys: str | None, until: str | None, state_path: str | None,
           quiet: bool) -> None:
    """Verify an election RECORD (a directory, .zip or .tar.gz). Exit 0 verified (the verdict names any step not
    run for want of an optional input), 1 not verified, 2 unreadable, 3 internal error (a bug), 130 interrupted.

    \b
    Example:
      tally-verifier verify fixtures/demo-2023 --html report.html --json report.json \\
          --expect-fingerprint HEX"""
    if scheduler and workers:
        raise click.UsageError("--workers and --scheduler exclude each other (the cluster has its own workers)")
    if state_path and until in ("setup", "registry"):
        raise click.UsageError("--state keeps what was verified of the ballot box: with --until box or without --until")
    engine: Engine
    if scheduler:
        from verifier.engine.dask import DaskEngine, DaskMissing, SchedulerUnreachable

        try:
            # at once, before the record is read: no Dask, or no scheduler at the address, is one line and exit 2
            dask_engine = DaskEngine(scheduler)
            dask_engine.connect()
        except (DaskMissing, SchedulerUnreachable) as e:
            raise click.ClickException(str(e)) from None
        engine = dask_engine
    else:
        engine = LocalEngine(workers)
    # the output is created before the run and written before the verdict is printed: an unusable path is an
    # error (exit 2) and never follows a verdict
    to_stdout = json_path == "-"
    try:
        json_out = OutputFile(json_path) if json_path and not to_stdout else None
        html_out = OutputFile(html_path) if html_path else None
    except BaseException:
        engine.close()  # the run closes it, but there is none: a client connected above is closed here
        raise
    try:
        verdict = verify_record(record, engine, batch=not no_batch, chunk=chunk_size, progress=for_terminal(quiet),
                                receipts=receipts_path, expect_fingerprints=expect_fingerprints,
                                trusted_keys=trusted_keys, until=until, state=state_path)
        if json_out:
            json_out.write(json_report.render(verdict))
            json_out.commit()
        if html_out:
            from verifier.report import html  # jinja2 only when asked for

            html_out.write(html.render(verdict))
            html_out.commit()
    finally:
        for out in (json_out, html_out):
            if out:
                out.discard()
    if to_stdout:
        click.echo(json_report.render(verdict), nl=False)
    elif sys.stdout.isatty() and not no_color and not os.environ.get("NO_COLOR"):
        from rich.console import Console

        text.print_rich(verdict, Console())
    else:
        click.echo(text.render(verdict), nl=False)
    exit_with(EXIT_VERIFIED if verdict.verified else EXIT_FAILED)


@main.command("checks")
@click.option("--markdown", is_flag=True,
              help="The check table of SPEC.md, as Markdown (§4, or §7 with --suite protocols).")
@click.option("--suite", type=click.Choice(list(SUITES)), default=None,
              help="Only the V-steps of `verify` (record) or the P-steps of `protocols`; "
                   "--markdown: record unless given.")
def checks(markdown: bool, suite: str | None) -> None:
    """List the numbered checks: the V-steps of `verify`, then the P-steps of `protocols`.

    \b
    Example:
      tally-verifier checks --markdown > checks.md"""
    if markdown:
        click.echo(markdown_table(suite or "record"))
        return
    for name in [suite] if suite else list(SUITES):
        phase = None
        for c in SUITES[name]:
            if c.phase != phase:
                phase = c.phase
                click.echo(f"[{phase}]" if name == "record" else f"[protocols: {phase}]")
            click.echo(f"  {c.id:<5} {c.name:<24} {c.title}  (SPEC.md §{c.section})")
