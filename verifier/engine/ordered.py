"""Submit jobs with a bounded number in flight and take the results back in submission order (both engines)."""
from collections import deque
from collections.abc import Callable, Iterable, Iterator


def in_order(jobs: Iterable, submit: Callable, collect: Callable, window: int,
             cancel: Callable = lambda job: None) -> Iterator:
    """`collect(submit(job))` for every job, in order, with at most `window` submitted and not yet collected.

    The first error in file order is the error, whatever the engine (SPEC.md §5):
    * a job whose `collect` raises is the earliest failing one (every job before it was collected), so its error is
      raised at once and the later jobs are cancelled: their own errors, if any, are further down the file;
    * a job that cannot be made (the reader meets an unreadable line while cutting the next chunk) is raised only
      after the jobs before it are collected: an error in one of them comes first in the file and is raised instead.
    """
    pending: deque = deque()
    try:
        jobs = iter(jobs)
        while True:
            try:
                job = next(jobs)
            except StopIteration:
                break
            except Exception:  # an unreadable line after every submitted job: theirs come first
                while pending:
                    yield collect(pending.popleft())
                raise
            pending.append(submit(job))
            if len(pending) >= window:
                yield collect(pending.popleft())
        while pending:
            yield collect(pending.popleft())
    finally:
        for job in pending:
            cancel(job)
