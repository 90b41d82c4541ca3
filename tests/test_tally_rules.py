"""V6.2–V6.4 over a tally's aggregates (checks/tally.py `check_tally`), on the aggregates of a simulated record
changed one rule at a time: which aggregates count as verified (the report's result is built from them alone), the
exact places, and how many failed items each step counts (an aggregate is one item, however many of its values are
wrong). The decryption proofs are judged elsewhere (`reveal_problems`, tests/test_threshold.py, the fault matrix):
here `reveal` is given, so that V6.3's outcome is chosen by the test."""
from dataclasses import replace

import pytest
from conftest import election_context

from verifier.checks.findings import Findings, Location
from verifier.checks.tally import check_tally
from verifier.crypto.paillier import SLOT
from verifier.record import layout, reader


@pytest.fixture(scope="module")
def honest(simulated):
    root = simulated[0]
    ctx = election_context(root)
    tally = reader.read_tally(root, ctx.key, ctx.manifest.election_id)
    recomputed = {(a.contest, a.polling_station): (a.ballots, a.ciphertext) for a in tally.aggregates}
    return ctx, tally, recomputed


def _all_hold(aggregates):
    return [(None, ())] * len(aggregates)


def _check(ctx, tally, aggregates, recomputed, reveal=_all_hold, notes=None):
    f = Findings()
    verified = check_tally(ctx, replace(tally, aggregates=tuple(aggregates)), recomputed, f, reveal, notes)
    return f, verified


def _key(a):
    return a.contest, a.polling_station


def _at(a, **more):
    return Location(file=layout.TALLY, contest=a.contest, polling_station=a.polling_station, **more)


def _failed(f, step):
    s = f.steps[step]
    return s.failed, [(x.location, x.message) for x in s.findings]


def test_an_honest_tally_verifies_every_aggregate(honest):
    ctx, tally, recomputed = honest
    f, verified = _check(ctx, tally, tally.aggregates, recomputed)
    assert f.failures() == [] and set(verified) == set(recomputed)
    assert f.steps["V6.2"].checked == f.steps["V6.4"].checked == len(tally.aggregates)


def test_a_missing_aggregate_is_named_at_its_contest_and_station(honest):
    ctx, tally, recomputed = honest
    gone = tally.aggregates[3]
    f, verified = _check(ctx, tally, tally.aggregates[:3] + tally.aggregates[4:], recomputed)
    assert _failed(f, "V6.2") == (1, [(_at(gone), "aggregate missing")])
    assert _key(gone) not in verified and len(verified) == len(recomputed) - 1


def test_each_repeated_or_unknown_aggregate_is_one_failed_item(honest):
    ctx, tally, recomputed = honest
    a = tally.aggregates[0]
    wrong = replace(a, ciphertext=a.ciphertext + 1)
    others = tally.aggregates[1:]
    f, verified = _check(ctx, tally, [wrong, wrong, wrong, *others], recomputed)
    # the two copies after the first (the same place each time), then the first: not the product
    assert f.steps["V6.2"].failed == 3
    assert [m for _, m in _failed(f, "V6.2")[1]] == ["second aggregate for this contest and polling station"] * 2 + \
        ["aggregate is not the product of the counted ballots' ciphertexts"]
    assert _key(a) not in verified
    foreign = replace(a, polling_station="no-such-station")
    f, _ = _check(ctx, tally, [*tally.aggregates, foreign, foreign], recomputed)
    assert _failed(f, "V6.2") == (2, [(_at(foreign), "no ballot style gives this contest at this polling station")] * 2)


def test_an_aggregate_failing_v62_is_one_item_and_never_verified(honest):
    ctx, tally, recomputed = honest
    a = tally.aggregates[2]
    for wrong in (replace(a, ciphertext=a.ciphertext + 1), replace(a, ballots=a.ballots + 1),
                  replace(a, ciphertext=a.ciphertext + 1, ballots=a.ballots + 1)):
        rest = [x if x.index != a.index else wrong for x in tally.aggregates]
        f, verified = _check(ctx, tally, rest, recomputed)
        assert f.steps["V6.2"].failed == 1, wrong
        assert _key(a) not in verified and len(verified) == len(recomputed) - 1
    # one ballot more, and the plaintext and counts to match it: only the recomputed number of ballots disagrees
    # (each rule stands on its own, whatever the others would have found)
    plus = replace(a, ballots=a.ballots + 1, plaintext=a.plaintext + 1,
                   counts=((a.counts[0][0], a.counts[0][1] + 1), *a.counts[1:]))
    f, verified = _check(ctx, tally, [x if x.index != a.index else plus for x in tally.aggregates], recomputed)
    assert _failed(f, "V6.2")[0] == 1 and f.steps["V6.4"].failed == 0 and _key(a) not in verified


def test_a_station_where_no_ballot_counts_has_the_empty_aggregate(honest):
    """No counted ballot: the recomputed aggregate is 0 ballots and the product 1 (no entry in `recomputed`)."""
    ctx, tally, recomputed = honest
    a = tally.aggregates[1]
    empty = replace(a, ballots=0, ciphertext=1, plaintext=0, counts=tuple((o, 0) for o, _ in a.counts))
    rest = [x if x.index != a.index else empty for x in tally.aggregates]
    f, verified = _check(ctx, tally, rest, {k: v for k, v in recomputed.items() if k != _key(a)})
    assert f.failures() == [] and verified[_key(a)] == (0, (0,) * len(a.counts))


def _counts_case(a, recomputed, *, extra_ballot=False, swap=False, wrong_options=0):
    counts = list(a.counts)
    if swap:
        counts[0], counts[1] = counts[1], counts[0]
    for j in range(wrong_options):
        counts[j] = (counts[j][0], counts[j][1] + 1)
    changed = replace(a, counts=tuple(counts), ballots=a.ballots + extra_ballot)
    return changed, {**recomputed, _key(a): (changed.ballots, a.ciphertext)}


@pytest.mark.parametrize("case", [{"extra_ballot": True, "wrong_options": 1}, {"extra_ballot": True, "swap": True},
                                  {"wrong_options": 2}, {"swap": True}, {"extra_ballot": True}])
def test_an_aggregate_failing_v64_is_one_item_and_never_verified(honest, case):
    ctx, tally, recomputed = honest
    a = next(x for x in tally.aggregates if len(x.counts) >= 3 and x.counts[0][1] != x.counts[1][1])
    changed, recomputed = _counts_case(a, recomputed, **case)
    f, verified = _check(ctx, tally, [x if x.index != a.index else changed for x in tally.aggregates], recomputed)
    assert f.steps["V6.4"].failed == 1 and f.steps["V6.2"].failed == 0
    assert _key(a) not in verified


def test_counts_that_could_carry_into_the_next_slot_are_refused(honest):
    """2^24 ballots at one station could overflow a slot into the next (SPEC §3.3): refused even when the decoded
    counts add up."""
    ctx, tally, recomputed = honest
    a = tally.aggregates[0]
    full = replace(a, ballots=SLOT, plaintext=(SLOT - 1) + SLOT,
                   counts=tuple((o, [SLOT - 1, 1][j] if j < 2 else 0) for j, (o, _) in enumerate(a.counts)))
    rest = [x if x.index != a.index else full for x in tally.aggregates]
    f, verified = _check(ctx, tally, rest, {**recomputed, _key(a): (SLOT, a.ciphertext)})
    assert _failed(f, "V6.4")[0] == 1 and _key(a) not in verified


def test_a_decryption_failing_v63_is_one_item_with_its_trustees_named(honest):
    ctx, tally, recomputed = honest
    target = tally.aggregates[4]

    def reveal(aggregates):
        return [("only 1 valid decryption shares, 3 needed", ((2, "no share published"), (5, "share proof equations "
                                                                                             "do not hold")))
                if a.index == target.index else (None, ()) for a in aggregates]

    f, verified = _check(ctx, tally, tally.aggregates, recomputed, reveal)
    assert _failed(f, "V6.3") == (1, [(_at(target), "only 1 valid decryption shares, 3 needed"),
                                      (_at(target, trustee=2), "trustee 2: no share published"),
                                      (_at(target, trustee=5), "trustee 5: share proof equations do not hold")])
    assert _key(target) not in verified and len(verified) == len(recomputed) - 1


def test_shares_not_needed_are_one_note_per_trustee_and_reason(honest):
    ctx, tally, recomputed = honest
    first, second = tally.aggregates[0], tally.aggregates[1]
    why = "share proof equations do not hold"

    def reveal(aggregates):
        return [(None, ((5, why), (2, why))) if a.index == first.index else
                (None, ((2, why),)) if a.index == second.index else (None, ()) for a in aggregates]

    notes: list[str] = []
    f, verified = _check(ctx, tally, tally.aggregates, recomputed, reveal, notes)
    assert f.failures() == [] and set(verified) == set(recomputed)
    assert notes == [
        f"V6.3: {layout.TALLY}, 2 aggregates (first: polling station {first.polling_station}, contest "
        f"{first.contest}): trustee 2's decryption share is not used: {why} (enough valid shares remain)",
        f"V6.3: {layout.TALLY}, polling station {first.polling_station}, contest {first.contest}: trustee 5's "
        f"decryption share is not used: {why} (enough valid shares remain)"]
