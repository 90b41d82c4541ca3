"""Issue 15: how close a ballot comes to its share of the multi-exponentiation. Run by hand, not by the tests:

    python benchmarks/bench_box.py                     # 2048-bit key, one8-10000 and kz-10000 (~3 min cached)
    python benchmarks/bench_box.py --profile benchmarks/PROFILE.md   # and the profile of the one-worker run

Every verification runs in a fresh child process (bench_scale.py's `measure`), all in this one run, and prints:

1. the ballot-box phase of a one-worker run against the time the same run spends in the batch test's
   multi-exponentiations (`verifier.crypto.batch.multi_exp`, timed around every call): wall and CPU (target ≤ 1.3);
2. end to end ballots/s/core of the shipped path against the previous path on the same record (pycryptodome
   signatures, json-module reading and writing, strptime: bench_scale.previous_path), best of --repeat each
   (target ≥ 2);
3. 12 million voters of the Kazakhstan shape (party list + SMD) on 16 cores, projected from the kz record's
   one- and two-worker runs by bench_scale.projection (formula in RESULTS.md; target < 10 min);
4. with --profile FILE: the top functions (own time) of a one-worker one8 run under cProfile, as markdown.

Records are made (and cached) in benchmarks/out/ by the simulator, as bench_scale.py makes them.
"""
import argparse
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scale import cpu_rate, make_record, measure, projection, rate  # noqa: E402  (benchmarks/: no package)

TARGET_BOX_OVER_MULTIEXP, TARGET_SPEED_UP, TARGET_MINUTES = 1.3, 2.0, 10.0


def box_over_multiexp(r: dict) -> tuple[float, float]:
    """(wall, CPU) ratio of the box phase to the multi-exponentiations inside it."""
    m = r["multiexp"]
    return r["phases"]["ballot box"] / m["wall"], r["phase_cpu"]["ballot box"] / m["cpu"]


def profile_markdown(stats_file: str, r: dict, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(stats_file, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    ballots = r["counts"]["ballots in the box"]
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    table = ["| own s | µs per ballot | calls | cumulative s | function |", "|---:|---:|---:|---:|---|"]
    for line in lines[start + 1:]:
        parts = line.split(None, 5)
        if len(parts) < 6:
            continue
        calls, own, _, cumulative, _, function = parts
        table.append(f"| {float(own):.3f} | {float(own) / ballots * 1e6:.0f} | {calls} | {float(cumulative):.3f} | "
                     f"`{function}` |")
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in r["phases"].items())
    return "\n".join([f"{ballots:,} ballots, one worker, under cProfile counting CPU seconds (it slows Python-level "
                      f"code more than C): {r['wall']:.1f} s wall in all; phases (wall): {phases}.", "", *table, ""])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bits", type=int, default=2048)
    ap.add_argument("--voters", type=int, default=10_000, help="voters of the one8 record (default 10,000)")
    ap.add_argument("--kz-voters", type=int, default=10_000, help="voters of the kz record (default 10,000)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of the shipped and previous path (best counts)")
    ap.add_argument("--profile", type=Path, help="write the one-worker profile (top functions) to this file")
    ap.add_argument("--profile-only", action="store_true", help="only the profiled run (with --profile)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()

    def log(message: str) -> None:
        print(f"[{time.time() - started:6.0f} s] {message}", flush=True)

    one8 = make_record(args.out, "one8", args.voters, args.bits, log)
    kz = one8 if args.profile_only else make_record(args.out, "kz", args.kz_voters, args.bits, log)
    results: dict = {"bits": args.bits, "cpus": os.cpu_count(), "runs": {}}
    results["calibration_before"] = measure({"kind": "calibrate"}, log)
    log(f"calibration: {results['calibration_before']['mulmod_4096_us']:.2f} us per mulmod mod a 4096-bit modulus")

    def run(name: str, repeat: int = 1, **spec) -> dict:
        spec.update(kind="verify", batch=True)
        r = min((measure(spec, log) for _ in range(repeat)), key=lambda x: x["wall"])
        if not r["verified"]:
            raise RuntimeError(f"{name}: the record did not verify")
        results["runs"][name] = r
        log(f"{name:24s} {r['counts']['ballots in the box']:>7,} ballots {r['wall']:7.1f} s "
            f"{rate(r, spec['workers']):5.0f} ballots/s/core (CPU {cpu_rate(r):4.0f}/s), other jobs "
            f"{r['other_cpu']:.0f} CPU s [{', '.join(f'{k} {v:.1f}' for k, v in r['phases'].items())}]")
        return r

    if not args.profile_only:
        shipped = run("one8 shipped x1", args.repeat, record=str(one8), workers=1, time_multiexp=True)
        previous = run("one8 previous path x1", args.repeat, record=str(one8), workers=1, previous_path=True,
                       time_multiexp=True)
        kz1 = run("kz shipped x1", record=str(kz), workers=1, time_multiexp=True)
        kz2 = run("kz shipped x2", record=str(kz), workers=2)
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            stats = str(Path(tmp) / "profile.pstats")
            profiled = run("one8 shipped x1 profiled", record=str(one8), workers=1, profile=stats)
            text = profile_markdown(stats, profiled, args.top)
        args.profile.write_text(f"# Profile of a one-worker run (benchmarks/bench_box.py --profile)\n\n"
                                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, one8-{args.voters}, "
                                f"{args.bits}-bit key, top {args.top} functions by own time.\n\n{text}")
        log(f"profile written to {args.profile}")
    results["calibration_after"] = measure({"kind": "calibrate"}, log)
    if args.profile_only:
        return

    summary: dict = {}
    for name, r in (("one8", shipped), ("kz", kz1), ("one8 previous path", previous)):
        wall, cpu = box_over_multiexp(r)
        ballots = r["counts"]["ballots in the box"]
        summary[f"{name}: box phase / multi-exponentiations"] = {
            "wall": wall, "cpu": cpu, "box_ms_per_ballot": r["phases"]["ballot box"] / ballots * 1e3,
            "multiexp_ms_per_ballot": r["multiexp"]["wall"] / ballots * 1e3,
            "multiexp_over_model_cpu": r["multiexp"]["cpu"] / r["multiexp"]["model_cpu"],
            "model_multiplications_per_ballot": {bits: x / ballots for bits, x in r["multiexp"]["model"].items()}}
    summary["end to end, shipped / previous path"] = {
        "wall": previous["wall"] / shipped["wall"],
        "cpu": (previous["cpu_coordinator"] + previous["cpu_workers"])
        / (shipped["cpu_coordinator"] + shipped["cpu_workers"]),
        "shipped_ballots_per_s_per_core": rate(shipped, 1), "previous_ballots_per_s_per_core": rate(previous, 1)}
    summary["projection_12M_voters_kz"] = [projection(kz1, kz2, cores, per="registered voters") for cores in (16, 64)]
    results["summary"] = summary
    (args.out / "bench_box.json").write_text(json.dumps(results, indent=1))

    print()
    for name in ("one8", "kz", "one8 previous path"):
        s = summary[f"{name}: box phase / multi-exponentiations"]
        met = "met" if s["wall"] <= TARGET_BOX_OVER_MULTIEXP else "NOT met"
        print(f"{name}: box phase, one worker, / its multi-exponentiations: {s['wall']:.2f}x wall, {s['cpu']:.2f}x CPU "
              f"({s['box_ms_per_ballot']:.3f} / {s['multiexp_ms_per_ballot']:.3f} ms per ballot)"
              + (f"  target <= {TARGET_BOX_OVER_MULTIEXP}: {met}" if name != "one8 previous path" else ""))
        model = ", ".join(f"{x:.0f} mod a {bits}-bit number"
                          for bits, x in s["model_multiplications_per_ballot"].items())
        print(f"  its multi-exponentiations / the Pippenger cost model (per ballot {model}, each multiplication "
              f"timed in the same process): {s['multiexp_over_model_cpu']:.2f}x CPU")
    e = summary["end to end, shipped / previous path"]
    print(f"end to end, one worker: {e['shipped_ballots_per_s_per_core']:.0f} ballots/s/core against "
          f"{e['previous_ballots_per_s_per_core']:.0f} on the previous path: {e['wall']:.2f}x wall, {e['cpu']:.2f}x CPU"
          f"  target >= {TARGET_SPEED_UP}: {'met' if e['wall'] >= TARGET_SPEED_UP else 'NOT met'}")
    for p in summary["projection_12M_voters_kz"]:
        print(f"12 million voters (kz shape) on {p['cores']} cores: {p['minutes']:.1f} min ("
              + ", ".join(f"{k} {q['minutes']:.1f}" + (" coordinator" if q["bound_by"] == "coordinator" else "")
                          for k, q in p["phases"].items()) + ")"
              + (f"  target < {TARGET_MINUTES:.0f} min: {'met' if p['minutes'] < TARGET_MINUTES else 'NOT met'}"
                 if p["cores"] == 16 else ""))
    c0, c1 = results["calibration_before"], results["calibration_after"]
    log(f"calibration: {c0['mulmod_4096_us']:.2f} then {c1['mulmod_4096_us']:.2f} us per mulmod; figures in "
        f"{args.out / 'bench_box.json'}")


if __name__ == "__main__":
    main()
