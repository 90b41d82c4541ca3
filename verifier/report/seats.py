"""The `seats` command's output: the text lines and the JSON document of an allocation, a plurality result and
the comparison with an announcement. Pure functions; the command (verifier.cli.seats) only prints and writes them.

The arguments are verifier.record.seat_input's SeatCounts and verifier.tally.seats' ListAllocation, PluralityResult
and SeatMismatch, read by attribute: the report layer imports only the checks layer (tests/test_layers.py)."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from verifier.report.envelope import envelope, finding

SEAT_CHECK = "V8.1"  # the code of a seat that differs: the comparison of SPEC.md §6, as V8.1 makes it in a record


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
    # every row has one cell per header column (both callers build them so), hence zip(strict=True)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    return out


def _share(votes: int, base: int, in_base: bool) -> tuple[str, Fraction | None]:
    if not in_base or base == 0:
        return "-", None
    share = Fraction(votes * 100, base)
    return decimal(share, 3), share


def list_report(counts, a, base_name: str) -> tuple[list[str], dict]:
    rule = a.rule
    lines = [
        f"seats: party-list allocation of {rule.seats} seat(s) from {counts.file}",
        f"base: {a.base} votes ({base_name.replace('-', ' ')}; invalid ballots are never in it)",
        f"threshold: {_percent_text(Fraction(rule.threshold_percent))}% of the base = "
        f"{decimal(a.threshold_votes)} votes"
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


def plurality_report(counts, r) -> tuple[list[str], dict]:
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
        tied_text = ", ".join(o.id for o in r.tied)
        lines.append(f"undecided: tie for first between {tied_text} with {r.top_votes} votes each; "
                     f"no winner is decided")
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


def add_announced(lines: list[str], doc: dict, announced: str | Path | None, announcement: dict | None,
                  mismatches: list) -> None:
    """Append the comparison with the announced allocation (or its absence) to the text and the body."""
    if announcement is None:
        doc["announced"] = None
        return
    lines.append("")
    lines.append(f"announced: {announced}")
    for m in mismatches:
        lines.append(f"mismatch: {m}")
    if mismatches:
        lines.append(f"result: {len(mismatches)} mismatch(es) with the announced allocation")
    else:
        lines.append("result: the announced allocation matches")
    # each mismatch is a finding of the report (report() below), and its status says whether all match
    doc["announced"] = {"file": str(announced), "seats": announcement}


def render_text(lines: list[str]) -> str:
    return "\n".join(lines)


def report(doc: dict, inputs: list[tuple[str, str]], mismatches: list) -> dict:
    """The JSON report: the shared envelope (kind "seats"; status "computed" without an announcement, else
    "matches" or "differs"), `doc` as its body, each mismatch a finding at the announcement's option."""
    announced = doc["announced"]
    findings = [finding(SEAT_CHECK, {"file": announced["file"], "option": m.option},
                        f"{announced['file']}, option {m.option}", m.reason, expected=m.expected, found=m.announced)
                for m in mismatches]
    return envelope("seats", not mismatches, inputs, findings, doc,
                    status="computed" if announced is None else None)


def render_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
