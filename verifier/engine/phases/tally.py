"""The tally (V6.x): every decryption proof's equation on the engine (reveal_problems), the rest of V6 here,
against the aggregates the verifier recomputed. Hands on the verified (ballots, counts) per aggregate."""
from verifier.checks.tally import check_tally, reveal_problems
from verifier.engine.phases.base import Engine, Run, chunks
from verifier.engine.phases.registry import Registered
from verifier.record import layout, reader
from verifier.tally.aggregates import Aggregates

DECRYPTIONS = 8  # decryption proofs per job: ~10 ms each at 2048 bits (a power mod n²)


def tally_phase(run: Run, engine: Engine, registered: Registered, recomputed: Aggregates) -> dict:
    ctx = registered.ctx

    def reveal(aggregates):
        jobs = ((part,) for part in chunks(aggregates, DECRYPTIONS))
        return [p for part in engine.map(reveal_problems, jobs) for p in part]

    tally = reader.read_tally(run.root, ctx.key, ctx.manifest.election_id, registered.limits[layout.TALLY],
                              ctx.threshold.trustees if ctx.threshold else 0, run.verdict.inputs[layout.TALLY])
    return check_tally(ctx, tally, recomputed, run.findings, reveal, run.verdict.warnings)
