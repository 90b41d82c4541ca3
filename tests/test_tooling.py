"""The tools and the packaging: ruff and mypy are clean (configured in pyproject.toml), and Dask is an optional
extra that only `verify --scheduler` needs.

ruff and mypy run with this interpreter (`sys.executable -m`), so the virtual environment's versions are used. mypy
keeps its cache in .mypy_cache: the first run takes up to a minute, later ones a few seconds.
"""
import importlib.util
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# ruff: `path:line:col: CODE message`; mypy: `path:line: error: message  [code]` (its notes are not findings)
FINDING = re.compile(r"^(?P<path>[\w./-]+\.py):\d+:(\d+:)? (?!note:)")


def _run(tool: str, *args: str) -> tuple[int, str]:
    if importlib.util.find_spec(tool) is None:
        pytest.fail(f"{tool} is not installed: pip install -e '.[test]'")
    result = subprocess.run([sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    return result.returncode, result.stdout + result.stderr


def _judge(tool: str, status: int, output: str) -> None:
    findings = [line for line in output.splitlines() if FINDING.match(line)]
    assert status in (0, 1), f"{tool} did not run (exit {status}):\n{output}"
    assert status == 0 or findings, f"{tool} failed without a finding:\n{output}"
    assert not findings, (f"{tool}: {len(findings)} finding(s):\n" + "\n".join(findings)
                          + f"\n\n{tool}'s whole output:\n{output}")


def test_ruff_is_clean():
    status, output = _run("ruff", "check", "--output-format", "concise", "verifier", "tests", "benchmarks")
    _judge("ruff", status, output)


def test_mypy_is_clean():
    status, output = _run("mypy")  # the files and the per-package strictness: pyproject.toml [tool.mypy]
    _judge("mypy", status, output)


# Dask is imported (once) as `dask` and `distributed`: None in sys.modules makes either import fail as if the
# package were not installed
WITHOUT_DASK = ("import sys\n"
                "sys.modules['dask'] = sys.modules['distributed'] = None\n"
                "from verifier.cli import main\n"
                "main(sys.argv[1:], prog_name='tally-verifier')\n")


def _cli_without_dask(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_DASK, *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_scheduler_without_dask_is_one_line_and_exit_2(simulated):
    result = _cli_without_dask("verify", simulated[0], "--scheduler", "tcp://127.0.0.1:8786")
    assert result.returncode == 2, result
    assert result.stderr == "error: --scheduler needs the Dask extra: pip install 'tally-verifier[cluster]'\n"
    assert result.stdout == ""


def test_verifying_locally_needs_no_dask(simulated):
    result = _cli_without_dask("verify", simulated[0], "--workers", "1", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED" in result.stdout


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("address, message", [
    ("tcp://127.0.0.1:{port}", "error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port} within 5 s: "),
    ("no-port", "error: 'no-port' is not a Dask scheduler address: "),
])
def test_unreachable_scheduler_fails_within_seconds(simulated, address, message):
    pytest.importorskip("distributed")
    port = _closed_port()
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "verifier", "verify", str(simulated[0]), "--scheduler",
                             address.format(port=port)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - start
    assert result.returncode == 2, result
    assert result.stderr.startswith(message.format(port=port)) and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""
    assert took < 30, f"{took:.1f} s"


def test_per_ballot_objects_have_slots_and_pickle(simulated):
    """The objects made per line have slots (no per-object dict) and still cross to worker processes."""
    import pickle

    from verifier.crypto.batch import ProofItem
    from verifier.crypto.membership import Statement
    from verifier.crypto.paillier import PublicKey
    from verifier.record import layout, reader

    root = simulated[0]
    eid = reader.read_manifest(root)[0].election_id
    key = PublicKey.from_n(reader.read_election_key(root)[0].n)
    line, raw = next(reader.iter_file_lines(root, layout.BALLOT_BOX))
    entry = reader.read_box_entry(line, raw, key, eid)
    ballot = entry.envelope.contests[0]
    objects = [next(reader.iter_registry(root, eid)), next(reader.iter_cancellations(root, eid)),
               next(reader.iter_decisions(root)), entry, entry.envelope, entry.receipt, ballot, ballot.proof,
               Statement(b"f" * 32, "c", (1, 2), b"v" * 32, b"b" * 16, 5),
               ProofItem(ballot.ciphertext, (1, 2), ballot.proof.a[:2], ballot.proof.e[:2], ballot.proof.z[:2])]
    for o in objects:
        assert not hasattr(o, "__dict__"), type(o)
        assert pickle.loads(pickle.dumps(o)) == o
