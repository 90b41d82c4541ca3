"""V8.1: seats recomputed under each contest's seat rule from the verified counts, compared with the announcement."""
from collections import Counter

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.record import layout
from verifier.record.model import ListSeatRule, Results
from verifier.tally.seats import allocate_list, compare_announced, plurality


def check_seats(ctx: ElectionContext, results: Results, totals: dict[str, tuple[int, ...]],
                f: Findings) -> list[str]:
    """Returns notes for the report: undecided plurality ties, remainder ties decided by registration order, and
    single-member contests where "against all" has more votes than every candidate."""
    notes = []
    announced: dict[str, dict[str, int]] = {}
    for s in results.seats:
        loc = Location(file=layout.RESULTS, contest=s.contest)
        contest = ctx.contests.get(s.contest)
        if contest is None or contest.seat_rule is None or s.contest in announced:
            f.checked("V8.1")
            f.fail("V8.1", loc, "seats announced for a contest without a seat rule, or announced twice")
            continue
        announced[s.contest] = dict(s.seats)
        listed = Counter(o for o, _ in s.seats)  # one pass: a count per option would be quadratic in the list
        for option in sorted(o for o, n in listed.items() if n > 1):
            f.checked("V8.1")
            f.fail("V8.1", Location(file=layout.RESULTS, contest=s.contest, option=option),
                   "option listed twice in the announced seats")
    unchecked = []
    for contest in ctx.contests.values():
        if contest.seat_rule is None:
            continue
        if contest.id not in totals:
            unchecked.append(contest.id)  # its counts did not verify: V6.x/V7.x say why
            continue
        f.checked("V8.1")
        votes = list(zip(contest.options, totals[contest.id]))
        rule = contest.seat_rule
        outcome = allocate_list(votes, rule) if isinstance(rule, ListSeatRule) else plurality(votes, rule)
        if isinstance(rule, ListSeatRule):
            if outcome.tie_note:
                notes.append(f"{contest.id}: {outcome.tie_note}")
            if not outcome.allocated:
                notes.append(f"{contest.id}: no seats allocated: {outcome.no_allocation_reason}")
        elif outcome.undecided:
            notes.append(f"{contest.id}: UNDECIDED: tie for first between {', '.join(o.id for o in outcome.tied)}")
        if not isinstance(rule, ListSeatRule) and outcome.against_all_leads:
            notes.append(f"{contest.id}: 'against all' leads with {outcome.against_all_votes} votes over the top "
                         f"candidate's {outcome.top_votes}; the top candidate is taken as elected")
        if contest.id not in announced:
            f.fail("V8.1", Location(file=layout.RESULTS, contest=contest.id), "no seats announced for this contest")
            continue
        for m in compare_announced(outcome, announced[contest.id]):
            f.fail("V8.1", Location(file=layout.RESULTS, contest=contest.id, option=m.option), m.reason)
    if unchecked and not f.steps["V8.1"].checked:
        f.not_run("V8.1", f"the counts of {', '.join(unchecked)} did not verify")
    elif unchecked:
        notes.append(f"seats not checked for {', '.join(unchecked)}: their counts did not verify")
    return notes
