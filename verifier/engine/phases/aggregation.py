"""The ballot box, pass 2 (V6.2's recomputation): only the lines that were valid in pass 1 but do not count
(superseded, cancelled, repeated ids) are read again, by offset, on the engine (aggregate_chunk); their product
divided out of pass 1's leaves the product of the counted ballots per contest and polling station."""
from collections.abc import Iterator

from verifier.engine.chunks import aggregate_chunk
from verifier.engine.phases.base import Engine, Run
from verifier.engine.phases.box import BallotLog, Box
from verifier.engine.phases.counting import Counted
from verifier.engine.phases.registry import Registered
from verifier.engine.progress import Progress
from verifier.record import layout
from verifier.record.files import open_regular
from verifier.tally.aggregates import Aggregates, divide_aggregates, merge_aggregates

AGGREGATE_LINES = 1024  # lines per pass-2 job


def aggregation_phase(run: Run, engine: Engine, registered: Registered, box: Box, counted: Counted) -> Aggregates:
    """The recomputed aggregates of the counted ballots: (contest, station) → (ballots, product)."""
    n2 = registered.ctx.key.n2
    run.progress.phase("aggregation", box.log.entries)
    excluded: Aggregates = {}
    jobs = _excluded_jobs(run.root / layout.BALLOT_BOX, box.log, counted.bits, run.progress)
    for part in engine.map(aggregate_chunk, jobs):
        merge_aggregates(excluded, part, n2)
    return divide_aggregates(box.passed, excluded, n2)


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
