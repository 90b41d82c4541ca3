"""V4.2: every contest ballot's 1-of-k validity proof (crypto.md §2), individually or batched (§3).

Both paths check ranges and the Fiat–Shamir hash per ballot; they differ in how the units and the equations are
checked, and name exactly the same ballots with the same messages:

* individual: `membership.statement_problem` (ranges, units, hash) and `membership.equations_hold` per ballot;
* batched: ranges and hash per ballot, then `batch.not_units_and_failing` over the chunk: the units of a few
  proofs at secret places, then the batch test (`batch.failing_items`), whose first test also settles every
  value's unit with one gcd, and which bisects a failing batch down to the ballots whose individual check fails
  (within a budget that keeps a box of failing proofs no dearer than the individual path, SPEC.md §10.4). A
  value that is not a unit is found proof by proof and named with `statement_problem`'s message.
"""
import secrets

from verifier.checks.ballot_box import where
from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings
from verifier.crypto import batch as batching
from verifier.crypto import membership
from verifier.record.model import BoxEntry


def check_proofs(ctx: ElectionContext, entries: list[BoxEntry], f: Findings, batch: bool = True,
                 rng: batching.Coefficients | None = None) -> set[int]:
    """Returns the lines of the entries with at least one failed proof.

    `rng` supplies the batch coefficients (a `batch.CoefficientStream` in a verification run; `secrets` by
    default). Findings come out in entry order, then contest order, whichever path finds them."""
    key = ctx.key
    problems: dict[tuple[int, int], str] = {}  # (entry index, contest index) → message
    pending = []  # (entry index, contest index, statement, proof) whose ranges and hash hold (batched path)
    for i, entry in enumerate(entries):
        env = entry.envelope
        voter = ctx.voters.get(env.voter_id)
        context = voter.key_fingerprint if voter else env.key_fingerprint
        for j, cb in enumerate(env.contests):
            messages = ctx.messages.get(cb.contest)
            if messages is None:
                continue  # an unknown contest is a ballot-style failure (V3.4); there is no statement to check
            f.checked("V4.2")
            st = membership.Statement(ctx.fingerprint, cb.contest, messages, context, env.ballot_id, cb.ciphertext)
            p = cb.proof
            if batch:
                partial = membership.statement_problem(key, st, p.a, p.e, p.z, units=False)
                if partial is None:
                    pending.append((i, j, st, p))
                else:  # the full check, for the message the individual path gives
                    full = membership.statement_problem(key, st, p.a, p.e, p.z)
                    # the full check checks more than the partial one, so it fails too: `partial` is never used
                    problems[(i, j)] = partial if full is None else full
                continue
            problem = membership.statement_problem(key, st, p.a, p.e, p.z)
            if problem is None and not membership.equations_hold(key, cb.ciphertext, messages, p.a, p.e, p.z):
                problem = "proof equation fails"
            if problem:
                problems[(i, j)] = problem
    if pending:
        items = [batching.ProofItem(st.ciphertext, st.messages, p.a, p.e, p.z) for _, _, st, p in pending]
        not_units, failing = batching.not_units_and_failing(key, items, rng or secrets)
        for index in not_units:  # the individual path's message: its gcd is the one that failed (ranges, hash hold)
            i, j, st, p = pending[index]
            problem = membership.statement_problem(key, st, p.a, p.e, p.z)
            assert problem is not None
            problems[(i, j)] = problem
        for index in failing:
            i, j, _, _ = pending[index]
            problems[(i, j)] = "proof equation fails"
    bad_lines: set[int] = set()
    for (i, j), problem in sorted(problems.items()):
        entry = entries[i]
        voter = ctx.voters.get(entry.envelope.voter_id)
        f.fail("V4.2", where(entry, voter.polling_station if voter else None, entry.envelope.contests[j].contest),
               problem, item=(entry.line, j))  # one item per contest ballot (a contest may be there twice)
        bad_lines.add(entry.line)
    return bad_lines

