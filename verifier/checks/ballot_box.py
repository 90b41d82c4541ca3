"""V3.x and V4.1: one ballot-box entry on its own (signatures, binding, style, period, receipt, ciphertexts), and
the sequential checks over the whole box (hash chain, head, unique ballot ids, the receipts voters kept)."""
from collections.abc import Iterable
from dataclasses import dataclass

import gmpy2

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.crypto import signatures
from verifier.crypto.encoding import sha256
from verifier.record import fields, layout
from verifier.record.model import AuthorityKey, BoxEntry, BoxHead, HeldReceipt, Manifest, Receipt


@dataclass(frozen=True, slots=True)  # one per ballot, pickled back from the workers
class EntrySummary:
    """What the sequential part of the verification needs of one entry (small: kept per ballot, not per byte)."""

    line: int
    sequence: int
    ballot_id: bytes
    voter_id: str
    received_at: str
    entry_hash: bytes
    previous_hash: bytes
    valid: bool  # every individual check on it passed (proofs are settled separately, see proofs.py)


def where(entry: BoxEntry, voter_station: str | None = None, contest: str | None = None) -> Location:
    return Location(file=layout.BALLOT_BOX, line=entry.line, ballot_id=entry.envelope.ballot_id.hex(),
                    voter_id=entry.envelope.voter_id, polling_station=voter_station, contest=contest)


def _seconds(t: str) -> int:
    """Seconds since the epoch of a UTC time (never the local time zone: a DST change must not move a delay)."""
    return int(fields.utc_time(t).timestamp())


def check_entry(ctx: ElectionContext, entry: BoxEntry, f: Findings, units: bool = False) -> EntrySummary:
    """`units`: every ciphertext of the entry is known to be a unit mod n (check_ballots' one gcd per chunk)."""
    env, rec = entry.envelope, entry.receipt
    voter = ctx.voters.get(env.voter_id)
    station = voter.polling_station if voter else None
    loc = where(entry, station)
    ok = f.check("V3.1", voter is not None, loc, f"voter {env.voter_id} is not registered")
    if voter is not None:
        # the registry index holds only keys that passed V2.5's validation
        ok &= f.check("V3.2", signatures.verify(voter.algorithm, voter.public_key, env.signed_bytes, env.signature,
                                                key_checked=True), loc, "voter signature is invalid")
        f.checked("V3.3")
        for bad, message in ((env.election_id != ctx.manifest.election_id, f"election id {env.election_id}"),
                             (env.election_fingerprint != ctx.fingerprint, "election fingerprint of another election"),
                             (env.key_fingerprint != voter.key_fingerprint, "key fingerprint is not the voter's key")):
            if bad:
                f.fail("V3.3", loc, message)
                ok = False
        expected = ctx.station_contests.get(voter.polling_station)
        if expected is None:  # the registry names a station the manifest does not have (V2.5): no style to hold
            ok &= f.check("V3.4", False, loc, f"the voter's polling station {voter.polling_station} is not in the "
                                              f"manifest: there is no ballot style to check the envelope against")
        else:
            found = tuple(c.contest for c in env.contests)
            if found != expected:  # the style's list is cut: every such ballot repeats it (messages are short)
                ok &= f.check("V3.4", False, loc, f"contests {', '.join(found)}; the ballot style of "
                                                  f"{voter.polling_station} is {_first(expected)}")
            else:
                f.checked("V3.4")
    m = ctx.manifest
    f.checked("V3.5")
    for t, name in ((env.cast_at, "cast"), (rec.received_at, "received")):
        if not m.voting_start <= t <= m.voting_end:
            f.fail("V3.5", loc, f"{name} at {t}, outside the voting period {m.voting_start} – {m.voting_end}")
            ok = False
    delay = _seconds(rec.received_at) - _seconds(env.cast_at)
    if not 0 <= delay <= m.max_receipt_delay:
        f.fail("V3.5", loc, f"received {delay} s after it was cast (allowed 0–{m.max_receipt_delay} s)")
        ok = False
    f.checked("V3.6")
    for problem in receipt_problems(m.authority("collector"), rec, sha256(entry.envelope_bytes)):
        f.fail("V3.6", loc, problem)
        ok = False
    for cb in env.contests:
        c = cb.ciphertext
        ok &= f.check("V4.1", 0 < c < ctx.key.n2 and (units or gmpy2.gcd(c, ctx.key.n) == 1),
                      where(entry, station, cb.contest),
                      "ciphertext is zero, not below n², or not a unit")
    return EntrySummary(entry.line, rec.sequence, env.ballot_id, env.voter_id, rec.received_at, entry.entry_hash,
                        rec.previous_hash, bool(ok))


def receipt_problems(collector: AuthorityKey, receipt: Receipt, envelope_hash: bytes) -> list[str]:
    """What is wrong with a receipt for the envelope of that hash (V3.6); empty when it is the collector's."""
    problems = []
    if not signatures.verify(collector.algorithm, collector.public_key, receipt.signed_bytes,
                             receipt.collector_signature):
        problems.append("collector signature on the receipt is invalid")
    if receipt.envelope_hash != envelope_hash:
        problems.append("receipt's envelope hash is not the hash of this envelope")
    return problems


NO_RECEIPTS = ("without receipts kept by voters (verify --receipts), a ballot dropped by a collector who re-chains "
               "and re-signs the box cannot be detected")


class BoxSequence:
    """V3.7–V3.10 over the entries in box order; fed chunk by chunk, in order.

    `held`: receipts that voters kept (the box lines their clients received, `verify --receipts`). The record
    alone cannot show a ballot the collector dropped before signing its head and then re-chained around: those
    receipts can. Only the kept ballots' places are remembered while the box streams by."""

    def __init__(self, genesis: bytes, held: Iterable[HeldReceipt] | None = None):
        self.previous_hash = genesis
        self.sequence = 0
        self.received_at = ""
        self.ballot_lines: dict[bytes, int] = {}
        self.repeats: dict[bytes, int] = {}  # ballot id → box lines after its first (V3.9 fails for each)
        self.entries = 0
        self.receipts_given = held is not None  # None: no --receipts, V3.10 is not run
        self.held = list(held or ())
        self._held_ids = {h.ballot_id for h in self.held}
        self._held_found: dict[bytes, tuple[int, bytes]] = {}  # ballot id → (box line, hash of that line)
        self.notes: list[str] = []  # for the report: kept receipts that are no evidence (not the collector's)

    def feed(self, s: EntrySummary, f: Findings) -> bool:
        """Returns False for a repeated ballot id (the repeat is not a ballot of its own)."""
        loc = Location(file=layout.BALLOT_BOX, line=s.line, ballot_id=s.ballot_id.hex(), voter_id=s.voter_id)
        self.entries += 1
        f.checked("V3.7")
        if s.sequence != self.sequence + 1:
            f.fail("V3.7", loc, f"sequence number {s.sequence} follows {self.sequence}", expected=self.sequence + 1,
                   found=s.sequence)
        if s.previous_hash != self.previous_hash:
            f.fail("V3.7", loc, "previous-entry hash does not match the entry before it",
                   expected=self.previous_hash.hex(), found=s.previous_hash.hex())
        if s.received_at < self.received_at:
            f.fail("V3.7", loc, f"received at {s.received_at}, before the entry before it ({self.received_at})")
        self.sequence, self.previous_hash = s.sequence, s.entry_hash
        self.received_at = max(self.received_at, s.received_at)
        if s.ballot_id in self._held_ids:
            self._held_found.setdefault(s.ballot_id, (s.line, s.entry_hash))
        first = self.ballot_lines.setdefault(s.ballot_id, s.line)
        if first != s.line:
            self.repeats[s.ballot_id] = self.repeats.get(s.ballot_id, 0) + 1
        return f.check("V3.9", first == s.line, loc, f"ballot id already in the box on line {first}")

    def resume(self, line: int, ballot_id: bytes, entry_hash: bytes) -> None:
        """A line an earlier run verified and fed (`verify --state`, engine/state.py): its place in the indexes of
        V3.9 and V3.10 again, without its findings (the state holds them). `carry_on` then sets the chain's state."""
        self.entries = line
        if ballot_id in self._held_ids:
            self._held_found.setdefault(ballot_id, (line, entry_hash))
        first = self.ballot_lines.setdefault(ballot_id, line)
        if first != line:
            self.repeats[ballot_id] = self.repeats.get(ballot_id, 0) + 1

    def carry_on(self, sequence: int, received_at: str, previous_hash: bytes) -> None:
        """The chain's state after the last line `resume` was given (the earlier run's)."""
        self.sequence, self.received_at, self.previous_hash = sequence, received_at, previous_hash

    def finish(self, head: BoxHead, manifest: Manifest, f: Findings, snapshot_ok: bool = False) -> None:
        """V3.8. `snapshot_ok` (`verify --until box`): the head may also be a snapshot head (SPEC.md §12), signed
        under the snapshot tag while the box is open; the full verification wants the final head."""
        collector = manifest.authority("collector")
        loc = Location(file=layout.BALLOT_BOX_HEAD)
        f.checked("V3.8")
        final = signatures.verify(collector.algorithm, collector.public_key, head.signed_bytes,
                                  head.collector_signature)
        snapshot = not final and signatures.verify(collector.algorithm, collector.public_key, head.snapshot_bytes,
                                                   head.collector_signature)
        if snapshot and not snapshot_ok:
            f.fail("V3.8", loc, "a snapshot head (signed while the box was open), not the final head")
        elif not final and not snapshot:
            f.fail("V3.8", loc, "collector signature on the head is invalid")
        if head.entries != self.entries:
            f.fail("V3.8", loc, f"head says {head.entries} entries, the box has {self.entries}", expected=self.entries,
                   found=head.entries)
        if head.head_hash != self.previous_hash:
            f.fail("V3.8", loc, "head hash is not the hash of the last entry", expected=self.previous_hash.hex(),
                   found=head.head_hash.hex())
        # the box closes when e-voting ends (not before: voters still had time) and before paper voting starts (the
        # cancellations of election day presuppose a closed box); times are fixed-width UTC text, so text order is
        # time order. A snapshot is taken while the box is open: only its order with the receipts is checked.
        if head.closed_at < manifest.voting_end and not snapshot:
            f.fail("V3.8", loc, f"closed at {head.closed_at}, before the voting period ends ({manifest.voting_end})")
        if head.closed_at >= manifest.election_day + "T00:00:00Z":
            f.fail("V3.8", loc, f"closed at {head.closed_at}, not before election day {manifest.election_day}")
        if head.closed_at < self.received_at:
            f.fail("V3.8", loc, f"closed at {head.closed_at}, before the last envelope was received "
                                f"({self.received_at})")
        self._check_held(collector, f)

    def _check_held(self, collector: AuthorityKey, f: Findings) -> None:
        """V3.10: every receipt a voter kept is in the box, byte for byte. A dropped ballot is named by its own
        receipt; a box rewritten after receipts were issued (every later receipt changes) is named once (and
        counts as every receipt it rewrote). With no receipt to check, the step is not run: "passed, 0 checked"
        would read as if no ballot had been dropped."""
        if not self.receipts_given:
            f.not_run("V3.10", NO_RECEIPTS, optional=True)
            return
        rewritten = []
        for h in self.held:
            loc = Location(file=h.file, line=h.line, ballot_id=h.ballot_id.hex(), voter_id=h.voter_id)
            if receipt_problems(collector, h.receipt, h.envelope_hash):
                self.notes.append(f"{h.file}:{h.line}: not this election's collector's receipt for the envelope it "
                                  f"holds: no evidence, not checked")
                continue
            f.checked("V3.10")
            found = self._held_found.get(h.ballot_id)
            if found is None:
                f.fail("V3.10", loc, f"the collector signed receipt {h.receipt.sequence} for this ballot (received "
                                     f"{h.receipt.received_at}), but the ballot is not in the box")
            elif found[1] != h.entry_hash:
                rewritten.append((h, loc, found[0]))
        if rewritten:
            h, loc, line = rewritten[0]
            more = f"; {len(rewritten) - 1} more kept receipts likewise" if len(rewritten) > 1 else ""
            f.fail("V3.10", loc, f"box line {line} holds this ballot, but not as the collector's receipt "
                                 f"{h.receipt.sequence} says{more}: the box was rewritten after it was issued",
                   items=len(rewritten))
        if not f.steps["V3.10"].checked:
            given = (f"none of the {len(self.held)} kept receipt(s) given is this election's collector's receipt "
                     f"for its envelope (see the notes)" if self.held else "the receipts file given holds no receipt")
            f.not_run("V3.10", f"{given}: nothing to check a dropped ballot against", optional=True)


def _first(ids: tuple[str, ...], limit: int = 20) -> str:
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
