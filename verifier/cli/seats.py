"""`tally-verifier seats`: recompute a seat allocation from a count file and compare it with an announced one.

Exit status: 0 computed (and, with --announced, every seat matches), 1 an announced seat differs,
2 the input could not be read (usage errors, malformed files).
"""
from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import click
from click.core import ParameterSource

from verifier.cli.common import EXIT_FAILED, EXIT_VERIFIED, InputFile, exit_with, main
from verifier.errors import RecordError
from verifier.record.model import ListSeatRule, PluralitySeatRule
from verifier.record.seat_input import SeatCounts, read_announced, read_counts
from verifier.report.output import OutputFile
from verifier.tally.seats import (
    ListAllocation,
    PluralityResult,
    SeatMismatch,
    allocate_list,
    compare_announced,
)
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


def decimal(value: Fraction, places: int = 6) -> str:
    """Exact decimal, truncated (not rounded) to ``places`` digits; values here are never negative."""
    scaled = value.numerator * 10**places // value.denominator
    whole, frac = divmod(scaled, 10**places)
    return f"{whole}.{frac:0{places}d}" if places else str(whole)


def _fraction_json(value: Fraction | None) -> dict | None:
    if value is None:
        return None
    return {"fraction": f"{value.numerator}/{value.denominator}", "decimal": decimal(value)}


def _percent_text(value: Fraction) -> str:
    text = decimal(value, 9).rstrip("0").rstrip(".")
    return text


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  ".join(cells).rstrip())
    return out


def _share(votes: int, base: int, in_base: bool) -> tuple[str, Fraction | None]:
    if not in_base or base == 0:
        return "-", None
    share = Fraction(votes * 100, base)
    return decimal(share, 3), share


def _list_report(counts: SeatCounts, a: ListAllocation, base_name: str) -> tuple[list[str], dict]:
    rule = a.rule
    lines = [
        f"seats: party-list allocation of {rule.seats} seat(s) from {counts.file}",
        f"base: {a.base} votes ({base_name.replace('-', ' ')}; invalid ballots are never in it)",
        f"threshold: {_percent_text(Fraction(rule.threshold_percent))}% of the base = {decimal(a.threshold_votes)} votes"
        + (f": a party passes with at least {a.min_votes_to_pass} votes" if a.base > 0 else ""),
        f"votes of the parties over the threshold: {a.passing_votes}",
        f"quota: {decimal(a.quota)} ({a.quota.numerator}/{a.quota.denominator})" if a.quota is not None
        else "quota: none (no allocation)",
        "",
    ]
    header = ["option", "votes", "share %", "passed", "seats", "remainder", "remainder seat", "total"]
    rows, options_json = [], []
    for p in a.parties:
        share_text, share = _share(p.votes, a.base, True)
        in_alloc = p.passed and a.allocated
        rows.append([
            p.option.id, str(p.votes), share_text, "yes" if p.passed else "no",
            str(p.seats), decimal(p.remainder) if in_alloc else "-",
            ("yes" if p.remainder_seat else "no") if in_alloc else "-", str(p.total),
        ])
        options_json.append({
            "option": p.option.id, "kind": p.option.kind, "votes": p.votes, "share_percent": _fraction_json(share),
            "passed": p.passed, "seats": p.seats, "remainder": _fraction_json(p.remainder),
            "remainder_seat": p.remainder_seat, "total": p.total,
        })
    if a.against_all is not None:
        in_base = rule.base_includes_against_all
        share_text, share = _share(a.against_all_votes, a.base, in_base)
        rows.append([a.against_all.id, str(a.against_all_votes), share_text, "-", "-", "-", "-", "0"])
        options_json.append({
            "option": a.against_all.id, "kind": a.against_all.kind, "votes": a.against_all_votes,
            "share_percent": _fraction_json(share), "passed": None, "seats": 0, "remainder": None,
            "remainder_seat": False, "total": 0,
        })
    rows.append(["total", "", "", "", "", "", "", str(a.total_seats)])
    lines += _table(header, rows, right={1, 2, 4, 5, 7})
    lines.append("")
    if a.allocated:
        lines.append(f"allocated: {a.total_seats} seat(s), {a.remainder_seats} of them by largest remainders")
    else:
        lines.append(f"no allocation: {a.no_allocation_reason}")
    if a.remainder_tie is not None:
        lines.append(f"tie: {a.tie_note}")
    if a.against_all is not None:
        lines.append(f"note: {a.against_all.id} is never seated and is not in the quota")
    doc = {
        "mode": "list",
        "counts": counts.file,
        "rule": {
            "seats": rule.seats,
            "threshold_percent": _fraction_json(Fraction(rule.threshold_percent)),
            "base": base_name,
            "base_includes_against_all": rule.base_includes_against_all,
        },
        "base": a.base,
        "threshold_votes": _fraction_json(a.threshold_votes),
        "min_votes_to_pass": a.min_votes_to_pass if a.base > 0 else None,
        "passing_votes": a.passing_votes,
        "quota": _fraction_json(a.quota),
        "allocated": a.allocated,
        "no_allocation_reason": a.no_allocation_reason,
        "options": options_json,
        "total_seats": a.total_seats,
        "remainder_seats": a.remainder_seats,
        "remainder_tie": None if a.remainder_tie is None else {
            "remainder": _fraction_json(a.remainder_tie.remainder),
            "winners": [o.id for o in a.remainder_tie.winners],
            "losers": [o.id for o in a.remainder_tie.losers],
            "note": a.tie_note,
        },
    }
    return lines, doc


def _plurality_report(counts: SeatCounts, r: PluralityResult) -> tuple[list[str], dict]:
    total = sum(n for _, n in r.votes)
    lines = [f"seats: plurality (one seat) from {counts.file}", f"votes: {total} (candidates and against all)", ""]
    rows, options_json = [], []
    tied = {o.id for o in r.tied}  # a set: a scan of the tie per option would be quadratic
    for option, n in r.votes:
        share_text, share = _share(n, total, True)
        if option.kind == "against_all":
            mark = "against all"
        elif r.winner == option:
            mark = "winner"
        elif option.id in tied:
            mark = "tied first"
        else:
            mark = ""
        rows.append([option.id, option.kind, str(n), share_text, mark])
        options_json.append({"option": option.id, "kind": option.kind, "votes": n,
                             "share_percent": _fraction_json(share)})
    lines += _table(["option", "kind", "votes", "share %", ""], rows, right={2, 3})
    lines.append("")
    if r.undecided:
        tied = ", ".join(o.id for o in r.tied)
        lines.append(f"undecided: tie for first between {tied} with {r.top_votes} votes each; no winner is decided")
    else:
        lines.append(f"winner: {r.winner.id} with {r.top_votes} votes")
    if r.against_all_leads:
        lines.append(
            f"note: {r.against_all.id} has {r.against_all_votes} votes, more than every candidate; "
            f"against all never wins, the top candidate is named above"
        )
    doc = {
        "mode": "plurality",
        "counts": counts.file,
        "rule": {"seats": r.rule.seats},
        "options": options_json,
        "winner": None if r.winner is None else r.winner.id,
        "undecided": r.undecided,
        "tied": [o.id for o in r.tied],
        "top_votes": r.top_votes,
        "against_all_votes": r.against_all_votes if r.against_all is not None else None,
        "against_all_leads": r.against_all_leads,
    }
    return lines, doc


def _mismatch_json(m: SeatMismatch) -> dict:
    return {"option": m.option, "expected": m.expected, "announced": m.announced, "known": m.known,
            "reason": m.reason}


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
@click.option("--json", "json_out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also write the result as JSON to this file.")
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

    out = OutputFile(json_out) if json_out is not None else None  # an unusable path: an error before any work
    if out:
        ctx.call_on_close(out.discard)  # whatever ends the command: no temporary file left behind
    data = read_counts(counts)
    announcement = read_announced(announced) if announced is not None else None

    if plurality:
        result: ListAllocation | PluralityResult = plurality_winner(data.votes, PluralitySeatRule(seats=1))
        lines, doc = _plurality_report(data, result)
    else:
        bad = next((r for r in data.rows if r.option.kind == "candidate"), None)
        if bad is not None:
            raise RecordError(data.file, bad.line,
                              f"option {bad.option.id!r} has kind candidate: party lists take kind party "
                              f"(or use --plurality)")
        rule = ListSeatRule(seats=seats, threshold_percent=threshold,
                            base_includes_against_all=BASES[base_name])
        result = allocate_list(data.votes, rule)
        lines, doc = _list_report(data, result, base_name)

    status = EXIT_VERIFIED
    if announcement is not None:
        mismatches = compare_announced(result, announcement)
        lines.append("")
        lines.append(f"announced: {announced}")
        for m in mismatches:
            lines.append(f"mismatch: {m}")
        if mismatches:
            lines.append(f"result: {len(mismatches)} mismatch(es) with the announced allocation")
            status = EXIT_FAILED
        else:
            lines.append("result: the announced allocation matches")
        doc["announced"] = {"file": str(announced), "seats": announcement,
                            "mismatches": [_mismatch_json(m) for m in mismatches], "matches": not mismatches}
    else:
        doc["announced"] = None

    if out:
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        out.commit()
    click.echo("\n".join(lines))
    exit_with(status)

