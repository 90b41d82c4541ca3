"""V7.x: the announced protocols at every level against the verified tallies, and turnout.

The protocols form the hierarchy polling station → district → region → nation; a contest is announced at every
level from the polling station up to its scope (an SMD stops at its district, a regional maslikhat list at its
region: ``announced_at``). Each protocol is compared with the sum of the verified tallies of its polling stations
(V7.3 at a station, V7.4 above it): a protocol that does not sum is named with its level, unit, contest and option,
and its finding also says what its children's protocols sum to, which tells an error made at that level from one
carried up from below.

A station whose tally did not verify (V6.x names it) cannot itself be checked; in the sums above it, its announced
figures stand in for its tally (and a unit left without a sum is replaced by its announced protocol in its parent's),
so that the rest of the hierarchy is still checked and a fault is named where it is, not at every level above an
unverifiable station. Seats are only recomputed from fully verified counts.
"""
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from verifier.checks.context import ElectionContext
from verifier.checks.documents import check_commission_document
from verifier.checks.findings import Findings, Location
from verifier.record import layout
from verifier.record.model import ContestResult, Protocol, Results
from verifier.tally.hierarchy import Hierarchy, announced_at, turnout_percent

Key = tuple[str, str]
UnitContest = tuple[str, str, str]  # (level, unit, contest)
_Children = tuple[int, int, list[int]]  # (children, ballots, votes) summed over the protocols one level below


@dataclass
class _Sum:
    ballots: int
    votes: list[int]
    stand_ins: int = 0  # protocols below whose announced figures stand in for a sum that did not verify


def check_results(ctx: ElectionContext, results: Results, verified: Mapping[Key, tuple[int, tuple[int, ...]]],
                  voted_by_station: Counter[str], f: Findings) -> dict[str, tuple[int, ...]]:
    """Returns the verified totals per contest at its scope's top unit (for the seat check), for the contests
    every station of whose scope verified."""
    check_commission_document(ctx, "V7.1", layout.RESULTS, results, f)
    h = Hierarchy(ctx.manifest)
    registered, voted = _registered_and_voted(ctx, h, voted_by_station)
    # which units count which contests: every unit above a station whose ballot style has the contest
    covers: set[UnitContest] = {(level, unit, cid) for station, contests in ctx.station_contests.items()
                                for cid in contests for level, unit in h.units_of(station)}
    announced = _check_protocols(ctx, results, h, covers, registered, voted, f)
    sums = _verified_sums(ctx, h, verified, covers, announced)
    _compare_counts(announced, sums, _children_sums(h, covers, announced), f)
    return _seat_totals(ctx, sums)


def _registered_and_voted(ctx: ElectionContext, h: Hierarchy, voted_by_station: Counter[str]
                          ) -> tuple[Counter[Key], Counter[Key]]:
    """Registered voters and voters who voted per unit (level, unit)."""
    registered: Counter[Key] = Counter()
    voted: Counter[Key] = Counter()
    for station, n in ctx.voters.station_counts().items():
        if station in h.district_of:
            for u in h.units_of(station):
                registered[u] += n
    for station, n in voted_by_station.items():
        for u in h.units_of(station):
            voted[u] += n
    return registered, voted


def _check_protocols(ctx: ElectionContext, results: Results, h: Hierarchy, covers: set[UnitContest],
                     registered: Counter[Key], voted: Counter[Key], f: Findings
                     ) -> dict[UnitContest, ContestResult]:
    """V7.2 (one protocol per unit, each with the contests its unit counts) and V7.5 (turnout) for every
    protocol. Returns the well-formed results, first protocol per unit."""
    # per unit, the contests it counts in manifest order (one pass over covers, not every contest per protocol)
    order = {cid: i for i, cid in enumerate(ctx.contests)}
    expected_contests: dict[Key, list[str]] = {}
    for level, unit, cid in covers:
        expected_contests.setdefault((level, unit), []).append(cid)
    for cids in expected_contests.values():
        cids.sort(key=order.__getitem__)
    option_ids = {cid: [o.id for o in c.options] for cid, c in ctx.contests.items()}

    expected_units = {(level, unit) for level, units in h.units.items() for unit in units}
    seen: set[Key] = set()
    announced: dict[UnitContest, ContestResult] = {}  # the well-formed results, first protocol per unit
    for i, p in enumerate(results.protocols):
        loc = Location(file=layout.RESULTS, level=p.level, unit=p.unit)
        f.checked("V7.2")  # one item per protocol (a third one for a unit fails at the second's place)
        if (p.level, p.unit) not in expected_units:
            f.fail("V7.2", loc, "no such unit at this level in the manifest", item=("protocol", i))
            continue
        if (p.level, p.unit) in seen:
            f.fail("V7.2", loc, "second protocol for this unit", item=("protocol", i))
            continue
        seen.add((p.level, p.unit))
        _check_turnout(p, registered[(p.level, p.unit)], voted[(p.level, p.unit)], loc, f)
        announced.update(_check_coverage(ctx, p, expected_contests, option_ids, f))
    for level, unit in sorted(expected_units - seen):
        f.check("V7.2", False, Location(file=layout.RESULTS, level=level, unit=unit), "protocol missing")
    return announced


def _compare_counts(announced: dict[UnitContest, ContestResult], sums: dict[UnitContest, _Sum | None],
                    children: dict[UnitContest, _Children | None], f: Findings) -> None:
    """V7.3 and V7.4 for every well-formed announced result; a step that compared nothing says why."""
    unverified: Counter[str] = Counter()  # announced results that rest on tallies that did not verify, per step
    for (level, unit, cid), r in announced.items():
        if not _check_counts(level, unit, r, sums[(level, unit, cid)], children.get((level, unit, cid)), f):
            unverified["V7.3" if level == "polling_station" else "V7.4"] += 1
    for check, n in unverified.items():
        if not f.steps[check].checked:  # nothing compared at all: "0 checked, passed" would be a lie
            f.not_run(check, f"the {n} announced result(s) rest on tallies that did not verify (V6.x)")


def _seat_totals(ctx: ElectionContext, sums: dict[UnitContest, _Sum | None]) -> dict[str, tuple[int, ...]]:
    """The verified totals per contest at its scope's top unit, for the contests whose sum has no stand-in."""
    totals = {}
    for c in ctx.contests.values():
        top_unit = "nation" if c.scope_level == "nation" else c.scope_unit
        if top_unit is None:
            continue  # a region or district contest without its unit (V1.x names it) has no sum
        s = sums.get((c.scope_level, top_unit, c.id))
        if s is not None and s.stand_ins == 0:
            totals[c.id] = tuple(s.votes)
    return totals


BELOW = (("district", "polling_station"), ("region", "district"), ("nation", "region"))


def _verified_sums(ctx: ElectionContext, h: Hierarchy, verified: Mapping[Key, tuple[int, tuple[int, ...]]],
                   covers: set[UnitContest],
                   announced: dict[UnitContest, ContestResult]) -> dict[UnitContest, _Sum | None]:
    """For every unit and contest, the sum of its stations' verified tallies, built level by level. A station whose
    tally did not verify has none (None); in the sum of its parent its announced figures stand in for it, and so on
    up: a unit without a sum is replaced in its parent's sum by its announced protocol (counted in ``stand_ins``).
    A unit with a child that has neither a sum nor a well-formed announced result has no sum either.

    Each (child, contest) the covers hold is added once into its parent's sum: a scan of every child of a unit
    for every contest it counts would cost children × contests (a district's stations may each hold other
    contests)."""
    sums: dict[UnitContest, _Sum | None] = {}
    for station, contests in ctx.station_contests.items():
        for cid in contests:
            v = verified.get((cid, station))
            sums[("polling_station", station, cid)] = None if v is None else _Sum(v[0], list(v[1]))
    for level, below in BELOW:
        totals: dict[Key, _Sum | None] = {}
        for k in _covers_at(covers, below):
            parent = (h.parent[(below, k[1])][1], k[2])
            if parent in totals and totals[parent] is None:
                continue  # a child without a sum and without an announced result: no sum
            s = sums[k]
            if s is None and k in announced:
                r = announced[k]
                s = _Sum(r.ballots, [n for _, n in r.votes], 1)
            total = totals.get(parent)
            if s is None:
                totals[parent] = None
            elif total is None:
                totals[parent] = _Sum(s.ballots, list(s.votes), s.stand_ins)
            else:
                total.ballots += s.ballots
                # both have one count per option of the contest (decode_counts, V7.2's manifest order)
                total.votes = [x + y for x, y in zip(total.votes, s.votes, strict=True)]
                total.stand_ins += s.stand_ins
        for (unit, cid), total in totals.items():
            sums[(level, unit, cid)] = total
    return sums


def _covers_at(covers: set[UnitContest], level: str) -> list[UnitContest]:
    return [k for k in covers if k[0] == level]


def _children_sums(h: Hierarchy, covers: set[UnitContest], announced: dict[UnitContest, ContestResult]
                   ) -> dict[UnitContest, _Children | None]:
    """For every unit above a station and contest: (children, ballots, votes) summed over the announced protocols
    one level below that count the contest; None when a child's result is missing or malformed (V7.2 names it).
    Built in one pass over the covers and the announced results, like the sums."""
    covering: Counter[UnitContest] = Counter()
    for _, below in BELOW:
        for k in _covers_at(covers, below):
            covering[(*h.parent[(below, k[1])], k[2])] += 1
    acc: dict[UnitContest, _Children] = {}
    for (level, unit, cid), r in announced.items():
        if level == "nation":
            continue
        key = (*h.parent[(level, unit)], cid)
        a = acc.get(key)
        if a is None:
            acc[key] = (1, r.ballots, [v for _, v in r.votes])
        else:
            # well-formed results of one contest list its options, in manifest order (V7.2): equal lengths
            acc[key] = (a[0] + 1, a[1] + r.ballots, [x + v for x, (_, v) in zip(a[2], r.votes, strict=True)])
    return {key: (a if a[0] == covering[key] else None) for key, a in acc.items()}


def _check_turnout(p: Protocol, registered: int, voted: int, loc: Location, f: Findings) -> None:
    f.checked("V7.5")
    if p.registered_voters != registered:
        f.fail("V7.5", loc, f"registered voters {p.registered_voters}; the registry has {registered}",
               expected=registered, found=p.registered_voters)
    if p.voters_voted != voted:
        f.fail("V7.5", loc, f"voters who voted {p.voters_voted}; {voted} voters' e-votes count", expected=voted,
               found=p.voters_voted)
    if p.turnout_percent != turnout_percent(p.voters_voted, p.registered_voters):
        f.fail("V7.5", loc, f"turnout {p.turnout_percent}% is not {p.voters_voted}/{p.registered_voters} "
                            f"= {turnout_percent(p.voters_voted, p.registered_voters)}%",
               expected=turnout_percent(p.voters_voted, p.registered_voters), found=p.turnout_percent)


def _check_coverage(ctx: ElectionContext, p: Protocol, expected_contests: dict[Key, list[str]],
                    option_ids: dict[str, list[str]], f: Findings) -> dict[UnitContest, ContestResult]:
    """V7.2 for one protocol's contests: exactly those its unit counts and that are announced at its level, each
    once, options in manifest order. Returns its well-formed results."""
    expected = [cid for cid in expected_contests.get((p.level, p.unit), ())
                if announced_at(ctx.contests[cid], p.level)]
    wanted = set(expected)
    listed = Counter(r.contest for r in p.contests)  # one pass: a count per entry would be quadratic
    for cid in (r.contest for r in p.contests):
        if cid not in wanted or listed[cid] > 1:
            f.check("V7.2", False, Location(file=layout.RESULTS, level=p.level, unit=p.unit, contest=cid),
                    "contest not announced at this unit, or announced twice")
    for cid in expected:
        if cid not in listed:
            f.check("V7.2", False, Location(file=layout.RESULTS, level=p.level, unit=p.unit, contest=cid),
                    "contest missing from the protocol")
    out = {}
    for r in p.contests:
        if r.contest not in wanted or listed[r.contest] > 1:
            continue
        if [o for o, _ in r.votes] != option_ids[r.contest]:
            f.check("V7.2", False, Location(file=layout.RESULTS, level=p.level, unit=p.unit, contest=r.contest),
                    "votes do not list the contest's options in manifest order")
            continue
        out[(p.level, p.unit, r.contest)] = r
    return out


def _check_counts(level: str, unit: str, r: ContestResult, truth: _Sum | None, children: _Children | None,
                  f: Findings) -> bool:
    """V7.3 (a station against its verified tally) or V7.4 (a higher level against the sum of its stations'
    verified tallies): one finding per figure that differs, saying also what the children's protocols sum to.
    Returns whether it could compare.

    A protocol equal to the verified sums is right even when its children's protocols do not add up to it: the
    child that is wrong is named by its own comparison, so each fault is named once, where it is."""
    if truth is None:
        return False  # rests on a tally that did not verify, with nothing announced to stand in: V6.x/V7.2 say why
    check = "V7.3" if level == "polling_station" else "V7.4"
    f.checked(check)  # one item, this protocol's contest: a finding per figure that differs
    rows: list[tuple[str, str | None, int, int, int | None]] = [
        ("ballots", None, r.ballots, truth.ballots, children and children[1])]
    rows += [("votes", option, n, truth.votes[i], children and children[2][i])
             for i, (option, n) in enumerate(r.votes)]
    for what, option, found, expected, summed in rows:
        if found == expected:
            continue
        parts = [f"announced {found} {what}" if option is None else f"announced {found}"]
        if truth.stand_ins:
            parts.append(f"expected {expected} (the verified tallies, with the announced figures of "
                         f"{truth.stand_ins} protocol(s) below whose tallies did not verify)")
        else:
            parts.append(f"verified {expected}")
        if summed is not None and children is not None:  # summed is None without children
            parts.append(f"the protocols of its {children[0]} children sum to {summed}")
        f.fail(check, Location(file=layout.RESULTS, level=level, unit=unit, contest=r.contest, option=option),
               "; ".join(parts), item=(level, unit, r.contest), expected=expected, found=found)
    return True
