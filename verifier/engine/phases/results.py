"""The announced results (V7.x) against the verified tally and the ballots counted per station, then the seats
(V8.x) from the verified totals. Neither uses the engine: they run after its work is done."""
from collections.abc import Mapping
from typing import NamedTuple

from verifier.checks.results import check_results
from verifier.checks.seats import check_seats
from verifier.engine.phases.base import Engine, Run
from verifier.engine.phases.counting import Counted
from verifier.engine.phases.registry import Registered
from verifier.record import layout, reader
from verifier.record.model import Results


class Announced(NamedTuple):
    results: Results  # results.json
    totals: dict[str, tuple[int, ...]]  # verified totals per contest at its scope's top unit (check_results)


def results_phase(run: Run, engine: Engine, registered: Registered, verified: Mapping, counted: Counted
                  ) -> Announced:
    ctx = registered.ctx
    results = reader.read_results(run.root, ctx.manifest.election_id, registered.limits[layout.RESULTS],
                                  run.verdict.inputs[layout.RESULTS])
    return Announced(results, check_results(ctx, results, verified, counted.voted, run.findings))


def seats_phase(run: Run, engine: Engine, registered: Registered, announced: Announced) -> None:
    run.verdict.warnings += check_seats(registered.ctx, announced.results, announced.totals, run.findings)
