"""National-scale benchmark of tally-verifier: throughput, linearity, memory, parallel speed-up, a naive baseline
and the projection to 12 million ballots. Run by hand, not by the test suite:

    python benchmarks/bench_scale.py                 # the full run: 2048-bit key, 1k/10k/100k ballots (~45 min)
    python benchmarks/bench_scale.py --quick         # 640-bit key, small records: checks the script (~2 min)

Records are made by the simulator (in parallel, seeded, cached in benchmarks/out/ and reused) in two shapes:
`one8` (one 8-option contest per ballot) and `kz` (Kazakhstan-style: a national party list of 8 options and a
single-member-district contest of 5). Every verification runs in a fresh child process so that its peak memory
is its own. Figures are printed and written to benchmarks/out/results.json; benchmarks/RESULTS.md records them.

What is measured, per verification: wall time of every phase (the verdict's timings), CPU time of the
coordinator and of its worker processes, the peak RSS of the coordinator, and the peak of the summed
proportional set size (PSS) of the coordinator and its workers (sampled every 0.5 s). "Ballots per second per
core" is ballots / (wall time × cores used); the CPU-time figure (ballots / CPU seconds of all processes) is
given beside it because this machine is shared and wall time suffers when other jobs run.
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TWELVE_MILLION = 12_000_000


# ---------------------------------------------------------------------------------------------------- records

def one_contest_shape(voters: int, per_station: int = 1000):
    """One nationwide 8-option contest (7 parties and "against all"), ~1,000 voters per polling station."""
    from verifier.simulate.shape import AGAINST_ALL, PARTIES, PARTY_WEIGHTS, Shape

    stations = [{"id": f"PS-{i:05d}", "name": f"Polling station {i}", "district": "D1", "ballot_style": "BS-1"}
                for i in range(1, max(2, voters // per_station) + 1)]
    options = [{"id": pid, "name": name, "kind": "party"} for pid, name in PARTIES]
    options.append({"id": AGAINST_ALL[0], "name": AGAINST_ALL[1], "kind": "against_all"})
    contest = {"id": "national-list", "title": "National assembly, party lists", "scope": {"level": "nation"},
               "options": options,
               "seat_rule": {"method": "largest_remainder", "seats": 20, "threshold_percent": "5",
                             "threshold_base": "parties_and_against_all"}}
    return Shape([{"id": "R1", "name": "Region"}], [{"id": "D1", "name": "District", "region": "R1"}], stations,
                 [contest], [{"id": "BS-1", "contests": ["national-list"]}],
                 {"national-list": [*PARTY_WEIGHTS, 6]})


def kz_shape(voters: int):
    """A party list (8 options) and one single-member district contest (5 options) per ballot."""
    from verifier.simulate.shape import small_shape

    shape = small_shape(voters)
    # ~1,000 voters per polling station, as in one8 (small_shape has ~50)
    per_district = max(2, voters // 3000)
    stations = [s for s in shape.stations if int(s["id"].rsplit("-", 1)[1]) <= per_district]
    return type(shape)(shape.regions, shape.districts, stations, shape.contests, shape.styles, shape.weights)


SHAPES = {"one8": one_contest_shape, "kz": kz_shape}


def make_record(out: Path, shape: str, voters: int, bits: int, log) -> Path:
    """The record (cached: made again only when its parameters change). Returns its directory."""
    from verifier.simulate.authority import Options, simulate

    path = out / f"{shape}-{voters}-{bits}"
    stamp = path.with_suffix(".json")
    seed = f"bench-{shape}-{voters}"
    params = {"shape": shape, "voters": voters, "bits": bits, "seed": seed}
    if stamp.exists() and json.loads(stamp.read_text()).get("params") == params and path.is_dir():
        return path
    if path.exists():
        import shutil

        shutil.rmtree(path)
    log(f"simulating {path.name} ...")
    start = time.perf_counter()
    simulate(path, Options(voters=voters, seed=seed, key_bits=bits, shape=SHAPES[shape](voters)))
    seconds = time.perf_counter() - start
    with open(path / "ballot_box.jsonl", "rb") as fh:
        ballots = sum(1 for _ in fh)
    stamp.write_text(json.dumps({"params": params, "seconds": seconds, "ballots": ballots,
                                 "cpus": os.cpu_count()}))
    log(f"  {ballots:,} ballots in {seconds:.0f} s ({ballots / seconds:.0f} ballots/s on {os.cpu_count()} cores)")
    return path


# ------------------------------------------------------------------------------------- one measured verification

class TreeMemory:
    """Samples the summed PSS (RSS where PSS is unavailable) of this process and its children."""

    def __init__(self, interval: float = 0.5):
        import psutil

        self.psutil, self.interval, self.peak = psutil, interval, 0
        self.cpu = 0.0  # the sampler's own CPU time: taken out of the coordinator's
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _size(self, p) -> int:
        try:
            return p.memory_full_info().pss
        except (AttributeError, self.psutil.Error):
            try:
                return p.memory_info().rss
            except self.psutil.Error:
                return 0

    def _run(self):
        me = self.psutil.Process()
        start = time.thread_time()
        while not self._stop.is_set():
            total = self._size(me) + sum(self._size(c) for c in me.children(recursive=True))
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)
        self.cpu = time.thread_time() - start

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def pycryptodome_signatures() -> None:
    """The previous path, for comparison (not the shipped verifier): `verifier.crypto.signatures.verify` through
    pycryptodome's Python-level Ed25519 and ECDSA, as before the strict libsodium/OpenSSL path. Keys are still
    judged by the shipped `valid_public_key`; only the verification itself is swapped."""
    from functools import lru_cache

    from Crypto.Hash import SHA256
    from Crypto.PublicKey import ECC
    from Crypto.Signature import DSS, eddsa

    from verifier.crypto import signatures

    @lru_cache(maxsize=4096)
    def load(algorithm, public_key):
        if algorithm == "ed25519":
            return eddsa.import_public_key(public_key)
        return ECC.import_key(public_key, curve_name="P-256")

    def verify(algorithm, public_key, message, signature, *, key_checked=False):  # keys judged as before
        if not signatures.valid_public_key(algorithm, public_key) or len(signature) != 64:
            return False
        try:
            if algorithm == "ed25519":
                eddsa.new(load(algorithm, bytes(public_key)), "rfc8032").verify(message, signature)
                return True
            if not 0 < int.from_bytes(signature[32:], "big") <= signatures.P256_ORDER // 2:
                return False
            DSS.new(load(algorithm, bytes(public_key)), "fips-186-3").verify(SHA256.new(message), signature)
            return True
        except ValueError:
            return False

    signatures.verify = verify


def previous_path() -> None:
    """The whole path before issue 15, for comparison only (benchmarks/bench_box.py): pycryptodome signatures
    (above), every line read and every signed body written by the json module (`canonical.strict_parse`, the
    reader `canonical.parse` was, and `dumps_reference`, the writer `dumps` was; no box_line fast path), times
    read by strptime, the voter's key validated for every signature (pycryptodome's `verify` above). Smaller changes
    of issue 15 stay in (hex arrays in one call, the Fiat-Shamir prefix hashed once per contest, V4.1's gcd per
    chunk, the multi-exponentiation's terms built in C), so this path is a little faster than the code before: the
    ratio errs low."""
    from datetime import datetime, timezone

    from verifier.record import box_line, canonical, fields

    pycryptodome_signatures()
    box_line.read = lambda *args: None  # every box line to the general reader
    canonical._fast = lambda data: (False, None)  # every line to the json module
    canonical.dumps = canonical.dumps_reference

    def strptime_time(t: str) -> datetime:
        return datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)

    fields.utc_time = strptime_time  # ballot_box reads times through fields.utc_time too


class MultiExpClock:
    """Wall and CPU (thread) seconds spent in the batch test's multi-exponentiations (verifier.crypto.batch calls
    them as multiexp.multi_exp; the threshold shares' own import is not timed)."""

    def __init__(self) -> None:
        from verifier.crypto import multiexp

        self.wall = self.cpu = 0.0
        self.calls = 0
        self.model: dict[int, float] = {}  # modulus bits → modular multiplications the cost model expects
        inner = multiexp.multi_exp

        def timed(bases, exponents, modulus, **kwargs):
            bases, exponents = list(bases), list(exponents)
            bits = max((int(x).bit_length() for x in exponents), default=0)
            size = int(modulus).bit_length()
            self.model[size] = self.model.get(size, 0.0) + multiexp.pippenger_cost(
                len(exponents), bits, multiexp.choose_window(len(exponents), bits))
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return inner(bases, exponents, modulus, **kwargs)
            finally:
                self.wall += time.perf_counter() - wall
                self.cpu += time.thread_time() - cpu
                self.calls += 1

        multiexp.multi_exp = timed  # benchmark instrumentation only

    def model_seconds(self) -> float:
        """What the multi-exponentiations should cost by `pippenger_cost`, with a multiplication modulo each
        modulus size timed now (CPU time, `a * b % m` as the buckets do it)."""
        import secrets as system_random

        import gmpy2

        total = 0.0
        for size, multiplications in self.model.items():
            m = gmpy2.mpz(system_random.randbits(size)) | (1 << (size - 1)) | 1
            a, b = gmpy2.mpz(system_random.randbelow(m)), gmpy2.mpz(system_random.randbelow(m))
            start = time.thread_time()
            for _ in range(20_000):
                a = a * b % m
            total += multiplications * (time.thread_time() - start) / 20_000
        return total


def calibrate() -> dict:
    """The machine's speed right now: one multiplication mod a 4096-bit n², one pycryptodome Ed25519
    verification (this machine is shared; figures from a slow moment show here)."""
    import secrets as system_random

    import gmpy2
    from Crypto.PublicKey import ECC
    from Crypto.Signature import eddsa

    m = gmpy2.mpz(system_random.randbits(4096)) | 1
    a, b = gmpy2.mpz(system_random.randbelow(m)), gmpy2.mpz(system_random.randbelow(m))
    start = time.perf_counter()
    for _ in range(50_000):
        a = a * b % m
    mulmod = (time.perf_counter() - start) / 50_000
    key = ECC.generate(curve="Ed25519")
    signature = eddsa.new(key, "rfc8032").sign(b"calibration")
    verifier = eddsa.new(key.public_key(), "rfc8032")
    start = time.perf_counter()
    for _ in range(300):
        verifier.verify(b"calibration", signature)
    return {"mulmod_4096_us": mulmod * 1e6, "ed25519_verify_us": (time.perf_counter() - start) / 300 * 1e6}


def child(spec: dict) -> dict:
    """Runs in a fresh process: one verification (or the naive baseline) as `spec` says."""
    if spec["kind"] == "naive":
        return naive_baseline(Path(spec["record"]), spec["ballots"])
    if spec["kind"] == "calibrate":
        return calibrate()
    if spec.get("pycryptodome_signatures"):
        pycryptodome_signatures()
    if spec.get("previous_path"):
        previous_path()
    clock = MultiExpClock() if spec.get("time_multiexp") else None
    from verifier.engine import Engine
    from verifier.engine.local import LocalEngine
    from verifier.engine.phases.base import Run
    from verifier.engine.run import verify_record

    # the coordinator's own CPU time per phase, beside the wall time the verdict keeps (benchmark only): Run.phase
    # is the one place where phases are timed
    phase_cpu: dict = {}
    timed_phase = Run.phase

    def phase_with_cpu(self, name, phase, engine, *inputs):
        before = os.times()
        try:
            return timed_phase(self, name, phase, engine, *inputs)
        finally:
            after = os.times()
            phase_cpu[name] = phase_cpu.get(name, 0.0) + (after.user - before.user) + (after.system - before.system)

    Run.phase = phase_with_cpu  # type: ignore[method-assign]  # benchmark instrumentation only

    engine: Engine
    if spec.get("dask"):
        from distributed import LocalCluster

        from verifier.engine.dask import DaskEngine

        cluster = LocalCluster(n_workers=spec["workers"], threads_per_worker=1, processes=True,
                               dashboard_address=None)
        engine = DaskEngine(cluster.scheduler_address)
    else:
        cluster, engine = None, LocalEngine(spec["workers"])
    import psutil

    cpu0 = os.times()
    busy0 = _busy(psutil.cpu_times())
    start = time.perf_counter()
    profiler = None
    if spec.get("profile"):  # cProfile of the run, written as pstats to spec["profile"] (bench_box.py --profile)
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: this machine is shared
        profiler.enable()
    with TreeMemory() as memory:
        verdict = verify_record(spec["record"], engine, batch=spec["batch"])
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(spec["profile"])
    wall = time.perf_counter() - start
    busy1 = _busy(psutil.cpu_times())
    if cluster is not None:
        cluster.close()
    cpu1 = os.times()
    own = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system) - memory.cpu
    for phase, seconds in verdict.seconds.items():  # the sampler ran through every phase
        phase_cpu[phase] = max(0.0, phase_cpu.get(phase, 0.0) - memory.cpu * seconds / wall)
    workers = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    return {"verified": verdict.verified, "wall": wall, "phases": verdict.seconds, "counts": verdict.counts,
            "engine": verdict.engine, "cpu_coordinator": own, "cpu_workers": workers, "phase_cpu": phase_cpu,
            "other_cpu": max(0.0, (busy1 - busy0) - own - workers - memory.cpu), "sampler_cpu": memory.cpu,
            "peak_rss_coordinator_mb": _peak_rss_mb(),
            "peak_tree_mb": max(memory.peak / 2**20, _peak_rss_mb()),  # a short run may end between samples
            "multiexp": None if clock is None else {"wall": clock.wall, "cpu": clock.cpu, "calls": clock.calls,
                                                    "model_cpu": clock.model_seconds(), "model": clock.model}}


def _peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Not ru_maxrss: Linux carries that across exec, so a child
    would report its parent's peak."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _busy(times) -> float:
    """CPU seconds the whole machine spent busy (what other jobs took shows as busy time that is not ours)."""
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def measure(spec: dict, log) -> dict:
    """`child(spec)` in a fresh interpreter."""
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"child failed: {spec}\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load_before"] = load
    result["spec"] = spec
    return result


# ---------------------------------------------------------------------------------------------- naive baseline

def naive_baseline(record: Path, ballots: int) -> dict:
    """A straightforward verifier: per ballot, JSON parsing, both signatures, the 1-of-k proof checked branch by
    branch with phe's EncryptedNumber arithmetic and Python's built-in pow, the hash, and the ciphertext added to
    its polling station's EncryptedNumber sum; then every decryption proof with pow. Timed on the first
    `ballots` ballots and on every aggregate of the tally; registry signatures on as many registry lines."""
    from Crypto.Hash import SHA256
    from Crypto.PublicKey import ECC
    from Crypto.Signature import DSS, eddsa
    from phe import paillier

    from verifier.crypto import membership
    from verifier.crypto.encoding import sha256, signed_message
    from verifier.crypto.paillier import PublicKey, option_message
    from verifier.record import canonical, layout

    manifest = json.loads((record / layout.MANIFEST).read_bytes())
    key_doc = json.loads((record / layout.ELECTION_KEY).read_bytes())
    eid = manifest["election_id"]
    fp = sha256(layout.FINGERPRINT_TAG.encode() + b"\n" + canonical.dumps(manifest) + b"\n" + canonical.dumps(key_doc))
    n = int(key_doc["n"], 16)
    n2 = n * n
    pub = paillier.PaillierPublicKey(n)
    key = PublicKey.from_n(n)
    messages = {c["id"]: tuple(option_message(j) for j in range(len(c["options"]))) for c in manifest["contests"]}

    def verify_sig(algorithm, public, message, signature):
        if algorithm == "ed25519":
            eddsa.new(eddsa.import_public_key(public), "rfc8032").verify(message, signature)
        else:
            DSS.new(ECC.import_key(public, curve_name="P-256"), "fips-186-3").verify(SHA256.new(message), signature)

    registry = {}
    start = time.perf_counter()
    registrar = manifest["authorities"]["registrar"]
    with open(record / layout.REGISTRY, "rb") as fh:
        for line in fh:
            v = json.loads(line)
            body = canonical.dumps({k: x for k, x in v.items() if k != "registrar_signature"})
            verify_sig("ed25519", bytes.fromhex(registrar["public_key"]),
                       signed_message(layout.REGISTRY_TAG, eid, body), bytes.fromhex(v["registrar_signature"]))
            registry[v["voter_id"]] = v
            if len(registry) == ballots:
                break
    registry_seconds = (time.perf_counter() - start) / len(registry)
    with open(record / layout.REGISTRY, "rb") as fh:  # the rest unverified: only the index is needed below
        for line in fh:
            v = json.loads(line)
            registry[v["voter_id"]] = v

    collector = bytes.fromhex(manifest["authorities"]["collector"]["public_key"])
    sums: dict = {}
    done = 0
    start = time.perf_counter()
    with open(record / layout.BALLOT_BOX, "rb") as fh:
        for raw in fh:
            o = json.loads(raw)
            env, receipt = o["envelope"], o["receipt"]
            voter = registry[env["voter_id"]]
            envelope = {k: env[k] for k in ("ballot_id", "cast_at", "election_fingerprint", "election_id",
                                            "key_fingerprint", "voter_id")}
            envelope["inner_hash"] = sha256(canonical.dumps(env["contests"])).hex()
            verify_sig(voter["algorithm"], bytes.fromhex(voter["public_key"]),
                       signed_message(layout.ENVELOPE_TAG, eid, canonical.dumps(envelope)),
                       bytes.fromhex(env["signature"]))
            signed = canonical.dumps({k: x for k, x in receipt.items() if k != "collector_signature"})
            verify_sig("ed25519", collector, signed_message(layout.RECEIPT_TAG, eid, signed),
                       bytes.fromhex(receipt["collector_signature"]))
            for cb in env["contests"]:
                ms = messages[cb["contest"]]
                c = paillier.EncryptedNumber(pub, int(cb["ciphertext"], 16), 0)
                a = [int(x, 16) for x in cb["proof"]["a"]]
                e = [int(x, 16) for x in cb["proof"]["e"]]
                z = [int(x, 16) for x in cb["proof"]["z"]]
                st = membership.Statement(fp, cb["contest"], ms, bytes.fromhex(env["key_fingerprint"]),
                                          bytes.fromhex(env["ballot_id"]), c.ciphertext(be_secure=False))
                assert sum(e) % membership.CHALLENGE_MOD == membership.challenge(key, st, tuple(a))
                for m, aj, ej, zj in zip(ms, a, e, z, strict=True):
                    u = (c - m).ciphertext(be_secure=False)  # c·(1 − m·n): phe encrypts −m with r = 1
                    lhs = pow(zj, n, n2)
                    rhs = aj * pow(u, ej, n2) % n2
                    assert lhs * lhs % n2 == rhs * rhs % n2
                k = (cb["contest"], voter["polling_station"])
                sums[k] = sums[k] + c if k in sums else c
            done += 1
            if done == ballots:
                break
    ballot_seconds = (time.perf_counter() - start) / done
    tally = json.loads((record / layout.TALLY).read_bytes())
    start = time.perf_counter()
    for agg in tally["aggregates"]:
        c, t, r = int(agg["ciphertext"], 16), int(agg["plaintext"], 16), int(agg["decryption_proof"]["r"], 16)
        assert (1 + t * n) * pow(r, n, n2) % n2 == c
    aggregate_seconds = (time.perf_counter() - start) / len(tally["aggregates"])
    return {"ballot_seconds": ballot_seconds, "registry_seconds": registry_seconds,
            "aggregate_seconds": aggregate_seconds, "aggregates": len(tally["aggregates"]), "ballots": done}


# ------------------------------------------------------------------------------------------------------- report

def per_ballot(r: dict) -> float:
    return r["wall"] / r["counts"]["ballots in the box"]


def rate(r: dict, cores: int) -> float:
    return r["counts"]["ballots in the box"] / (r["wall"] * cores)


def cpu_rate(r: dict) -> float:
    return r["counts"]["ballots in the box"] / (r["cpu_coordinator"] + r["cpu_workers"])


def projection(r1: dict, r2: dict, cores: int, per: str = "ballots in the box") -> dict:
    """12 million ballots (as many registered voters, polling stations in proportion) on `cores` cores, from a
    1-worker run r1 and a 2-worker run r2 of the same record.

    r1 runs in one process, so its time per phase is the whole work of that phase; r2's coordinator CPU time per
    phase is the part no worker can take (reading, hashing, shipping and reducing the chunks, the sequential
    checks, the counting rules). Every phase but setup grows with the record. In each, the coordinator's part
    runs alongside the rest spread over the cores, so the phase takes the longer of the two."""
    scale = TWELVE_MILLION / r1["counts"][per]  # 12 million ballots, or voters (per="registered voters")
    phases = {}
    for phase, work in r1["phases"].items():
        if phase == "setup":
            phases[phase] = {"minutes": work / 60, "bound_by": "coordinator"}
            continue
        serial = min(work, r2["phase_cpu"].get(phase, 0.0)) * scale
        spread = (work * scale - serial) / cores
        phases[phase] = {"minutes": max(serial, spread) / 60,
                         "bound_by": "coordinator" if serial >= spread else "workers"}
    return {"cores": cores, "minutes": sum(p["minutes"] for p in phases.values()), "phases": phases}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="640-bit key, small records: a smoke test")
    ap.add_argument("--bits", type=int, default=None)
    ap.add_argument("--sizes", default=None, help="voters of the one8 records (default 1000,10000,100000)")
    ap.add_argument("--kz-voters", type=int, default=None, help="voters of the kz record (default 10000)")
    ap.add_argument("--workers", type=int, default=2, help="the parallel runs' workers (default 2)")
    ap.add_argument("--naive-ballots", type=int, default=None, help="ballots the naive baseline checks")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each record up to 10,000 voters; the fastest "
                                                          "counts (default 2)")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    bits = args.bits or (640 if args.quick else 2048)
    sizes = [int(s) for s in (args.sizes or ("300,1000,3000" if args.quick else "1000,10000,100000")).split(",")]
    kz_voters = args.kz_voters or (1000 if args.quick else 10_000)
    naive_ballots = args.naive_ballots or (5 if args.quick else 20)
    w = args.workers
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()

    def log(message: str) -> None:
        print(f"[{time.time() - started:7.0f} s] {message}", flush=True)

    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
               "cpu": _cpu_model()}
    log(f"machine: {machine}")
    records = {("one8", v): make_record(args.out, "one8", v, bits, log) for v in sizes}
    records[("kz", kz_voters)] = make_record(args.out, "kz", kz_voters, bits, log)
    simulated = {f"{s}-{v}": json.loads(p.with_suffix(".json").read_text()) for (s, v), p in records.items()}

    results: dict = {"machine": machine, "bits": bits, "simulated": simulated, "runs": {}}
    results["calibration_before"] = measure({"kind": "calibrate"}, log)
    log(f"calibration: {results['calibration_before']['mulmod_4096_us']:.2f} us per mulmod mod a 4096-bit "
        f"modulus, {results['calibration_before']['ed25519_verify_us']:.0f} us per Ed25519 verification")

    def run(name: str, repeat: int = 1, **spec) -> dict:
        """The fastest of `repeat` runs (this machine is shared: a run that met another job is slower)."""
        spec.setdefault("batch", True)
        spec["kind"] = "verify"
        r = min((measure(spec, log) for _ in range(repeat)), key=lambda x: x["wall"])
        if not r["verified"]:
            raise RuntimeError(f"{name}: the record did not verify")
        results["runs"][name] = r
        log(f"{name:28s} {r['counts']['ballots in the box']:>8,} ballots  {r['wall']:8.1f} s  "
            f"{per_ballot(r) * 1e3:7.3f} ms/ballot  {rate(r, spec['workers']):6.0f} ballots/s/core  "
            f"(CPU {cpu_rate(r):5.0f}/s)  peak {r['peak_rss_coordinator_mb']:.0f} MB coordinator, "
            f"{r['peak_tree_mb']:.0f} MB all, other jobs {r['other_cpu']:.0f} CPU s  "
            f"[{', '.join(f'{k} {v:.1f}' for k, v in r['phases'].items())}]")
        return r

    for v in sizes:
        repeat = args.repeat if v <= 10_000 else 1
        run(f"one8-{v} batched x1", repeat, record=str(records[("one8", v)]), workers=1)
        run(f"one8-{v} batched x{w}", repeat, record=str(records[("one8", v)]), workers=w)
    small = records[("one8", sizes[0])]
    mid = records[("one8", sizes[min(1, len(sizes) - 1)])]
    run(f"one8-{sizes[0]} individual x{w}", record=str(small), workers=w, batch=False)
    run(f"one8-{sizes[min(1, len(sizes) - 1)]} dask x{w}", record=str(mid), workers=w, dask=True)
    kz = records[("kz", kz_voters)]
    run(f"kz-{kz_voters} batched x1", record=str(kz), workers=1)
    run(f"kz-{kz_voters} batched x{w}", record=str(kz), workers=w)
    run(f"one8-{sizes[min(1, len(sizes) - 1)]} previous path: pycryptodome signatures x1", args.repeat,
        record=str(mid), workers=1, pycryptodome_signatures=True)
    log("naive baseline ...")
    naive = {}
    for name, path in ((f"one8-{sizes[0]}", small), (f"kz-{kz_voters}", kz)):
        naive[name] = measure({"kind": "naive", "record": str(path), "ballots": naive_ballots}, log)
        log(f"naive {name}: {naive[name]['ballot_seconds'] * 1e3:.0f} ms/ballot, registry "
            f"{naive[name]['registry_seconds'] * 1e3:.2f} ms/voter, decryption proof "
            f"{naive[name]['aggregate_seconds'] * 1e3:.0f} ms/aggregate")
    results["naive"] = naive
    results["calibration_after"] = measure({"kind": "calibrate"}, log)
    log(f"calibration: {results['calibration_after']['mulmod_4096_us']:.2f} us per mulmod, "
        f"{results['calibration_after']['ed25519_verify_us']:.0f} us per Ed25519 verification")
    summary = summarise(results, sizes, kz_voters, w)
    results["summary"] = summary
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    print_summary(summary)
    log(f"done; figures in {args.out / 'results.json'}")


def summarise(results: dict, sizes: list[int], kz_voters: int, w: int) -> dict:
    runs, naive = results["runs"], results["naive"]
    s: dict = {"sizes": {}}
    for v in sizes:
        r1, r2 = runs[f"one8-{v} batched x1"], runs[f"one8-{v} batched x{w}"]
        s["sizes"][v] = {"ballots": r1["counts"]["ballots in the box"], "ms_per_ballot_x1": per_ballot(r1) * 1e3,
                         "ms_per_ballot_box_phase_x1":
                             r1["phases"]["ballot box"] / r1["counts"]["ballots in the box"] * 1e3,
                         "ballots_per_s_per_core_x1": rate(r1, 1), "ballots_per_cpu_s_x1": cpu_rate(r1),
                         f"ms_per_ballot_x{w}": per_ballot(r2) * 1e3, f"ballots_per_s_per_core_x{w}": rate(r2, w),
                         f"ballots_per_cpu_s_x{w}": cpu_rate(r2), "speedup": r1["wall"] / r2["wall"],
                         "peak_mb_x1": r1["peak_rss_coordinator_mb"], f"peak_tree_mb_x{w}": r2["peak_tree_mb"]}
    first, mid, last = sizes[0], sizes[min(1, len(sizes) - 1)], sizes[-1]
    sz = s["sizes"]
    s["linearity_ms_per_ballot_last_over_first"] = sz[last]["ms_per_ballot_x1"] / sz[first]["ms_per_ballot_x1"]
    s["memory_last_over_mid"] = sz[last]["peak_mb_x1"] / sz[mid]["peak_mb_x1"]
    s["memory_tree_last_over_mid"] = sz[last][f"peak_tree_mb_x{w}"] / sz[mid][f"peak_tree_mb_x{w}"]
    ind = runs[f"one8-{first} individual x{w}"]
    s["individual_ballots_per_s_per_core"] = rate(ind, w)
    s["individual_ballots_per_cpu_s"] = cpu_rate(ind)
    n1 = naive[f"one8-{first}"]
    r1 = runs[f"one8-{first} batched x1"]
    ballots, voters = r1["counts"]["ballots in the box"], r1["counts"]["registered voters"]
    naive_total = (n1["ballot_seconds"] * ballots + n1["registry_seconds"] * voters
                   + n1["aggregate_seconds"] * n1["aggregates"])
    s["naive_ms_per_ballot"] = naive_total / ballots * 1e3
    s["batched_vs_naive"] = naive_total / r1["wall"]
    s["individual_vs_naive"] = naive_total / (ind["wall"] * w)
    nk = naive[f"kz-{kz_voters}"]
    k1, k2 = runs[f"kz-{kz_voters} batched x1"], runs[f"kz-{kz_voters} batched x{w}"]
    kb, kv = k1["counts"]["ballots in the box"], k1["counts"]["registered voters"]
    s["kz"] = {"ballots": kb, "ballots_per_s_per_core_x1": rate(k1, 1), f"ballots_per_s_per_core_x{w}": rate(k2, w),
               "speedup": k1["wall"] / k2["wall"],
               "batched_vs_naive": (nk["ballot_seconds"] * kb + nk["registry_seconds"] * kv
                                    + nk["aggregate_seconds"] * nk["aggregates"]) / k1["wall"]}
    dask = runs[f"one8-{mid} dask x{w}"]
    s["dask"] = {"wall": dask["wall"], "speedup_vs_x1": runs[f"one8-{mid} batched x1"]["wall"] / dask["wall"],
                 "vs_local": runs[f"one8-{mid} batched x{w}"]["wall"] / dask["wall"]}
    previous = runs.get(f"one8-{mid} previous path: pycryptodome signatures x1")
    if previous:
        s["pycryptodome_signatures_ballots_per_s_per_core"] = rate(previous, 1)
        s["strict_signatures_over_pycryptodome"] = previous["wall"] / runs[f"one8-{mid} batched x1"]["wall"]
    big1, big2 = runs[f"one8-{last} batched x1"], runs[f"one8-{last} batched x{w}"]
    s["projection_12M"] = [projection(big1, big2, c) for c in (16, 64)]
    return s


def print_summary(s: dict) -> None:
    print()
    print("size (voters)  ballots   ms/ballot x1  (box only)  ballots/s/core x1  CPU-based   speed-up x2  "
          "peak MB x1  peak MB tree x2")
    for v, row in s["sizes"].items():
        w2 = next(k for k in row if k.startswith("peak_tree_mb_x"))
        print(f"{v:>13,} {row['ballots']:>8,} {row['ms_per_ballot_x1']:12.3f} {row['ms_per_ballot_box_phase_x1']:11.3f}"
              f" {row['ballots_per_s_per_core_x1']:17.0f} {row['ballots_per_cpu_s_x1']:10.0f} {row['speedup']:12.2f}"
              f" {row['peak_mb_x1']:11.0f} {row[w2]:15.0f}")
    print(f"time per ballot, largest / smallest record: {s['linearity_ms_per_ballot_last_over_first']:.2f}")
    print(f"peak memory, largest / middle record: {s['memory_last_over_mid']:.2f} (coordinator, 1 worker), "
          f"{s['memory_tree_last_over_mid']:.2f} (all processes, 2 workers)")
    print(f"individual proofs: {s['individual_ballots_per_s_per_core']:.1f} ballots/s/core")
    print(f"naive baseline: {s['naive_ms_per_ballot']:.0f} ms/ballot; batched is {s['batched_vs_naive']:.0f}x "
          f"faster, individual {s['individual_vs_naive']:.1f}x")
    kz = s["kz"]
    print(f"kz ballots (list + SMD): {kz['ballots_per_s_per_core_x1']:.0f} ballots/s/core x1, speed-up "
          f"{kz['speedup']:.2f}, {kz['batched_vs_naive']:.0f}x the naive baseline")
    if "pycryptodome_signatures_ballots_per_s_per_core" in s:
        print(f"previous path, signatures through pycryptodome: "
              f"{s['pycryptodome_signatures_ballots_per_s_per_core']:.0f} ballots/s/core x1; the shipped strict "
              f"libsodium/OpenSSL path is {s['strict_signatures_over_pycryptodome']:.2f}x as fast end to end")
    d = s["dask"]
    print(f"dask LocalCluster: speed-up {d['speedup_vs_x1']:.2f} over 1 local worker ({d['vs_local']:.2f} of local x2)")
    for p in s["projection_12M"]:
        print(f"12 million ballots on {p['cores']} cores: {p['minutes']:.0f} min ("
              + ", ".join(f"{name} {q['minutes']:.1f}" + (" coordinator-bound" if q["bound_by"] == "coordinator"
                                                            and name != "setup" else "")
                          for name, q in p["phases"].items()) + ")")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
