"""What a valid ballot is, defined once; the engine's chunks, the run and the counting rules all ask here.

A box line is a ballot in two steps:

* valid in pass 1 (`check_ballots`): every individual check on it passed (V3.1–V3.6, V4.1: `check_entry`) and
  every one of its validity proofs (V4.2: `check_proofs`). Its ciphertexts go into pass 1's product;
* a valid ballot for the counting rules (`valid_ballot`): valid in pass 1 and the first line of its ballot id in
  the box (V3.9: a repeated id is not a ballot of its own). Only such a ballot can be a voter's last vote, and
  pass 2 divides out every pass-1-valid line that is not counted, a repeated id included.
"""
from dataclasses import replace

from verifier.checks.ballot_box import EntrySummary, check_entry
from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings
from verifier.checks.proofs import check_proofs
from verifier.crypto.batch import Coefficients, all_units
from verifier.record.model import BoxEntry


def check_ballots(ctx: ElectionContext, entries: list[BoxEntry], f: Findings, batch: bool = True,
                  rng: Coefficients | None = None) -> list[EntrySummary]:
    """Every check of a chunk of box entries on its own; each summary's `valid` says valid in pass 1. Findings
    come out as before: every entry's individual checks in order, then the proofs (see proofs.py)."""
    # V4.1's units for the whole chunk with one gcd; when some ciphertext is not a unit, one gcd per ciphertext
    units = all_units(ctx.key.n, (cb.ciphertext for e in entries for cb in e.envelope.contests))
    summaries = [check_entry(ctx, e, f, units) for e in entries]
    bad = check_proofs(ctx, entries, f, batch, rng)
    if not bad:
        return summaries
    return [replace(s, valid=False) if s.line in bad else s for s in summaries]


def valid_ballot(passed: bool, unique: bool) -> bool:
    """A ballot the counting rules count as valid: `passed` pass 1 and `unique`, the first line of its ballot id."""
    return bool(passed) and bool(unique)
