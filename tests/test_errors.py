"""Errors: the right line, on one line, before any verdict (issue 10 §4).

* the first unreadable line in file order is the error, whatever the engine and the number of workers;
* an output path that cannot be written is an error before the run, and a failure while writing the report (a full
  disk) names the file and comes before the verdict, never after it;
* every path or name quoted in an error is escaped like record text: a newline cannot split the error line, a
  terminal escape cannot reach the terminal.

The record is the committed demo fixture (copied per test): no simulation needed."""
import errno
import os
import shutil
from pathlib import Path

import pytest
from conftest import cli

from verifier.engine import ordered
from verifier.record import layout
from verifier.report import output

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "demo-2023"


@pytest.fixture
def demo(tmp_path) -> Path:
    dst = tmp_path / "record"
    shutil.copytree(FIXTURE, dst)
    return dst


def one_error_line(result, starts: str, status: int = 2) -> str:
    """Exit `status` (2: unreadable input; 3: an internal error), one line `error: …` starting with `starts`, no
    verdict, no traceback."""
    out = result.output
    assert result.exit_code == status, out
    assert out.count("\n") == 1 and out.endswith("\n"), repr(out)  # so no verdict line either
    assert "Traceback" not in out and "\x1b" not in out, repr(out)
    assert out.startswith(f"error: {starts}"), repr(out)
    return out.strip()


# ---------------------------------------------------------------------------- the first error in file order

@pytest.mark.parametrize("workers", ["1", "2"])
def test_registry_of_empty_lines_reports_line_1(demo, workers):
    # 1,000 lines: registry jobs of 128 lines, more than two workers keep in flight (before: line 129)
    (demo / layout.REGISTRY).write_bytes(b"\n" * 1000)
    one_error_line(cli("verify", demo, "--workers", workers, "-q"), f"{layout.REGISTRY}:1: empty")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_box_of_empty_objects_reports_line_1(demo, workers):
    # 20,000 short lines: many chunks in flight at once with two workers (before: line 1251)
    (demo / layout.BALLOT_BOX).write_bytes(b"{}\n" * 20_000)
    one_error_line(cli("verify", demo, "--workers", workers, "-q"),
                   f"{layout.BALLOT_BOX}:1: missing field 'envelope'")


def test_box_of_empty_objects_on_a_dask_cluster_reports_line_1(demo):
    distributed = pytest.importorskip("distributed")
    from verifier.engine.dask import DaskEngine
    from verifier.engine.run import verify_record
    from verifier.errors import RecordError

    (demo / layout.BALLOT_BOX).write_bytes(b"{}\n" * 2_000)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with pytest.raises(RecordError) as caught:
            verify_record(demo, DaskEngine(cluster.scheduler_address), chunk=50)
    assert str(caught.value).startswith(f"{layout.BALLOT_BOX}:1: missing field 'envelope'")


class _Job:
    """A future-like job: its result, or the error its chunk raises."""

    def __init__(self, n: int, fails: bool):
        self.n, self.fails, self.cancelled = n, fails, False

    def result(self):
        if self.fails:
            raise ValueError(f"job {self.n}")
        return self.n


def _jobs(failing: set[int], count: int, reader_fails_at: int | None, made: list):
    for n in range(count):
        if n == reader_fails_at:
            raise ValueError(f"reader at job {n}")
        job = _Job(n, n in failing)
        made.append(job)
        yield job


@pytest.mark.parametrize("failing, reader_fails_at, expected", [
    ({2, 3, 5}, None, "job 2"),  # later jobs fail too: the earliest one is the error (before: job 5)
    ({1}, 4, "job 1"),  # a job in flight fails before the reader's error further down
    (set(), 4, "reader at job 4"),  # the jobs in flight are fine: the reader's error is the first
    ({6}, 4, "reader at job 4"),
])
def test_in_order_raises_the_first_error_in_file_order(failing, reader_fails_at, expected):
    made: list = []
    seen: list = []

    def cancel(job):
        job.cancelled = True

    with pytest.raises(ValueError, match=expected):
        for n in ordered.in_order(_jobs(failing, 8, reader_fails_at, made), lambda job: job, _Job.result, 4, cancel):
            seen.append(n)
    first_bad = min([*failing, reader_fails_at or 8])
    assert seen == list(range(first_bad))
    assert all(job.cancelled for job in made if job.n > first_bad)  # the jobs after the error are not awaited


# --------------------------------------------------------------------------------------- output paths

def test_output_in_a_missing_directory_is_an_error_before_the_run(demo, tmp_path, monkeypatch):
    from verifier.cli import verify as verify_command

    ran = []
    monkeypatch.setattr(verify_command, "verify_record", lambda *a, **k: ran.append(1))
    target = tmp_path / "no such folder" / "report.json"
    one_error_line(cli("verify", demo, "--json", target), f"{target}: No such file or directory")
    assert not ran  # refused before any work


@pytest.mark.parametrize("which", ["directory", "device"])
def test_output_that_is_not_a_regular_file_is_refused(demo, tmp_path, which):
    target = tmp_path if which == "directory" else Path("/dev/full")  # /dev/full: every write fails, disk full
    if not target.exists():
        pytest.skip("no /dev/full here")
    result = cli("verify", demo, "--workers", "1", "-q", "--json", target)
    line = one_error_line(result, "")
    assert str(target) in line


def test_output_of_an_existing_unwritable_file_is_refused(demo, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    target.chmod(0o444)
    if os.access(target, os.W_OK):
        pytest.skip("running as root: every file is writable")
    one_error_line(cli("verify", demo, "--workers", "1", "-q", "--json", target), f"{target}: Permission denied")


def test_a_full_disk_while_writing_names_the_file_and_prints_no_verdict(demo, tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("the previous report")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "fsync", full)
    one_error_line(cli("verify", demo, "--workers", "1", "-q", "--json", target),
                   f"{target}: {os.strerror(errno.ENOSPC)}")
    assert target.read_text() == "the previous report"  # not half overwritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record", "report.json"]  # no temporary file left


def test_report_is_written_whole_and_then_the_verdict(demo, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("the previous report")
    result = cli("verify", demo, "--workers", "1", "-q", "--json", target)
    assert result.exit_code == 0, result.output
    # the verdict, then the fingerprint on the last line to compare with the published one (SPEC.md §5)
    assert result.output.rstrip().splitlines()[-2].startswith("VERIFIED")
    assert result.output.rstrip().splitlines()[-1].startswith("election fingerprint ")
    assert target.read_text().startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record", "report.json"]


def test_output_file_keeps_the_usual_permissions(tmp_path):
    out = output.OutputFile(tmp_path / "r.json")
    out.write("{}")
    out.commit()
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o666 & ~mask


# ------------------------------------------------------------------------------------ names are escaped

HOSTILE_NAME = "a\nVERIFIED: every step passed\x1b[2J"


def test_json_path_with_a_newline_and_an_escape_stays_one_line(demo, tmp_path):
    target = tmp_path / HOSTILE_NAME / "r.json"  # in a folder that does not exist
    line = one_error_line(cli("verify", demo, "--workers", "1", "-q", "--json", target), "")
    assert "a\\nVERIFIED: every step passed\\x1b[2J" in line


def test_record_path_with_a_newline_and_an_escape_stays_one_line(tmp_path):
    line = one_error_line(cli("verify", tmp_path / HOSTILE_NAME), "")
    assert "a\\nVERIFIED: every step passed\\x1b[2J" in line


@pytest.mark.parametrize("error", [
    OSError(errno.EIO, "Input/output error", HOSTILE_NAME),
    OSError(errno.EIO, "Input/output\nerror"),
    RuntimeError(HOSTILE_NAME),  # a bug: the internal-error line quotes it, escaped
])
def test_every_error_message_is_escaped(demo, monkeypatch, error):
    from verifier.cli import verify as verify_command

    def fails(*args, **kwargs):
        raise error

    monkeypatch.setattr(verify_command, "verify_record", fails)
    line = one_error_line(cli("verify", demo), "", 3 if isinstance(error, RuntimeError) else 2)
    assert "\\n" in line


# ----------------------------------------------------------------- the other commands' output files

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize("command", [
    ["protocols", FIXTURES / "protocols" / "example"],
    ["seats", FIXTURES / "seats" / "mazhilis-2023-counts.csv", "--seats", "98"],
])
def test_other_commands_refuse_an_unusable_output_before_any_verdict(command, tmp_path):
    target = tmp_path / "no such folder" / "r.json"
    one_error_line(cli(*command, "--json", target), f"{target}: No such file or directory")
    good = tmp_path / "r.json"
    result = cli(*command, "--json", good)
    assert result.exit_code in (0, 1), result.output
    assert good.read_text().startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # no temporary file left
