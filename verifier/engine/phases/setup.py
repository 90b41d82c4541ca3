"""Before any phase, the record's files; then setup (V1.x): manifest, election key, authorities, anchor."""
from pathlib import Path
from typing import NamedTuple

from verifier.checks.catalog import CHECKS
from verifier.checks.findings import StepResult
from verifier.checks.setup import check_anchor, check_authority_keys, check_key, check_manifest
from verifier.checks.verdict import Verdict
from verifier.crypto.paillier import PublicKey
from verifier.crypto.threshold import ThresholdKey
from verifier.engine.phases.base import Engine, Run
from verifier.record import layout, reader
from verifier.record.model import AuthorityKey, Manifest

# hashed as they are read and checked (each is read to its end), not before
STREAMED = (layout.REGISTRY, layout.CANCELLATIONS, layout.BALLOT_BOX, layout.BALLOT_DECISIONS)


class Setup(NamedTuple):
    manifest: Manifest
    key: PublicKey
    fingerprint: bytes  # the election fingerprint (SPEC §3.5)
    threshold: ThresholdKey | None = None  # the shared key's public data, when the key is shared (V1.10)
    key_warnings: tuple[str, ...] = ()  # what check_key said for the report (`verify --state` keeps it)


def read_auditor_inputs(verdict: Verdict, receipts, trusted_keys) -> dict[str, AuthorityKey] | None:
    """The auditor's own files, read before the record: a malformed one is an error before any work. Returns the
    trusted keys (`verify --trusted-keys`), if given."""
    trusted = None
    if trusted_keys is not None:
        trusted, verdict.auditor_inputs[str(trusted_keys)] = reader.read_trusted_keys(Path(trusted_keys))
        verdict.trusted_keys = str(trusted_keys)
    if receipts is not None:
        verdict.auditor_inputs[str(receipts)] = reader.file_digest(Path(receipts))[0].hex()
    return trusted


def check_files(run: Run) -> None:
    """Every file is there and every document within its size limit (by its size on disk, before a byte of it is
    hashed or read); the documents' SHA-256 (the streamed files are hashed as they are read)."""
    root, files = run.root, layout.files_until(run.options.until)  # --until: later stages' files may be absent
    for name in files:
        reader.open_file(root, name).close()  # raises: a record with a missing file is unreadable
    for name in (n for n in files if n in reader.DOCUMENT_LIMITS):
        reader.check_size(root, name)
    for name in files:
        if name not in STREAMED:
            run.verdict.inputs[name] = reader.file_digest(root / name)[0].hex()


def setup_phase(run: Run, engine: Engine, trusted: dict[str, AuthorityKey] | None,
                known_key: tuple[dict[str, StepResult], list[str]] | None = None) -> Setup | None:
    """V1.x. None when the manifest is inconsistent (V1.5): then no other phase can run, every other step is
    marked not run, and the streamed files are only hashed, for the report. `known_key`: the key's steps and
    warnings as an earlier run found them for the same manifest and key (`verify --state`), not computed again."""
    v, f, root = run.verdict, run.findings, run.root
    manifest, manifest_bytes = reader.read_manifest(root, v.inputs[layout.MANIFEST])
    election_key, key_bytes = reader.read_election_key(root, v.inputs[layout.ELECTION_KEY])
    fp = reader.fingerprint(manifest_bytes, key_bytes)
    v.election_id, v.fingerprint, v.test_record = manifest.election_id, fp.hex(), manifest.test_record
    check_anchor(manifest, fp.hex(), v.expected_fingerprints, trusted, v.trusted_keys, f)
    if known_key is None:
        key_warnings = check_key(manifest, election_key, f)
    else:
        f.steps.update(known_key[0])
        key_warnings = known_key[1]
    v.warnings += key_warnings
    key = PublicKey.from_n(election_key.n)
    check_authority_keys(manifest, f)
    if not check_manifest(manifest, key.n, f):
        for c in CHECKS:
            if c.phase != "setup":
                f.not_run(c.id, "the manifest is inconsistent (V1.5)")
        for name in (n for n in STREAMED if n in layout.files_until(run.options.until)):
            v.inputs[name] = reader.file_digest(root / name)[0].hex()
        return None
    shared = election_key.threshold
    threshold = None if shared is None else ThresholdKey(shared.trustees, shared.threshold, shared.v,
                                                         shared.verification_keys)
    return Setup(manifest, key, fp, threshold, tuple(key_warnings))
