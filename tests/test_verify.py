"""End to end: simulate then verify gives exit 0; changing any single value gives exit 1 naming check and place."""
import json
import shutil

import pytest
from conftest import cli, edit_document, edit_line, failing, run_verify

from verifier.record import layout
from verifier.record.source import pack
from verifier.report import json_report


def bump_hex(value: str) -> str:
    return value[:-1] + ("0" if value[-1] != "0" else "1")


def places(findings) -> list[dict]:
    return [f.location.as_dict() for f in findings]


def test_simulated_record_verifies(simulated):
    result = cli("verify", simulated[0], "--workers", "1")
    assert result.exit_code == 0, result.output
    # without an anchor or kept receipts two steps have nothing to check, and the verdict says so
    verdict = next(line.removeprefix("Verdict: ") for line in result.output.splitlines()
                   if line.startswith("Verdict: "))
    assert result.output.splitlines()[-2] == verdict  # and again at the end
    assert verdict.startswith("VERIFIED (TEST RECORD: small key), except V1.9: not anchored: ")  # small key: loudly
    assert "; V3.10: without receipts kept by voters" in verdict
    assert "every step passed" not in result.output


def test_simulated_record_verifies_every_step(simulated, tmp_path):
    """Anchored and with kept receipts, no step is left out: every step passed."""
    receipts = tmp_path / "receipts.jsonl"
    receipts.write_bytes(b"".join((simulated[0] / layout.BALLOT_BOX).read_bytes().splitlines(True)[:3]))
    fingerprint = run_verify(simulated[0]).fingerprint
    result = cli("verify", simulated[0], "--workers", "1", "--expect-fingerprint", fingerprint,
                 "--receipts", receipts)
    assert result.exit_code == 0, result.output
    assert "VERIFIED (TEST RECORD: small key): every step passed" in result.output
    assert "not run" not in result.output.lower()


def test_same_seed_same_record(simulated, tmp_path):
    from conftest import SEED, TEST_KEY_BITS, VOTERS

    from verifier.simulate.authority import Options, simulate
    from verifier.simulate.shape import small_shape

    simulate(tmp_path / "again", Options(voters=VOTERS, seed=SEED, key_bits=TEST_KEY_BITS,
                                         shape=small_shape(VOTERS, 10)))
    for name in layout.ALL_FILES:
        assert (tmp_path / "again" / name).read_bytes() == (simulated[0] / name).read_bytes(), name


def test_json_report_matches_text(simulated, tmp_path):
    out = tmp_path / "report.json"
    result = cli("verify", simulated[0], "--workers", "1", "--json", out)
    assert result.exit_code == 0
    doc = json.loads(out.read_text())
    assert (doc["kind"], doc["status"], doc["ok"]) == ("verify", "verified", True)
    assert [i["file"] for i in doc["inputs"]] == list(layout.ALL_FILES)
    report = doc["verify"]
    assert [s["id"] for s in report["steps"]][:3] == ["V1.1", "V1.2", "V1.3"]
    not_run = {s["id"]: s for s in report["steps"] if s["status"] != "passed"}
    assert sorted(not_run) == ["V1.9", "V3.10"]  # nothing given to check them against
    assert all(s["status"] == "not run" and s["optional"] and s["not_run_reason"] and s["checked"] == 0
               for s in not_run.values())
    assert report["anchor"]["status"] == "not anchored"
    assert report["verdict"].startswith("VERIFIED (TEST RECORD: small key), except V1.9: not anchored")
    assert report["verdict"] in result.output and report["record_digest"] in result.output


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_archived_record_verifies(simulated, tmp_path, suffix):
    archive = tmp_path / f"record{suffix}"
    pack(simulated[0], archive)
    result = cli("verify", archive, "--workers", "1")
    assert result.exit_code == 0, result.output


def test_checks_lists_every_step():
    from verifier.checks.catalog import CHECKS

    result = cli("checks")
    assert result.exit_code == 0
    for c in CHECKS:
        assert c.id in result.output and c.name in result.output


def test_missing_file_is_unreadable(record):
    (record / layout.TALLY).unlink()
    result = cli("verify", record, "--workers", "1")
    assert result.exit_code == 2
    assert result.output.strip() == ("error: tally.json: missing from the record, which holds "
                                     + ", ".join(layout.ALL_FILES) + " (SPEC.md §2.8)")


def test_changed_ciphertext(record):
    entry = edit_line(record / layout.BALLOT_BOX, 1, lambda o: o["envelope"]["contests"][0].update(
        ciphertext=bump_hex(o["envelope"]["contests"][0]["ciphertext"])))
    v = run_verify(record)
    assert not v.verified
    env = entry["envelope"]
    proof_failures = places(failing(v)["V4.2"])
    assert {"file": "ballot_box.jsonl", "line": 1, "ballot_id": env["ballot_id"], "voter_id": env["voter_id"],
            "polling_station": proof_failures[0]["polling_station"],
            "contest": env["contests"][0]["contest"]} in proof_failures
    assert places(failing(v)["V3.2"])[0]["ballot_id"] == env["ballot_id"]  # the voter did not sign this


def test_changed_proof_value(record):
    entry = edit_line(record / layout.BALLOT_BOX, 2, lambda o: o["envelope"]["contests"][1]["proof"]["z"].__setitem__(
        0, bump_hex(o["envelope"]["contests"][1]["proof"]["z"][0])))
    v = run_verify(record)
    env = entry["envelope"]
    [f] = failing(v)["V4.2"]
    assert (f.location.line, f.location.ballot_id, f.location.contest) == (2, env["ballot_id"],
                                                                           env["contests"][1]["contest"])


def test_changed_voter_signature(record):
    entry = edit_line(record / layout.BALLOT_BOX, 3,
                      lambda o: o["envelope"].update(signature=bump_hex(o["envelope"]["signature"])))
    v = run_verify(record)
    [f] = failing(v)["V3.2"]
    assert (f.location.line, f.location.voter_id) == (3, entry["envelope"]["voter_id"])


def test_changed_receipt(record):
    edit_line(record / layout.BALLOT_BOX, 4, lambda o: o["receipt"].update(
        received_at=o["receipt"]["received_at"][:-3] + "59Z"))
    v = run_verify(record)
    [f] = failing(v)["V3.6"]
    assert f.location.line == 4 and "collector signature" in f.message
    # the next entry's link to this one breaks too: the chain covers the whole line
    [link] = failing(v)["V3.7"]
    assert link.location.line == 5


def test_changed_registry_line(record):
    edit_line(record / layout.REGISTRY, 7, lambda o: o.update(polling_station="PS-D1-002"
                                                             if o["polling_station"] != "PS-D1-002" else "PS-D1-001"))
    v = run_verify(record)
    [f] = failing(v)["V2.2"]
    assert (f.location.file, f.location.line, f.location.voter_id) == ("registry.jsonl", 7, "V0000007")
    assert "V2.1" in failing(v)  # the registry is no longer the one the manifest commits to


def test_changed_cancellation(record):
    entry = edit_line(record / layout.CANCELLATIONS, 1, lambda o: o.update(
        paper_voted_at=o["paper_voted_at"][:-3] + "01Z"))
    v = run_verify(record)
    found = failing(v)["V5.1"]
    assert {(f.location.line, f.location.voter_id) for f in found} == {(1, entry["voter_id"])}


def test_changed_decrypted_count(record):
    def change(o):
        o["aggregates"][0]["counts"][0]["votes"] += 1

    tally = edit_document(record / layout.TALLY, change)
    v = run_verify(record)
    a = tally["aggregates"][0]
    [f] = failing(v)["V6.4"]
    assert (f.location.contest, f.location.polling_station, f.location.option) == (
        a["contest"], a["polling_station"], a["counts"][0]["option"])
    assert "V6.1" in failing(v)  # and the commission's signature no longer covers the tally


def test_changed_announced_count(record):
    def change(o):
        o["protocols"][0]["contests"][0]["votes"][1]["votes"] += 1

    results = edit_document(record / layout.RESULTS, change)
    v = run_verify(record)
    p = results["protocols"][0]
    [f] = failing(v)["V7.3"]
    assert (f.location.level, f.location.unit, f.location.contest, f.location.option) == (
        "polling_station", p["unit"], p["contests"][0]["contest"], p["contests"][0]["votes"][1]["option"])
    # the district, region and nation are still right: only the altered protocol is named
    assert "V7.4" not in failing(v)


def test_batch_and_individual_reports_agree(record):
    edit_line(record / layout.BALLOT_BOX, 2, lambda o: o["envelope"]["contests"][0]["proof"]["a"].__setitem__(
        1, bump_hex(o["envelope"]["contests"][0]["proof"]["a"][1])))
    batched = json_report.as_dict(run_verify(record, batch=True))
    individual = json_report.as_dict(run_verify(record, batch=False))
    assert batched == individual
    assert not batched["ok"]


def test_report_names_every_failure_not_just_the_first(record):
    for line in (1, 5, 9):
        edit_line(record / layout.BALLOT_BOX, line,
                  lambda o: o["envelope"].update(signature=bump_hex(o["envelope"]["signature"])))
    v = run_verify(record)
    assert sorted(f.location.line for f in failing(v)["V3.2"]) == [1, 5, 9]


def test_record_copy_is_independent(simulated, record):
    shutil.rmtree(record)
    assert (simulated[0] / layout.MANIFEST).exists()
