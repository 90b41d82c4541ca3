"""The verified result: what a reader of the report wants to know (who got how many votes and seats, turnout, where
every ballot in the box went), built only from what the checks themselves recomputed and verified — never from the
authority's announcement. A pure function of data the run already has; the renderers only format it.

A contest whose counts did not verify has no votes here (`verified: False`): the report says so rather than print
numbers nobody checked."""
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verifier.checks.context import ElectionContext
from verifier.record.model import District, ListSeatRule, Manifest, Option, PollingStation, SeatRule
from verifier.tally.hierarchy import Hierarchy, turnout_percent
from verifier.tally.seats import allocate_list, plurality

REASONS = ("superseded", "cancelled", "invalid")  # SPEC.md §2.7's exclusion reasons, in the report's order
REASON_WORDS = {"superseded": "superseded by a later e-vote", "cancelled": "cancelled by a paper vote",
                "invalid": "invalid (signature, proof, chain or repeated id)"}


@dataclass
class BallotAccounting:
    """Every ballot in the box, by the verifier's own decision (not the authority's list): `decided` counts them by
    exclusion reason, None for counted; compare_decisions fills it as it judges each ballot."""

    decided: Counter[str | None] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        in_box, counted = sum(self.decided.values()), self.decided[None]
        excluded = {r: self.decided.get(r, 0) for r in REASONS}
        return {"in_box": in_box, "counted": counted, "excluded": excluded,
                "balanced": in_box == counted + sum(excluded.values())}


def _share(votes: int, total: int) -> str:
    """Percent with two decimals, rounded half up (as turnout); "0.00" of nothing."""
    return turnout_percent(votes, total)


def _percent(x: Fraction) -> str:
    return f"{float(x):g}"


def verified_result(ctx: ElectionContext, totals: dict[str, tuple[int, ...]], voted_by_station: Counter[str],
                    accounting: BallotAccounting | None) -> dict[str, Any]:
    """The verified result as plain data (JSON-ready). `totals`: check_results' verified totals per contest at its
    scope; `voted_by_station`: the voters whose e-vote counts, per station (the counting rules')."""
    m = ctx.manifest
    h = Hierarchy(m)
    names: dict[tuple[str, str | None], str | None] = {("region", r.id): r.name for r in m.regions}
    names.update({("district", d.id): d.name for d in m.districts})
    names.update({("polling_station", p.id): p.name for p in m.polling_stations})
    registered_by_station = ctx.voters.station_counts()
    # registered voters per contest: those of the stations whose ballot style holds it (one pass over the styles)
    styles = {s.id: s.contests for s in m.ballot_styles}
    registered_for: Counter[str] = Counter()
    for p in m.polling_stations:
        for cid in styles.get(p.ballot_style, ()):
            registered_for[cid] += registered_by_station.get(p.id, 0)
    contests = []
    for c in m.contests:
        scope = ("nation" if c.scope_level == "nation"
                 else f"{c.scope_level} {names.get((c.scope_level, c.scope_unit), c.scope_unit)}")
        entry: dict[str, Any] = {"id": c.id, "title": c.title, "scope": scope, "verified": c.id in totals,
                                 "options": []}
        votes = totals.get(c.id)
        total = sum(votes) if votes else 0
        for i, o in enumerate(c.options):
            opt: dict[str, Any] = {"id": o.id, "name": o.name, "kind": o.kind}
            if votes is not None:
                opt.update(votes=votes[i], share=_share(votes[i], total))
            entry["options"].append(opt)
        entry["total_votes"] = total if votes is not None else None
        if votes is not None:  # a counted ballot has exactly one vote per contest (its 1-of-k proof): votes = ballots
            entry["turnout"] = {"registered": registered_for[c.id], "voted": total,
                                "percent": turnout_percent(total, registered_for[c.id])}
        if c.seat_rule is not None and votes is not None:
            _add_seats(entry, c.options, votes, c.seat_rule)
        contests.append(entry)
    registered = sum(n for s, n in registered_by_station.items() if s in h.district_of)
    voted = sum(voted_by_station.values())
    regions = _drill_down(m, registered_by_station, voted_by_station)
    return {"title": m.title, "election_id": m.election_id, "spec_version": m.spec_version,
            "election_day": m.election_day, "contests": contests,
            "turnout": {"registered": registered, "voted": voted, "percent": turnout_percent(voted, registered)},
            "accounting": accounting.as_dict() if accounting is not None else None,
            "regions": regions, "names": _names(m)}


def _add_seats(entry: dict[str, Any], options: tuple[Option, ...], votes: tuple[int, ...], rule: SeatRule) -> None:
    """The seats of a contest with a seat rule and verified votes, into its `entry` (and its options')."""
    # votes are decoded into exactly one count per option of the contest (decode_counts(T, len(options)))
    pairs = list(zip(options, votes, strict=True))
    if isinstance(rule, ListSeatRule):
        a = allocate_list(pairs, rule)
        entry["rule"] = "list"
        entry["seats_total"] = rule.seats
        entry["threshold_percent"] = _percent(rule.threshold_percent)
        entry["threshold_votes"] = a.min_votes_to_pass
        list_seats = a.seats_by_option()
        passed = {p.option.id for p in a.parties if p.passed}
        for opt in entry["options"]:
            opt["seats"] = list_seats.get(opt["id"], 0)
            opt["passed"] = opt["id"] in passed
        entry["allocated"] = a.allocated
        if not a.allocated:
            entry["no_allocation_reason"] = a.no_allocation_reason
    else:
        outcome = plurality(pairs, rule)
        entry["rule"] = "plurality"
        entry["seats_total"] = 1
        winner = outcome.winner
        entry["winner"] = None if winner is None else winner.name
        if winner is None:
            entry["undecided"] = "undecided: tie between " + ", ".join(o.name for o in outcome.tied)
        seats = outcome.seats_by_option()  # None for each tied candidate
        for opt in entry["options"]:
            opt["seats"] = seats.get(opt["id"])


def _drill_down(m: Manifest, registered_by_station: Counter[str],
                voted_by_station: Counter[str]) -> list[dict[str, Any]]:
    """Region → district → station, registered and voted per unit (the verifier's own counts)."""
    # grouped in one pass each: a scan of every station per district would be quadratic on a national record
    stations_of: dict[str, list[PollingStation]] = {}
    for p in m.polling_stations:
        stations_of.setdefault(p.district, []).append(p)
    districts_of: dict[str, list[District]] = {}
    for d in m.districts:
        districts_of.setdefault(d.region, []).append(d)
    regions: list[dict[str, Any]] = []
    for r in m.regions:
        districts: list[dict[str, Any]] = []
        for d in districts_of.get(r.id, ()):
            stations: list[dict[str, Any]] = [
                {"id": p.id, "name": p.name, "registered": registered_by_station.get(p.id, 0),
                 "voted": voted_by_station.get(p.id, 0)} for p in stations_of.get(d.id, ())]
            districts.append({"id": d.id, "name": d.name, "stations": stations,
                              "registered": sum(s["registered"] for s in stations),
                              "voted": sum(s["voted"] for s in stations)})
        regions.append({"id": r.id, "name": r.name, "districts": districts,
                        "registered": sum(d["registered"] for d in districts),
                        "voted": sum(d["voted"] for d in districts)})
    return regions


def _names(m: Manifest) -> dict[str, Any]:
    """The manifest's names for the ids a finding's place holds (the report names places, not only ids)."""
    return {"region": {r.id: r.name for r in m.regions}, "district": {d.id: d.name for d in m.districts},
            "polling_station": {p.id: p.name for p in m.polling_stations},
            "contest": {c.id: c.title for c in m.contests},
            "option": {c.id: {o.id: o.name for o in c.options} for c in m.contests}}
