"""V7.x: the announced protocols at every level against the verified tallies, and turnout."""
from collections import Counter

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.crypto import signatures
from verifier.record import layout
from verifier.record.model import ContestResult, Protocol, Results
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
    announced: dict[tuple[str, str, str], ContestResult] = {}  # the well-formed results, first protocol per unit
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
        announced.update(_check_coverage(ctx, p, sums, f))
    for level, unit in sorted(expected_units - seen):
        f.checked("V7.2")
        f.fail("V7.2", Location(file=layout.RESULTS, level=level, unit=unit), "protocol missing")
    for (level, unit, cid), r in announced.items():
        _check_counts(level, unit, r, sums, _children_sum(h, level, unit, cid, sums, announced), f)
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


def _check_coverage(ctx: ElectionContext, p: Protocol, sums: dict, f: Findings) -> dict:
    """V7.2 for one protocol's contests; returns its well-formed results by (level, unit, contest)."""
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
    out = {}
    for r in p.contests:
        if r.contest not in expected or found.count(r.contest) > 1:
            continue
        if [o for o, _ in r.votes] != [o.id for o in ctx.contests[r.contest].options]:
            f.checked("V7.2")
            f.fail("V7.2", Location(file=layout.RESULTS, level=p.level, unit=p.unit, contest=r.contest),
                   "votes do not list the contest's options in manifest order")
            continue
        out[(p.level, p.unit, r.contest)] = r
    return out


def _children_sum(h: Hierarchy, level: str, unit: str, cid: str, sums: dict,
                  announced: dict) -> tuple[int, int, list[int]] | None:
    """(children, ballots, votes) summed over the announced protocols one level below that cover the contest;
    None at a polling station, or when a child's result is missing or malformed (V7.2 names it)."""
    if level == "polling_station":
        return None
    children = [c for c in h.children.get((level, unit), ()) if (*c, cid) in sums]
    ballots, votes = 0, None
    for c in children:
        r = announced.get((*c, cid))
        if r is None:
            return None
        ballots += r.ballots
        votes = [n for _, n in r.votes] if votes is None else [x + n for x, (_, n) in zip(votes, r.votes)]
    return (len(children), ballots, votes) if votes is not None else None


def _check_counts(level: str, unit: str, r: ContestResult, sums: dict, children: tuple | None, f: Findings) -> None:
    """V7.3 (a station against its verified tally) or V7.4 (a higher level against the verified tallies of its
    stations, and against the sum of its children's announced protocols): one finding per figure that differs."""
    check = "V7.3" if level == "polling_station" else "V7.4"
    truth = sums[(level, unit, r.contest)]  # None: rests on a tally that did not verify (V6.x says why)
    if truth is None and children is None:
        return
    f.checked(check)
    rows = [("ballots", None, r.ballots, truth and truth[0], children and children[1])]
    rows += [("votes", option, n, truth and truth[1][i], children and children[2][i])
             for i, (option, n) in enumerate(r.votes)]
    for what, option, found, verified, summed in rows:
        wrong_truth = verified is not None and found != verified
        wrong_sum = summed is not None and found != summed
        if not (wrong_truth or wrong_sum):
            continue
        parts = [f"announced {found} {what}" if option is None else f"announced {found}"]
        if verified is not None:
            parts.append(f"verified {verified}")
        if wrong_sum or (summed is not None and wrong_truth and summed != verified):
            parts.append(f"the protocols of its {children[0]} children sum to {summed}")
        f.fail(check, Location(file=layout.RESULTS, level=level, unit=unit, contest=r.contest, option=option),
               "; ".join(parts))
