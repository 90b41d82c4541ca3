"""Seat allocation (verifier.tally.seats) and the seat input readers (verifier.record.seat_input).

Every hand-worked case shows its arithmetic in a comment; the assertions check those numbers exactly."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.errors import RecordError
from verifier.record.model import ListSeatRule, Option, PluralitySeatRule
from verifier.record.seat_input import parse_announced, parse_counts
from verifier.tally.seats import allocate_list, compare_announced, plurality

AA = Option("AA", "against all", "against_all")


def party(name: str) -> Option:
    return Option(name, name, "party")


def cand(name: str) -> Option:
    return Option(name, name, "candidate")


def rule(seats: int, threshold=5, against_all_in_base=True) -> ListSeatRule:
    return ListSeatRule(seats=seats, threshold_percent=Fraction(threshold),
                        base_includes_against_all=against_all_in_base)


def seats_of(allocation) -> dict[str, int]:
    return {p.option.id: p.total for p in allocation.parties}


# --- party lists: hand-worked cases -------------------------------------------------------------------------


def test_simple_case_largest_remainder():
    # A 4700, B 3100, C 2200; 10 seats; no against all. Base 10000, threshold 5% = 500 votes: all pass.
    # Quota = 10000 / 10 = 1000. Shares 4.7, 3.1, 2.2 -> integer seats 4, 3, 2 = 9; 1 seat left.
    # Remainders 0.7, 0.1, 0.2 -> A gets it. Result A 5, B 3, C 2.
    a = allocate_list([(party("A"), 4700), (party("B"), 3100), (party("C"), 2200)], rule(10))
    assert a.allocated and a.base == 10000
    assert a.threshold_votes == 500 and a.min_votes_to_pass == 500
    assert a.quota == Fraction(1000)
    assert [p.seats for p in a.parties] == [4, 3, 2]
    assert [p.remainder for p in a.parties] == [Fraction(7, 10), Fraction(1, 10), Fraction(2, 10)]
    assert [p.remainder_seat for p in a.parties] == [True, False, False]
    assert seats_of(a) == {"A": 5, "B": 3, "C": 2}
    assert a.total_seats == 10 and a.remainder_seats == 1 and a.remainder_tie is None


def test_remainder_tie_goes_to_the_list_registered_earlier():
    # P1 500, P2 250, P3 250; 6 seats. Base 1000, all pass. Quota = 1000/6.
    # Shares 500*6/1000 = 3, 250*6/1000 = 1.5, 1.5 -> integer 3, 1, 1 = 5; 1 seat left.
    # Remainders 0, 1/2, 1/2: P2 and P3 tie; P2 is registered earlier -> P2. Result 3, 2, 1.
    a = allocate_list([(party("P1"), 500), (party("P2"), 250), (party("P3"), 250)], rule(6))
    assert a.quota == Fraction(1000, 6)
    assert seats_of(a) == {"P1": 3, "P2": 2, "P3": 1}
    assert a.remainder_tie is not None
    assert a.remainder_tie.remainder == Fraction(1, 2)
    assert [o.id for o in a.remainder_tie.winners] == ["P2"]
    assert [o.id for o in a.remainder_tie.losers] == ["P3"]
    assert "registration order" in a.tie_note and "P2" in a.tie_note and "P3" in a.tie_note
    # Same votes, P3 registered before P2: now P3 gets the seat (order decides, not the name).
    b = allocate_list([(party("P1"), 500), (party("P3"), 250), (party("P2"), 250)], rule(6))
    assert seats_of(b) == {"P1": 3, "P3": 2, "P2": 1}
    assert [o.id for o in b.remainder_tie.winners] == ["P3"]


def test_equal_remainders_that_all_get_a_seat_are_not_a_decided_tie():
    # P1 500, P2 250, P3 250; 3 seats. Quota 1000/3. Shares 1.5, 0.75, 0.75 -> integer 1, 0, 0; 2 seats left.
    # Remainders 1/2, 3/4, 3/4: both P2 and P3 get one, so registration order decides nothing. Result 1, 1, 1.
    a = allocate_list([(party("P1"), 500), (party("P2"), 250), (party("P3"), 250)], rule(3))
    assert seats_of(a) == {"P1": 1, "P2": 1, "P3": 1}
    assert a.remainder_tie is None and a.tie_note is None


def test_threshold_just_below_exactly_at_and_just_above():
    # Base 10000 (no against all), threshold 5% = 500 votes. A 499 (49900 < 50000: fails), B 500 (exactly at the
    # threshold: passes), C 501 (passes), D 8500. 20 seats.
    # Passing votes 500 + 501 + 8500 = 9501; quota 9501/20 = 475.05.
    # Shares: B 10000/9501 = 1.0525, C 10020/9501 = 1.0546, D 170000/9501 = 17.8928 -> integer 1, 1, 17 = 19.
    # 1 seat left; remainders B 499/9501, C 519/9501, D 8483/9501 -> D. Result A 0, B 1, C 1, D 18.
    a = allocate_list([(party("A"), 499), (party("B"), 500), (party("C"), 501), (party("D"), 8500)], rule(20))
    assert a.threshold_votes == 500
    assert [p.passed for p in a.parties] == [False, True, True, True]
    assert a.passing_votes == 9501 and a.quota == Fraction(9501, 20)
    assert [p.remainder for p in a.parties] == [0, Fraction(499, 9501), Fraction(519, 9501), Fraction(8483, 9501)]
    assert seats_of(a) == {"A": 0, "B": 1, "C": 1, "D": 18}


def test_fractional_threshold_is_exact():
    # Threshold 7/2 % of base 1000 = 35 votes: 35 passes (3500 >= 3500), 34 fails. 1 seat, so E 931 takes it.
    a = allocate_list([(party("E"), 931), (party("F"), 35), (party("G"), 34)], rule(1, threshold=Fraction(7, 2)))
    assert a.threshold_votes == 35
    assert [p.passed for p in a.parties] == [True, True, False]
    assert seats_of(a) == {"E": 1, "F": 0, "G": 0}


def test_against_all_in_the_base_changes_who_passes():
    # A 5200, B 4300, C 500, against all 1000; 10 seats; threshold 5%.
    # Base without against all: 10000, threshold 500 -> C passes (exactly 5%). Quota 10000/10 = 1000;
    #   shares 5.2, 4.3, 0.5 -> integer 5, 4, 0 = 9; remainders 0.2, 0.3, 0.5 -> C. Result A 5, B 4, C 1.
    # Base with against all: 11000, threshold 550 -> C (500) fails. Quota 9500/10 = 950;
    #   shares 5200/950 = 5.4736, 4300/950 = 4.5263 -> integer 5, 4; remainders 9/19, 10/19 -> B.
    #   Result A 5, B 5, C 0.
    votes = [(party("A"), 5200), (party("B"), 4300), (party("C"), 500), (AA, 1000)]
    without = allocate_list(votes, rule(10, against_all_in_base=False))
    assert without.base == 10000 and without.threshold_votes == 500
    assert [p.passed for p in without.parties] == [True, True, True]
    assert seats_of(without) == {"A": 5, "B": 4, "C": 1}
    with_aa = allocate_list(votes, rule(10, against_all_in_base=True))
    assert with_aa.base == 11000 and with_aa.threshold_votes == 550
    assert [p.passed for p in with_aa.parties] == [True, True, False]
    assert with_aa.quota == 950
    assert [p.remainder for p in with_aa.parties[:2]] == [Fraction(9, 19), Fraction(10, 19)]
    assert seats_of(with_aa) == {"A": 5, "B": 5, "C": 0}


def test_remainders_differing_in_the_third_decimal():
    # Registration order C, A, B, D: C 3500, A 2502, B 1501, D 497; 8 seats; base 8000, threshold 400: all pass
    # (D 497 = 6.2%). Quota 8000/8 = 1000. Shares 3.500, 2.502, 1.501, 0.497 -> integer 3, 2, 1, 0 = 6; 2 left.
    # Remainders 0.500, 0.502, 0.501, 0.497: the two largest are A (0.502) and B (0.501); C (0.500, registered
    # first) does not get one: size decides before order. Result C 3, A 3, B 2, D 0.
    a = allocate_list([(party("C"), 3500), (party("A"), 2502), (party("B"), 1501), (party("D"), 497)], rule(8))
    assert a.quota == 1000
    assert [p.remainder for p in a.parties] == [Fraction(500, 1000), Fraction(502, 1000), Fraction(501, 1000),
                                               Fraction(497, 1000)]
    assert [p.remainder_seat for p in a.parties] == [False, True, True, False]
    assert seats_of(a) == {"C": 3, "A": 3, "B": 2, "D": 0}
    assert a.remainder_tie is None


def test_no_party_passes():
    # A 200, B 200, against all 9600, base with against all 10000, threshold 500: neither party passes.
    a = allocate_list([(party("A"), 200), (party("B"), 200), (AA, 9600)], rule(5))
    assert not a.allocated
    assert a.no_allocation_reason == "no party reached the threshold"
    assert a.quota is None and a.total_seats == 0
    assert [p.passed for p in a.parties] == [False, False]
    assert seats_of(a) == {"A": 0, "B": 0}


def test_zero_base_is_no_allocation_not_an_error():
    a = allocate_list([(party("A"), 0), (party("B"), 0)], rule(5))
    assert not a.allocated and a.base == 0 and "base is 0" in a.no_allocation_reason
    assert [p.passed for p in a.parties] == [False, False]


def test_against_all_is_never_seated_and_not_in_the_quota():
    # Against all registered first with 8000 votes; base = parties only (2000), threshold 100: A and B pass.
    # Quota = 2000/3 (against all not in it). Shares 1.5, 1.5 -> integer 1, 1; 1 left; tie 1/2 -> A (earlier).
    a = allocate_list([(AA, 8000), (party("A"), 1000), (party("B"), 1000)], rule(3, against_all_in_base=False))
    assert a.base == 2000 and a.quota == Fraction(2000, 3)
    assert a.against_all == AA and a.against_all_votes == 8000
    assert "AA" not in seats_of(a)
    assert a.seats_by_option() == {"A": 2, "B": 1, "AA": 0}
    assert a.total_seats == 3


def test_contract_violations_raise_value_error():
    with pytest.raises(ValueError):
        allocate_list([(party("A"), -1)], rule(3))
    with pytest.raises(ValueError):
        allocate_list([(party("A"), 1), (party("A"), 2)], rule(3))
    with pytest.raises(ValueError):
        allocate_list([(party("A"), 1), (AA, 1), (Option("AA2", "x", "against_all"), 1)], rule(3))
    with pytest.raises(ValueError):
        allocate_list([(party("A"), 1)], rule(0))
    with pytest.raises(ValueError):
        allocate_list([(cand("A"), 1)], rule(1))


# --- plurality --------------------------------------------------------------------------------------------------


def test_plurality_win():
    r = plurality([(cand("X"), 400), (cand("Y"), 350), (AA, 100)], PluralitySeatRule())
    assert not r.undecided and r.winner == cand("X") and r.top_votes == 400
    assert r.tied == () and not r.against_all_leads
    assert r.seats_by_option() == {"X": 1, "Y": 0, "AA": 0}


def test_plurality_tie_is_undecided_with_the_tied_listed():
    r = plurality([(cand("X"), 400), (cand("Z"), 10), (cand("Y"), 400)], PluralitySeatRule())
    assert r.undecided and r.winner is None
    assert [o.id for o in r.tied] == ["X", "Y"]
    assert r.seats_by_option() == {"X": None, "Z": 0, "Y": None}


def test_plurality_against_all_leading_is_flagged_but_the_top_candidate_is_named():
    r = plurality([(cand("X"), 100), (cand("Y"), 90), (AA, 300)], PluralitySeatRule())
    assert r.against_all_leads and r.winner == cand("X")
    # Equal to the top candidate is not "more than every candidate".
    r2 = plurality([(cand("X"), 300), (AA, 300)], PluralitySeatRule())
    assert not r2.against_all_leads and r2.winner == cand("X")


# --- compare_announced --------------------------------------------------------------------------------------------


def test_compare_announced_names_the_party():
    a = allocate_list([(party("A"), 4700), (party("B"), 3100), (party("C"), 2200), (AA, 10)], rule(10))
    assert compare_announced(a, {"A": 5, "B": 3, "C": 2}) == []  # against all missing = 0: fine
    mismatches = compare_announced(a, {"A": 4, "B": 3, "C": 3})
    assert [(m.option, m.expected, m.announced) for m in mismatches] == [("A", 5, 4), ("C", 2, 3)]
    assert str(mismatches[0]).startswith("A: expected 5 seat(s), announced 4")


def test_compare_announced_missing_unknown_and_against_all():
    a = allocate_list([(party("A"), 4700), (party("B"), 3100), (party("C"), 2200), (AA, 10)], rule(10))
    mismatches = compare_announced(a, {"A": 5, "B": 3, "AA": 2, "Ghost": 0})
    got = [(m.option, m.expected, m.announced, m.known) for m in mismatches]
    assert got == [("C", 2, 0, True), ("AA", 0, 2, True), ("Ghost", 0, 0, False)]
    assert "not in the announcement" in mismatches[0].reason
    assert "not in the count" in mismatches[2].reason


def test_compare_announced_plurality():
    won = plurality([(cand("X"), 400), (cand("Y"), 350)], PluralitySeatRule())
    assert compare_announced(won, {"X": 1}) == []
    assert [(m.option, m.expected, m.announced) for m in compare_announced(won, {"Y": 1})] == [("X", 1, 0), ("Y", 0, 1)]
    tie = plurality([(cand("X"), 400), (cand("Y"), 400)], PluralitySeatRule())
    assert compare_announced(tie, {}) == []
    m = compare_announced(tie, {"Y": 1})
    assert [(x.option, x.expected, x.announced) for x in m] == [("Y", None, 1)]
    assert "tie for first" in m[0].reason


# --- properties ---------------------------------------------------------------------------------------------------


def reference(votes: list[int], seats: int, threshold: Fraction, against: int, in_base: bool) -> list[int] | None:
    """An independent integer-only Hamilton method: remainder of votes*seats modulo the passing total."""
    base = sum(votes) + (against if in_base else 0)
    passing = [i for i, v in enumerate(votes)
               if base > 0 and v * 100 * threshold.denominator >= threshold.numerator * base]
    total = sum(votes[i] for i in passing)
    if not passing or total == 0:
        return None
    out = [0] * len(votes)
    rest = {}
    for i in passing:
        out[i], rest[i] = divmod(votes[i] * seats, total)
    for i in sorted(passing, key=lambda i: (-rest[i], i))[: seats - sum(out)]:
        out[i] += 1
    return out


contests = st.fixed_dictionaries({
    "votes": st.lists(st.integers(0, 10**6), min_size=1, max_size=9),
    "seats": st.integers(1, 120),
    "threshold": st.fractions(0, 20, max_denominator=100),
    "against": st.integers(0, 10**6),
    "in_base": st.booleans(),
    "aa_at": st.integers(0, 9),
})


def run(c):
    opts = [(party(f"p{i}"), v) for i, v in enumerate(c["votes"])]
    opts.insert(min(c["aa_at"], len(opts)), (AA, c["against"]))
    return allocate_list(opts, rule(c["seats"], c["threshold"], c["in_base"]))


@settings(max_examples=400, deadline=None)
@given(contests)
def test_property_total_seats_and_monotone(c):
    a = run(c)
    assert a.allocated == (any(p.passed for p in a.parties) and a.passing_votes > 0)
    if a.allocated:
        assert a.total_seats == c["seats"]
        for p in (p for p in a.parties if p.passed):
            exact = Fraction(p.votes) / a.quota
            assert p.seats == int(exact) and p.total in (p.seats, p.seats + 1)
            assert 0 <= p.remainder < 1
    else:
        assert a.total_seats == 0
    for p in a.parties:
        if not p.passed:
            assert p.total == 0
        for q in a.parties:
            if p.votes > q.votes:
                assert p.total >= q.total
    assert a.seats_by_option()["AA"] == 0


@settings(max_examples=400, deadline=None)
@given(contests)
def test_property_matches_integer_reference(c):
    a = run(c)
    expected = reference(c["votes"], c["seats"], c["threshold"], c["against"], c["in_base"])
    if expected is None:
        assert not a.allocated
    else:
        assert [p.total for p in a.parties] == expected


# --- readers --------------------------------------------------------------------------------------------------------


def test_read_counts_csv():
    data = b"option,votes,kind\nA,10,party\nB,5,\nnone,3,against_all\n"
    counts = parse_counts(data, "c.csv")
    assert counts.votes == ((party("A"), 10), (party("B"), 5), (Option("none", "none", "against_all"), 3))
    assert [r.line for r in counts.rows] == [2, 3, 4]
    assert parse_counts(b"\xef\xbb\xbfoption,votes\r\nA,1\r\n\r\n", "c.csv").votes == ((party("A"), 1),)


def test_read_counts_json():
    data = b'{"options": [{"option": "A", "votes": 10}, {"option": "X", "votes": 2, "kind": "against_all"}]}'
    assert parse_counts(data, "c.json").votes == ((party("A"), 10), (Option("X", "X", "against_all"), 2))


@pytest.mark.parametrize("data, line, words", [
    (b"", 1, "empty"),
    (b"option,votes\n", 1, "no options"),
    (b"name,votes\nA,1\n", 1, "header"),
    (b"A,1\nB,2\n", 1, "header"),
    (b"option,votes,kind,extra\nA,1,party,x\n", 1, "header"),
    (b"option,votes\nA,1\nA,2\n", 3, "duplicate option 'A' (first on line 2)"),
    (b"option,votes\nA,1\nB,-2\n", 3, "non-negative integer"),
    (b"option,votes\nA,1.5\n", 2, "non-negative integer"),
    (b"option,votes\nA, 1\n", 2, "non-negative integer"),
    (b"option,votes\nA,1_000\n", 2, "non-negative integer"),
    (b"option,votes\nA,1234567890123456789\n", 2, "19 digits"),
    (b"option,votes\nA,1,2\n", 2, "3 columns"),
    (b"option,votes\nA\n", 2, "1 columns"),
    (b"option,votes\nA,1\n\nB,2\n", 3, "blank line"),
    (b"option,votes\n,1\n", 2, "option: must be a non-empty string"),
    (b"option,votes\n A,1\n", 2, "option: must be a non-empty string without surrounding spaces"),
    (b"option,votes\nA,1\n\xff,2\n", 3, "not UTF-8"),
    (b"option,votes,kind\nA,1,party\nX,1,against_all\nY,1,against_all\n", 4, "more than one against_all"),
    (b"option,votes,kind\nA,1,green\n", 2, "kind must be one of"),
    (b"option,votes,kind\nX,1,against_all\n", 1, "only against_all"),
    (b'option,votes\n"A\nB",1\n', 2, "line break inside a quoted field"),
    (b'option,votes\n"A"x,1\n', 2, "malformed CSV"),
])
def test_read_counts_csv_rejects(data, line, words):
    with pytest.raises(RecordError) as e:
        parse_counts(data, "c.csv")
    assert (e.value.file, e.value.line) == ("c.csv", line)
    assert words in e.value.message


@pytest.mark.parametrize("data, words", [
    (b'{"options": [{"option": "A", "votes": 1}, {"option": "A", "votes": 2}]}', "duplicate option"),
    (b'{"options": [{"option": "A", "votes": 1, "votes": 2}]}', "duplicate key"),
    (b'{"options": [{"option": "A", "votes": 1.0}]}', "non-integer"),
    (b'{"options": [{"option": "A", "votes": -1}]}', "negative"),
    (b'{"options": [{"option": "A", "votes": true}]}', "options[0].votes: expected an integer, found a boolean"),
    (b'{"options": [{"option": "A", "votes": 1234567890123456789}]}', "19 digits"),
    (b'{"options": [{"option": "A", "votes": 1, "colour": "red"}]}', "options[0]: unknown field 'colour'"),
    (b'{"options": []}', "no options"),
    (b'{"opts": []}', "missing field 'options'"),
    (b"[]", "expected an object, found an array"),
    (b"", "empty"),
    (b'{"options": [{"option": 5, "votes": 1}]}', "options[0].option: must be a non-empty string"),
])
def test_read_counts_json_rejects(data, words):
    with pytest.raises(RecordError) as e:
        parse_counts(data, "c.json")
    assert e.value.file == "c.json" and words in e.value.message


def test_read_counts_unknown_extension():
    with pytest.raises(RecordError, match="must end in .csv or .json"):
        parse_counts(b"option,votes\nA,1\n", "c.txt")


def test_read_announced():
    assert parse_announced(b"option,seats\nA,5\nB,0\n", "a.csv") == {"A": 5, "B": 0}
    assert parse_announced(b"option,seats\n", "a.csv") == {}
    assert parse_announced(b'{"seats": {"A": 5, "B": 0}}', "a.json") == {"A": 5, "B": 0}
    with pytest.raises(RecordError) as e:
        parse_announced(b"option,seats\nA,5\nA,1\n", "a.csv")
    assert e.value.line == 3 and "duplicate" in e.value.message
    with pytest.raises(RecordError) as e:
        parse_announced(b"option,votes\nA,5\n", "a.csv")
    assert e.value.line == 1 and "header must be option,seats" in e.value.message
    with pytest.raises(RecordError, match="negative"):
        parse_announced(b'{"seats": {"A": -1}}', "a.json")
    with pytest.raises(RecordError, match="duplicate key"):
        parse_announced(b'{"seats": {"A": 1, "A": 2}}', "a.json")


@pytest.mark.parametrize("data, message", [
    (b'{"seats": {"A": -1}}', "seats['A']: negative (-1)"),
    (b'{"seats": {"A": true}}', "seats['A']: expected an integer, found a boolean"),
    (b'{"seats": {" A": 1}}', "seats[' A']: must be a non-empty string without surrounding spaces, at most 200 "
                              "characters (found ' A')"),
    (b'{"seats": []}', "seats: expected an object, found an array"),
    (b'{"seats": {}, "x": 1}', "unknown field 'x'"),
])
def test_read_announced_json_messages(data, message):
    """The announcement is read with fields.Obj: its messages name the entry as seats['option']."""
    with pytest.raises(RecordError) as e:
        parse_announced(data, "a.json")
    assert (e.value.file, e.value.line, e.value.message) == ("a.json", None, message)


def test_report_notes_a_contest_where_no_seats_are_allocated():
    """The report's warnings say why a contest allocated no seats, and say nothing for one that did."""
    from verifier.checks.seats import _list_notes

    none = allocate_list([(party("A"), 200), (party("B"), 200), (AA, 9600)], rule(5))
    assert _list_notes("national-list", none) == ["national-list: no seats allocated: no party reached the threshold"]
    some = allocate_list([(party("A"), 6000), (party("B"), 4000)], rule(5))
    assert some.allocated and _list_notes("national-list", some) == []
