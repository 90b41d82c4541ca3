"""What every phase is given (`Run`), the engine's interface, and the helpers for streaming a file to it."""
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from verifier.checks.findings import Findings
from verifier.checks.verdict import Verdict
from verifier.engine.progress import Progress

CHUNK_BYTES = 32 << 20  # a chunk of lines ends here whatever its count: honest 2048-bit ballots are 10-30 KB, so
#                         this rarely binds; a record of 4 MiB lines gets chunks of 8 lines, not of 16 GB


class Engine(Protocol):
    """engine/local.py and engine/dask.py: `map` runs `fn(context, *job)` for every job, results in job order."""

    name: str
    workers: int

    def start(self, ctx) -> None: ...

    def map(self, fn: Callable, jobs: Iterable[tuple]) -> Iterator: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Options:
    """How the auditor asked for the run (verify_record's arguments)."""

    batch: bool = True
    chunk: int | None = None
    coefficient_seed: bytes | None = None  # tests only: fixes the batch coefficients
    receipts: str | Path | None = None
    until: str | None = None  # `verify --until STAGE`: a record published before the tally (layout.STAGES)
    state: str | Path | None = None  # `verify --state FILE`: the incremental state (engine/state.py)


@dataclass(frozen=True)
class Run:
    """What every phase may use. `verdict` collects the report's facts (inputs' digests, counts, warnings) and
    `findings` every check's outcome; resources a phase opens are closed by `cleanup` when the engine's work ends."""

    root: Path
    options: Options
    verdict: Verdict
    progress: Progress
    cleanup: ExitStack

    @property
    def findings(self) -> Findings:
        return self.verdict.findings

    def phase(self, name: str, phase: Callable[..., Any], engine: Engine, *inputs) -> Any:
        """Run one phase and add its wall time to the report's `name` (the one place where phases are timed)."""
        start = time.perf_counter()
        out = phase(self, engine, *inputs)
        self.verdict.seconds[name] = self.verdict.seconds.get(name, 0.0) + time.perf_counter() - start
        return out


def chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def line_chunks(lines: Iterable[tuple[int, bytes]], size: int) -> Iterator[list[tuple[int, bytes]]]:
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


def each_line(engine: Engine, check: Callable, lines: Iterable[tuple[int, bytes]], size: int,
              f: Findings) -> Iterator[list]:
    """Each line's own checks (`check`, a chunk function) on the engine; their findings merged into `f`, their
    results yielded a chunk at a time, in file order."""
    for part, results in engine.map(check, ((chunk,) for chunk in line_chunks(lines, size))):
        f.merge(part)
        yield results


def hashed(lines: Iterable[tuple[int, bytes]], digest) -> Iterator[tuple[int, bytes]]:
    """`lines` as they are, each added with its newline to `digest` as it passes: the file's hash is then that of
    exactly the bytes checked."""
    for line in lines:
        digest.update(line[1])
        digest.update(b"\n")
        yield line
