"""SPEC.md is the contract: its check table is the verifier's check list."""
from pathlib import Path

from verifier.checks.catalog import CHECKS, markdown_table

SPEC = Path(__file__).resolve().parent.parent / "SPEC.md"


def test_spec_check_table_is_the_catalog():
    text = SPEC.read_text()
    begin, end = "<!-- checks:begin -->\n", "\n<!-- checks:end -->"
    table = text[text.index(begin) + len(begin):text.index(end)]
    assert table == markdown_table(), "regenerate with: tally-verifier checks --markdown"


def test_every_check_section_exists_in_spec():
    text = SPEC.read_text()
    for c in CHECKS:
        assert f"### {c.section} " in text, c.id
