"""V8.1 over the announced seats (checks/seats.py `check_seats`), on a simulated record's seats changed one rule at a
time, against that record's own verified totals: every contest still judged after a bad one, one failed item per
contest's allocation, the report's notes of every contest, and "not run" when no count verified."""
from dataclasses import replace

import pytest
from conftest import announced_and_verified

from verifier.checks.findings import Findings, Location
from verifier.checks.results import check_results
from verifier.checks.seats import check_seats
from verifier.record import layout
from verifier.record.model import AnnouncedSeats, ListSeatRule, PluralitySeatRule


@pytest.fixture(scope="module")
def honest(simulated):
    ctx, results, verified, voted = announced_and_verified(simulated[0])
    return ctx, results, check_results(ctx, results, verified, voted, Findings())


def _seats(honest, seats=None, totals=None, ctx=None):
    honest_ctx, results, honest_totals = honest
    f = Findings()
    notes = check_seats(ctx or honest_ctx, results if seats is None else replace(results, seats=tuple(seats)),
                        honest_totals if totals is None else totals, f)
    return f, notes


def _at(contest, option=None):
    return Location(file=layout.RESULTS, contest=contest, option=option)


def _plus(s: AnnouncedSeats, *indexes: int) -> AnnouncedSeats:
    return replace(s, seats=tuple((o, n + 1 if i in indexes else n) for i, (o, n) in enumerate(s.seats)))


def _v81(f):
    return f.steps["V8.1"]


def test_the_honest_seats_verify(honest):
    f, notes = _seats(honest)
    assert f.failures() == [] and _v81(f).checked > 0 and _v81(f).not_run is None


def test_a_bad_seat_list_does_not_stop_the_others(honest):
    """Seats for an unknown contest first: named, and every contest after it still compared."""
    _, results, _ = honest
    *others, last = results.seats
    f, _ = _seats(honest, [AnnouncedSeats("no-such-contest", ()), *others, _plus(last, 0)])
    assert [x.location for x in _v81(f).findings] == [_at("no-such-contest"), _at(last.contest, last.seats[0][0])]


def test_a_contests_wrong_seats_are_one_item(honest):
    _, results, _ = honest
    s = next(s for s in results.seats if len(s.seats) > 2)
    f, _ = _seats(honest, [_plus(s, 0, 1) if x is s else x for x in results.seats])
    assert _v81(f).failed == 1
    assert [x.location for x in _v81(f).findings] == [_at(s.contest, s.seats[0][0]), _at(s.contest, s.seats[1][0])]


def test_an_option_missing_from_the_list_is_named_once_and_the_next_still_compared(honest):
    _, results, _ = honest
    s = next(s for s in results.seats if len(s.seats) > 2)
    (o1, _), (o2, _) = s.seats[:2]
    changed = replace(_plus(s, 1), seats=_plus(s, 1).seats[1:])  # o1 left out, o2 one seat more
    f, _ = _seats(honest, [changed if x is s else x for x in results.seats])
    assert [(x.location.option, x.message.split(" (")[0]) for x in _v81(f).findings] == [
        (o1, "option missing from the announced seats"), (o2, "expected {} seat(s), announced {}".format(
            dict(s.seats)[o2], dict(s.seats)[o2] + 1))]


def test_a_contest_without_announced_seats_is_named_at_its_contest_and_the_others_still_compared(honest):
    _, results, _ = honest
    gone, *others, last = results.seats
    f, _ = _seats(honest, [*others, _plus(last, 0)])
    assert [x.location for x in _v81(f).findings] == [_at(gone.contest), _at(last.contest, last.seats[0][0])]
    assert _v81(f).findings[0].message == "no seats announced for this contest" and _v81(f).failed == 2


def test_a_contest_without_a_seat_rule_is_passed_over(honest):
    """A contest the law gives no seats (here one put first in the manifest) is skipped; the others are compared."""
    ctx, results, _ = honest
    first = next(iter(ctx.contests.values()))
    ruleless = {"no-seats": replace(first, id="no-seats", seat_rule=None), **ctx.contests}
    last = results.seats[-1]
    f, _ = _seats(honest, [*results.seats[:-1], _plus(last, 0)], ctx=replace(ctx, contests=ruleless))
    assert [x.location for x in _v81(f).findings] == [_at(last.contest, last.seats[0][0])]


def test_an_unverified_contest_does_not_stop_the_others(honest):
    """A contest whose counts did not verify is left out (and said in a note); the contests after it are compared."""
    ctx, results, totals = honest
    first = next(c.id for c in ctx.contests.values() if c.seat_rule is not None)
    last = results.seats[-1]
    assert last.contest != first
    f, notes = _seats(honest, [*results.seats[:-1], _plus(last, 0)], {k: v for k, v in totals.items() if k != first})
    assert [x.location for x in _v81(f).findings] == [_at(last.contest, last.seats[0][0])]
    assert f"seats not checked for {first}: their counts did not verify" in notes


def test_no_verified_count_is_not_run_not_passed(honest):
    ctx, _, _ = honest
    f, _ = _seats(honest, totals={})
    contests = [c.id for c in ctx.contests.values() if c.seat_rule is not None]
    assert _v81(f).checked == 0 and _v81(f).not_run == f"the counts of {', '.join(contests)} did not verify"


def test_the_notes_of_every_contest_are_kept(honest):
    """Ties in every single-member contest and no seats allocated in the party list (all zeros), the list judged
    last (the manifest's contests reversed): a note for each, none lost to the next contest's."""
    ctx, _, totals = honest
    reordered = replace(ctx, contests=dict(reversed(ctx.contests.items())))
    lists = [c.id for c in ctx.contests.values() if isinstance(c.seat_rule, ListSeatRule)]
    singles = [c.id for c in ctx.contests.values() if isinstance(c.seat_rule, PluralitySeatRule)]
    assert lists and len(singles) >= 2
    tied = dict(totals)
    for cid in lists:
        tied[cid] = (0,) * len(ctx.contests[cid].options)
    for cid in singles:
        tied[cid] = (7, 7) + (0,) * (len(ctx.contests[cid].options) - 2)
    _, notes = _seats(honest, totals=tied, ctx=reordered)
    assert [n.split(":")[0] for n in notes] == [*reversed(singles), *lists]
