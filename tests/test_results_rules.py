"""V7.2–V7.5 over the announced protocols (checks/results.py `check_results`), on the protocols of a simulated record
changed one rule at a time, against that record's own verified tallies: exact places, one failed item per protocol,
and "not run" rather than "0 checked, passed" when no tally verified."""
from dataclasses import replace

import pytest
from conftest import announced_and_verified

from verifier.checks.findings import Findings, Location
from verifier.checks.results import check_results
from verifier.record import layout
from verifier.tally.hierarchy import Hierarchy


@pytest.fixture(scope="module")
def honest(simulated):
    return announced_and_verified(simulated[0])


def _check(honest, protocols=None, verified=None):
    ctx, results, honest_verified, voted = honest
    f = Findings()
    changed = results if protocols is None else replace(results, protocols=tuple(protocols))
    totals = check_results(ctx, changed, honest_verified if verified is None else verified, voted, f)
    return f, totals


def _at(p, **more):
    return Location(file=layout.RESULTS, level=p.level, unit=p.unit, **more)


def _v72(f):
    s = f.steps["V7.2"]
    return s.failed, [(x.location, x.message) for x in s.findings]


def test_the_honest_protocols_verify(honest):
    f, totals = _check(honest)
    assert f.failures() == [] and all(f.steps[c].not_run is None for c in ("V7.2", "V7.3", "V7.4", "V7.5"))
    assert totals and f.steps["V7.3"].checked > 0 and f.steps["V7.4"].checked > 0


def test_each_protocol_for_an_unknown_unit_or_a_unit_twice_is_one_item_and_the_rest_is_still_checked(honest):
    _, results, _, _ = honest
    protocols = list(results.protocols)
    first = protocols[0]
    ghost = replace(first, unit="no-such-unit")
    f, _ = _check(honest, [ghost, ghost, first, first, first, *protocols[1:]])
    assert _v72(f) == (4, [(_at(ghost), "no such unit at this level in the manifest")] * 2
                       + [(_at(first), "second protocol for this unit")] * 2)
    assert f.steps["V7.3"].failed == f.steps["V7.4"].failed == f.steps["V7.5"].failed == 0


def test_a_missing_protocol_is_named_at_its_level_and_unit(honest):
    _, results, _, _ = honest
    gone = next(p for p in results.protocols if p.level == "district")
    f, _ = _check(honest, [p for p in results.protocols if p is not gone])
    assert _v72(f) == (1, [(_at(gone), "protocol missing")])


def test_nothing_to_compare_is_not_run_not_passed(honest):
    """No tally verified: V7.3 compared nothing, so it is not run (and blocks the verdict), with its reason; the
    levels above are still compared, against the stations' announced figures standing in (SPEC §4.7)."""
    f, totals = _check(honest, verified={})
    s = f.steps["V7.3"]
    assert s.checked == 0 and s.not_run is not None and not s.optional
    _, results, _, _ = honest
    stations = sum(len(p.contests) for p in results.protocols if p.level == "polling_station")
    assert s.not_run == f"the {stations} announced result(s) rest on tallies that did not verify (V6.x)"
    assert f.steps["V7.4"].checked > 0 and f.steps["V7.4"].not_run is None and f.steps["V7.4"].failed == 0
    assert totals == {} and not f.verified


def _station_protocol(results):
    return next(p for p in results.protocols if p.level == "polling_station" and len(p.contests) >= 2)


def _replace_protocol(results, old, new):
    return [new if p is old else p for p in results.protocols]


def test_a_protocols_contests_are_judged_one_by_one_and_the_rest_still_compared(honest):
    """A contest listed twice, one the unit does not count, one missing, one with its options out of order: each
    named at its contest; those are not compared; every other protocol still is."""
    _, results, _, _ = honest
    p = _station_protocol(results)
    first, second, *rest = p.contests
    honest_f, _ = _check(honest)
    compared = honest_f.steps["V7.3"].checked
    cases = [
        ((first, first, second, *rest), [(first.contest, "contest not announced at this unit, or announced twice")] * 2,
         1),
        ((replace(first, contest="no-such-contest"), second, *rest),
         [("no-such-contest", "contest not announced at this unit, or announced twice"),
          (first.contest, "contest missing from the protocol")], 1),
        ((replace(first, votes=first.votes[::-1]), second, *rest),
         [(first.contest, "votes do not list the contest's options in manifest order")], 1),
    ]
    for contests, named, not_compared in cases:
        f, _ = _check(honest, _replace_protocol(results, p, replace(p, contests=contests)))
        assert _v72(f) == (len(named), [(_at(p, contest=c), m) for c, m in named])
        assert f.steps["V7.3"].checked == compared - not_compared and f.steps["V7.3"].failed == 0


def test_a_wrong_figure_is_named_and_one_protocol_contest_is_one_item(honest):
    _, results, _, _ = honest
    p = _station_protocol(results)
    r = p.contests[0]
    (o1, n1), (o2, n2), *others = r.votes
    cases = [
        (replace(r, ballots=r.ballots + 1), [None]),
        (replace(r, votes=((o1, n1 + 1), (o2, n2), *others)), [o1]),
        (replace(r, ballots=r.ballots + 1, votes=((o1, n1 + 1), (o2, n2 + 1), *others)), [None, o1, o2]),
    ]
    for wrong, options in cases:
        f, _ = _check(honest, _replace_protocol(results, p, replace(p, contests=(wrong, *p.contests[1:]))))
        s = f.steps["V7.3"]
        assert s.failed == 1 and [x.location for x in s.findings] == [_at(p, contest=r.contest, option=o)
                                                                      for o in options]
        assert s.findings[0].message.startswith(f"announced {r.ballots + 1} ballots" if options[0] is None
                                                else f"announced {n1 + 1}; verified {n1}")


def _contests_at(ctx, stations):
    return {cid for s in stations for cid in ctx.station_contests[s]}


def test_seats_are_counted_only_from_fully_verified_sums(honest):
    """A station whose tally did not verify: its announced figures stand in for it in the sums above (so the levels
    above are still compared), and no contest it holds gets a seat total; the others keep theirs. Each station in
    turn, and each district's stations all at once."""
    ctx, _, verified, _ = honest
    honest_f, all_totals = _check(honest)
    stations = list(ctx.station_contests)
    groups = [[s] for s in stations]
    for district in {p.district for p in ctx.manifest.polling_stations}:
        groups.append([p.id for p in ctx.manifest.polling_stations if p.district == district])
    for group in groups:
        partial = {k: v for k, v in verified.items() if k[1] not in group}
        f, totals = _check(honest, verified=partial)
        assert set(totals) == set(all_totals) - _contests_at(ctx, group), group
        assert f.steps["V7.4"].checked == honest_f.steps["V7.4"].checked, group
        assert f.failures() == [], group


def test_a_unit_left_without_a_sum_takes_only_its_parent_with_it(honest):
    """A station whose tally did not verify and whose protocol is missing: nothing can stand in for it, so its
    district has no sum for its contests and is not compared for them; above the district its announced figures
    stand in, and every other unit is compared as before."""
    ctx, results, verified, _ = honest
    honest_f, _ = _check(honest)
    h = Hierarchy(ctx.manifest)
    for station in ctx.station_contests:
        held = set(ctx.station_contests[station])
        district = h.parent[("polling_station", station)]
        lost = sum(1 for p in results.protocols if (p.level, p.unit) == district for r in p.contests
                   if r.contest in held)
        f, _ = _check(honest, [p for p in results.protocols if (p.level, p.unit) != ("polling_station", station)],
                      {k: v for k, v in verified.items() if k[1] != station})
        assert lost and f.steps["V7.4"].checked == honest_f.steps["V7.4"].checked - lost, station
        assert f.steps["V7.4"].failed == 0 and _v72(f)[1] == [(Location(file=layout.RESULTS, level="polling_station",
                                                                         unit=station), "protocol missing")]


def test_no_level_above_the_stations_compared_is_not_run_not_passed(honest):
    """Every district's and region's protocol missing, and for every contest of every district one station holding
    it unverified with its protocol missing: no unit above the stations has a sum (nothing can stand in), so V7.4
    compared nothing and is not run; V7.3 still compares the other stations."""
    ctx, results, verified, _ = honest
    h = Hierarchy(ctx.manifest)
    chosen: dict[tuple, str] = {}  # (district, contest) → one station of the district that holds the contest
    for station, contests in ctx.station_contests.items():
        for cid in contests:
            chosen.setdefault((h.parent[("polling_station", station)], cid), station)
    gone = set(chosen.values())
    protocols = [p for p in results.protocols if p.level == "nation"
                 or p.level == "polling_station" and p.unit not in gone]
    f, totals = _check(honest, protocols, {k: v for k, v in verified.items() if k[1] not in gone})
    assert f.steps["V7.3"].checked > 0 and f.steps["V7.3"].not_run is None and f.steps["V7.3"].failed == 0
    s = f.steps["V7.4"]
    assert s.checked == 0 and s.not_run is not None and not s.optional and totals == {}


def test_a_protocols_missing_contests_are_named_in_manifest_order(honest):
    """One protocol's findings follow the manifest's order of contests, not the order of their ids (the manifest's
    contests reversed here, so that the two orders differ)."""
    ctx, results, verified, voted = honest
    reordered = replace(ctx, contests=dict(reversed(ctx.contests.items())))
    p = next(p for p in results.protocols if p.level == "polling_station" and len(p.contests) > 1)
    emptied = tuple(replace(q, contests=()) if q is p else q for q in results.protocols)
    f = Findings()
    check_results(reordered, replace(results, protocols=emptied), verified, voted, f)
    missing = [x.location.contest for x in f.steps["V7.2"].findings
               if x.location.unit == p.unit and x.message == "contest missing from the protocol"]
    assert missing == [cid for cid in reordered.contests if cid in {r.contest for r in p.contests}]
    assert missing != sorted(missing)


def test_a_wrong_district_figure_says_what_its_childrens_protocols_sum_to(honest):
    """V7.4's message names the sum of the protocols one level below (all of them, or none when one is missing)."""
    ctx, results, _, _ = honest
    d = next(p for p in results.protocols if p.level == "district")
    r = d.contests[0]
    stations = {s.id for s in ctx.manifest.polling_stations if s.district == d.unit}
    children = [p for p in results.protocols if p.level == "polling_station" and p.unit in stations
                and any(c.contest == r.contest for c in p.contests)]
    summed = sum(c.ballots for p in children for c in p.contests if c.contest == r.contest)
    wrong = replace(d, contests=(replace(r, ballots=r.ballots + 5), *d.contests[1:]))
    nation_first = sorted(_replace_protocol(results, d, wrong), key=lambda p: p.level != "nation")  # any order
    f, _ = _check(honest, nation_first)
    (finding,) = f.steps["V7.4"].findings
    assert finding.message.endswith(f"; the protocols of its {len(children)} children sum to {summed}")
    child = children[0]
    without = replace(child, contests=tuple(c for c in child.contests if c.contest != r.contest))
    f, _ = _check(honest, [wrong if p is d else without if p is child else p for p in results.protocols])
    (finding,) = [x for x in f.steps["V7.4"].findings if x.location.unit == d.unit]
    assert "sum to" not in finding.message  # a child's result is missing: no sum is given for it
