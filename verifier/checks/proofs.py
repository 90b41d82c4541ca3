"""V4.2: every contest ballot's 1-of-k validity proof (crypto.md §2), individually or batched (§3).

Both paths check ranges, units and the Fiat–Shamir hash per ballot; they differ only in how the equations are
checked, and name exactly the same ballots (batch failures are bisected down to the individual verdicts)."""
from verifier.checks.ballot_box import where
from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings
from verifier.crypto import batch as batching
from verifier.crypto import membership
from verifier.record.model import BoxEntry


def check_proofs(ctx: ElectionContext, entries: list[BoxEntry], f: Findings, batch: bool = True) -> set[int]:
    """Returns the lines of the entries with at least one failed proof."""
    bad_lines: set[int] = set()
    pending = []  # (entry, station, contest ballot, messages) whose statement checks passed
    for entry in entries:
        env = entry.envelope
        voter = ctx.voters.get(env.voter_id)
        station = voter.polling_station if voter else None
        context = voter.key_fingerprint if voter else env.key_fingerprint
        for cb in env.contests:
            messages = ctx.messages.get(cb.contest)
            if messages is None:
                continue  # an unknown contest is a ballot-style failure (V3.4); there is no statement to check
            f.checked("V4.2")
            st = membership.Statement(ctx.fingerprint, cb.contest, messages, context, env.ballot_id, cb.ciphertext)
            p = cb.proof
            problem = membership.statement_problem(ctx.key, st, p.a, p.e, p.z)
            if problem is None and not batch:
                problem = None if membership.equations_hold(ctx.key, cb.ciphertext, messages, p.a, p.e, p.z) \
                    else "proof equation fails"
            if problem:
                f.fail("V4.2", where(entry, station, cb.contest), problem)
                bad_lines.add(entry.line)
            elif batch:
                pending.append((entry, station, cb, messages))
    if pending:
        items = [batching.ProofItem(cb.ciphertext, messages, cb.proof.a, cb.proof.e, cb.proof.z)
                 for _, _, cb, messages in pending]
        for i in batching.failing_items(ctx.key, items):
            entry, station, cb, _ = pending[i]
            f.fail("V4.2", where(entry, station, cb.contest), "proof equation fails")
            bad_lines.add(entry.line)
    return bad_lines
