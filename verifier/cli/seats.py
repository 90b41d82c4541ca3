"""`tally-verifier seats`: recompute a seat allocation from a count file and compare it with an announced one.

Exit status: 0 computed (and, with --announced, every seat matches), 1 an announced seat differs,
2 the input could not be read (usage errors, malformed files).
"""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import click
from click.core import ParameterSource

from verifier.cli.common import EXIT_FAILED, EXIT_VERIFIED, InputFile, exit_with, main
from verifier.errors import RecordError
from verifier.record.model import ListSeatRule, PluralitySeatRule
from verifier.record.seat_input import parse_announced, parse_counts, read_digested
from verifier.report.output import OutputFile
from verifier.report.seats import add_announced, list_report, plurality_report, render_json, render_text, report
from verifier.tally.seats import ListAllocation, PluralityResult, allocate_list, compare_announced
from verifier.tally.seats import plurality as plurality_winner

BASES = {"parties": False, "parties-and-against-all": True}
_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,9})?")


class _Percent(click.ParamType):
    name = "PERCENT"

    def convert(self, value, param, ctx):
        if isinstance(value, Fraction):
            return value
        text = str(value)
        if not _PERCENT.fullmatch(text):
            self.fail(f"{text!r} is not a percentage like 5 or 7.5", param, ctx)
        percent = Fraction(text)
        if percent > 100:
            self.fail(f"{text} is more than 100", param, ctx)
        return percent


@main.command("seats")
@click.argument("counts", type=InputFile(Path))
@click.option("--seats", "seats", type=click.IntRange(min=1), default=None,
              help="Seats to allocate (required for party lists; 1 with --plurality).")
@click.option("--threshold", type=_Percent(), default="5", show_default=True,
              help="Party-list threshold in percent of the base; a party passes with at least this share.")
@click.option("--base", "base_name", type=click.Choice(list(BASES)), default="parties-and-against-all",
              show_default=True, help="Threshold base: party votes, or party votes plus against all.")
@click.option("--plurality", is_flag=True, help="Single-member plurality instead of party lists.")
@click.option("--announced", type=InputFile(Path),
              help="Announced allocation (CSV option,seats or JSON) to compare with.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
              help="Also write the result as JSON to this file; '-' writes it to standard output (the text is then "
                   "not printed).")
@click.pass_context
def seats_command(ctx: click.Context, counts: Path, seats: int | None, threshold: Fraction, base_name: str,
                  plurality: bool, announced: Path | None, json_out: Path | None) -> None:
    """Allocate seats from the vote counts in COUNTS (.csv or .json) and check an announced allocation.

    \b
    Example:
      tally-verifier seats fixtures/seats/mazhilis-2023-counts.csv --seats 69 \\
          --announced fixtures/seats/mazhilis-2023-announced.csv"""
    if plurality:
        for name, flag in (("threshold", "--threshold"), ("base_name", "--base")):
            if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE:
                raise click.UsageError(f"{flag} applies to party lists, not to --plurality")
        if seats not in (None, 1):
            raise click.UsageError("--plurality elects exactly one seat (--seats 1 or no --seats)")
    elif seats is None:
        raise click.UsageError("Missing option '--seats' (the number of party-list seats).")

    to_stdout = json_out == Path("-")
    # an unusable path: an error before any work
    out = OutputFile(json_out) if json_out is not None and not to_stdout else None
    if out:
        ctx.call_on_close(out.discard)  # whatever ends the command: no temporary file left behind
    data, counts_sha256 = read_digested(counts, parse_counts)
    inputs = [(data.file, counts_sha256)]
    announcement = None
    if announced is not None:
        announcement, announced_sha256 = read_digested(announced, parse_announced)
        inputs.append((str(announced), announced_sha256))

    if plurality:
        result: ListAllocation | PluralityResult = plurality_winner(data.votes, PluralitySeatRule(seats=1))
        lines, doc = plurality_report(data, result)
    else:
        bad = next((r for r in data.rows if r.option.kind == "candidate"), None)
        if bad is not None:
            raise RecordError(data.file, bad.line,
                              f"option {bad.option.id!r} has kind candidate: party lists take kind party "
                              f"(or use --plurality)", input="seat counts")
        assert seats is not None  # without --plurality, a missing --seats is a usage error (above)
        rule = ListSeatRule(seats=seats, threshold_percent=threshold,
                            base_includes_against_all=BASES[base_name])
        result = allocate_list(data.votes, rule)
        lines, doc = list_report(data, result, base_name)

    mismatches = compare_announced(result, announcement) if announcement is not None else []
    add_announced(lines, doc, announced, announcement, mismatches)
    json_text = render_json(report(doc, inputs, mismatches))
    if out:
        out.write(json_text)
        out.commit()
    click.echo(json_text if to_stdout else render_text(lines), nl=not to_stdout)
    status = EXIT_FAILED if mismatches else EXIT_VERIFIED
    exit_with(status)

