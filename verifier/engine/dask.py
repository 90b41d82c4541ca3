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

Dask is an optional extra (`pip install 'tally-verifier[cluster]'`): this module imports it only when an engine is
made (`DaskMissing` without it), so that nothing else needs it.
"""
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from verifier.engine.ordered import in_order

CONNECT_TIMEOUT = 5  # seconds to reach the scheduler: an address that does not answer fails at once, not in 30 s
WORKER_TIMEOUT = 60  # seconds for a first worker to join: a scheduler with none fails, it does not wait forever
MISSING = "--scheduler needs the Dask extra: pip install 'tally-verifier[cluster]'"


class DaskMissing(ImportError):
    """Dask (distributed) is not installed."""


class SchedulerUnreachable(OSError):
    """The scheduler address is not one, nothing answers there within CONNECT_TIMEOUT, or no worker joins it
    within WORKER_TIMEOUT."""


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise DaskMissing(MISSING) from None
    return distributed


def _check_reachable(address: str) -> None:
    """Refuse at once, in one line, an address that is malformed, where nothing answers, or where something else
    than a Dask scheduler answers: distributed's own Client would retry for its whole timeout and, on failure,
    leave a half-made client that prints a traceback when the interpreter exits. A plain TCP connection (tcp://
    and tls://, the schemes with a host and port: a refusal is known at once), then, for tcp://, distributed's
    own handshake on a loop of our own."""
    import asyncio

    from distributed.comm import connect
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return
        host, port = parse_host_port(location)
    except ValueError as e:
        raise SchedulerUnreachable(f"{address!r} is not a Dask scheduler address: {e}") from None
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as e:
        reason = "no answer" if isinstance(e, TimeoutError) else (e.strerror or str(e) or type(e).__name__)
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT} s: "
                                   f"{reason}") from None
    if scheme != "tcp":
        return  # tls: the handshake needs the security settings the Client is given

    async def handshake() -> None:
        comm = await connect(address, timeout=CONNECT_TIMEOUT)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(handshake(), CONNECT_TIMEOUT + 1))
    except Exception as e:  # whatever answers there garbles the handshake in its own way (MemoryError included)
        what = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        raise SchedulerUnreachable(f"no Dask scheduler answers at {address} ({what})") from None


def _call_packed(fn: Callable[..., Any], ctx: Any, args: tuple[Any, ...]) -> Any:
    return fn(ctx, *args)


class DaskEngine:
    name = "dask"

    def __init__(self, scheduler: Any, in_flight_per_thread: int = 2):
        """`scheduler`: an address such as "tcp://10.0.0.1:8786", or a `distributed.Client` or `LocalCluster`
        (tests) to use as it is; a client made here is closed by `close`. `DaskMissing` at once without Dask."""
        _distributed()
        self._scheduler = scheduler
        self._per_thread = in_flight_per_thread
        self._client: Any = None
        self._own_client = False
        self._ctx: Any = None
        self.workers = 1

    def connect(self) -> Any:
        """The client (made once): `SchedulerUnreachable` within CONNECT_TIMEOUT seconds if the scheduler does not
        answer. Then waits for a first worker."""
        Client = _distributed().Client

        if self._client is not None:
            return self._client
        target = self._scheduler
        if isinstance(target, Client):
            self._client = target
        else:
            if isinstance(target, str):
                _check_reachable(target)
            try:
                self._client = Client(target, set_as_default=False, timeout=f"{CONNECT_TIMEOUT}s")
            except Exception as e:  # as in _check_reachable: one line, whatever went wrong
                raise SchedulerUnreachable(f"cannot connect to the Dask scheduler at {target} "
                                           f"({type(e).__name__}: {e})") from None
            self._own_client = True
        try:
            self._client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except Exception as e:  # distributed raises its own TimeoutError; any failure here is one line
            self.close()
            raise SchedulerUnreachable(f"the Dask scheduler at {target} has no worker after {WORKER_TIMEOUT} s: start "
                                       f"workers with `dask worker ADDRESS` ({type(e).__name__})") from None
        self.workers = max(1, sum(self._client.nthreads().values()))
        return self._client

    def start(self, ctx: Any) -> None:
        """Ship the election context to every worker once."""
        client = self.connect()
        if self._ctx is not None:  # the context of an earlier phase
            self._ctx.release()
        self._ctx = client.scatter(ctx, broadcast=True, hash=False)

    def map(self, fn: Callable[..., Any], jobs: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        client = self._client
        window = max(2, self._per_thread * self.workers)

        def submit(args: tuple[Any, ...]) -> Any:
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


def _result(future: Any) -> Any:
    result = future.result()
    future.release()
    return result
