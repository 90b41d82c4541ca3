"""Seat allocation: pure functions on counts, no I/O.

Party lists (Kazakhstan, Constitutional Law on Elections, distribution of mandates by party lists):

* threshold base = votes of all parties, plus the "against all" votes when ``rule.base_includes_against_all``;
  invalid ballots are never in it (they are not passed in at all);
* a party passes iff ``votes * 100 >= threshold_percent * base``: *at least* the threshold passes, exactly at it
  included; with a base of 0 no party passes;
* quota = (sum of the votes of the passing parties) / seats, an exact Fraction;
* each passing party gets floor(votes / quota); the seats left go one each to the largest remainders
  (the fractional parts of votes / quota, exact Fractions); a tie in remainders goes to the list registered
  earlier (earlier in ``votes``, which is manifest order);
* "against all" is never seated and never in the quota; parties below the threshold get 0.

If no party passes (or the base is 0, or the passing parties have no votes) the result says so
(``allocated`` is False, ``no_allocation_reason`` says why) instead of raising.

Single-member plurality: the candidate with the most votes wins. "Against all" never wins; if it has more votes
than every candidate the result says so (``against_all_leads``) and still names the top candidate. A tie for
first among candidates is ``undecided`` with the tied candidates listed: never broken silently.

Arguments that break the contract (negative or non-integer votes, duplicate option ids, more than one "against
all", a list option that is not a party, no seats) raise ValueError: readers reject such input first.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from verifier.record.model import ListSeatRule, Option, PluralitySeatRule

AGAINST_ALL = "against_all"


@dataclass(frozen=True)
class PartySeats:
    option: Option
    votes: int
    passed: bool
    seats: int  # integer part of votes / quota; 0 below the threshold or without allocation
    remainder: Fraction  # fractional part of votes / quota (in seats, 0 <= r < 1); 0 when not in the allocation
    remainder_seat: bool  # one of the seats left over went to this party
    total: int  # seats + remainder_seat


@dataclass(frozen=True)
class RemainderTie:
    """Parties with equal remainders of which only some got a remainder seat: decided by registration order."""

    remainder: Fraction
    winners: tuple[Option, ...]  # registered earlier: got the seat
    losers: tuple[Option, ...]

    @property
    def note(self) -> str:
        won = ", ".join(o.id for o in self.winners)
        lost = ", ".join(o.id for o in self.losers)
        return (
            f"remainder tie at {self.remainder.numerator}/{self.remainder.denominator}: "
            f"decided by registration order for {won} over {lost}"
        )


@dataclass(frozen=True)
class ListAllocation:
    rule: ListSeatRule
    base: int  # votes of all parties (+ against all if the rule says so)
    threshold_votes: Fraction  # threshold_percent * base / 100: a party passes with votes >= this
    passing_votes: int  # sum of the votes of the passing parties
    quota: Fraction | None  # passing_votes / seats; None without allocation
    parties: tuple[PartySeats, ...]  # registration order; "against all" is not among them
    against_all: Option | None
    against_all_votes: int
    remainder_seats: int  # seats handed out by largest remainders
    remainder_tie: RemainderTie | None  # a remainder tie that registration order decided
    no_allocation_reason: str | None  # set iff no seats were allocated

    @property
    def allocated(self) -> bool:
        return self.no_allocation_reason is None

    @property
    def total_seats(self) -> int:
        return sum(p.total for p in self.parties)

    @property
    def min_votes_to_pass(self) -> int:
        """The fewest whole votes that pass the threshold (a party passes iff votes >= this, when base > 0)."""
        return -(-self.threshold_votes.numerator // self.threshold_votes.denominator)

    @property
    def tie_note(self) -> str | None:
        return None if self.remainder_tie is None else self.remainder_tie.note

    def seats_by_option(self) -> dict[str, int]:
        """Seats per option id, every option included ("against all" with 0), in registration order."""
        out = {p.option.id: p.total for p in self.parties}
        if self.against_all is not None:
            out[self.against_all.id] = 0
        return out


@dataclass(frozen=True)
class PluralityResult:
    rule: PluralitySeatRule
    votes: tuple[tuple[Option, int], ...]  # as given, "against all" included
    top_candidates: tuple[Option, ...]  # the candidate(s) with the most votes, registration order
    top_votes: int
    against_all: Option | None
    against_all_votes: int

    @property
    def undecided(self) -> bool:
        """A tie for first among candidates: the count decides no winner."""
        return len(self.top_candidates) != 1

    @property
    def winner(self) -> Option | None:
        return None if self.undecided else self.top_candidates[0]

    @property
    def tied(self) -> tuple[Option, ...]:
        return self.top_candidates if self.undecided else ()

    @property
    def against_all_leads(self) -> bool:
        """"Against all" has strictly more votes than every candidate (the top candidate is still named)."""
        return self.against_all is not None and self.against_all_votes > self.top_votes

    def seats_by_option(self) -> dict[str, int | None]:
        """1 for the winner, 0 for the others; None for each tied candidate when undecided."""
        out: dict[str, int | None] = {}
        tied = {o.id for o in self.tied}  # a set: thousands of tied candidates must not cost a scan each
        for option, _ in self.votes:
            if option.kind == AGAINST_ALL:
                out[option.id] = 0
            elif option.id in tied:
                out[option.id] = None
            else:
                out[option.id] = 1 if option == self.winner else 0
        return out


@dataclass(frozen=True)
class SeatMismatch:
    option: str  # option id as announced or as in the count
    expected: int | None  # None: the count decides nothing for this option (plurality tie)
    announced: int
    known: bool  # False: the announcement names an option that is not in the count
    reason: str

    def __str__(self) -> str:
        return f"{self.option}: {self.reason}"


def _check_votes(votes: Sequence[tuple[Option, int]], kinds: tuple[str, ...]) -> None:
    seen: set[str] = set()
    against = 0
    for option, n in votes:
        if not isinstance(option, Option):
            raise ValueError(f"not an Option: {option!r}")
        if option.id in seen:
            raise ValueError(f"duplicate option id {option.id!r}")
        seen.add(option.id)
        if option.kind not in kinds:
            raise ValueError(f"option {option.id!r} has kind {option.kind!r}; expected one of {', '.join(kinds)}")
        if option.kind == AGAINST_ALL:
            against += 1
            if against > 1:
                raise ValueError("more than one 'against all' option")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"option {option.id!r}: votes must be a non-negative integer, not {n!r}")


def allocate_list(votes: Sequence[tuple[Option, int]], rule: ListSeatRule) -> ListAllocation:
    """Allocate ``rule.seats`` among party lists; ``votes`` in registration order (see the module docstring)."""
    votes = tuple(votes)
    _check_votes(votes, ("party", AGAINST_ALL))
    if isinstance(rule.seats, bool) or not isinstance(rule.seats, int) or rule.seats < 1:
        raise ValueError(f"seats must be a positive integer, not {rule.seats!r}")
    threshold = Fraction(rule.threshold_percent)
    if not 0 <= threshold <= 100:
        raise ValueError(f"threshold_percent must be between 0 and 100, not {threshold}")

    parties = [(o, n) for o, n in votes if o.kind != AGAINST_ALL]
    against = next(((o, n) for o, n in votes if o.kind == AGAINST_ALL), None)
    against_option, against_votes = against if against else (None, 0)

    base = sum(n for _, n in parties) + (against_votes if rule.base_includes_against_all else 0)
    threshold_votes = threshold * base / 100
    passed = [base > 0 and n * 100 >= threshold * base for _, n in parties]
    passing_votes = sum(n for (_, n), ok in zip(parties, passed, strict=True) if ok)

    reason = None
    if base == 0:
        reason = "the threshold base is 0: no votes"
    elif not any(passed):
        reason = "no party reached the threshold"
    elif passing_votes == 0:
        reason = "the parties over the threshold have no votes"
    if reason is not None:
        return ListAllocation(
            rule=rule,
            base=base,
            threshold_votes=threshold_votes,
            passing_votes=passing_votes,
            quota=None,
            parties=tuple(PartySeats(o, n, ok, 0, Fraction(0), False, 0)
                          for (o, n), ok in zip(parties, passed, strict=True)),
            against_all=against_option,
            against_all_votes=against_votes,
            remainder_seats=0,
            remainder_tie=None,
            no_allocation_reason=reason,
        )

    seats = rule.seats
    quota = Fraction(passing_votes, seats)
    whole = [0] * len(parties)
    remainder = [Fraction(0)] * len(parties)
    for i, ((_, n), ok) in enumerate(zip(parties, passed, strict=True)):
        if ok:
            share = Fraction(n * seats, passing_votes)  # = n / quota, exactly
            whole[i] = share.numerator // share.denominator
            remainder[i] = share - whole[i]
    left = seats - sum(whole)
    # Largest remainder first; equal remainders: registered earlier (lower index) first.
    order = sorted((i for i, ok in enumerate(passed) if ok), key=lambda i: (-remainder[i], i))
    gets = set(order[:left])

    tie = None
    if 0 < left < len(order) and remainder[order[left - 1]] == remainder[order[left]]:
        r = remainder[order[left]]
        group = [i for i in order if remainder[i] == r]
        tie = RemainderTie(
            remainder=r,
            winners=tuple(parties[i][0] for i in group if i in gets),
            losers=tuple(parties[i][0] for i in group if i not in gets),
        )

    result = tuple(
        PartySeats(o, n, ok, whole[i], remainder[i], i in gets, whole[i] + (i in gets))
        for i, ((o, n), ok) in enumerate(zip(parties, passed, strict=True))
    )
    return ListAllocation(
        rule=rule,
        base=base,
        threshold_votes=threshold_votes,
        passing_votes=passing_votes,
        quota=quota,
        parties=result,
        against_all=against_option,
        against_all_votes=against_votes,
        remainder_seats=left,
        remainder_tie=tie,
        no_allocation_reason=None,
    )


def plurality(votes: Sequence[tuple[Option, int]], rule: PluralitySeatRule) -> PluralityResult:
    """Single-member plurality; options of kind "party" or "candidate" are the candidates."""
    votes = tuple(votes)
    _check_votes(votes, ("candidate", "party", AGAINST_ALL))
    if rule.seats != 1:
        raise ValueError(f"plurality elects exactly one seat, not {rule.seats!r}")
    candidates = [(o, n) for o, n in votes if o.kind != AGAINST_ALL]
    if not candidates:
        raise ValueError("a plurality contest needs at least one candidate")
    against = next(((o, n) for o, n in votes if o.kind == AGAINST_ALL), None)
    top = max(n for _, n in candidates)
    return PluralityResult(
        rule=rule,
        votes=votes,
        top_candidates=tuple(o for o, n in candidates if n == top),
        top_votes=top,
        against_all=against[0] if against else None,
        against_all_votes=against[1] if against else 0,
    )


TIE_NAMES = 10  # tied candidates named in a per-option message; the rest are counted


def tie_names(tied: Sequence[Option], limit: int = TIE_NAMES) -> str:
    """The tied candidates' ids, at most ``limit`` of them and then how many more."""
    names = ", ".join(o.id for o in tied[:limit])
    return names if len(tied) <= limit else f"{names} and {len(tied) - limit} more"


def compare_announced(
    allocation: ListAllocation | PluralityResult, announced: Mapping[str, int]
) -> list[SeatMismatch]:
    """Every difference between the recomputed seats and the announced ones, in both directions.

    Options of the count missing from the announcement count as 0 seats; option ids in the announcement that
    are not in the count are mismatches whatever their seats. For an undecided plurality contest, announcing a
    seat for any of the tied candidates is a mismatch (the count does not decide it)."""
    expected = allocation.seats_by_option()
    out: list[SeatMismatch] = []
    # named once, and cut: every mismatch repeats it, so its length must not grow with the number of ties
    tied = tie_names(allocation.tied) if isinstance(allocation, PluralityResult) else ""
    for option_id, want in expected.items():
        got = announced.get(option_id, 0)
        missing = "" if option_id in announced else " (not in the announcement)"
        if want is None:
            if got != 0:
                out.append(SeatMismatch(option_id, None, got, True,
                                        f"announced {got} seat(s), but the count is a tie for first between {tied}: "
                                        f"no winner is decided"))
        elif got != want:
            out.append(SeatMismatch(option_id, want, got, True,
                                    f"expected {want} seat(s), announced {got}{missing}"))
    for option_id, got in announced.items():
        if option_id not in expected:
            out.append(SeatMismatch(option_id, 0, got, False,
                                    f"announced {got} seat(s) for an option that is not in the count"))
    return out
