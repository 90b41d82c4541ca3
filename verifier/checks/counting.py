"""V5.x: the counting rules, recomputed — last valid e-vote per voter, paper-vote cancellations — and compared
in both directions with the authority's list of counted and excluded ballots."""
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.crypto import signatures
from verifier.record import layout
from verifier.record.model import BallotDecision, Cancellation


@dataclass(frozen=True, slots=True)  # one per ballot
class BoxBallot:
    """One entry of the box as the counting rules see it."""

    line: int
    ballot_id: bytes
    voter_id: str
    valid: bool  # individually valid (V3.1–V3.6, V4.1, V4.2) and not a repeated ballot id


def check_cancellation(ctx: ElectionContext, c: Cancellation, f: Findings) -> bool:
    """V5.1 for one line: both signatures hold (two verifications: the run has its engine check every line)."""
    commission = ctx.manifest.authority("commission")
    voter = ctx.voters.get(c.voter_id)
    f.checked("V5.1")
    ok = True
    if not signatures.verify(commission.algorithm, commission.public_key, c.commission_signed_bytes,
                             c.commission_signature):
        f.fail("V5.1", _where(c), "commission signature is invalid")
        ok = False
    if voter is not None and not signatures.verify(voter.algorithm, voter.public_key, c.voter_signed_bytes,
                                                   c.voter_signature):
        f.fail("V5.1", _where(c), "the voter's poll-book signature is invalid: no evidence the voter voted on paper")
        ok = False
    return ok


def check_cancellations(ctx: ElectionContext, signed: Iterable[tuple[Cancellation, bool]], f: Findings) -> set[str]:
    """V5.2, given every line in file order with its V5.1 verdict (`check_cancellation`). Returns the voters whose
    e-votes are cancelled (only by entries that pass both checks)."""
    cancelled: dict[str, int] = {}
    for c, ok in signed:
        voter = ctx.voters.get(c.voter_id)
        f.checked("V5.2")
        problems = []
        if voter is None:
            problems.append(f"voter {c.voter_id} is not registered")
        elif voter.polling_station != c.polling_station:
            problems.append(f"the voter is registered at {voter.polling_station}")
        if c.paper_voted_at[:10] != ctx.manifest.election_day:
            problems.append(f"paper vote at {c.paper_voted_at}, not on election day {ctx.manifest.election_day}")
        if c.voter_id in cancelled:
            problems.append(f"voter already listed on line {cancelled[c.voter_id]}")
        for p in problems:
            f.fail("V5.2", _where(c), p)
        if ok and not problems:
            cancelled[c.voter_id] = c.line
    return set(cancelled)


def _where(c: Cancellation) -> Location:
    return Location(file=layout.CANCELLATIONS, line=c.line, voter_id=c.voter_id, polling_station=c.polling_station)


class LastVote:
    """The re-voting index: voter → line of the last valid e-vote (by collector sequence = box order).

    Memory grows with the number of voters who voted, not with ballot bytes."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def feed(self, b: BoxBallot) -> None:
        if b.valid:
            self.last[b.voter_id] = b.line


def expected_decision(b: BoxBallot, last: LastVote, cancelled: set[str]) -> tuple[str, str | None]:
    if not b.valid:
        return "excluded", "invalid"
    if last.last.get(b.voter_id) != b.line:
        return "excluded", "superseded"
    if b.voter_id in cancelled:
        return "excluded", "cancelled"
    return "counted", None


RULE_CHECK = {"superseded": "V5.3", "cancelled": "V5.4"}  # the rule a wrongly counted ballot breaks


def compare_decisions(ballots: Iterable[BoxBallot], decisions: Iterable[BallotDecision], last: LastVote,
                      cancelled: set[str], f: Findings, box_lines: Mapping[bytes, int] | None = None,
                      repeats: Mapping[bytes, int] | None = None,
                      decided: Counter[str | None] | None = None) -> Iterator[BoxBallot]:
    """V5.3–V5.5: the authority's list against the recomputed decisions, both ways. Yields, in box order, the
    ballots that count by the recomputed rules, whatever the authority says.

    The list has one line per box line, in box order (SPEC.md §2.7). Its lines are matched with the box's ballots
    by ballot id, so that a missing, an extra or a repeated line is named once, where it is, instead of shifting
    every line after it: a line that lists the ballot of its position matches at once; the others wait, in memory
    only as long as the two are out of step, until their ballot id turns up on the other side. A list that holds
    exactly the box's ballots in another order is reported once.

    `box_lines` (ballot id → its first box line, the index pass 1 built) and `repeats` (ballot id → box lines
    after the first) tell at once when a line can never match: its ballot is not in the box, or every box line of
    it still ahead already has a line waiting for it. Such a line (a ghost, or a ballot listed twice) is reported
    there and then, so memory follows the box, not the list: a million ghost lines are not kept to the end.

    `decided`, if given, counts every box ballot by the verifier's own decision: its exclusion reason, None for
    counted (the report's ballot accounting)."""
    matcher = _DecisionMatcher(last, cancelled, f, box_lines, repeats or {}, decided)
    decisions = iter(decisions)
    for b in ballots:
        if matcher.box_ballot(b, next(decisions, None)):
            yield b
    matcher.box_read()
    for d in decisions:
        matcher.list_line(d)
    matcher.finish()


T = TypeVar("T")


def _take(waiting: dict[bytes, list[T]], ballot_id: bytes) -> T | None:
    """The first item waiting under a ballot id, removed; None when none waits."""
    items = waiting.get(ballot_id)
    if not items:
        return None
    item = items.pop(0)
    if not items:
        del waiting[ballot_id]
    return item


class _DecisionMatcher:
    """compare_decisions' state: the box ballots and the list lines that wait for their match, and what is
    reported as it goes."""

    def __init__(self, last: LastVote, cancelled: set[str], f: Findings, box_lines: Mapping[bytes, int] | None,
                 repeats: Mapping[bytes, int], decided: Counter[str | None] | None) -> None:
        self.last = last
        self.decided = decided
        self.cancelled = cancelled
        self.f = f
        self.box_lines = box_lines
        self.repeats = repeats
        self.ghost_seen = False  # a line was reported at once as never matching
        self.position: float = 0  # the box line read last (infinity once the box is read to its end)
        # box lines read so far, of the ballot ids the box holds more than once
        self.passed_repeats: dict[bytes, int] = {}
        self.unlisted: dict[bytes, list[BoxBallot]] = {}  # box ballots whose line in the list has not come yet
        self.unmatched: dict[bytes, list[BallotDecision]] = {}  # lines whose ballot has not come yet from the box
        # the lowest list line matched out of its position (always matched by box_ballot: the list line at the
        # position of a box ballot left waiting lies before the line that lists that ballot)
        self.first_out_of_place: int | None = None

    def box_ballot(self, b: BoxBallot, d: BallotDecision | None) -> bool:
        """The next box ballot with the list's line at the same position (None past the list's end). Returns
        whether the ballot counts by the recomputed rules."""
        self.position = b.line
        if b.ballot_id in self.repeats:
            self.passed_repeats[b.ballot_id] = self.passed_repeats.get(b.ballot_id, 0) + 1
        status, reason = expected_decision(b, self.last, self.cancelled)
        if self.decided is not None:
            self.decided[reason] += 1
        self.f.checked("V5.5")
        if reason in RULE_CHECK:
            self.f.checked(RULE_CHECK[reason])
        if d is not None and d.ballot_id == b.ballot_id:
            self._match(b, d, True)
        else:
            listed = _take(self.unmatched, b.ballot_id)
            if listed is not None:
                self._match(b, listed, False)
            else:
                self.unlisted.setdefault(b.ballot_id, []).append(b)
            if d is not None:
                self.list_line(d)
        return status == "counted"

    def box_read(self) -> None:
        """The box is read to its end: nothing is ahead."""
        self.position = float("inf")
        # every line of a repeated id has passed; with its first, 1 + extra in all
        self.passed_repeats = {k: n + 1 for k, n in self.repeats.items()}

    def list_line(self, d: BallotDecision) -> None:
        """A list line not at its box ballot's position: matched with a waiting box ballot, or left to wait."""
        waiting = _take(self.unlisted, d.ballot_id)
        if waiting is not None:
            self._match(waiting, d, False)
        else:
            self._wait_or_report(d)

    def finish(self) -> None:
        # V5.5's items: each box line (counted above), each list line that matches no box line, and the list's order
        f = self.f
        for b in (b for items in self.unlisted.values() for b in items):
            f.fail("V5.5", Location(file=layout.BALLOT_DECISIONS, ballot_id=b.ballot_id.hex(), voter_id=b.voter_id),
                   f"ballot on box line {b.line} is missing from the authority's list", item=("box line", b.line))
        for d in sorted((d for items in self.unmatched.values() for d in items), key=lambda d: d.line):
            self._report_ghost(d)
        if self.first_out_of_place is not None and not self.unlisted and not self.unmatched and not self.ghost_seen:
            f.check("V5.5", False, Location(file=layout.BALLOT_DECISIONS, line=self.first_out_of_place),
                    "the list holds the box's ballots, but not in box order (first out of place here)")

    def _never_matches(self, d: BallotDecision) -> bool:
        if self.box_lines is None:
            return False
        first = self.box_lines.get(d.ballot_id)
        if first is None:
            return True
        extra = self.repeats.get(d.ballot_id, 0)
        ahead = (first > self.position) if not extra else 1 + extra - self.passed_repeats.get(d.ballot_id, 0)
        return len(self.unmatched.get(d.ballot_id, ())) >= ahead

    def _wait_or_report(self, d: BallotDecision) -> None:
        if self._never_matches(d):
            self.ghost_seen = True
            self._report_ghost(d)
        else:
            self.unmatched.setdefault(d.ballot_id, []).append(d)

    def _report_ghost(self, d: BallotDecision) -> None:
        self.f.checked("V5.5")
        self.f.fail("V5.5", Location(file=layout.BALLOT_DECISIONS, line=d.line, ballot_id=d.ballot_id.hex()),
                    f"{d.status} ballot that is not in the ballot box (a ghost ballot), or a ballot listed twice")

    def _match(self, b: BoxBallot, d: BallotDecision, in_step: bool) -> None:
        if not in_step and (self.first_out_of_place is None or d.line < self.first_out_of_place):
            self.first_out_of_place = d.line
        status, reason = expected_decision(b, self.last, self.cancelled)
        if (d.status, d.reason) != (status, reason):
            said = d.status if d.reason is None else f"excluded as {d.reason}"
            should = status if reason is None else f"excluded as {reason}"
            # a wrongly counted ballot breaks the rule that excludes it; anything else is the list's fault
            check = RULE_CHECK.get(reason, "V5.5") if d.status == "counted" and reason is not None else "V5.5"
            self.f.fail(check, Location(file=layout.BALLOT_DECISIONS, line=d.line, ballot_id=b.ballot_id.hex(),
                                        voter_id=b.voter_id), f"{said}; by the rules it is {should}",
                        item=("box line", b.line), expected=should, found=said)
