"""Incremental verification during the vote (`verify --state`, SPEC.md §12.4): a ballot box verified in 10
snapshots against one full run of the final record, in the same process. Run by hand, not by the test suite:

    python benchmarks/bench_snapshots.py                  # 3,000 voters, 2048-bit key (~8 min, loaded 2 cores)
    python benchmarks/bench_snapshots.py --voters 300 --key-bits 1024   # checks the script (under a minute)

The record is made by the simulator (seeded, cached in benchmarks/out/): one 8-option contest per ballot and a
polling station per 250 voters (bench_scale.py's one8 shape), re-votes and paper votes as the simulator makes
them; snapshots 1–9 are its box cut at k/10 of its lines with a snapshot head the collector's key signs
(SPEC.md §12.1), verified with `--until box --state`; the 10th run verifies the final record with that state.
Every run is in this process with one worker (CPU time = this process's), so the ratio does not depend on the
machine's other load as much as wall time does.

Each configuration is run --repeat times (default 3) and the least CPU time kept. Prints: the full run; the 10
runs' total and its ratio to the full run (target ≤ 1.1), with the default chunks and with chunks as big as a
snapshot in both (small snapshots make small batches: the bucket multi-exponentiation costs more per proof in a
batch of 300 than of 2,000, which a national snapshot of 1.2 million ballots never sees); the last run's final
step (counting rules, aggregation pass 2, tally, results, seats) as a fraction of the full run; a run with nothing
new (what each run pays for the lines already verified: hashing them, reading the state); the projection to 12
million voters (formula in benchmarks/RESULTS.md). Checks that every final report equals the full run's.
"""
import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

FINAL_STEP = ("counting rules", "aggregation", "tally", "results", "seats")
PER_BALLOT = ("counting rules", "aggregation")  # the rest of the final step goes with the aggregates (stations)
PER_STATION = 250  # voters per polling station here; 1,000 in the projection (as bench_scale.py)
TWELVE_MILLION = 12_000_000


def make_record(voters: int, bits: int) -> tuple[Path, object]:
    from bench_scale import one_contest_shape
    from verifier.simulate.authority import Options, Secrets, simulate

    out = HERE / "out" / f"snapshots-{voters}-{bits}"
    secrets_path = out.with_suffix(".secrets.json")
    if not secrets_path.exists():
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        secrets = simulate(out / "record", Options(voters=voters, seed="bench-snapshots", key_bits=bits,
                                                   shape=one_contest_shape(voters, PER_STATION)))
        secrets_path.write_text(json.dumps(secrets.to_json()))
        print(f"simulated {voters} voters ({bits}-bit key) in {time.perf_counter() - start:.0f} s")
    return out, Secrets.from_json(json.loads(secrets_path.read_text()))


def make_snapshots(out: Path, secrets, count: int) -> list[Path]:
    """Snapshots 1..count-1: the record's setup and registry, its box cut at k/count, a signed snapshot head."""
    from verifier.record import canonical, layout
    from verifier.simulate import publish

    record = out / "record"
    lines = (record / layout.BALLOT_BOX).read_bytes().splitlines()
    eid = json.loads((record / layout.MANIFEST).read_bytes())["election_id"]
    snaps = []
    for k in range(1, count):
        dst = out / f"snapshot-{k}"
        shutil.rmtree(dst, ignore_errors=True)
        dst.mkdir()
        for name in layout.STAGE_FILES["registry"]:
            shutil.copyfile(record / name, dst / name)
        kept = lines[:len(lines) * k // count]
        (dst / layout.BALLOT_BOX).write_bytes(b"".join(line + b"\n" for line in kept))
        head = {"entries": len(kept), "head_hash": hashlib.sha256(kept[-1]).hexdigest(),
                "closed_at": json.loads(kept[-1])["receipt"]["received_at"]}
        head = publish.sign_object(secrets.authorities["collector"], layout.SNAPSHOT_TAG, eid, head,
                                   "collector_signature")
        (dst / layout.BALLOT_BOX_HEAD).write_bytes(canonical.dumps(head) + b"\n")
        snaps.append(dst)
    return snaps


def timed(path: Path, **kwargs):
    from verifier.engine.local import LocalEngine
    from verifier.engine.run import verify_record

    wall, cpu = time.perf_counter(), time.process_time()
    v = verify_record(path, LocalEngine(1), **kwargs)
    return v, time.perf_counter() - wall, time.process_time() - cpu


def report(v) -> dict:
    from verifier.report import json_report

    out = json.loads(json_report.render(v))
    del out["verify"]["record"]
    return out


def series(record: Path, snaps: list[Path], state: Path, chunk: int | None) -> dict:
    """One full run, then the snapshots and the final record with a new state: their verdicts and times."""
    full, full_wall, full_cpu = timed(record, chunk=chunk)
    state.unlink(missing_ok=True)
    runs = []
    for snap in snaps:
        v, wall, cpu = timed(snap, until="box", state=state, chunk=chunk)
        assert v.verified, v.verdict_line()
        runs.append((wall, cpu))
    last, wall, cpu = timed(record, state=state, chunk=chunk)
    runs.append((wall, cpu))
    assert report(last) == report(full), "the final report differs from the full run's"
    return {"full": full, "full_wall": full_wall, "full_cpu": full_cpu, "runs": runs, "last": last,
            "wall": sum(w for w, _ in runs), "cpu": sum(c for _, c in runs)}


def best_of(repeat: int, record: Path, snaps: list[Path], state: Path, chunk: int | None) -> dict:
    """`series` `repeat` times: the least CPU of the full runs and of the incremental totals (each is a lower bound
    on what the work costs; the other jobs on a loaded machine only add to it), and the last series' verdicts."""
    runs = [series(record, snaps, state, chunk) for _ in range(repeat)]
    out = dict(runs[-1])
    for key in ("full_wall", "full_cpu", "wall", "cpu"):
        out[key] = min(r[key] for r in runs)
    out["runs"] = [tuple(min(r["runs"][i][j] for r in runs) for j in (0, 1)) for i in range(len(runs[0]["runs"]))]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--key-bits", type=int, default=2048)
    parser.add_argument("--snapshots", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="series per configuration (the least time is kept)")
    args = parser.parse_args()
    out, secrets = make_record(args.voters, args.key_bits)
    snaps = make_snapshots(out, secrets, args.snapshots)
    record = out / "record"
    state = out / "state.sqlite"
    timed(snaps[0], until="box")  # warm-up: imports and first-use costs are no one's

    s = args.snapshots
    default = best_of(args.repeat, record, snaps, state, None)
    full, full_wall, full_cpu = default["full"], default["full_wall"], default["full_cpu"]
    ballots = full.counts["ballots in the box"]
    print(f"record: {ballots} ballots, {args.voters} voters, {args.key_bits}-bit key; one worker, in this process; "
          f"least of {args.repeat} series; "
          f"{s} runs with --state: snapshots 1..{s - 1} (--until box) and the final record; every final report equal "
          f"to the full run's")
    print(f"full run: {full_wall:.2f} s wall, {full_cpu:.2f} s CPU "
          f"({', '.join(f'{k} {t:.2f}' for k, t in full.seconds.items())})")
    print(f"{s} runs with --state, default chunks: {default['wall']:.2f} s wall, {default['cpu']:.2f} s CPU; ratio "
          f"to the full run CPU {default['cpu'] / full_cpu:.3f}, wall {default['wall'] / full_wall:.3f}; per run CPU "
          f"{' '.join(f'{c:.2f}' for _, c in default['runs'])}")
    increment = -(-ballots // s)
    same = best_of(args.repeat, record, snaps, state, increment)
    print(f"{s} runs with --state, chunks of {increment} ballots in both (a snapshot's batch as big as the full "
          f"run's): {same['wall']:.2f} s wall, {same['cpu']:.2f} s CPU against {same['full_wall']:.2f} / "
          f"{same['full_cpu']:.2f}; ratio CPU {same['cpu'] / same['full_cpu']:.3f}, wall "
          f"{same['wall'] / same['full_wall']:.3f} (target <= 1.1)")

    last = default["last"]
    final_step = sum(last.seconds.get(k, 0.0) for k in FINAL_STEP)
    last_wall = default["runs"][-1][0]
    print(f"last run (the final record, {ballots - ballots * (s - 1) // s} new ballots): {last_wall:.2f} s wall = "
          f"{last_wall / full_wall:.1%} of the full run; its final step (counting rules, aggregation, tally, "
          f"results, seats) {final_step:.2f} s = {final_step / full_wall:.1%} of the full run")

    again, again_wall, _ = timed(record, state=state)  # nothing new: what the verified lines cost a run
    assert report(again) == report(full)
    prefix = again.seconds["ballot box"]
    per_ballot_full = full_wall / ballots
    per_ballot_prefix = prefix / ballots
    print(f"a run with nothing new: {again_wall:.2f} s wall; the box's verified lines {prefix:.3f} s = "
          f"{1e6 * per_ballot_prefix:.1f} µs per ballot (hash, state, indexes); the full run "
          f"{1e3 * per_ballot_full:.2f} ms wall per ballot")
    projected = 1 + per_ballot_prefix * (s - 1) / 2 / per_ballot_full
    ballot_part = sum(last.seconds.get(k, 0.0) for k in PER_BALLOT) / ballots
    stations = max(1, args.voters // PER_STATION)
    station_part = (final_step - ballot_part * ballots) / stations
    big_full = per_ballot_full * TWELVE_MILLION
    big_final = ballot_part * TWELVE_MILLION + station_part * TWELVE_MILLION / 1000
    print(f"projection to {TWELVE_MILLION:,} voters, {s} snapshots (each >= 1.2 million ballots: full batches; the "
          f"runs' constant terms vanish): ratio = 1 + p·(S−1)/2 / f = 1 + {1e6 * per_ballot_prefix:.1f} µs × "
          f"{(s - 1) / 2} / {1e3 * per_ballot_full:.2f} ms = {projected:.3f}; final step = c·N + t·N/1000 = "
          f"{1e6 * ballot_part:.1f} µs × N + {1e3 * station_part:.1f} ms per station × 12,000 = "
          f"{big_final / 3600:.2f} h of the full run's {big_full / 3600:.1f} h on one core "
          f"({big_final / big_full:.1%})")


if __name__ == "__main__":
    main()
