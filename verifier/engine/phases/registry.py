"""The registry (V2.x): each line's signature and key (V2.2, V2.5) in chunks on the engine; one registration per
voter and per key (V2.3, V2.4), the index and the commitment (V2.1) here, in registry order. Hands on the
registry index inside the election context that every later phase's workers get."""
import hashlib
from typing import NamedTuple

from verifier.checks.context import ElectionContext, make_context
from verifier.checks.findings import StepResult
from verifier.checks.registry import RegistryIndex, registry_context
from verifier.checks.voters import CompactVoters
from verifier.engine.chunks import check_registry_chunk
from verifier.engine.phases.base import Engine, Run, each_line, hashed
from verifier.engine.phases.setup import Setup
from verifier.record import layout, reader

REGISTRY_LINES, MIN_REGISTRY_LINES = 2048, 128  # lines per registry job: ~0.35 ms each (signature, key load)


class Registered(NamedTuple):
    ctx: ElectionContext  # with the registry index: what every later per-ballot check needs
    voters: CompactVoters  # the same index (ctx.voters)
    limits: dict[str, int]  # the most bytes tally.json and results.json can need (reader.size_limits)


def registry_phase(run: Run, engine: Engine, setup: Setup) -> Registered:
    manifest, f = setup.manifest, run.findings
    run.progress.phase("registry", manifest.registry_voters)
    engine.start(registry_context(manifest))
    # a few jobs for every worker, each no bigger than REGISTRY_LINES (the declared number of voters only sizes them)
    size = max(MIN_REGISTRY_LINES, min(REGISTRY_LINES, -(-manifest.registry_voters // (4 * engine.workers))))
    digest = hashlib.sha256()
    index = RegistryIndex()
    lines = hashed(reader.iter_file_lines(run.root, layout.REGISTRY), digest)
    for registrations in each_line(engine, check_registry_chunk, lines, size, f):
        for r in registrations:
            index.feed(r, f)
        run.progress.advance(len(registrations), len(registrations))
    run.verdict.inputs[layout.REGISTRY] = digest.hexdigest()  # of exactly the bytes checked
    voters = index.finish(manifest, digest.digest(), f)
    return Registered(make_context(manifest, setup.key, setup.fingerprint, voters, setup.threshold), voters,
                      reader.size_limits(manifest, setup.key, setup.threshold.trustees if setup.threshold else 0))


def restored_registry(run: Run, engine: Engine, setup: Setup, voters: CompactVoters,
                      steps: dict[str, StepResult]) -> Registered:
    """`verify --state`: the registry as the state's run verified it (its file unchanged since: the state checked
    its SHA-256), instead of every signature again."""
    run.findings.steps.update(steps)
    return Registered(make_context(setup.manifest, setup.key, setup.fingerprint, voters, setup.threshold), voters,
                      reader.size_limits(setup.manifest, setup.key, setup.threshold.trustees if setup.threshold else 0))
