"""One verification run over a record: reads the files in order, runs every step, and has the engine do the
work that splits, in chunks, with the sequential checks fed in file order as the chunks come back:

* the registry: each line's signature and key (V2.2, V2.5) on the engine; one registration per voter and per
  key (V2.3, V2.4), the index and the commitment (V2.1) here;
* ballot box pass 1, every ballot: parse, signatures, binding, receipt, ciphertexts, validity proofs (batched
  per chunk), and the product of the valid ballots' ciphertexts per contest and polling station; the hash chain,
  unique ballot ids and the re-voting index here;
* the counting rules: the cancellations' signatures (V5.1) on the engine; the rest, and the authority's list of
  counted ballots against the rules, in box order, here;
* pass 2, only the ballots that passed pass 1 but do not count (superseded, cancelled, repeated ids): their
  product is divided out of pass 1's, which leaves the product of the counted ballots (see chunks.py);
* the tally: every decryption proof's equation on the engine, the rest of V6 here.

Memory (the ballot box is never held whole; measured figures in benchmarks/RESULTS.md). It grows with the
number of voters, not with ballot bytes, and everything per voter stays in memory (no SQLite):
* per registered voter: the registry index (`CompactVoters`, ~180 bytes with the voter id; every worker holds a
  copy) and the re-voting index (`LastVote`: voter → line of the last valid e-vote, ~70 bytes). While the
  registry is checked, V2.4's map of keys to voters adds ~130 bytes per voter (dropped at its end);
* per ballot, in memory: one bit (counted or not), and the unique-ballot-id index of V3.9 (`BoxSequence`, ~130
  bytes per ballot: the one per-ballot structure left in memory);
* per ballot, on disk: a fixed 65-byte record in a temporary file (`BallotLog`), read back twice in order;
* per chunk: its lines and their parsed form (~40 KB per ballot at 2048 bits) in the worker, and a bounded
  number of chunks in flight in the coordinator (see the engines).
For 12 million voters: ~5 GB in the coordinator and ~2 GB in every worker.
"""
import hashlib
import secrets
import struct
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from itertools import islice
from pathlib import Path

from verifier.checks.ballot_box import BoxSequence
from verifier.checks.catalog import CHECKS
from verifier.checks.context import ElectionContext, make_context
from verifier.checks.counting import (
    BoxBallot,
    LastVote,
    check_cancellations,
    compare_decisions,
)
from verifier.checks.findings import Findings
from verifier.checks.registry import RegistryIndex, registry_context
from verifier.checks.results import check_results
from verifier.checks.seats import check_seats
from verifier.checks.setup import check_anchor, check_authority_keys, check_key, check_manifest
from verifier.checks.summary import BallotAccounting, verified_result  # r12: the verified result
from verifier.checks.tally import check_tally, reveal_problems
from verifier.checks.verdict import Verdict
from verifier.checks.voters import CompactVoters
from verifier.crypto.batch import CoefficientStream
from verifier.crypto.paillier import PublicKey
from verifier.engine.chunks import (
    aggregate_chunk,
    check_cancellation_chunk,
    check_chunk,
    check_registry_chunk,
    divide_aggregates,
    merge_aggregates,
    read_decision_chunk,
)
from verifier.engine.local import LocalEngine
from verifier.engine.progress import Progress, as_progress
from verifier.record import canonical, layout, reader
from verifier.record.files import open_regular
from verifier.record.source import open_record

CHUNK_EQUATIONS = 16384  # proof equations per chunk: the bucket multi-exponentiation costs ~0.85 ms per 1-of-8
#                          proof at 2048 bits with 2,048 proofs per batch, 0.95 ms with 1,024, 1.4 ms with 128;
#                          a worker holds one chunk (~40 KB per ballot parsed), the coordinator a few in flight
MIN_CHUNK, MAX_CHUNK = 8, 4096
AGGREGATE_LINES = 1024  # lines per pass-2 job
CHUNK_BYTES = 32 << 20  # a chunk of lines ends here whatever its count: honest 2048-bit ballots are 10-30 KB, so
#                         this rarely binds; a record of 4 MiB lines gets chunks of 8 lines, not of 16 GB
DECISION_LINES = 4096  # lines per counting-decision job: parsed only (~15 µs each)
CANCELLATION_LINES = 256  # lines per cancellation job: two signature verifications each
DECRYPTIONS = 8  # decryption proofs per job: ~10 ms each at 2048 bits (a power mod n²)
REGISTRY_LINES, MIN_REGISTRY_LINES = 2048, 128  # lines per registry job: ~0.35 ms each (signature, key load)
# hashed as they are read and checked (each is read to its end), not before
STREAMED = (layout.REGISTRY, layout.CANCELLATIONS, layout.BALLOT_BOX, layout.BALLOT_DECISIONS)


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


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _line_chunks(lines: Iterable[tuple[int, bytes]], size: int) -> Iterator[list[tuple[int, bytes]]]:
    """Chunks of `size` lines, or fewer when they reach CHUNK_BYTES: a record of long lines (4 MiB is allowed)
    must not make chunks of gigabytes."""
    chunk, held = [], 0
    for line in lines:
        chunk.append(line)
        held += len(line[1])
        if len(chunk) >= size or held >= CHUNK_BYTES:
            yield chunk
            chunk, held = [], 0
    if chunk:
        yield chunk


@contextmanager
def _timed(verdict: Verdict, phase: str):
    start = time.perf_counter()
    yield
    verdict.seconds[phase] = verdict.seconds.get(phase, 0.0) + time.perf_counter() - start


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

    def close(self) -> None:
        self._file.close()


def verify_record(path, engine=None, batch: bool = True, chunk: int | None = None, progress=None,
                  coefficient_seed: bytes | None = None, receipts=None, expect_fingerprints: Sequence[str] = (),
                  trusted_keys=None) -> Verdict:
    """Verify the record at `path` with `engine` (default: this process). `progress` is a `Progress` (or a
    callable given the number of ballots done). `coefficient_seed` fixes the batch coefficients (tests only: by
    default a fresh secret seed is drawn for every run, see below). `receipts`: a file of receipts voters kept
    (V3.10, `verify --receipts`). The anchor (V1.9): `expect_fingerprints`, election fingerprints (hex) published
    before the vote (`verify --expect-fingerprint`); `trusted_keys`, a file of the authorities' keys published
    before the vote (`verify --trusted-keys`)."""
    engine = engine or LocalEngine(1)
    progress = as_progress(progress)
    f = Findings()
    v = Verdict(str(path), f, engine=engine.name, expected_fingerprints=tuple(expect_fingerprints))
    trusted = None
    if trusted_keys is not None:  # read first: a malformed file is an error before any work
        trusted, v.auditor_inputs[str(trusted_keys)] = reader.read_trusted_keys(Path(trusted_keys))
        v.trusted_keys = str(trusted_keys)
    if receipts is not None:
        v.auditor_inputs[str(receipts)] = reader.file_digest(Path(receipts))[0].hex()
    with open_record(path) as root:
        for name in layout.ALL_FILES:
            reader.open_file(root, name).close()  # raises: a record with a missing file is unreadable
        for name in (n for n in layout.ALL_FILES if n in reader.DOCUMENT_LIMITS):
            reader.check_size(root, name)  # by its size on disk, before a byte of it is hashed or read
        for name in layout.ALL_FILES:
            if name not in STREAMED:  # hashed as they are read and checked
                v.inputs[name] = reader.file_digest(root / name)[0].hex()
        with _timed(v, "setup"):
            manifest, manifest_bytes = reader.read_manifest(root)
            election_key, key_bytes = reader.read_election_key(root)
            eid = manifest.election_id
            fp = reader.fingerprint(manifest_bytes, key_bytes)
            v.election_id, v.fingerprint, v.test_record = eid, fp.hex(), manifest.test_record
            check_anchor(manifest, fp.hex(), v.expected_fingerprints, trusted, v.trusted_keys, f)
            v.warnings += check_key(manifest, election_key, f)
            key = PublicKey.from_n(election_key.n)
            check_authority_keys(manifest, f)
            if not check_manifest(manifest, key.n, f):
                for c in CHECKS:
                    if c.phase != "setup":
                        f.not_run(c.id, "the manifest is inconsistent (V1.5)")
                for name in STREAMED:
                    v.inputs[name] = reader.file_digest(root / name)[0].hex()
                v.inputs = {name: v.inputs[name] for name in layout.ALL_FILES}
                return v
        with ExitStack() as cleanup:
            cleanup.callback(progress.close)
            cleanup.callback(engine.close)
            with _timed(v, "registry"):
                voters = _check_registry(root, manifest, engine, progress, v, f)
                ctx = make_context(manifest, key, fp, voters)
                limits = reader.size_limits(manifest, key)  # tally.json and results.json: what the manifest can need
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
            seed = coefficient_seed if coefficient_seed is not None else secrets.token_bytes(32)
            coefficients = CoefficientStream(seed, "ballot box")
            box_path = root / layout.BALLOT_BOX
            box_bytes = box_path.stat().st_size
            log = BallotLog(voters.voter_id, voters.row)
            cleanup.callback(log.close)
            engine.start(ctx)
            workers = engine.workers
            v.engine = f"{engine.name} ×{workers}"
            with _timed(v, "ballot box"):
                size = chunk or chunk_size(ctx, _estimate_lines(box_path, box_bytes), workers)
                held = None if receipts is None else reader.read_held_receipts(Path(receipts), key, eid)
                sequence = BoxSequence(reader.genesis_hash(fp), held)
                last = LastVote()
                all_valid: dict = {}
                pending_offsets: deque = deque()
                digest = hashlib.sha256()
                progress.phase("ballot box", box_bytes)

                def jobs():
                    offset = 0
                    box_lines = _hashed(reader.iter_file_lines(root, layout.BALLOT_BOX), digest)
                    for index, lines in enumerate(_line_chunks(box_lines, size)):
                        spans = []
                        for _, raw in lines:
                            spans.append((offset, len(raw)))
                            offset += len(raw) + 1
                        pending_offsets.append(spans)
                        yield lines, batch, coefficients.child(f"chunk {index}")

                for part in engine.map(check_chunk, jobs()):
                    spans = pending_offsets.popleft()
                    f.merge(part.findings)
                    merge_aggregates(all_valid, part.aggregates, key.n2)
                    done = 0
                    for s, (offset, length) in zip(part.summaries, spans):
                        unique = sequence.feed(s, f)
                        row = voters.row(s.voter_id)
                        voter_id = s.voter_id if row is None else voters.voter_id(row)  # one string per voter
                        last.feed(BoxBallot(s.line, s.ballot_id, voter_id, s.valid and unique))
                        log.append(s.ballot_id, s.voter_id, BallotLog.VALID * s.valid + BallotLog.UNIQUE * unique,
                                   offset, length, s.entry_hash)
                        done += length + 1
                    progress.advance(done, len(part.summaries))
                v.inputs[layout.BALLOT_BOX] = digest.hexdigest()  # of exactly the bytes pass 1 verified
                sequence.finish(reader.read_box_head(root, eid), manifest, f)
                v.warnings += sequence.notes
                v.counts["ballots in the box"] = log.entries
            with _timed(v, "counting rules"):
                digests = {name: hashlib.sha256() for name in (layout.CANCELLATIONS, layout.BALLOT_DECISIONS)}
                lines = _hashed(reader.iter_file_lines(root, layout.CANCELLATIONS), digests[layout.CANCELLATIONS])
                signed = _each_line(engine, check_cancellation_chunk, lines, CANCELLATION_LINES, f)
                cancelled = check_cancellations(ctx, (c for part in signed for c in part), f)
                counted_bits = bytearray((log.entries >> 3) + 1)
                voted: Counter = Counter()
                ballots = (BoxBallot(line, ballot_id, voter_id,
                                     flags == BallotLog.VALID | BallotLog.UNIQUE)
                           for line, ballot_id, voter_id, flags, *_ in log.replay())
                counted = 0
                lines = _hashed(reader.iter_file_lines(root, layout.BALLOT_DECISIONS), digests[layout.BALLOT_DECISIONS])
                parsed = _each_line(engine, read_decision_chunk, lines, DECISION_LINES, f)
                decisions = (d for part in parsed for d in part)
                accounting = BallotAccounting(last, cancelled)  # r12: where every ballot in the box went
                ballots = accounting.watch(ballots)  # r12
                for b in compare_decisions(ballots, decisions, last, cancelled, f, sequence.ballot_lines,
                                           sequence.repeats):
                    counted_bits[b.line >> 3] |= 1 << (b.line & 7)
                    voted[voters.station(voters.row(b.voter_id))] += 1
                    counted += 1
                for name, digest in digests.items():
                    v.inputs[name] = digest.hexdigest()
                v.counts["ballots counted"] = counted
            with _timed(v, "aggregation"):
                progress.phase("aggregation", log.entries)
                excluded: dict = {}
                for part in engine.map(aggregate_chunk, _excluded_jobs(box_path, log, counted_bits, progress)):
                    merge_aggregates(excluded, part, key.n2)
                recomputed = divide_aggregates(all_valid, excluded, key.n2)
            with _timed(v, "tally"):

                def reveal(aggregates):
                    jobs = ((part,) for part in _chunks(aggregates, DECRYPTIONS))
                    return [p for part in engine.map(reveal_problems, jobs) for p in part]

                verified = check_tally(ctx, reader.read_tally(root, key, eid, limits[layout.TALLY]), recomputed, f,
                                       reveal)
        v.inputs = {name: v.inputs[name] for name in layout.ALL_FILES}
        with _timed(v, "results"):
            results = reader.read_results(root, eid, limits[layout.RESULTS])
            totals = check_results(ctx, results, verified, voted, f)
        with _timed(v, "seats"):
            v.warnings += check_seats(ctx, results, totals, f)
        v.result = verified_result(ctx, totals, voted, accounting)  # r12: the verified result, for the reports
        v.counts["registered voters"] = len(voters)
    return v


def _check_registry(root, manifest, engine, progress: Progress, v: Verdict, f: Findings) -> CompactVoters:
    """V2.x: each line's own checks in chunks on the engine, the sequential ones here in registry order."""
    progress.phase("registry", manifest.registry_voters)
    engine.start(registry_context(manifest))
    # a few jobs for every worker, each no bigger than REGISTRY_LINES (the declared number of voters only sizes them)
    size = max(MIN_REGISTRY_LINES, min(REGISTRY_LINES, -(-manifest.registry_voters // (4 * engine.workers))))
    digest = hashlib.sha256()
    index = RegistryIndex()
    lines = _hashed(reader.iter_file_lines(root, layout.REGISTRY), digest)
    for registrations in _each_line(engine, check_registry_chunk, lines, size, f):
        for r in registrations:
            index.feed(r, f)
        progress.advance(len(registrations), len(registrations))
    v.inputs[layout.REGISTRY] = digest.hexdigest()  # of exactly the bytes checked
    return index.finish(manifest, digest.digest(), f)


def _each_line(engine, check: Callable, lines: Iterable[tuple[int, bytes]], size: int, f: Findings) -> Iterator[list]:
    """Each line's own checks (`check`, a chunk function) on the engine; their findings merged into `f`, their
    results yielded a chunk at a time, in file order."""
    for part, results in engine.map(check, ((chunk,) for chunk in _line_chunks(lines, size))):
        f.merge(part)
        yield results


def _hashed(lines: Iterable[tuple[int, bytes]], digest) -> Iterator[tuple[int, bytes]]:
    """`lines` as they are, each added with its newline to `digest` as it passes: the file's hash is then that of
    exactly the bytes checked."""
    for line in lines:
        digest.update(line[1])
        digest.update(b"\n")
        yield line


def _estimate_lines(box_path, box_bytes: int) -> int:
    with open_regular(box_path, layout.BALLOT_BOX) as fh:
        first = fh.readline(canonical.MAX_LINE_BYTES + 1)
    return max(1, box_bytes // max(1, len(first)))


def _excluded_jobs(box_path, log: BallotLog, counted_bits: bytearray, progress: Progress) -> Iterator[tuple]:
    """Pass 2's jobs: the lines that were valid in pass 1 but are not counted, read by offset, with pass 1's hash."""
    lines: list = []
    scanned = 0
    with open_regular(box_path, layout.BALLOT_BOX) as fh:
        for line, _, _, flags, offset, length, line_hash in log.replay():
            scanned += 1
            if flags & BallotLog.VALID and not counted_bits[line >> 3] >> (line & 7) & 1:
                fh.seek(offset)
                lines.append((line, fh.read(length), line_hash))
                if len(lines) >= AGGREGATE_LINES:
                    yield (lines,)
                    progress.advance(scanned, scanned)
                    lines, scanned = [], 0
    if lines:
        yield (lines,)
    progress.advance(scanned, scanned)

