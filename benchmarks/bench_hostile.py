"""Hostile inputs that once cost more than linear time (or memory per line) in their size: each is made at a base
size and at twice it, verified in a fresh child process, and its wall time and peak memory (maximum resident set
size) are printed. A doubling must cost at most LINEAR_RATIO times the time, and the peak must stay within the
memory SPEC.md §10 states.

    python benchmarks/bench_hostile.py [--quick] [CASE ...]

`--quick` uses a quarter of the sizes. The makers are also used by tests/test_hostile_scaling.py.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verifier.record import canonical  # noqa: E402

DEMO = ROOT / "fixtures" / "demo-2023"
PROTOCOLS = ROOT / "fixtures" / "protocols" / "example"
LINEAR_RATIO = 2.3
MEMORY_BUDGET = 300 << 20  # bytes: every case below, at twice its base size (SPEC.md §10)


def _dump(path: Path, value) -> None:
    path.write_bytes(canonical.dumps(value) + b"\n")


def _record(out: Path) -> Path:
    shutil.copytree(DEMO, out)
    return out


def results_repeated_contest(out: Path, n: int) -> list[str]:
    """results.json whose first protocol lists one contest n times (V7.2), under a manifest big enough that
    results.json may be that long (SPEC.md §10 bounds its size by the manifest)."""
    argv = manifest_styles(out, n // 100 + 10)
    r = json.loads((out / "results.json").read_bytes())
    entry = {"ballots": 0, "contest": "c0", "votes": [{"option": "p1", "votes": 0}, {"option": "p2", "votes": 0}]}
    r["protocols"][0].update(level="polling_station", unit="PS0", contests=[entry] * n)
    _dump(out / "results.json", r)
    return argv


def seat_list(out: Path, n: int) -> list[str]:
    """results.json whose first seat list has n entries, half of them repeated (V8.1)."""
    argv = manifest_styles(out, n // 100 + 10)
    r = json.loads((out / "results.json").read_bytes())
    r["seats"][0].update(contest="c0", seats=[{"option": f"x{i % (n // 2 + 1)}", "seats": 0} for i in range(n)])
    _dump(out / "results.json", r)
    return argv


def plurality_ties(out: Path, n: int) -> list[str]:
    """`seats --plurality` with n candidates tied for first, and an announcement giving each a seat."""
    out.mkdir()
    (out / "counts.csv").write_text("option,votes,kind\n" + "".join(f"c{i},7,candidate\n" for i in range(n)))
    (out / "announced.csv").write_text("option,seats\n" + "".join(f"c{i},1\n" for i in range(n)))
    return ["seats", "--plurality", str(out / "counts.csv"), "--announced", str(out / "announced.csv")]


def protocol_options(out: Path, n: int) -> list[str]:
    """A protocol directory whose first contest has n more options than its protocols list (P7, P8)."""
    shutil.copytree(PROTOCOLS, out)
    c = json.loads((out / "contests.json").read_bytes())
    c["contests"][0]["options"] += [f"extra-{i}" for i in range(n)]
    (out / "contests.json").write_bytes(canonical.dumps(c) + b"\n")
    return ["protocols", str(out)]


def manifest_styles(out: Path, n: int, contests: int = 100) -> list[str]:
    """A manifest of n polling stations, each holding `contests` nation-wide contests in one ballot style: n ×
    contests (station, contest) pairs, every one of which needs an aggregate, a protocol per level, a sum."""
    rec = _record(out)
    m = json.loads((rec / "manifest.json").read_bytes())
    c0 = m["contests"][0]
    cs = [dict(c0, id=f"c{j}", seat_rule=c0["seat_rule"] if j == 0 else None, options=c0["options"][:2])
          for j in range(contests)]
    m["contests"] = cs
    m["ballot_styles"] = [{"contests": [c["id"] for c in cs], "id": "BS"}]
    d = m["districts"][0]["id"]
    m["polling_stations"] = [{"ballot_style": "BS", "district": d, "id": f"PS{i}", "name": f"Station {i}"}
                             for i in range(n)]
    _dump(rec / "manifest.json", m)
    return ["verify", "--workers", "1", "--quiet", str(rec)]


def district_contests(out: Path, n: int, contests: int = 50) -> list[str]:
    """n polling stations of one district, each with a ballot style of its own `contests` district contests: the
    district counts n × contests contests, each held by one of its n stations (V7.3, V7.4 sums)."""
    rec = _record(out)
    m = json.loads((rec / "manifest.json").read_bytes())
    c0 = m["contests"][0]
    d = m["districts"][0]["id"]
    m["contests"] = [dict(c0, id=f"c{i}-{j}", seat_rule=None, options=c0["options"][:2],
                          scope={"level": "district", "unit": d}) for i in range(n) for j in range(contests)]
    m["ballot_styles"] = [{"contests": [f"c{i}-{j}" for j in range(contests)], "id": f"BS{i}"} for i in range(n)]
    m["polling_stations"] = [{"ballot_style": f"BS{i}", "district": d, "id": f"PS{i}", "name": f"Station {i}"}
                             for i in range(n)]
    _dump(rec / "manifest.json", m)
    return ["verify", "--workers", "1", "--quiet", str(rec)]


def ghost_lines(out: Path, n: int) -> list[str]:
    """tally_ballots.jsonl with n lines after the honest ones whose ballots are not in the box (V5.5)."""
    rec = _record(out)
    with open(rec / "tally_ballots.jsonl", "ab") as f:
        for i in range(n):
            f.write(b'{"ballot_id":"%032x","status":"counted"}\n' % ((1 << 120) + i))
    return ["verify", "--workers", "1", "--quiet", str(rec)]


CASES = {  # name: (maker, base size)
    "results-repeated-contest": (results_repeated_contest, 40_000),
    "seat-list": (seat_list, 40_000),
    "plurality-ties": (plurality_ties, 5_000),  # 2n = the most options a count may have (SPEC.md §10)
    "protocol-options": (protocol_options, 40_000),
    "manifest-styles": (manifest_styles, 1_000),
    "district-contests": (district_contests, 500),
    "ghost-lines": (ghost_lines, 250_000),
}


def run(argv: list[str], timeout: float = 600) -> tuple[float, int, int, str]:
    """(seconds, peak resident bytes, exit status, last line of output) of `tally-verifier ARGV` in a child."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen([sys.executable, "-m", "verifier", *argv], stdout=out, stderr=subprocess.STDOUT,
                             env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                return float("inf"), 0, -1, "timed out"
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        out.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
    return seconds, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), lines[-1] if lines else ""


def measure(case: str, n: int) -> tuple[float, int, int, str]:
    make, _ = CASES[case]
    with tempfile.TemporaryDirectory() as tmp:
        argv = make(Path(tmp) / "in", n)
        return run(argv)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", choices=[[], *CASES], default=[])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    bad = 0
    for case in args.cases or CASES:
        base = CASES[case][1] // (4 if args.quick else 1)
        (t1, m1, _, _), (t2, m2, rc2, last) = measure(case, base), measure(case, 2 * base)
        ratio = t2 / t1
        ok = ratio <= LINEAR_RATIO and m2 <= MEMORY_BUDGET
        bad += not ok
        print(f"{case:26} n={base:>7}: {t1:6.2f} s {m1 / 2**20:6.0f} MB   2n: {t2:6.2f} s {m2 / 2**20:6.0f} MB   "
              f"×{ratio:.2f} exit {rc2} {'ok' if ok else 'TOO SLOW OR TOO BIG'}  ({last[:60]})", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
