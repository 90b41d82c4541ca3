"""Submit jobs with a bounded number in flight and take the results back in submission order (both engines)."""
from collections import deque
from collections.abc import Callable, Iterable, Iterator


def in_order(jobs: Iterable, submit: Callable, collect: Callable, window: int,
             cancel: Callable = lambda job: None) -> Iterator:
    """`collect(submit(job))` for every job, in order, with at most `window` submitted and not yet collected.

    A job that cannot be made (the reader meets an unreadable line while cutting the next chunk) is raised only
    after the jobs before it are collected: a bad line in an earlier chunk is reported first, as it is when one
    process reads and checks chunk by chunk. The first error in file order is the error, whatever the engine."""
    pending: deque = deque()
    try:
        try:
            for job in jobs:
                pending.append(submit(job))
                if len(pending) >= window:
                    yield collect(pending.popleft())
        except Exception:
            while pending:
                yield collect(pending.popleft())
            raise
        while pending:
            yield collect(pending.popleft())
    finally:
        for job in pending:
            cancel(job)
