"""V8.1: seats recomputed under each contest's seat rule from the verified counts, compared with the announcement."""
from collections import Counter

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.record import layout
from verifier.record.model import Contest, ListSeatRule, Results
from verifier.tally.seats import ListAllocation, PluralityResult, allocate_list, compare_announced, plurality


def check_seats(ctx: ElectionContext, results: Results, totals: dict[str, tuple[int, ...]],
                f: Findings) -> list[str]:
    """Returns notes for the report: undecided plurality ties, remainder ties decided by registration order, and
    single-member contests where "against all" has more votes than every candidate."""
    notes = []
    announced: dict[str, dict[str, int]] = {}
    named: dict[str, set[str]] = {}  # per contest, the options its list's shape is already named for
    for s in results.seats:
        loc = Location(file=layout.RESULTS, contest=s.contest)
        contest = ctx.contests.get(s.contest)
        if contest is None or contest.seat_rule is None or s.contest in announced:
            f.check("V8.1", False, loc, "seats announced for a contest without a seat rule, or announced twice")
            continue
        announced[s.contest] = dict(s.seats)
        named[s.contest] = _check_list(contest, [o for o, _ in s.seats], f)
    unchecked = []
    for contest in ctx.contests.values():
        if contest.seat_rule is None:
            continue
        if contest.id not in totals:
            unchecked.append(contest.id)  # its counts did not verify: V6.x/V7.x say why
            continue
        f.checked("V8.1")
        # the verified totals have one count per option of the contest (decode_counts)
        votes = list(zip(contest.options, totals[contest.id], strict=True))
        rule = contest.seat_rule
        outcome: ListAllocation | PluralityResult
        if isinstance(rule, ListSeatRule):
            outcome = allocate_list(votes, rule)
            notes += _list_notes(contest.id, outcome)
        else:
            outcome = plurality(votes, rule)
            notes += _plurality_notes(contest.id, outcome)
        if contest.id not in announced:
            f.fail("V8.1", Location(file=layout.RESULTS, contest=contest.id), "no seats announced for this contest",
                   item=("allocation", contest.id))
            continue
        for m in compare_announced(outcome, announced[contest.id]):  # one item, the contest's allocation
            if m.option in named[contest.id]:
                continue  # missing or unknown: named once, by the list check
            f.fail("V8.1", Location(file=layout.RESULTS, contest=contest.id, option=m.option), m.reason,
                   item=("allocation", contest.id), expected=m.expected, found=m.announced)
    if unchecked and not f.steps["V8.1"].checked:
        f.not_run("V8.1", f"the counts of {', '.join(unchecked)} did not verify")
    elif unchecked:
        notes.append(f"seats not checked for {', '.join(unchecked)}: their counts did not verify")
    return notes


def _list_notes(cid: str, outcome: ListAllocation) -> list[str]:
    notes = []
    if outcome.tie_note:
        notes.append(f"{cid}: {outcome.tie_note}")
    if not outcome.allocated:
        notes.append(f"{cid}: no seats allocated: {outcome.no_allocation_reason}")
    return notes


def _plurality_notes(cid: str, outcome: PluralityResult) -> list[str]:
    notes = []
    if outcome.undecided:
        notes.append(f"{cid}: UNDECIDED: tie for first between {', '.join(o.id for o in outcome.tied)}")
    if outcome.against_all_leads:
        notes.append(f"{cid}: 'against all' leads with {outcome.against_all_votes} votes over the top "
                     f"candidate's {outcome.top_votes}; the top candidate is taken as elected")
    return notes


def _check_list(contest: Contest, listed: list[str], f: Findings) -> set[str]:
    """A contest's announced seat list names every option of the contest exactly once, in manifest order (SPEC.md
    §2.9), so that a reader of results.json sees every option's seats, zeros included. One finding per option
    listed twice, missing or unknown; a complete list in another order is one finding, at the first option out of
    place. Returns the options named as missing or unknown (the seat comparison does not name them again)."""
    options = [o.id for o in contest.options]
    known, present = set(options), set(listed)  # sets: a hostile list of a million entries stays linear
    named: set[str] = set()

    def fail(option: str, message: str) -> None:
        f.checked("V8.1")
        f.fail("V8.1", Location(file=layout.RESULTS, contest=contest.id, option=option), message)

    for option in sorted(o for o, n in Counter(listed).items() if n > 1):
        fail(option, "option listed twice in the announced seats")
    for option in options:
        if option not in present:
            fail(option, "option missing from the announced seats (every option is listed, 0 seats included)")
            named.add(option)
    for option in dict.fromkeys(listed):
        if option not in known:
            fail(option, "announced seats for an option the contest does not have")
            named.add(option)
    if not named and len(listed) == len(options) and listed != options:
        i = next(i for i, (a, b) in enumerate(zip(listed, options, strict=True)) if a != b)  # lengths equal (above)
        fail(listed[i], f"announced seats not in manifest order: position {i + 1} is {options[i]}'s")
    return named
