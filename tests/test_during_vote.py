"""Verification during the vote (issue 13): a record published before the tally, verified up to a stage
(`verify --until`), and snapshot heads of the ballot box as it grows (SPEC.md §11)."""
import hashlib
import json

import pytest
from conftest import cli, failing, run_verify

from verifier.checks.catalog import CHECKS
from verifier.record import canonical, layout
from verifier.simulate import publish

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
