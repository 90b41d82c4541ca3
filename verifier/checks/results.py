"""V7.x: the announced protocols at every level against the verified tallies, and turnout."""
from collections import Counter

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.crypto import signatures
from verifier.record import layout
from verifier.record.model import Protocol, Results
from verifier.tally.hierarchy import Hierarchy, announced_at, turnout_percent

Key = tuple[str, str]


def check_results(ctx: ElectionContext, results: Results, verified: dict[Key, tuple[int, tuple[int, ...]]],
                  voted_by_station: Counter, f: Findings) -> dict[str, tuple[int, ...]]:
    """Returns the verified national-or-scope totals per contest (for the seat check), where every station of the
    contest's scope verified."""
    commission = ctx.manifest.authority("commission")
    top = Location(file=layout.RESULTS)
    f.check("V7.1", results.election_fingerprint == ctx.fingerprint, top, "election fingerprint of another election")
    f.check("V7.1", signatures.verify(commission.algorithm, commission.public_key, results.signed_bytes,
                                      results.commission_signature), top, "commission signature is invalid")
    h = Hierarchy(ctx.manifest)

    # what the verified tallies say for every unit (None where a station's tally did not verify)
    registered, voted = Counter(), Counter()
    for v in ctx.voters.values():
        if v.polling_station in h.district_of:
            for u in h.units_of(v.polling_station):
                registered[u] += 1
    for station, n in voted_by_station.items():
        for u in h.units_of(station):
            voted[u] += n
    sums: dict[tuple[str, str, str], tuple[int, list[int]] | None] = {}
    for station, contests in ctx.station_contests.items():
        for cid in contests:
            v = verified.get((cid, station))
            for level, unit in h.units_of(station):
                k = (level, unit, cid)
                if k in sums and sums[k] is None:
                    continue
                if v is None:
                    sums[k] = None
                    continue
                b, counts = sums.get(k) or (0, [0] * len(v[1]))
                sums[k] = (b + v[0], [x + y for x, y in zip(counts, v[1])])

    expected_units = {(level, unit) for level, units in h.units.items() for unit in units}
    seen: set[Key] = set()
    for p in results.protocols:
        loc = Location(file=layout.RESULTS, level=p.level, unit=p.unit)
        f.checked("V7.2")
        if (p.level, p.unit) not in expected_units:
            f.fail("V7.2", loc, "no such unit at this level in the manifest")
            continue
        if (p.level, p.unit) in seen:
            f.fail("V7.2", loc, "second protocol for this unit")
            continue
        seen.add((p.level, p.unit))
        _check_turnout(p, registered[(p.level, p.unit)], voted[(p.level, p.unit)], loc, f)
        _check_protocol(ctx, p, sums, f)
    for level, unit in sorted(expected_units - seen):
        f.checked("V7.2")
        f.fail("V7.2", Location(file=layout.RESULTS, level=level, unit=unit), "protocol missing")
    totals = {}
    for c in ctx.contests.values():
        top_unit = "nation" if c.scope_level == "nation" else c.scope_unit
        s = sums.get((c.scope_level, top_unit, c.id))
        if s is not None:
            totals[c.id] = tuple(s[1])
    return totals


def _check_turnout(p: Protocol, registered: int, voted: int, loc: Location, f: Findings) -> None:
    f.checked("V7.5")
    if p.registered_voters != registered:
        f.fail("V7.5", loc, f"registered voters {p.registered_voters}; the registry has {registered}")
    if p.voters_voted != voted:
        f.fail("V7.5", loc, f"voters who voted {p.voters_voted}; {voted} voters' e-votes count")
    if p.turnout_percent != turnout_percent(p.voters_voted, p.registered_voters):
        f.fail("V7.5", loc, f"turnout {p.turnout_percent}% is not {p.voters_voted}/{p.registered_voters} "
                            f"= {turnout_percent(p.voters_voted, p.registered_voters)}%")


def _check_protocol(ctx: ElectionContext, p: Protocol, sums: dict, f: Findings) -> None:
    check = "V7.3" if p.level == "polling_station" else "V7.4"
    expected = [cid for cid in ctx.contests if (p.level, p.unit, cid) in sums
                and announced_at(ctx.contests[cid], p.level)]
    found = [r.contest for r in p.contests]
    for cid in found:
        if cid not in expected or found.count(cid) > 1:
            f.checked("V7.2")
            f.fail("V7.2", Location(file=layout.RESULTS, level=p.level, unit=p.unit, contest=cid),
                   "contest not announced at this unit, or announced twice")
    for cid in expected:
        if cid not in found:
            f.checked("V7.2")
            f.fail("V7.2", Location(file=layout.RESULTS, level=p.level, unit=p.unit, contest=cid),
                   "contest missing from the protocol")
    for r in p.contests:
        if r.contest not in expected or found.count(r.contest) > 1:
            continue
        contest = ctx.contests[r.contest]
        loc = Location(file=layout.RESULTS, level=p.level, unit=p.unit, contest=r.contest)
        if [o for o, _ in r.votes] != [o.id for o in contest.options]:
            f.checked("V7.2")
            f.fail("V7.2", loc, "votes do not list the contest's options in manifest order")
            continue
        truth = sums[(p.level, p.unit, r.contest)]
        if truth is None:
            continue  # rests on a tally that did not verify: reported under V6.x, nothing to compare with
        f.checked(check)
        ballots, counts = truth
        if r.ballots != ballots:
            f.fail(check, loc, f"announced {r.ballots} ballots; verified {ballots}")
        for (option, announced), actual in zip(r.votes, counts):
            if announced != actual:
                f.fail(check, Location(file=layout.RESULTS, level=p.level, unit=p.unit, contest=r.contest,
                                       option=option), f"announced {announced}; verified {actual}")
