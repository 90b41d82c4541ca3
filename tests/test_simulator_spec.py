"""The simulator's own rules (verifier/simulate/spec.py, written from SPEC.md) against the SPEC text's examples and,
as a cross-check of two independent implementations, against the verifier's on random inputs: turnout (§2.9),
which levels announce a contest (§2.9), vote decoding (§3.4), seat allocation (§6)."""
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.crypto.paillier import decode_counts
from verifier.record.model import ListSeatRule, Option, PluralitySeatRule
from verifier.simulate import spec as sim
from verifier.tally.hierarchy import turnout_percent
from verifier.tally.seats import allocate_list, plurality


def test_turnout_examples_of_the_spec():
    assert sim.turnout_percent(0, 0) == "0.00"
    assert sim.turnout_percent(11, 200) == "5.50"
    assert sim.turnout_percent(13, 24) == "54.17"
    assert sim.turnout_percent(7, 7) == "100.00"
    assert sim.turnout_percent(1, 8) == "12.50"  # half up: 12.5 exactly


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_turnout_agrees_with_the_verifier(voted, registered):
    voted = min(voted, registered)
    assert sim.turnout_percent(voted, registered) == turnout_percent(voted, registered)


def test_announced_at_levels():
    assert sim.announced_at("nation", "nation") and sim.announced_at("district", "polling_station")
    assert not sim.announced_at("district", "region") and not sim.announced_at("region", "nation")


@given(st.integers(0, 2**60), st.integers(1, 5))
def test_decode_counts_agrees_with_the_verifier(t, k):
    assert sim.decode_counts(t, k) == decode_counts(t, k)


_kinds = st.sampled_from(["party", "party", "party", "against_all"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_kinds, st.integers(0, 60)), min_size=1, max_size=7), st.integers(1, 12),
       st.sampled_from(["0", "5", "7", "12.5", "33.3333"]), st.booleans())
def test_largest_remainder_agrees_with_the_verifier(rows, seats, threshold, with_against_all):
    seen = False
    options = []
    for i, (kind, _) in enumerate(rows):
        if kind == "against_all":
            if seen:
                kind = "party"
            seen = True
        options.append({"id": f"o{i}", "name": f"O{i}", "kind": kind})
    if all(o["kind"] == "against_all" for o in options):
        return
    votes = {o["id"]: n for o, (_, n) in zip(options, rows, strict=True)}
    rule = {"method": "largest_remainder", "seats": seats, "threshold_percent": threshold,
            "threshold_base": "parties_and_against_all" if with_against_all else "parties"}
    theirs = allocate_list([(Option(o["id"], o["name"], o["kind"]), votes[o["id"]]) for o in options],
                           ListSeatRule(seats, Fraction(threshold), with_against_all)).seats_by_option()
    assert sim.largest_remainder(options, votes, rule) == theirs


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["candidate", "candidate", "party", "against_all"]), st.integers(0, 9)),
                min_size=1, max_size=6))
def test_plurality_agrees_with_the_verifier(rows):
    seen = False
    options = []
    for i, (kind, _) in enumerate(rows):
        if kind == "against_all":
            if seen:
                kind = "candidate"
            seen = True
        options.append({"id": f"o{i}", "name": f"O{i}", "kind": kind})
    if all(o["kind"] == "against_all" for o in options):
        return
    votes = {o["id"]: n for o, (_, n) in zip(options, rows, strict=True)}
    theirs = plurality([(Option(o["id"], o["name"], o["kind"]), votes[o["id"]]) for o in options],
                       PluralitySeatRule()).seats_by_option()
    # the verifier says None for an undecided tie; the announcement carries 0 (§2.9)
    assert sim.plurality(options, votes) == {o: n or 0 for o, n in theirs.items()}
