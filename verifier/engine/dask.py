"""The cluster engine: the same chunk functions as the local engine, on a Dask distributed cluster.

`DaskEngine("tcp://scheduler:8786")` connects to a running scheduler (`dask scheduler` on one machine,
`dask worker tcp://scheduler:8786 --nworkers N --nthreads 1` on each of the others; every worker needs this
package installed, nothing else: workers never open the record, the coordinator sends them the lines). The
election context is scattered to every worker once (`broadcast=True`); every chunk is scattered straight to a
worker (not carried through the scheduler inside its task graph) and its task submitted, with a bounded number in
flight, the results taken back in submission order: memory stays bounded and the reduce sees the box in order,
exactly as with local processes. Results are deterministic functions of the chunk: the report is the same
whatever the engine.

The work is Python holding the GIL: start workers with one thread each and as many processes as cores
(`--nworkers auto --nthreads 1`).
"""
from collections.abc import Callable, Iterable, Iterator

from verifier.engine.ordered import in_order


def _call_packed(fn: Callable, ctx, args: tuple):
    return fn(ctx, *args)


class DaskEngine:
    name = "dask"

    def __init__(self, scheduler, in_flight_per_thread: int = 2):
        """`scheduler`: an address such as "tcp://10.0.0.1:8786", or a `distributed.Client` or `LocalCluster`
        (tests) to use as it is; a client made here is closed by `close`."""
        self._scheduler = scheduler
        self._per_thread = in_flight_per_thread
        self._client = None
        self._own_client = False
        self._ctx = None
        self.workers = 1

    def _connect(self):
        from distributed import Client

        if self._client is not None:
            return self._client
        target = self._scheduler
        if isinstance(target, Client):
            self._client = target
        else:
            self._client = Client(target, set_as_default=False)
            self._own_client = True
        self._client.wait_for_workers(1)
        self.workers = max(1, sum(self._client.nthreads().values()))
        return self._client

    def start(self, ctx) -> None:
        """Ship the election context to every worker once."""
        client = self._connect()
        if self._ctx is not None:  # the context of an earlier phase
            self._ctx.release()
        self._ctx = client.scatter(ctx, broadcast=True, hash=False)

    def map(self, fn: Callable, jobs: Iterable[tuple]) -> Iterator:
        client = self._client
        window = max(2, self._per_thread * self.workers)

        def submit(args):
            # the chunk goes straight to a worker (scatter), not through the scheduler inside the task
            [data] = client.scatter([args], hash=False)
            return client.submit(_call_packed, fn, self._ctx, data, pure=False)

        yield from in_order(jobs, submit, _result, window, lambda future: future.cancel())

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.release()
            self._ctx = None
        if self._client is not None and self._own_client:
            self._client.close()
        if self._own_client:
            self._client = None
            self._own_client = False


def _result(future):
    result = future.result()
    future.release()
    return result
