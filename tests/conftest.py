"""Shared fixtures: one small simulated record per test session (640-bit test key), copied per test to tamper."""
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from verifier.checks.context import ElectionContext, make_context
from verifier.checks.findings import Findings
from verifier.checks.registry import check_registry
from verifier.cli import main
from verifier.crypto.paillier import PublicKey
from verifier.engine.local import LocalEngine
from verifier.engine.run import verify_record
from verifier.record import canonical, reader
from verifier.simulate.authority import Options, Secrets, simulate
from verifier.simulate.shape import small_shape

TEST_KEY_BITS = 640
VOTERS = int(os.environ.get("TALLY_TEST_VOTERS", "150"))  # fewer for the mutation run (tests/MUTATION.md)
SEED = "tests-1"


@pytest.fixture(scope="session")
def simulated(tmp_path_factory) -> tuple[Path, Secrets]:
    """A valid record and the secrets of its authority and voters. Do not modify: copy it (see `record`)."""
    out = tmp_path_factory.mktemp("simulated") / "record"
    secrets = simulate(out, Options(voters=VOTERS, seed=SEED, key_bits=TEST_KEY_BITS, shape=small_shape(VOTERS, 10)))
    return out, secrets


@pytest.fixture(scope="session")
def simulated_threshold(tmp_path_factory) -> tuple[Path, Secrets]:
    """A valid record whose key is shared 3 of 5 (SPEC §3.9) and its secrets, the trustees' key shares among them:
    small (24 voters) to stay fast. Do not modify: copy it."""
    out = tmp_path_factory.mktemp("simulated-threshold") / "record"
    secrets = simulate(out, Options(voters=24, seed="tests-threshold", key_bits=TEST_KEY_BITS,
                                    shape=small_shape(24, 10), trustees=5, threshold=3, workers=1))
    return out, secrets


# Fault.record → the session fixture holding that simulated record (tests/test_faults.py)
RECORD_FIXTURES = {"standard": "simulated", "threshold": "simulated_threshold"}


@pytest.fixture
def record(simulated, tmp_path) -> Path:
    """A fresh copy of the valid record, free to modify."""
    dst = tmp_path / "record"
    shutil.copytree(simulated[0], dst)
    return dst


@pytest.fixture
def secrets(simulated) -> Secrets:
    return simulated[1]


def run_verify(path, **kwargs):
    """The verdict of an in-process verification (one worker)."""
    return verify_record(path, LocalEngine(1), **kwargs)


def election_context(root: Path) -> ElectionContext:
    """The election context of a record, as the run builds it for its workers."""
    manifest, manifest_bytes = reader.read_manifest(root)
    election_key, key_bytes = reader.read_election_key(root)
    voters = check_registry(manifest, reader.iter_registry(root, manifest.election_id), b"", Findings())
    return make_context(manifest, PublicKey.from_n(election_key.n), reader.fingerprint(manifest_bytes, key_bytes),
                        voters)


def announced_and_verified(root: Path):
    """(context, announced results, the tally's aggregates as verified (contest, station) → (ballots, counts), the
    voters who voted per station as announced): what the results' and seats' rules are checked against."""
    ctx = election_context(root)
    tally = reader.read_tally(root, ctx.key, ctx.manifest.election_id)
    verified = {(a.contest, a.polling_station): (a.ballots, tuple(n for _, n in a.counts)) for a in tally.aggregates}
    results = reader.read_results(root, ctx.manifest.election_id)
    voted = Counter({p.unit: p.voters_voted for p in results.protocols if p.level == "polling_station"})
    return ctx, results, verified, voted


def failing(verdict) -> dict[str, list]:
    """check id → its findings, for the steps that failed."""
    return {cid: s.findings for cid, s in verdict.findings.steps.items() if s.failed}


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def edit_line(path: Path, line: int, change) -> dict:
    """Apply change(obj) to one JSON Lines entry, keeping the file canonical. Returns the changed object."""
    lines = path.read_bytes().splitlines()
    obj = json.loads(lines[line - 1])
    change(obj)
    lines[line - 1] = canonical.dumps(obj)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return obj


def edit_document(path: Path, change) -> dict:
    """Apply change(obj) to a JSON document, keeping it canonical. Returns the changed object."""
    obj = json.loads(path.read_bytes())
    change(obj)
    path.write_bytes(canonical.dumps(obj) + b"\n")
    return obj
