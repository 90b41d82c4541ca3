"""The ballot box, pass 1: every ballot's own checks and validity proofs in chunks on the engine (check_chunk),
with the product of the valid ballots' ciphertexts per contest and polling station; the hash chain, unique ballot
ids, the voters' kept receipts (V3.7–V3.10) and the re-voting index here, in box order. What the later phases need
of every line goes to a temporary file (`BallotLog`): the box is never held whole."""
import copy
import hashlib
import secrets
import struct
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from verifier.checks.ballot_box import BoxSequence
from verifier.checks.context import ElectionContext
from verifier.checks.counting import BoxBallot, LastVote
from verifier.checks.validity import valid_ballot
from verifier.crypto.batch import CoefficientStream
from verifier.engine.chunks import check_chunk
from verifier.engine.phases.base import Engine, Run, hashed, line_chunks
from verifier.engine.phases.registry import Registered
from verifier.engine.state import BOX_STEPS, BoxCheckpoint, SavedBox
from verifier.errors import RecordError
from verifier.record import canonical, layout, reader
from verifier.record.files import open_regular
from verifier.tally.aggregates import Aggregates, merge_aggregates

CHUNK_EQUATIONS = 16384  # proof equations per chunk: the bucket multi-exponentiation costs ~0.85 ms per 1-of-8
#                          proof at 2048 bits with 2,048 proofs per batch, 0.95 ms with 1,024, 1.4 ms with 128;
#                          a worker holds one chunk (~40 KB per ballot parsed), the coordinator a few in flight
MIN_CHUNK, MAX_CHUNK = 8, 4096


class BallotLog:
    """What the counting rules and pass 2 need of every box line, as fixed 65-byte records in a temporary file
    (written in pass 1, read back in box order): ballot id, voter (row in the registry index + 1; 0 for an
    unregistered id, kept aside), flags (valid in pass 1; unique id), byte offset and length of the line, SHA-256
    of the line. `row_of(voter id)` gives a registered voter's row (None otherwise), `voter_id(row)` its id."""

    RECORD = struct.Struct(">16sIBQI32s")
    VALID, UNIQUE = 1, 2

    def __init__(self, voter_id: Callable[[int], str], row_of: Callable[[str], int | None]):
        self._file = tempfile.TemporaryFile(prefix="tally-verifier-box-")  # noqa: SIM115 (closed by close())
        self._buffer = bytearray()
        self._voter_id = voter_id
        self._row_of = row_of
        self.unregistered: dict[int, str] = {}  # box line → voter id that is not in the registry
        self.entries = 0

    def append(self, ballot_id: bytes, voter_id: str, flags: int, offset: int, length: int, line_hash: bytes) -> None:
        self.entries += 1
        row = self._row_of(voter_id)
        if row is None:
            self.unregistered[self.entries] = voter_id
        self._buffer += self.RECORD.pack(ballot_id, 0 if row is None else row + 1, flags, offset, length, line_hash)
        if len(self._buffer) >= 1 << 20:
            self.flush()

    def flush(self) -> None:
        self._file.write(self._buffer)
        self._buffer.clear()

    def replay(self) -> Iterator[tuple[int, bytes, str, int, int, int, bytes]]:
        """(line, ballot id, voter id, flags, offset, length, line hash) for every line, in box order."""
        self.flush()
        self._file.seek(0)
        size = self.RECORD.size
        line = 0
        while block := self._file.read(size * 8192):
            for ballot_id, voter, flags, offset, length, line_hash in self.RECORD.iter_unpack(block):
                line += 1
                name = self._voter_id(voter - 1) if voter else self.unregistered[line]
                yield line, ballot_id, name, flags, offset, length, line_hash

    def restore(self, blocks: Iterable[bytes], unregistered: dict[int, str], entries: int, size: int,
                voters: int) -> None:
        """The records an earlier run wrote (`verify --state`), each checked: its voter row in the registry index
        or its id among `unregistered`, its flags, and its line right after the one before, within the box's
        first `size` bytes. ValueError if a record does not fit."""
        self.flush()
        offset = 0
        for block in blocks:
            if len(block) % self.RECORD.size:
                raise ValueError("ballot log block")
            for _, voter, flags, start, length, _ in self.RECORD.iter_unpack(block):
                self.entries += 1
                if (voter > voters or (voter == 0) != (self.entries in unregistered) or flags > 3
                        or start != offset):
                    raise ValueError(f"ballot log record {self.entries}")
                offset = start + length + 1
            self._file.write(block)
        if (self.entries, offset) != (entries, size) or len(unregistered) > entries:
            raise ValueError("ballot log length")
        self.unregistered = dict(unregistered)

    def records_from(self, entries: int) -> Iterator[bytes]:
        """The records of the lines after the first `entries`, in blocks of about a megabyte."""
        self.flush()
        self._file.seek(entries * self.RECORD.size)
        while block := self._file.read(self.RECORD.size * 16384):
            yield block
        self._file.seek(0, 2)

    def ballots(self) -> Iterator[BoxBallot]:
        """Every line as the counting rules see it, in box order."""
        for line, ballot_id, voter_id, flags, *_ in self.replay():
            valid = valid_ballot(bool(flags & self.VALID), bool(flags & self.UNIQUE))
            yield BoxBallot(line, ballot_id, voter_id, valid)

    def close(self) -> None:
        self._file.close()


class Box(NamedTuple):
    log: BallotLog  # every line, for the counting rules and pass 2 (closed with the run's engine work)
    passed: Aggregates  # the product of the ballots valid in pass 1, per contest and polling station
    last: LastVote  # the re-voting index: voter → line of the last valid ballot
    ballot_lines: dict[bytes, int]  # ballot id → its first box line (V3.9's index)
    repeats: dict[bytes, int]  # ballot id → box lines after its first
    checkpoint: BoxCheckpoint | None = None  # `verify --state`: what the state keeps of this run's box


def chunk_size(ctx: ElectionContext, lines: int, workers: int) -> int:
    """Big enough for the batch test to pay (about CHUNK_EQUATIONS equations), small enough that every worker
    gets a chunk."""
    branches = max((sum(len(ctx.messages.get(c, ())) for c in contests)
                    for contests in set(ctx.station_contests.values())), default=8) or 8
    size = min(MAX_CHUNK, max(MIN_CHUNK, CHUNK_EQUATIONS // branches))
    workers = max(1, workers)
    # chunks per worker, rounded (a chunk may come out up to 1.5 times `size`); equal chunks keep every worker
    # busy to the end
    rounds = max(1, round(lines / (workers * size)))
    return max(MIN_CHUNK, -(-lines // (workers * rounds)))


def box_phase(run: Run, engine: Engine, registered: Registered, saved: SavedBox | None = None) -> Box:
    ctx, voters, v, f = registered.ctx, registered.voters, run.verdict, run.findings
    manifest, key, eid = ctx.manifest, ctx.key, ctx.manifest.election_id
    # The batch coefficients (crypto.md §3: drawn after the ballot box is frozen). The box is frozen before
    # this run starts: it was published with the collector's signed head, which commits to its last entry,
    # and pass 1 checks every line against that chain. The proofs in it were therefore made before this
    # seed exists; it comes from the operating system's CSPRNG now, lives only in this run's memory (and in
    # the jobs sent to its own workers), is never written to the report or anywhere else, and every chunk and
    # every bisection step derives its own coefficients from it (CoefficientStream). Whoever made the proofs
    # cannot predict a single δ, which is all the batch test's 2^-128 bound needs. That later chunks of the
    # box are read after the seed is drawn changes nothing: their bytes were fixed when the box was published
    # (the report gives the SHA-256 of exactly the bytes pass 1 verified, and pass 2 checks that every line
    # it rereads is byte for byte the line pass 1 verified). Drawing the seed only after hashing the whole
    # box would cost a full extra read of the box and buy nothing against a prover who cannot see the seed.
    seed = run.options.coefficient_seed
    coefficients = CoefficientStream(seed if seed is not None else secrets.token_bytes(32), "ballot box")
    box_path = run.root / layout.BALLOT_BOX
    box_bytes = box_path.stat().st_size
    log = BallotLog(voters.voter_id, voters.row)
    run.cleanup.callback(log.close)
    engine.start(ctx)
    v.engine = f"{engine.name} ×{engine.workers}"
    receipts = run.options.receipts
    held = None if receipts is None else reader.read_held_receipts(Path(receipts), key, eid,
                                                                        v.auditor_inputs[str(receipts)])
    sequence = BoxSequence(reader.genesis_hash(ctx.fingerprint), held)
    last = LastVote()
    passed: Aggregates = {}
    start_line = start_byte = 0
    if saved is not None:  # `verify --state`: the lines an earlier run verified are taken as it left them
        passed = _resume(run, saved, log, sequence, last, len(voters))
        start_line, start_byte = saved.entries, saved.size
    size = run.options.chunk or chunk_size(ctx, _estimate_lines(box_path, box_bytes - start_byte), engine.workers)
    pending_offsets: deque = deque()
    digest = hashlib.sha256()
    batch = run.options.batch
    run.progress.phase("ballot box", box_bytes)
    box_file = run.cleanup.enter_context(reader.open_file(run.root, layout.BALLOT_BOX))
    if saved is not None:
        _check_prefix(box_file, saved, digest, str(run.options.state))
        run.progress.advance(start_byte, start_line)

    def jobs():
        offset = start_byte
        box_lines = hashed(canonical.iter_raw_lines(box_file, layout.BALLOT_BOX, start_line), digest)
        for index, lines in enumerate(line_chunks(box_lines, size)):
            spans = []
            for _, raw in lines:
                spans.append((offset, len(raw)))
                offset += len(raw) + 1
            pending_offsets.append(spans)
            yield lines, batch, coefficients.child(f"chunk {index}")

    end_byte = start_byte
    for part in engine.map(check_chunk, jobs()):
        spans = pending_offsets.popleft()
        f.merge(part.findings)
        merge_aggregates(passed, part.aggregates, key.n2)
        done = 0
        for s, (offset, length) in zip(part.summaries, spans, strict=True):  # one summary and one span per line
            unique = sequence.feed(s, f)
            row = voters.row(s.voter_id)
            voter_id = s.voter_id if row is None else voters.voter_id(row)  # one string per voter
            last.feed(BoxBallot(s.line, s.ballot_id, voter_id, valid_ballot(s.valid, unique)))
            log.append(s.ballot_id, s.voter_id, BallotLog.VALID * s.valid + BallotLog.UNIQUE * unique,
                       offset, length, s.entry_hash)
            done += length + 1
            end_byte = offset + length + 1
        run.progress.advance(done, len(part.summaries))
    v.inputs[layout.BALLOT_BOX] = digest.hexdigest()  # of exactly the bytes pass 1 verified
    checkpoint = None
    if run.options.state is not None:  # before the head's check: the state holds the lines' findings only
        checkpoint = BoxCheckpoint(log.entries, end_byte, digest.hexdigest(), sequence.sequence,
                                   sequence.received_at, sequence.previous_hash, passed,
                                   {c: copy.deepcopy(f.steps[c]) for c in BOX_STEPS}, log.records_from(start_line),
                                   {n: i for n, i in log.unregistered.items() if n > start_line})
    head = reader.read_box_head(run.root, eid, v.inputs[layout.BALLOT_BOX_HEAD])
    sequence.finish(head, manifest, f, snapshot_ok=run.options.until == "box")
    v.warnings += sequence.notes
    v.counts["ballots in the box"] = log.entries
    return Box(log, passed, last, sequence.ballot_lines, sequence.repeats, checkpoint)


def _resume(run: Run, saved: SavedBox, log: BallotLog, sequence: BoxSequence, last: LastVote,
            voters: int) -> Aggregates:
    """The state's lines back into this run: the ballot log, the box steps' findings, V3.9's and V3.10's indexes
    and the re-voting index (rebuilt from the log: one pass, no crypto), the chain's state; returns the
    aggregates of the valid ballots so far."""
    try:
        log.restore(saved.records, saved.unregistered, saved.entries, saved.size, voters)
    except ValueError as e:
        raise RecordError(str(run.options.state), None, f"malformed state: {e}") from None
    for line, ballot_id, voter_id, flags, _, _, line_hash in log.replay():
        sequence.resume(line, ballot_id, line_hash)
        last.feed(BoxBallot(line, ballot_id, voter_id, valid_ballot(bool(flags & BallotLog.VALID),
                                                                     bool(flags & BallotLog.UNIQUE))))
    sequence.carry_on(saved.sequence, saved.received_at, saved.chain_head)
    for check, step in saved.steps.items():
        run.findings.steps[check] = step
    return saved.passed


def _check_prefix(box_file, saved: SavedBox, digest, state: str) -> None:
    """The box's first `saved.size` bytes are those the state verified (their SHA-256; the file position is left
    after them, `digest` has them): else the box forked and the state is refused."""
    left = saved.size
    while left:
        block = box_file.read(min(left, 1 << 20))
        if not block:
            break
        digest.update(block)
        left -= len(block)
    if left or digest.hexdigest() != saved.box_sha256:
        raise RecordError(state, None, f"the ballot box forked: its first {saved.entries} lines ({saved.size} "
                                       f"bytes) are not those the state verified (SHA-256 {saved.box_sha256}, chain "
                                       f"head {saved.chain_head.hex()}): keep both boxes as evidence (`tally-"
                                       f"verifier diff` names the first line that differs); the state is not used")


def _estimate_lines(box_path, box_bytes: int) -> int:
    with open_regular(box_path, layout.BALLOT_BOX) as fh:
        first = fh.readline(canonical.MAX_LINE_BYTES + 1)
    return max(1, box_bytes // max(1, len(first)))
