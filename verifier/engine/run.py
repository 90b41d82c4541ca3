"""One verification run over a record: reads the files in order, runs every step, and streams the ballot box
twice through the engine (pass 1: every per-ballot check; pass 2: aggregation of the ballots that count)."""
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from verifier.checks.ballot_box import BoxSequence
from verifier.checks.catalog import CHECKS
from verifier.checks.context import make_context
from verifier.checks.counting import BoxBallot, LastVote, check_cancellations, compare_decisions
from verifier.checks.findings import Findings
from verifier.checks.registry import check_registry
from verifier.checks.results import check_results
from verifier.checks.seats import check_seats
from verifier.checks.setup import check_key, check_manifest
from verifier.checks.tally import check_tally
from verifier.checks.verdict import Verdict
from verifier.crypto.paillier import PublicKey
from verifier.engine.chunks import aggregate_chunk, check_chunk, merge_aggregates
from verifier.engine.local import LocalEngine
from verifier.record import layout, reader
from verifier.record.source import open_record

CHUNK = 128  # ballots per chunk: large enough for batching to pay, small enough to spread over workers


def _chunks(lines: Iterable, size: int) -> Iterator[list]:
    it = iter(lines)
    while chunk := list(islice(it, size)):
        yield chunk


@contextmanager
def _timed(verdict: Verdict, phase: str):
    start = time.perf_counter()
    yield
    verdict.seconds[phase] = verdict.seconds.get(phase, 0.0) + time.perf_counter() - start


def verify_record(path, engine=None, batch: bool = True, chunk: int = CHUNK, progress=None) -> Verdict:
    engine = engine or LocalEngine(1)
    f = Findings()
    v = Verdict(str(path), f, engine=f"{engine.name} ×{getattr(engine, 'workers', 1)}")
    with open_record(path) as root:
        for name in layout.ALL_FILES:
            if (root / name).is_file():
                v.inputs[name] = reader.file_digest(root / name)[0].hex()
            else:
                reader.open_file(root, name)  # raises: a record with a missing file is unreadable
        with _timed(v, "setup"):
            manifest, manifest_bytes = reader.read_manifest(root)
            election_key, key_bytes = reader.read_election_key(root)
            eid = manifest.election_id
            fp = reader.fingerprint(manifest_bytes, key_bytes)
            v.election_id, v.fingerprint, v.test_record = eid, fp.hex(), manifest.test_record
            v.warnings += check_key(manifest, election_key, f)
            key = PublicKey.from_n(election_key.n)
            if not check_manifest(manifest, key.n, f):
                for c in CHECKS:
                    if c.phase != "setup":
                        f.not_run(c.id, "the manifest is inconsistent (V1.5)")
                return v
        with _timed(v, "registry"):
            voters = check_registry(manifest, reader.iter_registry(root, eid), bytes.fromhex(v.inputs[layout.REGISTRY]), f)
            ctx = make_context(manifest, key, fp, voters)
        engine.start(ctx)
        try:
            with _timed(v, "ballot box"):
                sequence, last, ballots = BoxSequence(reader.genesis_hash(fp)), LastVote(), []
                jobs = ((lines, batch) for lines in _chunks(reader.iter_box_lines(root), chunk))
                for part in engine.map(check_chunk, jobs):
                    f.merge(part.findings)
                    for s in part.summaries:
                        unique = sequence.feed(s, f)
                        b = BoxBallot(s.line, s.ballot_id, s.voter_id, s.valid and unique)
                        last.feed(b)
                        ballots.append(b)
                    if progress:
                        progress(len(part.summaries))
                sequence.finish(reader.read_box_head(root, eid), manifest.authority("collector"), f)
                v.counts["ballots in the box"] = len(ballots)
            with _timed(v, "counting rules"):
                cancelled = check_cancellations(ctx, reader.iter_cancellations(root, eid), f)
                counted = list(compare_decisions(ballots, reader.iter_decisions(root), last, cancelled, f))
                del ballots
                counted_lines = frozenset(b.line for b in counted)
                voted = Counter(voters[b.voter_id].polling_station for b in counted)
                v.counts["ballots counted"] = len(counted)
            with _timed(v, "aggregation"):
                recomputed: dict = {}
                jobs = ((lines, frozenset(n for n, _ in lines if n in counted_lines))
                        for lines in _chunks(reader.iter_box_lines(root), chunk * 8))
                for part in engine.map(aggregate_chunk, jobs):
                    merge_aggregates(recomputed, part, key.n2)
        finally:
            engine.close()
        with _timed(v, "tally"):
            verified = check_tally(ctx, reader.read_tally(root, key, eid), recomputed, f)
        with _timed(v, "results"):
            results = reader.read_results(root, eid)
            totals = check_results(ctx, results, verified, voted, f)
        with _timed(v, "seats"):
            v.warnings += check_seats(ctx, results, totals, f)
        v.counts["registered voters"] = len(voters)
    return v
