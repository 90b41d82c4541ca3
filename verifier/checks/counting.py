"""V5.x: the counting rules, recomputed — last valid e-vote per voter, paper-vote cancellations — and compared
in both directions with the authority's list of counted and excluded ballots."""
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.crypto import signatures
from verifier.record import layout
from verifier.record.model import BallotDecision, Cancellation


@dataclass(frozen=True)
class BoxBallot:
    """One entry of the box as the counting rules see it."""

    line: int
    ballot_id: bytes
    voter_id: str
    valid: bool  # individually valid (V3.1–V3.6, V4.1, V4.2) and not a repeated ballot id


def check_cancellations(ctx: ElectionContext, cancellations: Iterable[Cancellation], f: Findings) -> set[str]:
    """V5.1–V5.2. Returns the voters whose e-votes are cancelled (only by entries that pass both checks)."""
    commission = ctx.manifest.authority("commission")
    cancelled: dict[str, int] = {}
    for c in cancellations:
        loc = Location(file=layout.CANCELLATIONS, line=c.line, voter_id=c.voter_id, polling_station=c.polling_station)
        voter = ctx.voters.get(c.voter_id)
        f.checked("V5.1")
        ok = True
        if not signatures.verify(commission.algorithm, commission.public_key, c.commission_signed_bytes,
                                 c.commission_signature):
            f.fail("V5.1", loc, "commission signature is invalid")
            ok = False
        if voter is not None and not signatures.verify(voter.algorithm, voter.public_key, c.voter_signed_bytes,
                                                       c.voter_signature):
            f.fail("V5.1", loc, "the voter's poll-book signature is invalid: no evidence the voter voted on paper")
            ok = False
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
            f.fail("V5.2", loc, p)
        if ok and not problems:
            cancelled[c.voter_id] = c.line
    return set(cancelled)


class LastVote:
    """The re-voting index: voter → line of the last valid e-vote (by collector sequence = box order).

    Memory grows with the number of voters who voted, not with ballot bytes."""

    def __init__(self):
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
                      cancelled: set[str], f: Findings) -> Iterator[BoxBallot]:
    """V5.3–V5.5 line by line (the authority lists the box's ballots in box order); yields the ballots that count
    by the recomputed rules, whatever the authority says."""
    decisions = iter(decisions)
    for b in ballots:
        d = next(decisions, None)
        status, reason = expected_decision(b, last, cancelled)
        loc = Location(file=layout.BALLOT_DECISIONS, line=d.line if d else None, ballot_id=b.ballot_id.hex(),
                       voter_id=b.voter_id)
        f.checked("V5.5")
        if reason in RULE_CHECK:
            f.checked(RULE_CHECK[reason])
        if d is None:
            f.fail("V5.5", loc, f"ballot on box line {b.line} is missing from the authority's list")
        elif d.ballot_id != b.ballot_id:
            f.fail("V5.5", loc, f"lists ballot {d.ballot_id.hex()} where the box has {b.ballot_id.hex()} (line {b.line})")
        elif (d.status, d.reason) != (status, reason):
            said = d.status if d.reason is None else f"excluded as {d.reason}"
            should = status if reason is None else f"excluded as {reason}"
            check = RULE_CHECK.get(reason, "V5.5") if d.status == "counted" else "V5.5"
            f.fail(check, loc, f"{said}; by the rules it is {should}")
        if status == "counted":
            yield b
    for d in decisions:
        f.checked("V5.5")
        f.fail("V5.5", Location(file=layout.BALLOT_DECISIONS, line=d.line, ballot_id=d.ballot_id.hex()),
               f"{d.status} ballot that is not in the ballot box (a ghost ballot)")
