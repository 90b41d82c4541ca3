"""The verdict and what it rests on: honest item counts (failed never above checked), the two kinds of "not run",
the anchor (V1.9: --expect-fingerprint, --trusted-keys), the report's header and the record digest."""
import hashlib
import json

import pytest
from conftest import TEST_KEY_BITS, cli, edit_document, edit_line, run_verify

from verifier.checks import findings as findings_module
from verifier.checks.findings import Findings, Location
from verifier.record import layout
from verifier.record.source import pack
from verifier.report import json_report, text

NOT_ANCHORED = "not anchored: compare the fingerprint below with the one the commission published"
HERE = Location(file="x.jsonl", line=1)
THERE = Location(file="x.jsonl", line=2)


def verdict_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(("VERIFIED", "NOT VERIFIED")))


def step_line(output: str, check: str) -> str:
    return next(line for line in output.splitlines() if line.strip().startswith(check + " "))


def authorities(record) -> dict:
    return json.loads((record / layout.MANIFEST).read_bytes())["authorities"]


# --- Findings: items ----------------------------------------------------------------------------------------------

def test_findings_of_one_item_count_as_one_failed_item():
    f = Findings()
    f.checked("V3.5")
    f.fail("V3.5", HERE, "cast outside the period")
    f.fail("V3.5", HERE, "received outside the period")
    step = f.steps["V3.5"]
    assert (step.checked, step.failed, len(step.findings)) == (1, 1, 2)  # every finding kept, one item failed


def test_item_key_groups_findings_at_different_places():
    f = Findings()
    f.checked("V6.4")
    f.fail("V6.4", Location(file="tally.json", option="a"), "published 1, decrypted 2", item="aggregate 0")
    f.fail("V6.4", Location(file="tally.json", option="b"), "published 2, decrypted 1", item="aggregate 0")
    assert (f.steps["V6.4"].failed, len(f.steps["V6.4"].findings)) == (1, 2)


def test_different_items_count_each():
    f = Findings()
    f.checked("V3.5", 2)
    f.fail("V3.5", HERE, "late")
    f.fail("V3.5", THERE, "late")
    f.fail("V3.5", HERE, "late again")  # not consecutive: another item with the same place counts again
    assert f.steps["V3.5"].failed == 3


def test_each_failed_check_is_its_own_item_even_at_one_place():
    f = Findings()
    assert not f.check("V7.2", False, HERE, "second protocol for this unit")
    assert not f.check("V7.2", False, HERE, "third protocol for this unit")
    assert (f.steps["V7.2"].checked, f.steps["V7.2"].failed) == (2, 2)


def test_one_finding_may_stand_for_several_items():
    f = Findings()
    f.checked("V3.10", 5)
    f.fail("V3.10", HERE, "box rewritten; 3 more kept receipts likewise", items=4)
    assert (f.steps["V3.10"].failed, len(f.steps["V3.10"].findings)) == (4, 1)


def test_merge_adds_items_and_keeps_the_kind_of_not_run():
    a, b = Findings(), Findings()
    a.checked("V3.5")
    a.fail("V3.5", HERE, "late")
    b.checked("V3.5")
    b.fail("V3.5", THERE, "late")
    b.fail("V3.5", THERE, "early")
    b.not_run("V3.10", "no receipts", optional=True)
    a.merge(b)
    assert (a.steps["V3.5"].checked, a.steps["V3.5"].failed, len(a.steps["V3.5"].findings)) == (2, 2, 3)
    assert (a.steps["V3.10"].not_run, a.steps["V3.10"].optional) == ("no receipts", True)


def test_findings_beyond_the_kept_limit_are_counted_as_unlisted(monkeypatch):
    monkeypatch.setattr(findings_module, "MAX_KEPT_PER_CHECK", 2)
    f, other = Findings(), Findings()
    for line in range(1, 4):
        f.check("V3.1", False, Location(file="b", line=line), "unregistered")
    other.check("V3.1", False, Location(file="b", line=9), "unregistered")
    f.merge(other)
    step = f.steps["V3.1"]
    assert (step.failed, len(step.findings), step.unlisted) == (4, 2, 2)


# --- Findings: not run and the verdict --------------------------------------------------------------------------

def test_optional_not_run_keeps_the_verdict_and_is_listed():
    f = Findings()
    f.not_run("V3.10", "no receipts", optional=True)
    assert f.verified and f.steps["V3.10"].status == "not run"
    assert [s.check for s in f.not_checked()] == ["V3.10"]


def test_not_run_for_another_reason_fails_the_verdict():
    f = Findings()
    f.not_run("V6.2", "the manifest is inconsistent (V1.5)")
    assert not f.verified and f.not_checked() == []


def test_a_failure_is_not_hidden_behind_not_run():
    f = Findings()
    f.check("V8.1", False, HERE, "seats announced twice")
    f.not_run("V8.1", "the counts did not verify", optional=True)
    assert f.steps["V8.1"].status == "failed" and not f.verified


# --- the verdict of a whole run ------------------------------------------------------------------------------------

def test_record_verifies_and_says_what_was_not_checked(simulated, tmp_path):
    out = tmp_path / "report.json"
    result = cli("verify", simulated[0], "--workers", "1", "--json", out)
    assert result.exit_code == 0, result.output
    assert verdict_line(result.output) == (
        f"VERIFIED (TEST RECORD: small key), except V1.9: {NOT_ANCHORED}; V3.10: without receipts kept by voters "
        f"(verify --receipts), a ballot dropped by a collector who re-chains and re-signs the box cannot be detected")
    assert step_line(result.output, "V1.9").endswith(f"not run ({NOT_ANCHORED})")
    assert "NOT ANCHORED: compare the fingerprint below" in result.output.splitlines()[1]
    fingerprint = run_verify(simulated[0]).fingerprint
    assert result.output.splitlines()[-1] == f"election fingerprint {fingerprint}"  # "below" the verdict too
    doc = json.loads(out.read_text())
    report = doc["verify"]
    v19 = next(s for s in report["steps"] if s["id"] == "V1.9")
    assert (v19["status"], v19["optional"], v19["not_run_reason"]) == ("not run", True, NOT_ANCHORED)
    assert report["verdict"] == verdict_line(result.output) and doc["ok"] is True
    assert report["anchor"]["status"] == "not anchored"


def test_correct_fingerprint_anchors(simulated):
    fingerprint = run_verify(simulated[0]).fingerprint
    result = cli("verify", simulated[0], "--workers", "1", "--expect-fingerprint", fingerprint)
    assert result.exit_code == 0, result.output
    assert "ok  1 checked, 0 failed" in step_line(result.output, "V1.9")
    assert result.output.splitlines()[1] == "anchored: the fingerprint equals the one given"
    assert "V1.9" not in verdict_line(result.output) and "V3.10" in verdict_line(result.output)


def test_wrong_fingerprint_fails_v19_and_everything_else_still_runs(simulated):
    fingerprint = run_verify(simulated[0]).fingerprint
    wrong = fingerprint[:-1] + ("0" if fingerprint[-1] != "0" else "1")
    result = cli("verify", simulated[0], "--workers", "1", "--expect-fingerprint", wrong)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[1].startswith("ANCHOR FAILED")
    assert f"V1.9 manifest.json: the election fingerprint is {fingerprint}, not {wrong} as given" in result.output
    assert verdict_line(result.output).startswith("NOT VERIFIED: 1 failure(s) in V1.9")
    assert "FAILED" not in "".join(step_line(result.output, c) for c in ("V2.2", "V4.2", "V6.3", "V8.1"))


def test_every_fingerprint_given_must_match(simulated):
    fingerprint = run_verify(simulated[0]).fingerprint
    both = run_verify(simulated[0], expect_fingerprints=[fingerprint, fingerprint])
    assert both.verified and both.findings.steps["V1.9"].checked == 2
    one_wrong = run_verify(simulated[0], expect_fingerprints=[fingerprint, "0" * 64])
    step = one_wrong.findings.steps["V1.9"]
    assert not one_wrong.verified and (step.checked, step.failed) == (2, 1)
    assert "0" * 64 in step.findings[0].message


def test_a_record_regenerated_by_someone_else_fails_the_published_fingerprint(simulated, tmp_path):
    """Whoever regenerates a whole record with keys of their own makes every other step pass: only the fingerprint
    published before the vote tells it from the real one."""
    from verifier.simulate.authority import Options, simulate
    from verifier.simulate.shape import small_shape

    published = run_verify(simulated[0]).fingerprint
    other = tmp_path / "other"
    simulate(other, Options(voters=20, seed="someone else", key_bits=TEST_KEY_BITS, shape=small_shape(20, 2)))
    alone = run_verify(other)
    assert alone.verified and alone.fingerprint != published  # consistent in itself
    result = cli("verify", other, "--workers", "1", "--expect-fingerprint", published)
    assert result.exit_code == 1, result.output
    failed = [c for c, s in run_verify(other, expect_fingerprints=[published]).findings.steps.items() if s.failed]
    assert failed == ["V1.9"]
    assert f"not {published} as given (--expect-fingerprint)" in result.output


@pytest.mark.parametrize("value", ["A" * 64, "0" * 63, "0" * 65, "g" * 64, ""])
def test_malformed_fingerprint_is_a_usage_error(simulated, value):
    result = cli("verify", simulated[0], "--workers", "1", "--expect-fingerprint", value)
    assert result.exit_code == 2
    assert "64 lowercase hex digits" in result.output and "VERIFIED" not in result.output


def test_trusted_keys_equal_to_the_manifest_anchor(simulated, tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(authorities(simulated[0]), indent=2))  # formatting is free: an auditor's file
    result = cli("verify", simulated[0], "--workers", "1", "--trusted-keys", keys)
    assert result.exit_code == 0, result.output
    assert "ok  3 checked, 0 failed" in step_line(result.output, "V1.9")
    assert result.output.splitlines()[1] == (f"anchored: the authorities' keys equal those in {keys}; the fingerprint "
                                             f"was not compared")
    assert f"{keys}  sha256 {hashlib.sha256(keys.read_bytes()).hexdigest()}" in result.output


def test_trusted_keys_with_another_key_fail_naming_the_role(simulated, tmp_path):
    trusted = authorities(simulated[0])
    trusted["collector"] = trusted["registrar"]  # a valid key, but not the collector's
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(trusted))
    result = cli("verify", simulated[0], "--workers", "1", "--trusted-keys", keys)
    assert result.exit_code == 1, result.output
    assert "FAILED  3 checked, 1 failed" in step_line(result.output, "V1.9")
    v = run_verify(simulated[0], trusted_keys=keys)
    [finding] = v.findings.steps["V1.9"].findings
    assert finding.message.startswith("the collector's key in the manifest") and str(keys) in finding.message
    assert [c for c, s in v.findings.steps.items() if s.failed] == ["V1.9"]


@pytest.mark.parametrize("content, message", [
    (b"", ":1: empty"),
    (b"{\"registrar\": ", ":1: invalid JSON"),
    (b"[]", ":1: expected an object"),
    (b"{\"registrar\": {}}", "missing field"),
    (b"{\"registrar\":1,\"registrar\":1}", "duplicate key"),
    (None, "unknown field 'extra'"),
    (None, "collector.public_key"),
    (b" " * (65 << 10), "larger than"),
])
def test_malformed_trusted_keys_exit_2_with_one_line(simulated, tmp_path, content, message):
    keys = tmp_path / "keys.json"
    if content is None:
        trusted = authorities(simulated[0])
        if "extra" in message:
            trusted["extra"] = trusted["registrar"]
        else:
            trusted["collector"]["public_key"] = "zz"
        content = json.dumps(trusted).encode()
    keys.write_bytes(content)
    result = cli("verify", simulated[0], "--workers", "1", "--trusted-keys", keys)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {keys}") and message in lines[0], result.output


def test_receipts_given_run_v310(simulated, tmp_path):
    receipts = tmp_path / "receipts.jsonl"
    receipts.write_bytes(b"".join((simulated[0] / layout.BALLOT_BOX).read_bytes().splitlines(True)[:4]))
    v = run_verify(simulated[0], receipts=receipts)
    step = v.findings.steps["V3.10"]
    assert (step.status, step.checked, step.not_run) == ("passed", 4, None)
    assert v.auditor_inputs == {str(receipts): hashlib.sha256(receipts.read_bytes()).hexdigest()}


def test_receipts_that_are_no_evidence_leave_v310_not_run(simulated, tmp_path):
    receipts = tmp_path / "receipts.jsonl"
    receipts.write_bytes((simulated[0] / layout.BALLOT_BOX).read_bytes().splitlines(True)[0])
    edit_line(receipts, 1, lambda o: o["receipt"].update(collector_signature="00" * 64))
    v = run_verify(simulated[0], receipts=receipts)
    step = v.findings.steps["V3.10"]
    assert (step.status, step.checked, step.optional) == ("not run", 0, True)
    assert "none of the 1 kept receipt(s) given" in step.not_run and v.verified


def test_an_empty_receipts_file_leaves_v310_not_run(simulated, tmp_path):
    receipts = tmp_path / "receipts.jsonl"
    receipts.write_bytes(b"")
    v = run_verify(simulated[0], receipts=receipts)
    step = v.findings.steps["V3.10"]
    assert (step.status, step.checked, step.optional) == ("not run", 0, True)
    assert step.not_run.startswith("the receipts file given holds no receipt") and v.verified


def test_station_results_not_run_when_no_tally_verified(record):
    """Nothing compared is "not run", not "ok, 0 checked"."""
    edit_document(record / layout.TALLY, lambda t: [a.update(ballots=a["ballots"] + 1) for a in t["aggregates"]])
    v = run_verify(record)
    step = v.findings.steps["V7.3"]
    assert (step.status, step.checked, step.optional) == ("not run", 0, False)
    assert "did not verify" in step.not_run
    line = v.verdict_line()
    assert line.startswith("NOT VERIFIED: ") and "not run because the " in line and "V7.3" in line


# --- failed counts items, never more than checked ----------------------------------------------------------------

def _tally_counts(record):
    """Every published count of one aggregate off by one: a finding per option, one aggregate."""
    def change(t):
        for c in next(a for a in t["aggregates"] if a["ballots"] > 0)["counts"]:
            c["votes"] += 1
    edit_document(record / layout.TALLY, change)


def _station_figures(record):
    """A station's ballots and one vote wrong: two findings, one protocol's contest."""
    def change(r):
        c = next(p for p in r["protocols"] if p["level"] == "polling_station")["contests"][0]
        c["ballots"] += 1
        c["votes"][0]["votes"] += 1
    edit_document(record / layout.RESULTS, change)


def _seats(record):
    """Seats of two options of one contest wrong: two findings, one allocation."""
    def change(r):
        seats = next(s for s in r["seats"] if len(s["seats"]) > 2)["seats"]
        seats[0]["seats"] += 1
        seats[1]["seats"] += 1
    edit_document(record / layout.RESULTS, change)


def _manifest(record):
    """Two problems in the manifest: two findings, one manifest."""
    edit_document(record / layout.MANIFEST, lambda m: m.update(election_day=m["voting_period"]["start"][:10],
                                                               regions=m["regions"] * 2))


def _voting_period(record):
    """A ballot cast and received before the period: two findings, one box line."""
    edit_line(record / layout.BALLOT_BOX, 2, lambda o: (o["envelope"].update(cast_at="2000-01-01T00:00:00Z"),
                                                        o["receipt"].update(received_at="2000-01-01T00:00:00Z")))


@pytest.mark.parametrize("change, check", [(_tally_counts, "V6.4"), (_station_figures, "V7.3"), (_seats, "V8.1"),
                                           (_manifest, "V1.5"), (_voting_period, "V3.5")])
def test_several_findings_on_one_item_count_once(record, change, check):
    change(record)
    v = run_verify(record)
    step = v.findings.steps[check]
    assert len(step.findings) >= 2 and step.failed == 1, (step.checked, step.failed, step.findings)
    assert {c: (s.checked, s.failed) for c, s in v.findings.steps.items() if s.failed > s.checked} == {}


# --- the header: what exactly was checked ------------------------------------------------------------------------

def test_record_digest_is_the_spec_definition_and_the_same_for_an_archive(simulated, tmp_path):
    h = hashlib.sha256(b"tally-verifier/record-digest/v1\n")
    for name in layout.ALL_FILES:  # SPEC.md §2's table order
        h.update(f"{name} {hashlib.sha256((simulated[0] / name).read_bytes()).hexdigest()}\n".encode())
    v = run_verify(simulated[0])
    assert v.record_digest == h.hexdigest()
    report = text.render(v)
    assert f"record digest {h.hexdigest()}" in report
    for name in layout.ALL_FILES:
        assert f"sha256 {hashlib.sha256((simulated[0] / name).read_bytes()).hexdigest()}" in report
    archive = tmp_path / "record.zip"
    pack(simulated[0], archive)
    assert run_verify(archive).record_digest == h.hexdigest()  # the same bytes, however they travel
    assert json_report.as_dict(v)["verify"]["record_digest"] == h.hexdigest()


def test_record_digest_changes_with_any_byte(record):
    before = run_verify(record).record_digest
    def more_voters(r):
        r["protocols"][0]["voters_voted"] += 1
    edit_document(record / layout.RESULTS, more_voters)
    after = run_verify(record)
    assert after.record_digest != before and not after.verified


def test_record_digest_when_the_manifest_is_inconsistent(record):
    """The run stops after V1.5, but every file is still hashed: the header still names the bytes."""
    edit_document(record / layout.MANIFEST, lambda m: m.update(regions=m["regions"] * 2))
    v = run_verify(record)
    assert v.record_digest is not None and not v.verified
    assert v.findings.steps["V6.2"].not_run and not v.findings.steps["V6.2"].optional
    assert "not run because the manifest is inconsistent (V1.5): V2.1, V2.2" in v.verdict_line()
