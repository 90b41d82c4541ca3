"""One verification run over a record: the phases in order, each a unit with its inputs and its output
(engine/phases/, docs/architecture.md). The engine does the work that splits, in chunks; each phase feeds the
sequential checks in file order as the chunks come back.

Memory (the ballot box is never held whole; measured figures in benchmarks/RESULTS.md). It grows with the
number of voters, not with ballot bytes, and everything per voter stays in memory (SQLite only for `verify
--state`, engine/state.py):
* per registered voter: the registry index (`CompactVoters`, ~180 bytes with the voter id; every worker holds a
  copy) and the re-voting index (`LastVote`: voter → line of the last valid e-vote, ~70 bytes). While the
  registry is checked, V2.4's map of keys to voters adds ~130 bytes per voter (dropped at its end);
* per ballot, in memory: one bit (counted or not), and the unique-ballot-id index of V3.9 (`BoxSequence`, ~130
  bytes per ballot: the one per-ballot structure left in memory);
* per ballot, on disk: a fixed 65-byte record in a temporary file (`BallotLog`), read back twice in order;
* per chunk: its lines and their parsed form (~40 KB per ballot at 2048 bits) in the worker, and a bounded
  number of chunks in flight in the coordinator (see the engines).
For 12 million voters: ~5 GB in the coordinator and ~2 GB in every worker.
"""
from collections.abc import Sequence
from contextlib import ExitStack

from verifier.checks.catalog import CHECKS
from verifier.checks.findings import Findings
from verifier.checks.summary import verified_result
from verifier.checks.verdict import Verdict
from verifier.engine.local import LocalEngine
from verifier.engine.phases.aggregation import aggregation_phase
from verifier.engine.phases.base import Options, Run
from verifier.engine.phases.box import box_phase
from verifier.engine.phases.counting import counting_phase
from verifier.engine.phases.registry import registry_phase, restored_registry
from verifier.engine.phases.results import results_phase, seats_phase
from verifier.engine.phases.setup import check_files, read_auditor_inputs, setup_phase
from verifier.engine.phases.tally import tally_phase
from verifier.engine.progress import as_progress
from verifier.engine.state import KEY_STEPS, REGISTRY_STEPS, StateFile, max_state_bytes
from verifier.record import layout, reader
from verifier.record.source import open_record


def verify_record(path, engine=None, batch: bool = True, chunk: int | None = None, progress=None,
                  coefficient_seed: bytes | None = None, receipts=None, expect_fingerprints: Sequence[str] = (),
                  trusted_keys=None, until: str | None = None, inspect=None, state=None) -> Verdict:
    """Verify the record at `path` with `engine` (default: this process). `progress` is a `Progress` (or a
    callable given the number of ballots done). `coefficient_seed` fixes the batch coefficients (tests only: by
    default a fresh secret seed is drawn for every run, see phases/box.py). `receipts`: a file of receipts voters
    kept (V3.10, `verify --receipts`). The anchor (V1.9): `expect_fingerprints`, election fingerprints (hex)
    published before the vote (`verify --expect-fingerprint`); `trusted_keys`, a file of the authorities' keys
    published before the vote (`verify --trusted-keys`). `until`: a record published before the tally, verified up
    to that stage (layout.STAGES, `verify --until`); the later steps are not run, as not published yet.
    `inspect(box, counted)`: called once the counting rules are known (counted None with until="box"), while the
    ballot log is still open (`tally-verifier receipt`, engine/fate.py). `state`: a file of what earlier runs
    verified of this record's box (`verify --state`, engine/state.py): only the lines added since are verified,
    and the file is updated (SPEC.md §12.4)."""
    if state is not None and until not in (None, "box"):
        raise ValueError("a state is kept of the ballot box: not with until setup or registry")
    engine = engine or LocalEngine(1)
    progress = as_progress(progress)
    v = Verdict(str(path), Findings(), engine=engine.name, expected_fingerprints=tuple(expect_fingerprints),
                until=until)
    trusted = read_auditor_inputs(v, receipts, trusted_keys)
    with open_record(path) as root, ExitStack() as cleanup:
        run = Run(root, Options(batch, chunk, coefficient_seed, receipts, until, state), v, progress, cleanup)
        check_files(run)
        state = _open_state(run)
        known_key = state.key_checks(v.inputs) if state else None
        setup = run.phase("setup", setup_phase, engine, trusted, known_key)
        if setup is None:  # the manifest is inconsistent (V1.5): nothing else can be checked
            return _finish(v)
        cleanup.callback(progress.close)
        cleanup.callback(engine.close)
        if _stop(run, "setup"):
            return _finish(v)
        saved = None
        if state is not None:
            v.inputs[layout.REGISTRY] = reader.file_digest(root / layout.REGISTRY)[0].hex()
            saved = state.load(v.fingerprint, v.inputs, setup.key.n2, (root / layout.BALLOT_BOX).stat().st_size)
        if saved is not None:
            registered = run.phase("registry", restored_registry, engine, setup, saved.voters, saved.registry_steps)
        else:
            registered = run.phase("registry", registry_phase, engine, setup)
        if _stop(run, "registry"):
            return _finish(v, registered)
        box = run.phase("ballot box", box_phase, engine, registered, saved.box if saved else None)
        if state is not None:
            assert box.checkpoint is not None
            state.save(v.fingerprint, v.inputs, list(setup.key_warnings), None if saved else registered.voters,
                       {c: run.findings.steps[c] for c in KEY_STEPS + REGISTRY_STEPS}, box.checkpoint)
        if _stop(run, "box"):
            if inspect:
                inspect(box, None)
            return _finish(v, registered)
        counted = run.phase("counting rules", counting_phase, engine, registered, box)
        if inspect:
            inspect(box, counted)
        recomputed = run.phase("aggregation", aggregation_phase, engine, registered, box, counted)
        verified = run.phase("tally", tally_phase, engine, registered, recomputed)
        cleanup.close()  # the engine's work is done: its workers, the progress display, the ballot log
        announced = run.phase("results", results_phase, engine, registered, verified, counted)
        run.phase("seats", seats_phase, engine, registered, announced)
        # the verified result in plain figures, for the reports (nothing here is checked again)
        v.result = verified_result(registered.ctx, announced.totals, counted.voted, counted.accounting)
        return _finish(v, registered)


def _open_state(run: Run) -> StateFile | None:
    """`verify --state FILE`: the state file (created if absent; sized against the record's registry and box before
    it is opened). What it holds is checked against the record by `key_checks` and `load`."""
    if run.options.state is None:
        return None
    limit = max_state_bytes(*((run.root / n).stat().st_size for n in (layout.REGISTRY, layout.BALLOT_BOX)))
    state = StateFile(run.options.state, limit)
    run.cleanup.callback(state.close)
    return state


def _stop(run: Run, stage: str) -> bool:
    """`--until stage`: the run ends after `stage`; every later step is not run, as not published yet (optional:
    nothing that ran is hidden by it, and the verdict names them, SPEC.md §12)."""
    if run.options.until != stage:
        return False
    done = layout.STAGE_PHASES[stage]
    for c in CHECKS:
        if c.phase not in done and run.findings.steps[c.id].not_run is None:
            run.findings.not_run(c.id, f"not published yet (--until {stage})", optional=True)
    return True


def _finish(v: Verdict, registered=None) -> Verdict:
    if registered is not None:
        v.counts["registered voters"] = len(registered.voters)
    # in the record's order, not the reading order (--until: only the files read)
    v.inputs = {name: v.inputs[name] for name in layout.ALL_FILES if name in v.inputs}
    return v
