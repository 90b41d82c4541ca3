"""What a new user meets first (issue 12): read errors that point to the SPEC.md section of the file, `--help` with
an example for every command, `--version`, progress while `simulate` works, and a README that says what to install,
how much memory a national record needs and how to read the report. Fast: committed fixtures and tiny records."""
import io
import re
import shutil
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import cli, edit_line

from verifier.cli import main
from verifier.errors import SPEC_SECTIONS, RecordError, spec_section
from verifier.record import layout, paper_protocols

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo-2023"
SPEC = (ROOT / "SPEC.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ errors name their section

def _headings() -> set[str]:
    """Section numbers SPEC.md has: `## 7. …`, `### 2.4 …`."""
    return {m.group(1) for m in re.finditer(r"^#{2,4} ([0-9]+(?:\.[0-9]+)*)\.? ", SPEC, re.M)}


def test_the_table_covers_every_input_and_names_real_sections():
    record_files = {f: s for f, s in SPEC_SECTIONS.items() if f in layout.ALL_FILES}
    assert set(record_files) == set(layout.ALL_FILES)
    for file, section in record_files.items():  # the section that specifies this file: ### 2.4 `ballot_box.jsonl`
        assert re.search(rf"^### {re.escape(section)} `{re.escape(file)}`$", SPEC, re.M), file
    protocol_files = {paper_protocols.CONTESTS_FILE, paper_protocols.UNITS_FILE,
                      *paper_protocols.LEVEL_FILES.values()}
    assert protocol_files <= set(SPEC_SECTIONS) and {SPEC_SECTIONS[f] for f in protocol_files} == {"7"}
    assert set(SPEC_SECTIONS.values()) <= _headings()


@pytest.mark.parametrize("file, input, section", [
    ("results.json", None, "2.9"),
    ("/tmp/x/ballot_box.jsonl", None, "2.4"),
    ("OLD ballot_box.jsonl", None, "2.4"),  # diff names the snapshot first
    ("election.tar.gz", None, "10.3"),
    ("DIR/units.jsonl", None, "7"),
    ("my-counts.csv", "seat counts", "6"),
    ("keys.json", "trusted keys", "5"),
    ("ballot_box.jsonl", "receipts", "2.4"),  # what the input is wins over its name
    ("notes.txt", None, None),
])
def test_spec_section_of_a_file(file, input, section):
    assert spec_section(file, input) == section
    text = str(RecordError(file, 3, "bad", input))
    assert text.endswith(f" (SPEC.md §{section})") if section else text == f"{file}:3: bad"


def _error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1, result.output
    return result.output.strip()


def test_record_read_errors_end_with_the_section(tmp_path):
    record = tmp_path / "record"
    shutil.copytree(DEMO, record)
    edit_line(record / layout.BALLOT_BOX, 3, lambda o: o.pop("receipt"))
    assert _error_line(cli("verify", record, "-q", "--workers", "1")) == \
        "error: ballot_box.jsonl:3: missing field 'receipt' (SPEC.md §2.4)"
    (record / layout.MANIFEST).write_bytes(b"[]\n")
    assert _error_line(cli("verify", record, "-q")).endswith(" (SPEC.md §2.1)")


def test_user_named_inputs_end_with_their_section(tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text("{}")
    assert _error_line(cli("verify", DEMO, "-q", "--trusted-keys", keys)).endswith(
        "missing field 'collector' (SPEC.md §5)")
    counts = tmp_path / "counts.csv"
    counts.write_text("option,votes\nA,x\n")
    assert _error_line(cli("seats", counts, "--seats", 3)).endswith(" (SPEC.md §6)")
    announced = tmp_path / "manifest.json"  # a record file's name, yet an announcement: §6, not §2.1
    announced.write_text('{"seats": {"A": "1"}}')
    assert _error_line(cli("seats", ROOT / "fixtures/seats/mazhilis-2023-counts.csv", "--seats", 69,
                           "--announced", announced)).endswith(" (SPEC.md §6)")
    assert _error_line(cli("protocols", tmp_path / "none")).endswith(" (SPEC.md §7)")


def test_a_missing_file_lists_what_a_record_holds(tmp_path):
    record = tmp_path / "record"
    shutil.copytree(DEMO, record)
    (record / layout.CANCELLATIONS).unlink()
    line = _error_line(cli("verify", record, "-q"))
    assert line.startswith("error: cancellations.jsonl: missing from the record, which holds ")
    assert all(name in line for name in layout.ALL_FILES)


# ------------------------------------------------------------------------------------------ help and version

@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_help_has_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    at = lines.index("  Example:")
    assert lines[at + 1].strip().startswith(f"tally-verifier {command} "), lines[at + 1]


def test_top_level_help_and_version():
    assert "  Example:" in CliRunner().invoke(main, ["--help"]).output
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip().endswith(f"version {metadata.version('tally-verifier')}")


def test_no_batch_says_how_much_slower():
    help_text = " ".join(CliRunner().invoke(main, ["verify", "--help"]).output.split())
    assert re.search(r"--no-batch [^-]*about 40x slower", help_text)


# ------------------------------------------------------------------------------------------ simulate's progress

class Recorder:
    """An observer with the methods of verifier.engine.progress.Progress, keeping what it is told."""

    def __init__(self):
        self.phases: list[list] = []
        self.closed = False

    def phase(self, description, total, unit="ballots"):
        self.phases.append([description, total, unit, 0])

    def advance(self, units, items):
        self.phases[-1][3] += units

    def close(self):
        self.closed = True


def test_simulate_reports_every_stage_to_its_end(tmp_path):
    from verifier.simulate.authority import Options, simulate
    from verifier.simulate.shape import small_shape

    seen = Recorder()
    simulate(tmp_path / "r", Options(voters=300, seed="progress", key_bits=528, shape=small_shape(300, 5)), seen)
    assert [p[:1] + p[2:3] for p in seen.phases] == [["keys", "keys"], ["registry", "voters"],
                                                      ["ballot box", "ballots"], ["tally", "aggregates"]]
    assert all(done == total for _, total, _, done in seen.phases), seen.phases  # every stage reaches its end
    assert seen.phases[1][1] == 300
    assert seen.phases[2][1] == len((tmp_path / "r" / layout.BALLOT_BOX).read_bytes().splitlines())
    assert seen.closed


def test_simulate_shows_a_bar_on_a_terminal_only(tmp_path, monkeypatch):
    from rich.console import Console

    from verifier.cli import simulate as simulate_command
    from verifier.engine.progress import TerminalProgress

    quiet = cli("simulate", tmp_path / "a", "--voters", 20, "--seed", "s", "--key-bits", 528)
    assert quiet.exit_code == 0 and quiet.output.startswith("wrote ")  # CliRunner is no terminal: no bar
    assert "voters/s" not in quiet.output
    screen = io.StringIO()
    monkeypatch.setattr(simulate_command, "for_terminal",
                        lambda q: TerminalProgress(Console(file=screen, force_terminal=True, width=120)))
    assert cli("simulate", tmp_path / "b", "--voters", 20, "--seed", "s", "--key-bits", 528).exit_code == 0
    shown = screen.getvalue()
    assert "registry" in shown and "voters/s" in shown and "ballot box" in shown and "aggregates" in shown


# ------------------------------------------------------------------------------------------------------ README

def _setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def test_readme_set_up():
    assert "Python ≥ 3.11" in README
    assert len(_setup_commands()) == 2  # install and verify the demo; install and run the tests
    assert re.search(r"requires-python = \">=3\.11\"", (ROOT / "pyproject.toml").read_text())


def test_readme_says_memory_and_how_to_read_the_report():
    assert re.search(r"12 million voters needs about [0-9]+ GB in every worker", " ".join(README.split()))
    assert "## Reading the report" in README
    for words in ("VERIFIED", "not anchored", "ROOT CAUSE", "--json -", "expected", "SPEC.md §N"):
        assert words in README, words
