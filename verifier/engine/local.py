"""The default engine: the chunks of the ballot box on local worker processes (or in this process for one worker).

Results come back in submission order with a bounded number of chunks in flight, so memory stays bounded
whatever the size of the box."""
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from verifier.engine.ordered import in_order

_CONTEXT = None


def _init(ctx) -> None:
    global _CONTEXT
    # Ctrl-C reaches the whole process group: the coordinator says "interrupted" once (exit 130) and shuts the pool
    # down; a worker printing its own KeyboardInterrupt traceback would only bury that line
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _CONTEXT = ctx


def _call(fn: Callable, args: tuple):
    return fn(_CONTEXT, *args)


class LocalEngine:
    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._ctx = None

    def start(self, ctx) -> None:
        """Ship the election context to the workers once."""
        self._ctx = ctx
        if self.workers > 1:
            self.close()
            self._pool = ProcessPoolExecutor(self.workers, initializer=_init, initargs=(ctx,))

    def map(self, fn: Callable, jobs: Iterable[tuple]) -> Iterator:
        if self._pool is None:
            for args in jobs:
                yield fn(self._ctx, *args)
            return
        pool = self._pool
        yield from in_order(jobs, lambda args: pool.submit(_call, fn, args), Future.result, 2 * self.workers,
                            Future.cancel)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
