"""Verification during the vote (issue 13): a record published before the tally, verified up to a stage
(`verify --until`), and snapshot heads of the ballot box as it grows (SPEC.md §12)."""
import base64
import hashlib
import json
from pathlib import Path

import pytest
from conftest import cli, failing, run_verify

from verifier.checks.catalog import CHECKS
from verifier.record import canonical, layout
from verifier.record.tracking import tracking_code
from verifier.simulate import faults, publish

LATER = {"setup": layout.ALL_FILES[2:], "registry": layout.ALL_FILES[3:], "box": layout.ALL_FILES[5:]}


def cut_box(record, lines: int, secrets, when: str | None = None, tag: str = layout.SNAPSHOT_TAG) -> None:
    """Make `record`'s box a snapshot: its first `lines` lines and a head for them signed by the simulator's
    collector under `tag` at `when` (default: the last line's receipt time)."""
    box = record / layout.BALLOT_BOX
    kept = box.read_bytes().splitlines()[:lines]
    box.write_bytes(b"".join(line + b"\n" for line in kept))
    manifest = json.loads((record / layout.MANIFEST).read_bytes())
    when = when or json.loads(kept[-1])["receipt"]["received_at"]
    head = {"entries": lines, "head_hash": hashlib.sha256(kept[-1]).hexdigest(), "closed_at": when}
    head = publish.sign_object(secrets.authorities["collector"], tag, manifest["election_id"], head,
                               "collector_signature")
    (record / layout.BALLOT_BOX_HEAD).write_bytes(canonical.dumps(head) + b"\n")


@pytest.mark.parametrize("stage", layout.STAGES)
def test_until_stage_without_later_files(record, stage):
    for name in LATER[stage]:
        (record / name).unlink()
    v = run_verify(record, until=stage)
    assert v.verified, failing(v)
    ran = set(layout.STAGE_PHASES[stage])
    for c in CHECKS:
        step = v.findings.steps[c.id]
        if c.phase in ran:
            assert step.not_run is None or step.optional and "--until" not in step.not_run, c.id
        else:
            assert step.not_run == f"not published yet (--until {stage})" and step.optional, c.id
    assert set(v.inputs) == set(layout.STAGE_FILES[stage])
    assert v.record_digest is None  # not the whole record: no record digest
    words = {"setup": "the setup", "registry": "the registry", "box": "the ballot box"}[stage]
    assert v.verdict_line().startswith(f"VERIFIED (TEST RECORD: small key) up to {words}, except V1.9: ")
    assert f"not run (not published yet (--until {stage})): " in v.verdict_line()
    r = cli("verify", record, "--until", stage, "-q")
    assert r.exit_code == 0, r.output
    assert f"up to {words}" in r.output


def test_without_until_a_missing_file_is_unreadable(record):
    (record / layout.TALLY).unlink()
    r = cli("verify", record, "-q")
    assert r.exit_code == 2 and "error: " in r.output and layout.TALLY in r.output


def test_until_a_file_of_the_stage_is_still_required(record):
    for name in LATER["box"]:
        (record / name).unlink()
    (record / layout.BALLOT_BOX_HEAD).unlink()
    assert cli("verify", record, "--until", "box", "-q").exit_code == 2


def test_until_box_failure_is_not_verified(record):
    for name in LATER["box"]:
        (record / name).unlink()
    lines = (record / layout.BALLOT_BOX).read_bytes().splitlines()
    del lines[3]  # a ballot dropped: the chain breaks (V3.7)
    (record / layout.BALLOT_BOX).write_bytes(b"".join(line + b"\n" for line in lines))
    v = run_verify(record, until="box")
    assert not v.verified and "V3.7" in failing(v)
    assert v.verdict_line().startswith("NOT VERIFIED: ")
    assert cli("verify", record, "--until", "box", "-q").exit_code == 1


def test_snapshot_head_during_the_vote(record, secrets):
    for name in LATER["box"]:
        (record / name).unlink()
    cut_box(record, 40, secrets)  # the snapshot time is before the voting period ends
    v = run_verify(record, until="box")
    assert v.verified, failing(v)
    assert v.counts["ballots in the box"] == 40


def test_snapshot_head_is_not_a_final_head(record, secrets):
    cut_box(record, 40, secrets)
    v = run_verify(record)  # the full verification wants the box closed with the final head
    assert any("a snapshot head" in f.message for f in failing(v)["V3.8"])


def test_final_head_rules_kept_under_until(record, secrets):
    """A head signed under the final tag before the voting period ends is still wrong with --until box."""
    for name in LATER["box"]:
        (record / name).unlink()
    cut_box(record, 40, secrets, tag=layout.HEAD_TAG)
    v = run_verify(record, until="box")
    assert any("before the voting period ends" in f.message for f in failing(v)["V3.8"])


# --- tracking codes and `receipt` (SPEC.md §12.2) ----------------------------------------------------------------

def _box(record) -> list[dict]:
    return [json.loads(line) for line in (record / layout.BALLOT_BOX).read_bytes().splitlines()]


def _code(entry: dict) -> str:
    """The tracking code computed here from SPEC.md's definition, not with the verifier's function."""
    digest = hashlib.sha256(b"tally-verifier/tracking-code/v1\n" + canonical.dumps(entry["envelope"])).digest()
    text = base64.b32encode(digest[:10]).decode()
    return f"{text[:4]}-{text[4:8]}-{text[8:12]}-{text[12:]}"


def _first_with(record, status: str, reason: str | None = None) -> int:
    """The box line (1-based) of the first ballot the (valid) record's authority lists with this decision."""
    decisions = [json.loads(line) for line in (record / layout.BALLOT_DECISIONS).read_bytes().splitlines()]
    return next(i for i, d in enumerate(decisions, 1) if (d["status"], d.get("reason")) == (status, reason))


def test_tracking_code_known_answer():
    """SPEC.md Appendix A.6: the verifier reproduces the vector printed there (tests/kat_vectors.py made it)."""
    spec = (Path(__file__).resolve().parent.parent / "SPEC.md").read_text()
    values = dict(line.split(" = ", 1) for line in spec[spec.index("### A.6"):].splitlines() if " = " in line)
    envelope = values["tracking_envelope"].encode()
    assert tracking_code(envelope) == values["tracking_code"] == _code({"envelope": json.loads(envelope)})


def test_receipt_counted(record):
    line = _first_with(record, "counted")
    entry = _box(record)[line - 1]
    r = cli("receipt", record, _code(entry), "-q")
    assert r.exit_code == 0, r.output
    assert f"counted: at position {line} of the ballot box" in r.output
    assert entry["envelope"]["ballot_id"] in r.output
    # the ballot id, and the code typed in lower case without dashes, find the same ballot
    assert cli("receipt", record, entry["envelope"]["ballot_id"], "-q").output == r.output.replace(
        f"tracking code {_code(entry)}:", f"ballot id {entry['envelope']['ballot_id']}:")
    assert cli("receipt", record, _code(entry).replace("-", "").lower(), "-q").exit_code == 0


def test_receipt_superseded(record):
    line = _first_with(record, "excluded", "superseded")
    box = _box(record)
    voter = box[line - 1]["envelope"]["voter_id"]
    later = max(i for i, e in enumerate(box, 1) if e["envelope"]["voter_id"] == voter)
    assert later > line
    r = cli("receipt", record, _code(box[line - 1]), "-q")
    assert r.exit_code == 0, r.output
    assert f"superseded by the voter's later e-vote at position {later}" in r.output


def test_receipt_cancelled(record):
    line = _first_with(record, "excluded", "cancelled")
    r = cli("receipt", record, _code(_box(record)[line - 1]), "-q")
    assert r.exit_code == 0, r.output
    assert f"at position {line} of the ballot box, cancelled by the voter's paper vote" in r.output


def test_receipt_excluded(simulated, tmp_path):
    out = tmp_path / "tampered"
    injected = faults.inject(simulated[0], out, "proof-value-altered", simulated[1])
    where = next(e for e in injected.expected if e["check"] == "V4.2")
    entry = _box(out)[where["line"] - 1]
    r = cli("receipt", out, _code(entry), "-q")
    assert r.exit_code == 1, r.output  # the record does not verify
    assert f"excluded as invalid: at position {where['line']} of the ballot box; failed: V4.2: " in r.output
    assert r.output.rstrip().splitlines()[-2].startswith("NOT VERIFIED")


def test_receipt_absent(record):
    box = _box(record)
    entry = box[4]
    lines = (record / layout.BALLOT_BOX).read_bytes().splitlines()
    del lines[4]  # the collector dropped it
    (record / layout.BALLOT_BOX).write_bytes(b"".join(line + b"\n" for line in lines))
    r = cli("receipt", record, _code(entry), "-q")
    assert r.exit_code == 1
    assert r.output.startswith(f"NOT IN THE BALLOT BOX: no ballot with tracking code {_code(entry)}")
    assert "take the code" in r.output and "election commission" in r.output


@pytest.mark.parametrize("bad", ["ABCD-EFGH", "not a code", "0" * 31, "ABCD-EFGH-IJKL-MNO1"])
def test_receipt_bad_code_is_a_usage_error(record, bad):
    r = cli("receipt", record, bad)
    assert r.exit_code == 2


def test_receipt_during_the_vote(record, secrets):
    line = _first_with(record, "excluded", "superseded")
    box = _box(record)
    voter = box[line - 1]["envelope"]["voter_id"]
    later = next(i for i, e in enumerate(box, 1) if i > line and e["envelope"]["voter_id"] == voter)
    for name in LATER["box"]:
        (record / name).unlink()
    cut_box(record, later, secrets)  # a snapshot that ends with the voter's re-vote
    r = cli("receipt", record, _code(box[line - 1]), "--until", "box", "-q")
    assert r.exit_code == 0, r.output
    assert f"superseded by the voter's later e-vote at position {later}" in r.output
    assert "up to the ballot box" in r.output
    r = cli("receipt", record, _code(box[later - 1]), "--until", "box", "-q")
    assert r.exit_code == 0, r.output
    assert f"valid so far: at position {later} of the ballot box" in r.output
    assert cli("receipt", record, _code(box[later]), "--until", "box", "-q").exit_code == 1  # not yet in the box


def test_verify_receipts_still_works(record):
    path = record.parent / "held.jsonl"
    path.write_bytes((record / layout.BALLOT_BOX).read_bytes().splitlines()[2] + b"\n")
    v = run_verify(record, receipts=path)
    assert v.verified and v.findings.steps["V3.10"].checked == 1


# --- snapshots and `diff` (SPEC.md §12.3); the snapshot faults live here, not in verifier/simulate/faults.py
# (being rewritten elsewhere): a removed, an altered and a reordered entry, a fork, another election ----------

def _snapshot(simulated, secrets, tmp_path, name: str, lines: int, edit=None, when: str | None = None):
    """A snapshot of the simulated record: its box cut at `lines`, `edit(box lines)` applied before the head is
    signed (so that the collector's head covers the edit: only the comparison with OLD can catch it)."""
    import shutil

    dst = tmp_path / name
    shutil.copytree(simulated[0], dst)
    for n in LATER["box"]:
        (dst / n).unlink()
    if edit is not None:
        box = dst / layout.BALLOT_BOX
        rows = box.read_bytes().splitlines()
        rows = edit(rows)
        box.write_bytes(b"".join(r + b"\n" for r in rows))
    cut_box(dst, lines, secrets, when)
    return dst


def _rechain(rows: list[bytes], secrets, election_id: str, fingerprint: str) -> list[bytes]:
    """Rebuild every receipt's sequence and previous hash, re-signed by the collector: a consistent box."""
    prev = hashlib.sha256(f"{layout.GENESIS_TAG}\n{fingerprint}".encode()).digest()
    out = []
    for i, raw in enumerate(rows, 1):
        e = json.loads(raw)
        r = e["receipt"]
        e["receipt"] = publish.receipt(secrets.authorities["collector"], election_id, i, r["received_at"],
                                       bytes.fromhex(r["envelope_hash"]), prev)
        raw = canonical.dumps(e)
        prev = hashlib.sha256(raw).digest()
        out.append(raw)
    return out


def test_diff_extends(simulated, secrets, tmp_path):
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)
    new = _snapshot(simulated, secrets, tmp_path, "new", 70)
    assert run_verify(new, until="box").verified
    r = cli("diff", old, new)
    assert r.exit_code == 0, r.output
    assert "NEW extends OLD: 40 entries added, every check on them passed" in r.output
    assert cli("diff", old, old).exit_code == 0  # nothing added is no problem
    r = cli("diff", new, old)  # shorter: the lines after 30 were removed
    assert r.exit_code == 1 and "NEW ends after line 30" in r.output


def test_diff_verifies_only_the_new_entries(simulated, secrets, tmp_path):
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)
    new = _snapshot(simulated, secrets, tmp_path, "new", 70)
    from verifier.engine.diff import diff_records
    d = diff_records(old, new)
    assert d.ok and (d.old_entries, d.new_entries, d.added) == (30, 70, 40)
    assert d.verdict.findings.steps["V3.2"].checked == 40  # signatures of the new lines only


def test_diff_bad_new_entry(simulated, secrets, tmp_path):
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)

    def forge(rows):  # line 50's voter signature broken (its receipt and the next link break with it)
        e = json.loads(rows[49])
        sig = e["envelope"]["signature"]
        e["envelope"]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
        rows[49] = canonical.dumps(e)
        return rows

    new = _snapshot(simulated, secrets, tmp_path, "new", 70, forge)
    r = cli("diff", old, new)
    assert r.exit_code == 1
    assert "V3.2 ballot_box.jsonl:50" in r.output and "40 entries added; " in r.output


@pytest.mark.parametrize("kind", ["removed", "altered", "reordered"])
def test_diff_catches_a_rewritten_prefix(simulated, secrets, tmp_path, kind):
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)
    manifest = json.loads((simulated[0] / layout.MANIFEST).read_bytes())
    fp = run_verify(old, until="box").fingerprint

    def rewrite(rows):
        if kind == "removed":
            del rows[9]
        elif kind == "altered":  # line 10 re-received a second later, receipt re-signed
            e = json.loads(rows[9])
            t = e["receipt"]["received_at"]
            e["receipt"]["received_at"] = t[:-3] + f"{(int(t[-3:-1]) + 1) % 60:02d}Z"
            rows[9] = canonical.dumps(e)
        else:
            rows[9], rows[10] = rows[10], rows[9]
        return _rechain(rows, secrets, manifest["election_id"], fp)

    new = _snapshot(simulated, secrets, tmp_path, "new", 70, rewrite)
    r = cli("diff", old, new)
    assert r.exit_code == 1, r.output
    assert "NEW does not extend OLD: first difference at line 10: " in r.output
    if kind == "removed":
        assert "OLD's line 10 is missing from NEW (removed" in r.output
    elif kind == "altered":
        assert "the entry on line 10 was altered" in r.output
    else:
        assert "lines 10 and 11 were reordered" in r.output
    assert "fork" in r.output


def test_diff_fork(simulated, secrets, tmp_path):
    """Two snapshots of the same length that disagree at line 20: each alone verifies, together a fork."""
    manifest = json.loads((simulated[0] / layout.MANIFEST).read_bytes())
    a = _snapshot(simulated, secrets, tmp_path, "a", 40)
    fp = run_verify(a, until="box").fingerprint

    def drop(rows):
        del rows[19]
        return _rechain(rows, secrets, manifest["election_id"], fp)

    b = _snapshot(simulated, secrets, tmp_path, "b", 40, drop)
    assert run_verify(b, until="box").verified  # b alone is a consistent snapshot
    r = cli("diff", a, b)
    assert r.exit_code == 1
    assert "first difference at line 20" in r.output and "fork of the ballot box" in r.output


def test_diff_head_not_the_collectors(simulated, secrets, tmp_path):
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)
    new = _snapshot(simulated, secrets, tmp_path, "new", 70)
    head = json.loads((old / layout.BALLOT_BOX_HEAD).read_bytes())
    head = publish.sign_object(secrets.authorities["commission"], layout.SNAPSHOT_TAG,
                               json.loads((old / layout.MANIFEST).read_bytes())["election_id"], head,
                               "collector_signature")
    (old / layout.BALLOT_BOX_HEAD).write_bytes(canonical.dumps(head) + b"\n")
    r = cli("diff", old, new)
    assert r.exit_code == 1 and "OLD's head is not signed by this election's collector" in r.output


def test_diff_closed_old_box(simulated, secrets, tmp_path):
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)
    cut_box(old, 30, secrets, tag=layout.HEAD_TAG)  # the collector's final head: the box is closed
    new = _snapshot(simulated, secrets, tmp_path, "new", 70)
    r = cli("diff", old, new)
    assert r.exit_code == 1 and "OLD's head is the final head" in r.output


def test_diff_other_election(simulated, secrets, tmp_path):
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)
    new = _snapshot(simulated, secrets, tmp_path, "new", 70)
    m = json.loads((old / layout.MANIFEST).read_bytes())
    m["title"] = m["title"] + " (copy)"
    (old / layout.MANIFEST).write_bytes(canonical.dumps(m) + b"\n")
    r = cli("diff", old, new)
    assert r.exit_code == 1 and "different elections" in r.output


def test_diff_unreadable(simulated, secrets, tmp_path):
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)
    new = _snapshot(simulated, secrets, tmp_path, "new", 70)
    (old / layout.BALLOT_BOX_HEAD).unlink()
    assert cli("diff", old, new).exit_code == 2


def test_diff_closed_box_equal(simulated, secrets, tmp_path):
    """The final record against its own last snapshot: nothing added after the final head is fine."""
    old = _snapshot(simulated, secrets, tmp_path, "old", 30)
    end = json.loads((old / layout.MANIFEST).read_bytes())["voting_period"]["end"]
    cut_box(old, 30, secrets, when=end, tag=layout.HEAD_TAG)  # closed when the voting period ends
    r = cli("diff", old, old)
    assert r.exit_code == 0, r.output


def test_diff_old_last_line_unreadable(simulated, secrets, tmp_path):
    """OLD's last line without a receipt: one error line, exit 2 (the chain cannot carry on from it)."""
    def strip(rows):
        e = json.loads(rows[29])
        del e["receipt"]
        rows[29] = canonical.dumps(e)
        return rows

    old = _snapshot(simulated, secrets, tmp_path, "old", 30, strip, when="2023-01-01T00:00:00Z")
    new = _snapshot(simulated, secrets, tmp_path, "new", 70, strip)
    r = cli("diff", old, new)
    assert r.exit_code == 2 and "the last entry has no readable receipt" in r.output


def test_receipt_holds_the_record_to_the_anchors(record, tmp_path):
    """Without an anchor the record could be another election's: `receipt` takes the fingerprint published before
    the vote and the authorities' keys as `verify` does (V1.9)."""
    code = _code(_box(record)[_first_with(record, "counted") - 1])
    plain = cli("receipt", record, code, "-q")
    assert plain.exit_code == 0 and "except V1.9: not anchored" in plain.output, plain.output
    fingerprint = plain.output.split("election fingerprint ")[1].split()[0]
    anchored = cli("receipt", record, code, "-q", "--expect-fingerprint", fingerprint)
    assert anchored.exit_code == 0 and "V1.9" not in anchored.output, anchored.output
    other = cli("receipt", record, code, "-q", "--expect-fingerprint", "0" * 64)
    assert other.exit_code == 1 and "NOT VERIFIED: 1 failure(s) in V1.9" in other.output, other.output
    keys = json.loads((record / layout.MANIFEST).read_bytes())["authorities"]
    keys["collector"]["public_key"] = keys["commission"]["public_key"]  # not the key the manifest names
    trusted = tmp_path / "keys.json"
    trusted.write_text(json.dumps(keys))
    assert "failure(s) in V1.9" in cli("receipt", record, code, "-q", "--trusted-keys", trusted).output


def test_receipt_with_a_state(record, tmp_path):
    """`receipt --state`: the box lines an earlier run verified are taken from the state, the answer is the same."""
    code = _code(_box(record)[_first_with(record, "counted") - 1])
    state = tmp_path / "box.state"
    first = cli("receipt", record, code, "-q", "--state", state)
    assert first.exit_code == 0 and state.exists(), first.output
    assert cli("receipt", record, code, "-q", "--state", state).output == first.output == \
        cli("receipt", record, code, "-q").output
    assert run_verify(record, state=state).verified  # the state is verify's own


def test_receipt_of_a_box_changed_between_its_two_reads_is_an_error(simulated, tmp_path, monkeypatch):
    """`receipt` reads the box twice: once for the code, once to verify it. A record swapped in between (here
    for one where the collector dropped that ballot and re-chained the box, which verifies) must not get the fate
    of whatever ballot now stands at that position: "counted", exit 0, for a ballot that is gone."""
    import shutil

    from verifier.engine import fate

    dropped = tmp_path / "dropped"
    injected = faults.inject(simulated[0], dropped, "ballot-dropped-rechained", simulated[1])
    line = next(e for e in injected.expected if e["check"] == "V3.10")["line"]
    record = tmp_path / "record"
    shutil.copytree(simulated[0], record)
    code = _code(_box(record)[line - 1])
    scan = fate.find_in_box

    def scan_then_swap(root, kind, value):
        found = scan(root, kind, value)
        for name in layout.ALL_FILES:
            shutil.copyfile(dropped / name, record / name)
        return found

    monkeypatch.setattr(fate, "find_in_box", scan_then_swap)
    r = cli("receipt", record, code, "-q")
    assert r.exit_code == 2 and r.output.startswith(
        f"error: {layout.BALLOT_BOX}:{line}: changed while it was being verified"), r.output
