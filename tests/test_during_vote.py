"""Verification during the vote (issue 13): a record published before the tally, verified up to a stage
(`verify --until`), and snapshot heads of the ballot box as it grows (SPEC.md §11)."""
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
    assert v.verdict_line().startswith(f"VERIFIED (TEST RECORD: small key) up to {words}; ")
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


# --- tracking codes and `receipt` (SPEC.md §11.2) ----------------------------------------------------------------

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
