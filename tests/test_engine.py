"""The ballot-box map-reduce: batched and individual proofs agree, bisection names exactly the bad ballots, the
report does not depend on the engine, the number of workers or the chunk size, and the run streams the box."""
import json
import secrets as system_random
from collections import Counter

import gmpy2
import pytest
from conftest import cli, edit_document, edit_line, election_context, failing, run_verify

from verifier.crypto import batch as batching
from verifier.crypto.encoding import sha256
from verifier.engine import chunks
from verifier.engine.local import LocalEngine
from verifier.engine.phases import aggregation, base, box, registry
from verifier.engine.phases.box import BallotLog, chunk_size
from verifier.engine.progress import Progress, TerminalProgress, for_terminal
from verifier.engine.run import verify_record
from verifier.errors import RecordError
from verifier.record import layout, reader
from verifier.report import json_report
from verifier.simulate.tamper import Entry, Forger

# ------------------------------------------------------------------------------------------------- helpers

def box_objects(record) -> list[dict]:
    return [json.loads(line) for line in (record / layout.BALLOT_BOX).read_bytes().splitlines()]


def write_box(record, secrets, entries: list[dict]) -> None:
    """Write `entries` back as the authority would: every envelope re-signed by its voter, every receipt by the
    collector, the hash chain and the head rebuilt (by the simulator's forger). What remains wrong is only what the
    test changed inside."""
    forger = Forger(record, secrets)
    forger.box = [Entry(o["envelope"], o["receipt"]) for o in entries]
    for e in forger.box:
        forger.sign_envelope(e.envelope, forger.voter_key(e.voter_id))
    forger.rechain()
    forger.publish(record)


def n_of(record) -> int:
    return int(json.loads((record / layout.ELECTION_KEY).read_bytes())["n"], 16)


def change_proof(o: dict, contest: int, field: str, j: int, fn) -> None:
    values = o["envelope"]["contests"][contest]["proof"][field]
    width = len(values[j])
    values[j] = f"{fn(int(values[j], 16)):0{width}x}"


def report(record, **kwargs) -> dict:
    return json_report.as_dict(run_verify(record, **kwargs))


def v42_places(verdict) -> list[tuple[int, str]]:
    return sorted((f.location.line, f.location.contest) for f in failing(verdict).get("V4.2", []))


# ----------------------------------------------------------------------------- batch versus individual proofs

def test_honest_record_batched_equals_individual(simulated):
    batched = report(simulated[0], batch=True)
    assert batched == report(simulated[0], batch=False)
    assert batched["ok"]


def test_bad_proofs_named_exactly_by_both_paths(record, secrets):
    """Several kinds of bad proof in one chunk: the batch bisects down to exactly the ballots (and contests)
    individual verification names, with the same messages; the rest of the report is the same too."""
    n = n_of(record)
    entries = box_objects(record)
    change_proof(entries[2], 0, "z", 1, lambda z: z * 2 % n)
    change_proof(entries[3], 1, "a", 0, lambda a: a * 3 % (n * n))
    change_proof(entries[16], 0, "a", 2, lambda a: a * (1 + n) % (n * n))  # a defect of order n
    change_proof(entries[40], 1, "z", 0, lambda z: 0)  # out of range: a statement problem, not an equation
    change_proof(entries[41], 0, "e", 0, lambda e: e ^ 1)  # the challenges no longer sum to the hash
    write_box(record, secrets, entries)
    expected = [(3, entries[2]["envelope"]["contests"][0]["contest"]),
                (4, entries[3]["envelope"]["contests"][1]["contest"]),
                (17, entries[16]["envelope"]["contests"][0]["contest"]),
                (41, entries[40]["envelope"]["contests"][1]["contest"]),
                (42, entries[41]["envelope"]["contests"][0]["contest"])]
    individual = run_verify(record, batch=False)
    assert v42_places(individual) == expected
    assert set(failing(individual)) >= {"V4.2", "V5.5", "V6.2"}  # counted by the authority, invalid by the rules
    for chunk in (None, 1, 5, 1000):  # one chunk of everything, chunks of one, and between
        batched = run_verify(record, batch=True, chunk=chunk)
        assert v42_places(batched) == expected
        assert json_report.as_dict(batched) == json_report.as_dict(individual), chunk


def test_order_two_defect_agrees(record, secrets):
    """z → n − z: the plain equation fails, but its square holds, so the normative (squared) individual check
    accepts it; an unsquared batch test would reject it about half the time (tests/test_batch.py). The batched
    run must accept it too, whatever the coefficients: the record still verifies, identically, on both paths."""
    n = n_of(record)
    entries = box_objects(record)
    for i in (0, 5, 6, 30):
        change_proof(entries[i], i % 2, "z", i % 4, lambda z: n - z)
    write_box(record, secrets, entries)
    individual = report(record, batch=False)
    assert individual["ok"], [s for s in individual["verify"]["steps"] if s["status"] != "passed"]
    for _ in range(6):
        assert report(record, batch=True, coefficient_seed=system_random.token_bytes(32)) == individual


def test_bisection_cost_for_one_bad_ballot(record, secrets, monkeypatch):
    n = n_of(record)
    entries = box_objects(record)
    change_proof(entries[60], 0, "z", 3, lambda z: z * 5 % n)
    write_box(record, secrets, entries)
    calls = {"batch": 0, "individual": 0}
    real_batch, real_individual = batching.batch_holds, batching.equations_hold

    def counted_batch(*args, **kwargs):
        calls["batch"] += 1
        return real_batch(*args, **kwargs)

    def counted_individual(*args, **kwargs):
        calls["individual"] += 1
        return real_individual(*args, **kwargs)

    monkeypatch.setattr(batching, "batch_holds", counted_batch)
    monkeypatch.setattr(batching, "equations_hold", counted_individual)
    v = run_verify(record, batch=True, chunk=10_000)  # the whole box in one batch
    assert v42_places(v) == [(61, entries[60]["envelope"]["contests"][0]["contest"])]
    items = sum(len(o["envelope"]["contests"]) for o in entries)
    # the bad one, and the sample a failing chunk gets (which may pick the bad one: its places are secret, random)
    assert 1 <= calls["individual"] <= 1 + batching.sample_size(items)
    assert calls["batch"] <= 1 + 2 * (items - 1).bit_length()


# --------------------------------------------------------------------------------------- engine independence

@pytest.fixture
def faulty(record, secrets):
    """A record with a bad proof, a bad voter signature, a re-vote the authority counted twice, a bad registrar
    signature, a voter registered twice, a bad commission signature on a cancellation and a bad decryption proof:
    a fault in every phase that runs on the engine."""
    n = n_of(record)
    entries = box_objects(record)
    change_proof(entries[7], 0, "a", 1, lambda a: a * 2 % (n * n))
    write_box(record, secrets, entries)
    edit_line(record / layout.BALLOT_BOX, 21, lambda o: o["envelope"].update(signature="00" * 64))
    decisions = (record / layout.BALLOT_DECISIONS).read_bytes().splitlines()
    superseded = next(n for n, line in enumerate(decisions, 1) if json.loads(line).get("reason") == "superseded")
    edit_line(record / layout.BALLOT_DECISIONS, superseded, lambda d: (d.pop("reason"), d.update(status="counted")))
    registry = record / layout.REGISTRY
    edit_line(registry, 5, lambda o: o.update(registrar_signature="00" * 64))
    data = registry.read_bytes()
    registry.write_bytes(data + data.splitlines()[100] + b"\n")  # a voter registered twice, with the same key
    cancellations = record / layout.CANCELLATIONS
    last = len(cancellations.read_bytes().splitlines())
    edit_line(cancellations, last, lambda o: o.update(commission_signature="00" * 64))

    def bad_decryption_proof(tally):
        proof = tally["aggregates"][-1]["decryption_proof"]
        proof["r"] = f"{int(proof['r'], 16) + 1:0{len(proof['r'])}x}"

    edit_document(record / layout.TALLY, bad_decryption_proof)
    return record


@pytest.fixture
def small_registry_jobs(monkeypatch):
    """Registry jobs of 16 lines: ten of them for the 150 voters of the test records."""
    monkeypatch.setattr(registry, "MIN_REGISTRY_LINES", 5)
    monkeypatch.setattr(registry, "REGISTRY_LINES", 16)


@pytest.mark.parametrize("which", ["honest", "faulty"])
def test_report_independent_of_workers_and_chunks(which, simulated, faulty, small_registry_jobs, monkeypatch):
    path = simulated[0] if which == "honest" else faulty
    verdict = verify_record(path, LocalEngine(1))
    reference = json_report.as_dict(verdict)
    assert reference["ok"] == (which == "honest")
    if which == "faulty":
        places = {check: [f.location.line for f in found] for check, found in failing(verdict).items()}
        assert places["V2.2"] == [5] and places["V2.3"] == places["V2.4"] == [151] and places["V4.2"] == [8]
        assert places["V5.1"] == [len((path / layout.CANCELLATIONS).read_bytes().splitlines())]
        last = json.loads((path / layout.TALLY).read_bytes())["aggregates"][-1]
        assert [(x.location.contest, x.location.polling_station) for x in failing(verdict)["V6.3"]] == [
            (last["contest"], last["polling_station"])]
    for workers, chunk in ((2, None), (2, 3), (1, 1), (2, 64)):
        assert json_report.as_dict(verify_record(path, LocalEngine(workers), chunk=chunk)) == reference
    monkeypatch.setattr(base, "CHUNK_BYTES", 40_000)  # chunks cut by bytes: a few lines each
    assert json_report.as_dict(verify_record(path, LocalEngine(2))) == reference


def test_chunks_are_bounded_by_bytes(monkeypatch):
    monkeypatch.setattr(base, "CHUNK_BYTES", 25)
    lines = [(n, b"x" * 10) for n in range(1, 8)]
    assert [[n for n, _ in c] for c in base.line_chunks(lines, 100)] == [[1, 2, 3], [4, 5, 6], [7]]
    assert [[n for n, _ in c] for c in base.line_chunks(lines, 2)] == [[1, 2], [3, 4], [5, 6], [7]]


@pytest.mark.parametrize("workers", [1, 2])
def test_first_unreadable_line_is_the_error_whatever_the_engine(workers, record, small_registry_jobs):
    """Line 3 is not JSON and line 20, the last, is cut short: with two workers the reader meets line 20 while
    cutting the second job, before the first (lines 1-16) is back, and line 3 must still be the error reported."""
    lines = (record / layout.REGISTRY).read_bytes().split(b"\n")[:20]
    lines[2] = b"{not json"
    (record / layout.REGISTRY).write_bytes(b"\n".join(lines))
    with pytest.raises(RecordError) as caught:
        verify_record(record, LocalEngine(workers))
    assert str(caught.value).startswith(f"{layout.REGISTRY}:3: invalid JSON")


def test_dask_local_cluster_gives_the_same_report(faulty, small_registry_jobs):
    distributed = pytest.importorskip("distributed")
    from verifier.engine.dask import DaskEngine

    reference = json_report.as_dict(verify_record(faulty, LocalEngine(2)))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        engine = DaskEngine(cluster.scheduler_address)
        verdict = verify_record(faulty, engine, chunk=16)
        assert verdict.engine == "dask ×2"
        assert json_report.as_dict(verdict) == reference
        assert engine._client is None  # the engine closed the client it opened


def test_cli_receipts(simulated, tmp_path):
    kept = tmp_path / "kept.jsonl"
    box_lines = (simulated[0] / layout.BALLOT_BOX).read_bytes().splitlines()
    kept.write_bytes(b"".join(line + b"\n" for line in box_lines[:3]))
    result = cli("verify", simulated[0], "--workers", "1", "--receipts", kept, "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    step = next(s for s in json.loads((tmp_path / "r.json").read_text())["verify"]["steps"] if s["id"] == "V3.10")
    assert (step["status"], step["checked"]) == ("passed", 3)


def test_cli_options(simulated):
    result = cli("verify", simulated[0], "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "exclude each other" in result.output
    result = cli("verify", simulated[0], "--workers", "2", "--chunk-size", "7", "--quiet")
    assert result.exit_code == 0, result.output
    assert "local ×2" in result.output


# ------------------------------------------------------------------------------------------ streaming, memory

def test_pass_two_reads_only_valid_ballots_that_do_not_count(simulated, monkeypatch):
    seen = []
    real = chunks.aggregate_chunk

    def spy(ctx, lines):
        seen.extend(n for n, _, _ in lines)
        return real(ctx, lines)

    monkeypatch.setattr(aggregation, "aggregate_chunk", spy)
    v = run_verify(simulated[0])
    decisions = [json.loads(line) for line in (simulated[0] / layout.BALLOT_DECISIONS).read_bytes().splitlines()]
    assert seen == [i for i, d in enumerate(decisions, start=1) if d["status"] == "excluded"]
    assert v.verified and 0 < len(seen) < v.counts["ballots in the box"]


def test_pass_two_refuses_a_line_that_changed(simulated):
    root = simulated[0]
    ctx = election_context(root)
    n, raw = next(reader.iter_file_lines(root, layout.BALLOT_BOX))
    assert chunks.aggregate_chunk(ctx, [(n, raw, sha256(raw))])
    with pytest.raises(RecordError) as changed:
        chunks.aggregate_chunk(ctx, [(n, raw.replace(b'"contests"', b'"contests" '), sha256(raw))])
    assert str(changed.value).startswith(f"{layout.BALLOT_BOX}:{n}: changed while it was being verified")


def test_ballot_log_round_trip():
    names = ["V1", "V2"]
    log = BallotLog(names.__getitem__, {"V1": 0, "V2": 1}.get)
    rows = [(i.to_bytes(16, "big"), ["V1", "V2", "stranger"][i % 3], i % 4, 100 * i, 7 + i, sha256(bytes(i)))
            for i in range(5000)]
    for row in rows:
        log.append(*row)
    replayed = list(log.replay())
    assert replayed == [(i + 1, *row) for i, row in enumerate(rows)]
    assert list(log.replay()) == replayed  # read back twice
    assert log.unregistered == {i + 1: "stranger" for i in range(5000) if i % 3 == 2}
    log.close()


def test_chunk_size_spreads_work_and_fills_batches(simulated):
    ctx = election_context(simulated[0])
    # 8 + 5 options per ballot: about 16384 // 13 = 1260 ballots per chunk, equal chunks for every worker
    assert chunk_size(ctx, 100_000, 2) == 1250  # 40 chunks for each worker
    assert chunk_size(ctx, 1000, 2) == 500
    assert chunk_size(ctx, 1800, 1) == 1800  # one chunk a little over 1260 rather than two smaller ones
    assert chunk_size(ctx, 2000, 1) == 1000
    assert chunk_size(ctx, 10, 4) == box.MIN_CHUNK


def test_progress_is_silent_unless_a_terminal(simulated, capsys):
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert type(for_terminal(quiet=True, stream=Tty())) is Progress
    assert type(for_terminal(quiet=False, stream=io.StringIO())) is Progress
    assert isinstance(for_terminal(quiet=False, stream=Tty()), TerminalProgress)
    seen = []
    v = run_verify(simulated[0], progress=seen.append)
    assert sum(seen) == v.counts["ballots in the box"]
    result = cli("verify", simulated[0], "--workers", "1")  # CliRunner's stderr is no terminal: no bar
    assert "ballots/s" not in result.output


def test_terminal_progress_renders(simulated):
    import io

    from rich.console import Console

    out = io.StringIO()
    bar = TerminalProgress(Console(file=out, force_terminal=True, width=120))
    v = verify_record(simulated[0], LocalEngine(1), progress=bar)
    assert "ballots/s" in out.getvalue() and "ballot box" in out.getvalue()
    assert v.verified


# ------------------------------------------------------------------------------------------- the coefficients

def test_coefficient_stream():
    seed = bytes(range(32))
    a = batching.CoefficientStream(seed, "chunk 0")
    assert a.draw(3, 128) == batching.CoefficientStream(seed, "chunk 0").draw(3, 128)
    values = a.draw(1000, 128) + a.draw(1000, 128)
    assert len(set(values)) == 2000 and all(0 <= x < 2**128 for x in values)
    assert max(values).bit_length() == 128
    assert batching.CoefficientStream(seed, "chunk 1").draw(3, 128) != batching.CoefficientStream(seed).draw(3, 128)
    assert a.child("x").draw(2, 128) != a.child("y").draw(2, 128)
    assert all(0 <= x < 2**5 for x in a.draw(100, 5))
    with pytest.raises(ValueError):
        batching.CoefficientStream(b"short")


def test_batch_z_is_reduced_mod_n():
    """xⁿ ≡ (x mod n)ⁿ (mod n²): why P_z may be formed mod n."""
    n = gmpy2.mpz(1009 * 1013)
    for x in (2, 77, 1009 * 1013 - 1):
        for k in (1, 5, 1000):
            assert gmpy2.powmod(x + k * n, n, n * n) == gmpy2.powmod(x, n, n * n)


def test_compact_voters_is_the_registry_index(simulated):
    from verifier.checks.findings import Findings
    from verifier.checks.registry import check_registry
    from verifier.checks.voters import RegisteredVoter

    root = simulated[0]
    manifest, _ = reader.read_manifest(root)
    parsed = list(reader.iter_registry(root, manifest.election_id))
    compact = check_registry(manifest, parsed, b"", Findings())
    assert len(compact) == len(parsed) and list(compact) == [v.voter_id for v in parsed]
    assert list(compact.values()) == [RegisteredVoter(v.voter_id, v.polling_station, v.algorithm, v.public_key,
                                                      sha256(v.public_key), v.line) for v in parsed]
    assert compact.station_counts() == Counter(v.polling_station for v in parsed)
    assert compact.get("nobody") is None and "nobody" not in compact and "V0000001" in compact
    with pytest.raises(KeyError):
        compact["nobody"]
    row = compact.row("V0000002")
    assert compact.voter_id(row) == "V0000002" and compact.station(row) == parsed[1].polling_station


def test_dask_scheduler_without_workers_fails_instead_of_waiting(monkeypatch, simulated):
    """A scheduler that answers but has no worker is an error within WORKER_TIMEOUT, not a verification that waits
    forever."""
    distributed = pytest.importorskip("distributed")
    from verifier.engine import dask as dask_engine

    monkeypatch.setattr(dask_engine, "WORKER_TIMEOUT", 1)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        engine = dask_engine.DaskEngine(cluster.scheduler_address)
        with pytest.raises(dask_engine.SchedulerUnreachable, match="has no worker after 1 s"):
            verify_record(simulated[0], engine)
        assert engine._client is None  # the client it opened is closed
