"""The fault matrix: every kind of verifier.simulate.faults.FAULTS injected into the simulated record must make
exactly its checks fail, each finding at exactly the place the injector names, and no other check fail."""
import hashlib
import json
import os
import pickle
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import RECORD_FIXTURES, VOTERS, cli, run_verify

from verifier.checks.catalog import BY_ID, CHECKS
from verifier.engine.diff import diff_records
from verifier.engine.local import LocalEngine
from verifier.errors import RecordError
from verifier.record import layout
from verifier.report import json_report
from verifier.simulate import faults, tamper
from verifier.simulate.faults import snapshots

# the kinds the issue names, each with the kind(s) of the matrix that stand for it
ISSUE_KINDS = {
    "ghost ballot from a registered voter who never voted": ["ghost-ballot"],
    "ghost voter added to the registry after the fact": ["ghost-voter", "ghost-voter-votes"],
    "valid ballot dropped from the box": ["ballot-dropped"],
    "ballot dropped, hash chain recomputed and re-signed": ["ballot-dropped-rechained", "box-truncated"],
    "duplicate ballot": ["duplicate-ballot"],
    "receipts reordered so an earlier vote becomes the last": ["revote-reordered", "revote-reordered-retimed"],
    "e-vote counted although the voter voted on paper": ["paper-voter-counted", "tally-includes-excluded"],
    "superseded vote counted": ["superseded-counted"],
    "cancelled list with a voter who never voted on paper": ["fake-cancellation"],
    "ciphertext altered": ["ciphertext-altered"],
    "proof value altered": ["proof-value-altered"],
    "proof copied from another ballot, voter, contest, election": ["proof-other-ballot", "proof-other-voter",
                                                                  "proof-other-contest", "proof-other-election"],
    "ballot encrypting two votes, a negative vote, an option that does not exist": ["two-votes", "negative-vote",
                                                                                    "unknown-option"],
    "ballot for a contest outside the voter's ballot style": ["contest-outside-style"],
    "envelope outside the voting period": ["outside-voting-period"],
    "signature by another voter's key": ["foreign-signature"],
    "one person registered twice": ["double-registration"],
    "key with a small factor": ["key-small-factor"],
    "g other than n + 1": ["key-generator"],
    "ciphertext not a unit, zero, or >= n^2": ["ciphertext-not-unit", "ciphertext-zero", "ciphertext-too-large"],
    "aggregate ciphertext altered": ["aggregate-altered"],
    "decrypted count off by one with a forged proof": ["decryption-off-by-one"],
    "announced count wrong at station, district, region, nation": ["station-count-wrong", "district-count-wrong",
                                                                   "region-count-wrong", "nation-count-wrong"],
    "levels that do not sum": ["district-count-wrong", "wrong-count-carried-up"],
    "turnout wrong": ["turnout-wrong", "voters-voted-wrong"],
    "Ed25519 key of small or mixed order (issue 9)": ["small-order-key", "twin-key", "authority-key-small-order"],
    "snapshot: entry removed, altered, reordered relative to an earlier snapshot; a fork (issue 13)": [
        "snapshot-entry-removed", "snapshot-entry-altered", "snapshot-entries-reordered", "snapshot-fork"],
    "counted list disagrees with the box in either direction": ["counted-ghost", "counted-missing",
                                                                "valid-ballot-excluded"],
    "a wrong decryption share (issue 14)": ["share-wrong"],
    "a share proof moved to another aggregate or trustee (issue 14)": ["share-proof-other-aggregate",
                                                                       "share-proof-other-trustee"],
    "a tampered verification key (issue 14)": ["verification-key-off-polynomial"],
    "fewer than w valid shares (issue 14)": ["shares-below-threshold"],
}


AFTER_SETUP = sorted(c.id for c in CHECKS if c.phase != "setup")


def _findings(verdict) -> list[tuple]:
    return sorted((f.check, tuple(sorted(f.location.as_dict().items()))) for f in verdict.findings.failures())


def _expected(injected) -> list[tuple]:
    return sorted((e["check"], tuple(sorted((k, v) for k, v in e.items() if k != "check"))) for e in injected.expected)


def _verify_with_receipts(record: Path, receipts: list[bytes], tmp: Path):
    """verify RECORD --receipts FILE."""
    path = tmp / faults.HELD_RECEIPTS
    path.write_bytes(b"".join(line + b"\n" for line in receipts))
    return run_verify(record, receipts=path)


def _inject(simulated, tmp_path, kind: str, seed: str = "tamper"):
    out = tmp_path / kind
    injected = faults.inject(simulated[0], out, kind, simulated[1], seed)
    return out, injected


# a trustee's share named in the report's warnings (SPEC §4.6): "V6.3: FILE, polling station S, contest C: trustee i's
# decryption share is not used: …", one line per trustee and reason (several aggregates: "N aggregates (first: …)")
SHARE_NOTE = re.compile(r"(V6\.3): ([^,]+), polling station ([^,]+), contest ([^:]+): trustee (\d+)'s decryption share")


def _noted(verdict) -> list[tuple]:
    """The places of the warnings that name a trustee's share, as `_expected` gives them; a warning about shares in
    another form (several aggregates in one line) fails: each noted fault names one aggregate."""
    out = []
    for line in verdict.warnings:
        if line.startswith("V6.3:"):
            m = SHARE_NOTE.match(line)
            assert m, line
            check, file, station, contest, trustee = m.groups()
            place = {"file": file, "polling_station": station, "contest": contest, "trustee": int(trustee)}
            out.append((check, tuple(sorted(place.items()))))
    return sorted(out)


def _assert_caught(fault, injected, verdict):
    if fault.noted:  # at least w valid shares remain: the record verifies, the warnings name exactly these places
        assert verdict.verified, (fault.kind, injected.description)
        assert _noted(verdict) == _expected(injected) and injected.expected, fault.kind
        assert all(s.failed <= s.checked for s in verdict.findings.steps.values()), fault.kind
        assert sorted(c for c, s in verdict.findings.steps.items() if s.not_run) == ["V1.9", "V3.10"], fault.kind
        return
    assert _noted(verdict) == [], fault.kind  # a failing fault leaves no trustee unused by the way
    failed = sorted(c for c, s in verdict.findings.steps.items() if s.failed)
    assert failed == sorted(fault.checks), (fault.kind, injected.description)
    not_run = {c: s.optional for c, s in verdict.findings.steps.items() if s.not_run}
    if "V1.5" in fault.checks:  # an inconsistent manifest stops every later step (not optional: the verdict fails)
        assert sorted(c for c, optional in not_run.items() if not optional) == AFTER_SETUP, fault.kind
        assert sorted(c for c, optional in not_run.items() if optional) == ["V1.9"], fault.kind
    else:
        # only the steps with no optional input to check against may be left out (V1.9 without the published
        # fingerprint, V3.10 without receipts)
        assert sorted(not_run) == [c for c, given in (("V1.9", fault.anchored), ("V3.10", fault.receipts))
                                   if not given], fault.kind
        assert all(not_run.values()), fault.kind
    assert all(s.failed <= s.checked for s in verdict.findings.steps.values()), fault.kind  # failed counts items
    assert not verdict.verified
    got, want = _findings(verdict), _expected(injected)
    assert got == want, (f"{fault.kind}: unexpected {Counter(got) - Counter(want)}, "
                         f"missing {Counter(want) - Counter(got)}")


def _simulator_version() -> str:
    """A digest of the simulator's sources: a cache made by another version of the simulator is not reused."""
    root = Path(faults.__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


_SIMULATOR_VERSION = _simulator_version()


def _inject_once(request, tmp_path, kind: str):
    """The injected record, kept across test sessions in TALLY_FAULT_CACHE if set: the mutation run (tests/
    MUTATION.md) verifies the same records once per mutant. Sound because the simulator imports nothing from the
    verifier (test_layers), so no mutant of the verifier can change what is injected."""
    cache = os.environ.get("TALLY_FAULT_CACHE")
    fixture = RECORD_FIXTURES[faults.BY_KIND[kind].record]  # the simulated record this kind is injected into
    if not cache:
        return _inject(request.getfixturevalue(fixture), tmp_path, kind)
    kept = Path(cache) / _SIMULATOR_VERSION / f"{VOTERS}-{kind}"
    if not (kept / "injected.pickle").exists():
        out, injected = _inject(request.getfixturevalue(fixture), tmp_path, kind)
        shutil.copytree(out, kept / "record", dirs_exist_ok=True)
        (kept / "injected.pickle").write_bytes(pickle.dumps(injected))
    return kept / "record", pickle.loads((kept / "injected.pickle").read_bytes())


def _assert_caught_between_snapshots(fault, injected, out: Path, tmp: Path):
    """A snapshot fault: OUT and the earlier snapshot each verify alone; `diff EARLIER OUT` fails exactly the
    fault's checks at exactly its places; `verify --state` made on EARLIER refuses OUT as a fork."""
    earlier = tmp / "earlier"
    snapshots.write_earlier_snapshot(out, injected, earlier)
    assert run_verify(out).verified and run_verify(earlier, until="box").verified, fault.kind
    d = diff_records(earlier, out, LocalEngine(1))
    assert not d.ok and not d.problems and d.verdict is not None, (fault.kind, d.problems)
    assert sorted(c for c, s in d.verdict.findings.steps.items() if s.failed) == sorted(fault.checks), fault.kind
    got, want = _findings(d.verdict), _expected(injected)
    assert got == want, (f"{fault.kind}: unexpected {Counter(got) - Counter(want)}, "
                         f"missing {Counter(want) - Counter(got)}")
    state = tmp / "state.sqlite"
    run_verify(earlier, until="box", state=state)
    with pytest.raises(RecordError, match="the ballot box forked: its first"):
        run_verify(out, state=state)


@pytest.mark.parametrize("kind", [f.kind for f in faults.FAULTS])
def test_fault_is_caught_exactly_where_it_is(request, tmp_path, kind):
    fault = faults.BY_KIND[kind]
    out, injected = _inject_once(request, tmp_path, kind)
    if fault.snapshot:
        _assert_caught_between_snapshots(fault, injected, out, tmp_path)
        return
    if fault.receipts or fault.anchored:
        alone = run_verify(out)
        assert alone.verified, "the record alone is consistent: only what voters or the commission kept shows it"
    _assert_caught(fault, injected, _verify(out, fault, injected, tmp_path))


@pytest.mark.parametrize("kind", [f.kind for f in faults.FAULTS if {"V4.1", "V4.2"} & set(f.checks)])
def test_proof_faults_are_caught_alike_without_batching(request, tmp_path, kind):
    """`verify --no-batch` checks each proof on its own: it catches the same faults at the same places, with the
    same words, as the batch test does."""
    fault = faults.BY_KIND[kind]
    out, injected = _inject_once(request, tmp_path, kind)
    alone = run_verify(out, batch=False)
    _assert_caught(fault, injected, alone)
    words = [(f.check, f.location, f.message) for f in alone.findings.failures()]
    assert words == [(f.check, f.location, f.message) for f in run_verify(out).findings.failures()]


def _verify(out: Path, fault, injected, tmp: Path):
    """verify OUT, with the receipts voters kept or the fingerprint published before the vote where the fault needs
    them to show."""
    if fault.receipts:
        return _verify_with_receipts(out, injected.held_receipts, tmp)
    if fault.anchored:
        return run_verify(out, expect_fingerprints=[injected.published_fingerprint])
    return run_verify(out)


@pytest.mark.slow
@pytest.mark.parametrize("seed", ["a", "b", "c"])
def test_matrix_with_other_victims(request, tmp_path, seed):
    """Other seeds hit other ballots, voters, units and trustees: the expectations follow the fault, not the
    victim."""
    for fault in faults.FAULTS:
        simulated = request.getfixturevalue(RECORD_FIXTURES[fault.record])
        out, injected = _inject(simulated, tmp_path / seed, fault.kind, seed)
        if fault.snapshot:
            _assert_caught_between_snapshots(fault, injected, out, tmp_path / seed / f"{fault.kind}-snapshots")
        else:
            _assert_caught(fault, injected, _verify(out, fault, injected, tmp_path))


def test_every_kind_the_issue_names_is_in_the_matrix():
    for what, kinds in ISSUE_KINDS.items():
        for kind in kinds:
            assert kind in faults.BY_KIND, (what, kind)
    assert len(faults.FAULTS) == len(faults.BY_KIND)


def test_matrix_data_is_consistent():
    for f in faults.FAULTS:
        assert f.checks and all(c in BY_ID for c in f.checks), f.kind
        assert set(f.needs) <= set(faults.SECRET_PARTS), f.kind
        assert (len(f.checks) > 1) <= bool(f.why), f"{f.kind}: say why more than one check fails"
        assert f.receipts == (f.checks == ("V3.10",)), f.kind
        assert f.record in faults.RECORDS and f.record in RECORD_FIXTURES, f.kind
        assert not f.noted or (f.record == "threshold" and f.checks == ("V6.3",)), f.kind  # only shares are noted


def test_matrix_is_data_and_every_kind_has_one_injector():
    """matrix.py holds only data (the injector is looked up by kind), and the kinds are those injected."""
    from verifier.simulate.faults import matrix

    fields = {"kind", "actor", "title", "checks", "needs", "why", "receipts", "anchored", "snapshot", "record",
              "noted"}
    for row in matrix.ROWS:
        assert {"kind", "actor", "title", "checks", "needs"} <= row.keys() <= fields, row.get("kind")
        assert all(isinstance(v, (str, tuple, bool)) for v in row.values()), row["kind"]
    kinds = [row["kind"] for row in matrix.ROWS]
    assert len(kinds) == len(set(kinds)) and set(kinds) == set(faults.INJECTORS)
    assert [f.kind for f in faults.FAULTS] == kinds  # §9 lists the kinds in the matrix's order


@pytest.mark.parametrize("record", sorted(RECORD_FIXTURES))
def test_rederiving_an_untouched_record_changes_no_byte(request, tmp_path, record):
    """The forger's chain, list, tally and results are the honest authority's arithmetic: redone on a valid record
    they give back the very same files (so every difference a fault makes is the fault's); a shared key's
    decryption proofs are kept where their statement is unchanged."""
    simulated = request.getfixturevalue(RECORD_FIXTURES[record])
    w = tamper.Forger(simulated[0], simulated[1])
    w.rechain()
    w.recount()
    w.publish(tmp_path / "again")
    for name in layout.ALL_FILES:
        assert (tmp_path / "again" / name).read_bytes() == (simulated[0] / name).read_bytes(), name


def test_injection_is_reproducible(simulated, tmp_path):
    a = faults.inject(simulated[0], tmp_path / "a", "ghost-ballot", simulated[1], "s")
    b = faults.inject(simulated[0], tmp_path / "b", "ghost-ballot", simulated[1], "s")
    assert a.expected == b.expected
    for name in layout.ALL_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_spec_table_lists_every_kind():
    table = faults.spec_table()
    assert table.startswith("## 9. Fault matrix")
    for f in faults.FAULTS:
        assert f"| `{f.kind}` |" in table and ", ".join(f.checks) in table


def test_spec_fault_matrix_is_the_generated_one():
    """Once SPEC.md holds §9, it is exactly `tally-verifier tamper --list --markdown`."""
    spec = (Path(__file__).resolve().parent.parent / "SPEC.md").read_text()
    if "\n## 9. Fault matrix\n" not in spec:
        pytest.skip("SPEC.md has no fault matrix yet")
    section = spec[spec.index("## 9. Fault matrix\n"):]
    end = section.find("\n## ", 1)
    assert section[:end if end >= 0 else None].rstrip("\n") + "\n" == faults.spec_table()


# --- the command -----------------------------------------------------------------------------------------------

@pytest.fixture
def secrets_file(simulated, tmp_path) -> Path:
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps(simulated[1].to_json()))
    return path


def test_tamper_list_names_every_kind_and_its_checks():
    result = cli("tamper", "--list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(faults.FAULTS)
    for f, line in zip(faults.FAULTS, lines, strict=True):
        assert line.startswith(f.kind) and ", ".join(f.checks) in line


def test_tamper_list_markdown_is_the_spec_table():
    result = cli("tamper", "--list", "--markdown")
    assert result.exit_code == 0 and result.output == faults.spec_table()


def test_tamper_then_verify(simulated, secrets_file, tmp_path):
    out = tmp_path / "out"
    result = cli("tamper", simulated[0], out, "--fault", "paper-voter-counted", "--secrets", secrets_file)
    assert result.exit_code == 0, result.output
    assert "expected: V5.4, V6.2, V7.5 fail" in result.output
    verified = cli("verify", out, "--workers", "1")
    assert verified.exit_code == 1
    assert "NOT VERIFIED" in verified.output and "V5.4 tally_ballots.jsonl:" in verified.output


def test_tamper_writes_the_earlier_snapshot_where_only_it_shows_the_fault(simulated, secrets_file, tmp_path):
    out = tmp_path / "out"
    result = cli("tamper", simulated[0], out, "--fault", "snapshot-fork", "--secrets", secrets_file)
    assert result.exit_code == 0, result.output
    assert f"tally-verifier diff {tmp_path / 'out.earlier'} {out}" in result.output
    diffed = cli("diff", tmp_path / "out.earlier", out)
    assert diffed.exit_code == 1 and "V3.7 ballot_box.jsonl:" in diffed.output and "fork" in diffed.output


def test_tamper_writes_the_kept_receipts_where_only_they_show_the_fault(simulated, secrets_file, tmp_path):
    out, receipts = tmp_path / "out", tmp_path / "kept.jsonl"
    result = cli("tamper", simulated[0], out, "--fault", "box-truncated", "--secrets", secrets_file,
                 "--receipts-out", receipts)
    assert result.exit_code == 0, result.output
    assert receipts.read_bytes() == (simulated[0] / layout.BALLOT_BOX).read_bytes()
    assert "V3.10 kept.jsonl:" in result.output
    assert cli("verify", out, "--workers", "1").exit_code == 0  # the record alone is consistent


def test_tamper_says_which_secrets_are_missing(simulated, tmp_path):
    result = cli("tamper", simulated[0], tmp_path / "out", "--fault", "ghost-ballot")
    assert result.exit_code == 2
    assert result.output.startswith("error: ghost-ballot: needs the authorities' signing keys")
    assert "--secrets FILE" in result.output and len(result.output.strip().splitlines()) == 1


def test_tamper_with_secrets_lacking_the_voters_keys(simulated, tmp_path):
    partial = simulated[1].to_json()
    partial["voters"] = {}
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(partial))
    ok = cli("tamper", simulated[0], tmp_path / "a", "--fault", "ghost-ballot", "--secrets", path)
    assert ok.exit_code == 0, ok.output  # the authority needs no voter's key to forge a ghost ballot
    refused = cli("tamper", simulated[0], tmp_path / "b", "--fault", "two-votes", "--secrets", path)
    assert refused.exit_code == 2
    assert "needs the voters' signing keys" in refused.output and "partial.json lacks them" in refused.output


def test_tamper_refuses_secrets_of_another_record(simulated, tmp_path):
    from verifier.simulate.authority import Options, simulate
    from verifier.simulate.shape import small_shape

    other = simulate(tmp_path / "other", Options(voters=10, seed="other", key_bits=528, shape=small_shape(10, 5),
                                                 workers=1))
    path = tmp_path / "other.json"
    path.write_text(json.dumps(other.to_json()))
    result = cli("tamper", simulated[0], tmp_path / "out", "--fault", "seats-wrong", "--secrets", path)
    assert result.exit_code == 2
    assert "is not this record's" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("args,message", [
    (["--fault", "no-such-kind"], "unknown fault kind 'no-such-kind'"),
    ([], "give RECORD, OUT and --fault KIND"),
])
def test_tamper_usage_errors(simulated, secrets_file, tmp_path, args, message):
    result = cli("tamper", simulated[0], tmp_path / "out", "--secrets", secrets_file, *args)
    assert result.exit_code == 2 and message in result.output


def test_tamper_refuses_a_non_empty_out(simulated, secrets_file, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(simulated[0], out)
    result = cli("tamper", simulated[0], out, "--fault", "seats-wrong", "--secrets", secrets_file)
    assert result.exit_code == 2 and "exists and is not an empty directory" in result.output


def test_tamper_refuses_an_unreadable_secrets_file(simulated, tmp_path):
    path = tmp_path / "secrets.json"
    path.write_text('{"paillier": 5}')
    result = cli("tamper", simulated[0], tmp_path / "out", "--fault", "seats-wrong", "--secrets", path)
    assert result.exit_code == 2
    assert result.output.startswith("error: seats-wrong: ") and "not a secrets file" in result.output
    assert "Traceback" not in result.output



def test_twin_key_ballot_passes_libsodium_alone_but_not_the_verifier(simulated, tmp_path):
    """The twin's envelope signature verifies with libsodium's crypto_sign_verify_detached under the registered key
    A + T; the verifier refuses the key, so the signature too (and the ballot's voter is not registered)."""
    import nacl.bindings
    import nacl.exceptions

    from verifier.crypto import signatures
    from verifier.crypto.paillier import PublicKey
    from verifier.record import reader

    out, injected = _inject(simulated, tmp_path, "twin-key")
    twin = json.loads((out / layout.REGISTRY).read_text().splitlines()[-1])
    key = bytes.fromhex(twin["public_key"])
    n = int(json.loads((out / layout.ELECTION_KEY).read_text())["n"], 16)
    eid = json.loads((out / layout.MANIFEST).read_text())["election_id"]
    [(line, raw)] = [(i, raw) for i, raw in enumerate((out / layout.BALLOT_BOX).read_bytes().splitlines(), 1)
                     if json.loads(raw)["envelope"]["voter_id"] == twin["voter_id"]]
    env = reader.read_box_entry(line, raw, PublicKey.from_n(n), eid).envelope
    nacl.bindings.crypto_sign_open(env.signature + env.signed_bytes, key)  # raises if libsodium refuses
    with pytest.raises(nacl.exceptions.BadSignatureError):
        nacl.bindings.crypto_sign_open(env.signature + env.signed_bytes + b"x", key)
    assert not signatures.valid_public_key("ed25519", key)
    assert not signatures.verify("ed25519", key, env.signed_bytes, env.signature)
    assert {"check": "V3.1", "file": layout.BALLOT_BOX, "line": line, "ballot_id": env.ballot_id.hex(),
            "voter_id": twin["voter_id"]} in injected.expected


# --- tamper as a trustee (a shared key: the secrets file holds the trustees' key shares) ---------------------------

def _secrets_file(secrets, tmp_path: Path, edit=None) -> Path:
    value = secrets.to_json()
    if edit:
        edit(value)
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps(value))
    return path


def test_secrets_file_holds_the_trustees_shares_only_for_a_shared_key(simulated, simulated_threshold):
    from verifier.simulate.authority import Secrets

    shared = simulated_threshold[1]
    assert sorted(shared.trustee_shares) == [1, 2, 3, 4, 5]
    assert Secrets.from_json(json.loads(json.dumps(shared.to_json()))).trustee_shares == shared.trustee_shares
    assert "trustees" not in simulated[1].to_json()  # a single holder's secrets file is as it was


def test_tamper_acts_as_a_trustee(simulated_threshold, tmp_path):
    out = tmp_path / "out"
    path = _secrets_file(simulated_threshold[1], tmp_path)
    result = cli("tamper", simulated_threshold[0], out, "--fault", "share-wrong", "--secrets", path)
    assert result.exit_code == 0, result.output
    assert "expected: the record verifies; V6.3 names it among the report's warnings, 1 place(s):" in result.output
    trustee = re.search(r"trustee (\d+) publishes a wrong decryption share", result.output).group(1)
    assert "  V6.3 tally.json, polling station " in result.output and f"trustee {trustee}\n" in result.output
    verified = cli("verify", out, "--workers", "1")
    assert verified.exit_code == 0, verified.output
    assert f"trustee {trustee}'s decryption share is not used: share proof equations do not hold" in verified.output


def test_tamper_as_a_trustee_needs_the_shares_of_this_record(simulated_threshold, tmp_path):
    record = simulated_threshold[0]
    without = _secrets_file(simulated_threshold[1], tmp_path, lambda v: v.pop("trustees"))
    refused = cli("tamper", record, tmp_path / "a", "--fault", "share-wrong", "--secrets", without)
    assert refused.exit_code == 2 and "needs the trustees' key shares s_i" in refused.output

    def off_by_one(value):
        value["trustees"]["2"] = f"{int(value['trustees']['2'], 16) + 1:x}"
    wrong = _secrets_file(simulated_threshold[1], tmp_path, off_by_one)
    refused = cli("tamper", record, tmp_path / "b", "--fault", "share-wrong", "--secrets", wrong)
    assert refused.exit_code == 2 and "trustee shares are not this record's shared key" in refused.output
    assert len(refused.output.strip().splitlines()) == 1


def test_shared_key_faults_refuse_an_unshared_record(simulated, tmp_path):
    with pytest.raises(faults.FaultError, match="not shared among trustees"):
        faults.inject(simulated[0], tmp_path / "out", "share-proof-other-trustee", simulated[1])


# a fault per check that compares a recomputed value with the one the record holds or announces
COMPARED = {"record-replaced": "V1.9", "ghost-voter": "V2.1", "ballot-dropped": "V3.7", "head-entries-wrong": "V3.8",
            "head-hash-wrong": "V3.8", "aggregate-altered": "V6.2", "tally-counts-wrong": "V6.4",
            "tally-other-election": "V6.1", "results-other-election": "V7.1", "turnout-wrong": "V7.5",
            "seats-wrong": "V8.1", "superseded-counted": "V5.3", "valid-ballot-excluded": "V5.5"}


@pytest.mark.parametrize("kind", list(COMPARED))
def test_compared_values_are_fields_of_the_json_report(request, tmp_path, kind):
    """Every check that compares a count, a hash, a fingerprint, turnout or seats gives the JSON report the value
    it expected and the one it found as fields, apart from its words (the text report is unchanged: test_golden)."""
    check = COMPARED[kind]
    fault = faults.BY_KIND[kind]
    out, injected = _inject_once(request, tmp_path, kind)
    verdict = _verify(out, fault, injected, tmp_path)
    compared = [f for f in json_report.as_dict(verdict)["findings"] if f["code"] == check and "expected" in f]
    assert compared, kind
    assert all(f["expected"] is not None and f["found"] is not None and f["expected"] != f["found"]
               for f in compared), compared
