"""V7.2–V7.5 over the announced protocols (checks/results.py `check_results`), on the protocols of a simulated record
changed one rule at a time, against that record's own verified tallies: exact places, one failed item per protocol,
and "not run" rather than "0 checked, passed" when no tally verified."""
from collections import Counter
from dataclasses import replace

import pytest
from conftest import election_context

from verifier.checks.findings import Findings, Location
from verifier.checks.results import check_results
from verifier.record import layout, reader


@pytest.fixture(scope="module")
def honest(simulated):
    root = simulated[0]
    ctx = election_context(root)
    tally = reader.read_tally(root, ctx.key, ctx.manifest.election_id)
    verified = {(a.contest, a.polling_station): (a.ballots, tuple(n for _, n in a.counts)) for a in tally.aggregates}
    results = reader.read_results(root, ctx.manifest.election_id)
    voted = Counter({p.unit: p.voters_voted for p in results.protocols if p.level == "polling_station"})
    return ctx, results, verified, voted


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
    assert "announced result(s) rest on tallies that did not verify" in s.not_run
    assert f.steps["V7.4"].checked > 0 and f.steps["V7.4"].not_run is None and f.steps["V7.4"].failed == 0
    assert totals == {} and not f.verified
