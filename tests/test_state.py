"""`verify RECORD --state FILE` (SPEC.md §12.4): the box verified snapshot by snapshot with its state in SQLite
gives the reports of full verifications; a state of another verifier, another record, another registry or a
forked box is refused; a killed update leaves the previous state; a hostile state file is refused unread."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import cli, run_verify
from test_during_vote import LATER, _rechain, cut_box

from verifier.engine.state import max_state_bytes
from verifier.record import canonical, layout
from verifier.report import json_report

ROOT = Path(__file__).resolve().parent.parent


def _report(verdict) -> dict:
    report = json.loads(json_report.render(verdict))
    del report["verify"]["record"]  # the path of the copy
    return report


def _snapshot(simulated, secrets, dst: Path, lines: int, edit=None) -> Path:
    """`simulated`'s box cut at `lines` with a signed snapshot head (--until box); `edit` rewrites the rows first."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(simulated[0], dst)
    for name in LATER["box"]:
        (dst / name).unlink()
    if edit is not None:
        box = dst / layout.BALLOT_BOX
        box.write_bytes(b"".join(r + b"\n" for r in edit(box.read_bytes().splitlines())))
    cut_box(dst, lines, secrets)
    return dst


def _decisions(record) -> list[dict]:
    return [json.loads(line) for line in (record / layout.BALLOT_DECISIONS).read_bytes().splitlines()]


def _cuts(simulated) -> list[int]:
    """Snapshot ends that split a superseded ballot from the voter's re-vote, and fall just before a ballot that
    the voter's paper vote cancels (the cancellation itself arrives only with the final record)."""
    decisions = _decisions(simulated[0])
    box = [json.loads(line) for line in (simulated[0] / layout.BALLOT_BOX).read_bytes().splitlines()]
    superseded = next(i for i, d in enumerate(decisions, 1) if d.get("reason") == "superseded")
    voter = box[superseded - 1]["envelope"]["voter_id"]
    revote = next(i for i, e in enumerate(box, 1) if i > superseded and e["envelope"]["voter_id"] == voter)
    cancelled = next(i for i, d in enumerate(decisions, 1) if d.get("reason") == "cancelled")
    cuts = sorted({superseded, (superseded + revote) // 2, max(1, cancelled - 1), len(box) - 3} - {revote})
    assert superseded <= cuts[0] < revote and len(cuts) >= 3
    return cuts


def test_snapshots_then_final_equal_full_runs(simulated, secrets, tmp_path):
    state = tmp_path / "state.sqlite"
    for lines in _cuts(simulated):
        snap = _snapshot(simulated, secrets, tmp_path / "snap", lines)
        incremental = run_verify(snap, until="box", state=state)
        assert incremental.findings.steps["V3.2"].checked == lines  # the prefix's findings were carried
        assert _report(incremental) == _report(run_verify(snap, until="box"))
    before = run_verify(simulated[0], until=None)
    final = run_verify(simulated[0], state=state)
    assert final.verified and _report(final) == _report(before)
    again = run_verify(simulated[0], state=state)  # nothing added: still the same report
    assert _report(again) == _report(before)


def test_only_new_lines_are_verified(simulated, secrets, tmp_path, monkeypatch):
    """The next snapshot's run checks the new lines only; the key's proofs and the registry's signatures (their
    files unchanged) not again."""
    from verifier.engine.phases import box, registry, setup

    state = tmp_path / "state.sqlite"
    run_verify(_snapshot(simulated, secrets, tmp_path / "a", 40), until="box", state=state)
    seen = []
    original = box.check_chunk
    monkeypatch.setattr(box, "check_chunk", lambda ctx, lines, *a: seen.extend(n for n, _ in lines) or
                        original(ctx, lines, *a))
    monkeypatch.setattr(setup, "check_key", None)
    monkeypatch.setattr(registry, "check_registry_chunk", None)
    v = run_verify(_snapshot(simulated, secrets, tmp_path / "b", 70), until="box", state=state)
    assert v.verified and seen == list(range(41, 71))


def test_failures_in_the_prefix_are_kept(simulated, secrets, tmp_path):
    """A bad line in an early snapshot stays in every later report, as in a full run."""
    def forge(rows):
        e = json.loads(rows[9])
        sig = e["envelope"]["signature"]
        e["envelope"]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
        rows[9] = canonical.dumps(e)
        return rows

    state = tmp_path / "state.sqlite"
    run_verify(_snapshot(simulated, secrets, tmp_path / "a", 30, forge), until="box", state=state)
    b = _snapshot(simulated, secrets, tmp_path / "b", 60, forge)
    v = run_verify(b, until="box", state=state)
    assert [f.location.line for f in v.findings.steps["V3.2"].findings] == [10]
    assert _report(v) == _report(run_verify(b, until="box"))


def test_receipts_with_state(simulated, secrets, tmp_path):
    held = tmp_path / "held.jsonl"
    held.write_bytes((simulated[0] / layout.BALLOT_BOX).read_bytes().splitlines()[4] + b"\n")
    state = tmp_path / "state.sqlite"
    run_verify(_snapshot(simulated, secrets, tmp_path / "a", 30), until="box", state=state)
    v = run_verify(_snapshot(simulated, secrets, tmp_path / "b", 60), until="box", state=state, receipts=held)
    assert v.verified and v.findings.steps["V3.10"].checked == 1


def _refused(record, state, *args) -> str:
    r = cli("verify", record, "--state", state, "-q", *args)
    assert r.exit_code == 2, r.output
    assert r.output.startswith(f"error: {state}: ") and len(r.output.strip().splitlines()) == 1, r.output
    return r.output


def test_forked_box_is_refused(simulated, secrets, tmp_path):
    state = tmp_path / "state.sqlite"
    a = _snapshot(simulated, secrets, tmp_path / "a", 40)
    fp = run_verify(a, until="box", state=state).fingerprint
    eid = json.loads((a / layout.MANIFEST).read_bytes())["election_id"]

    def drop(rows):  # line 20 removed, the rest re-chained and re-signed: consistent in itself
        del rows[19]
        return _rechain(rows, secrets, eid, fp)

    b = _snapshot(simulated, secrets, tmp_path / "b", 60, drop)
    assert run_verify(b, until="box").verified
    before = state.read_bytes()
    assert "the ballot box forked: its first 40 lines" in _refused(b, state, "--until", "box")
    assert state.read_bytes() == before  # never silently reused, never overwritten
    shorter = _snapshot(simulated, secrets, tmp_path / "c", 20)
    assert "lines were removed" in _refused(shorter, state, "--until", "box")


def test_other_record_is_refused(simulated, secrets, tmp_path):
    state = tmp_path / "state.sqlite"
    a = _snapshot(simulated, secrets, tmp_path / "a", 40)
    run_verify(a, until="box", state=state)
    m = json.loads((a / layout.MANIFEST).read_bytes())
    m["title"] += " (another)"
    (a / layout.MANIFEST).write_bytes(canonical.dumps(m) + b"\n")
    assert "made for another election record" in _refused(a, state, "--until", "box")


def test_changed_registry_is_refused(simulated, secrets, tmp_path):
    state = tmp_path / "state.sqlite"
    a = _snapshot(simulated, secrets, tmp_path / "a", 40)
    run_verify(a, until="box", state=state)
    registry = a / layout.REGISTRY
    registry.write_bytes(b"".join(line + b"\n" for line in registry.read_bytes().splitlines()[:-1]))
    assert "registry.jsonl changed since the state was made" in _refused(a, state, "--until", "box")


def test_other_verifier_version_is_refused(simulated, secrets, tmp_path):
    state = tmp_path / "state.sqlite"
    a = _snapshot(simulated, secrets, tmp_path / "a", 40)
    run_verify(a, until="box", state=state)
    with sqlite3.connect(state) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'verifier_code_sha256'", ("0" * 64,))
    assert "made by another verifier" in _refused(a, state, "--until", "box")


@pytest.mark.parametrize("damage", ["not sqlite", "trigger", "meta", "steps", "log", "symlink", "huge"])
def test_hostile_state_is_refused(simulated, secrets, tmp_path, damage):
    state = tmp_path / "state.sqlite"
    a = _snapshot(simulated, secrets, tmp_path / "a", 40)
    run_verify(a, until="box", state=state)
    if damage == "not sqlite":
        state.write_bytes(b"\x80\x04pickle? no: nothing here is unpickled\n")
    elif damage == "huge":  # sparse: its size is refused before a byte of it is read
        os.truncate(state, max_state_bytes(*((a / n).stat().st_size for n in (layout.REGISTRY, layout.BALLOT_BOX)))
                    + 1)
    elif damage == "symlink":
        target = tmp_path / "elsewhere.sqlite"
        state.rename(target)
        state.symlink_to(target)
    else:
        with sqlite3.connect(state) as db:
            if damage == "trigger":
                db.execute("CREATE TRIGGER t AFTER INSERT ON meta BEGIN DELETE FROM steps; END")
            elif damage == "meta":
                db.execute("UPDATE meta SET value = '-1' WHERE key = 'entries'")
            elif damage == "steps":
                db.execute("UPDATE steps SET result = '{\"checked\": \"many\"}' WHERE check_id = 'V3.2'")
            else:
                db.execute("UPDATE ballot_log SET records = substr(records, 1, 64)")
    message = _refused(a, state, "--until", "box")
    if damage == "huge":
        assert "larger than" in message


def test_state_not_with_until_registry(simulated, tmp_path):
    r = cli("verify", simulated[0], "--state", tmp_path / "s", "--until", "registry")
    assert r.exit_code == 2 and "--state" in r.output


# The CLI, run with every SQLite connection traced: at the COMMIT of the update's transaction (the one that wrote
# the aggregates) it creates the marker file and waits, so that the test can kill it there. Test code only: the
# verifier has no hook for it.
PAUSE_AT_UPDATE_COMMIT = """
import sqlite3, sys, time
from pathlib import Path
marker, connect, seen = Path(sys.argv[1]), sqlite3.connect, []
def traced(*args, **kwargs):
    db = connect(*args, **kwargs)
    def trace(sql):
        seen.append(sql.split("(")[0].strip().upper())
        if seen[-1] == "COMMIT" and "DELETE FROM AGGREGATES" in seen:
            marker.write_text("in the transaction")
            time.sleep(60)
    db.set_trace_callback(trace)
    return db
sqlite3.connect = traced
from verifier.cli import main
main(sys.argv[2:])
"""


def test_killed_update_leaves_the_previous_state(simulated, secrets, tmp_path):
    """SIGKILL inside the update's transaction (the test hook waits there): the state is the earlier run's, and
    carrying on from it gives the full run's report."""
    state = tmp_path / "state.sqlite"
    a = _snapshot(simulated, secrets, tmp_path / "a", 40)
    run_verify(a, until="box", state=state)
    b = _snapshot(simulated, secrets, tmp_path / "b", 90)
    marker = tmp_path / "in-transaction"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", PAUSE_AT_UPDATE_COMMIT, str(marker), "verify", str(b), "--until",
                             "box", "--state", str(state), "-q", "--workers", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the run ended before its update"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert Path(f"{state}-journal").exists()  # the transaction was under way
    with sqlite3.connect(state) as db:  # opening rolls the hot journal back
        assert dict(db.execute("SELECT key, value FROM meta"))["entries"] == "40"
    resumed = run_verify(b, until="box", state=state)
    assert _report(resumed) == _report(run_verify(b, until="box"))
    assert _report(run_verify(simulated[0], state=state)) == _report(run_verify(simulated[0]))
