"""Engines: where the ballot-box chunks run (local processes, `local.LocalEngine`; a Dask cluster,
`dask.DaskEngine`). Both have the shape of `Engine`."""
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol


class Engine(Protocol):
    name: str
    workers: int

    def start(self, ctx: Any) -> None:
        """Ship the election context to every worker once."""

    def map(self, fn: Callable[..., Any], jobs: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        """`fn(ctx, *job)` for every job, the results in the order of `jobs`."""

    def close(self) -> None:
        """Release the workers (an engine made by the caller stays the caller's)."""
