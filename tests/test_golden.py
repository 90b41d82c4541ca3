"""Golden reports: the exact bytes of the JSON and text reports of the two fixtures, and the SHA-256 of the JSON
report of every fault kind of the matrix, as they were when these files were written. A refactoring of the run
must leave every one of them the same.

Only what legitimately varies from run to run is normalised: the record's and the receipts' paths (temporary
directories), the text report's timing line (wall times, engine name and workers), and the JSON report's verifier
version (a release changes it, not the content). The JSON report holds
neither timings nor the engine.

Regenerate (only after a deliberate change of the reports): GOLDEN_UPDATE=1 pytest tests/test_golden.py -m ''
"""
import hashlib
import json
import os
from pathlib import Path

import pytest
from conftest import RECORD_FIXTURES, run_verify
from test_faults import _inject, _verify_with_receipts

from verifier.report import envelope, json_report, text
from verifier.simulate import faults

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = ["demo-2023", "kz-2023-small"]
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"


def _normalise(report: str, record: Path, tmp: Path | None = None) -> str:
    report = report.replace(str(record), "<record>")
    # the JSON report names the verifier's version: a release changes it, not the report's content
    report = report.replace(f'"verifier_version": "{envelope.verifier_version()}"', '"verifier_version": "<version>"')
    if tmp is not None:
        report = report.replace(str(tmp), "<tmp>")
    # the text report's timing line: wall times and "local ×N" vary; the JSON report has no such line
    return "".join(line for line in report.splitlines(keepends=True) if not line.startswith("time: "))


def _compare(name: str, got: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), name


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_reports_are_unchanged(fixture):
    record = ROOT / "fixtures" / fixture
    verdict = run_verify(record)
    _compare(f"{fixture}.json", _normalise(json_report.render(verdict), record))
    _compare(f"{fixture}.txt", _normalise(text.render(verdict), record))


def _fault_report(simulated, tmp_path, kind: str) -> str:
    fault = faults.BY_KIND[kind]
    out, injected = _inject(simulated, tmp_path, kind)
    verdict = (_verify_with_receipts(out, injected.held_receipts, tmp_path) if fault.receipts else run_verify(out))
    return _normalise(json_report.render(verdict), out, tmp_path)


@pytest.mark.slow
def test_fault_matrix_reports_are_unchanged(request, tmp_path):
    """One verification per kind, each in the simulated record of its Fault.record (about a minute): slow, run
    with -m slow or -m ''."""
    got = {f.kind: hashlib.sha256(_fault_report(request.getfixturevalue(RECORD_FIXTURES[f.record]), tmp_path,
                                                f.kind).encode()).hexdigest()
           for f in faults.FAULTS}
    _compare("faults.json", json.dumps(got, indent=1, sort_keys=True) + "\n")


@pytest.mark.parametrize("kind", ["ghost-ballot", "superseded-counted", "ballot-dropped-rechained"])
def test_some_fault_reports_are_unchanged(simulated, tmp_path, kind):
    """A few kinds of the matrix in the default run: the box, the counting rules, the receipts."""
    if UPDATE:
        pytest.skip("written by test_fault_matrix_reports_are_unchanged")
    want = json.loads((GOLDEN / "faults.json").read_text())[kind]
    assert hashlib.sha256(_fault_report(simulated, tmp_path, kind).encode()).hexdigest() == want
