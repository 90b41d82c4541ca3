"""`tally-verifier protocols DIR [--json FILE]`: check published paper result protocols.

Exit status: 0 every protocol consistent, 1 at least one finding, 2 the directory could not be read.
"""
import click

from verifier.checks.protocols import consistent, run_checks
from verifier.cli.common import EXIT_FAILED, EXIT_VERIFIED, exit_with, main
from verifier.record.paper_protocols import read_protocol_dir
from verifier.report.output import OutputFile
from verifier.report.protocols import render_json, render_text


@main.command("protocols")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=str))
@click.option("--json", "json_out", metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
              help="Also write the machine-readable report to FILE; '-' writes it to standard output (the text report "
                   "is then not printed).")
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
            out.write(render_json(directory, ps, results, ok))
            out.commit()
    finally:
        if out:
            out.discard()

    if json_out == "-":  # the JSON alone is the output, as with `verify --json -`
        click.echo(render_json(directory, ps, results, ok), nl=False)
    else:
        click.echo(render_text(directory, ps, results, ok), nl=False)
    exit_with(EXIT_VERIFIED if ok else EXIT_FAILED)
