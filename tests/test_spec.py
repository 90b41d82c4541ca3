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


def test_spec_protocol_check_table_is_the_catalog():
    """§7's table of P-steps is generated from the same catalogue as §4's V-steps."""
    from verifier.checks.catalog import PROTOCOL_CHECKS

    text = SPEC.read_text()
    begin, end = "<!-- protocol-checks:begin -->\n", "\n<!-- protocol-checks:end -->"
    table = text[text.index(begin) + len(begin):text.index(end)]
    assert table == markdown_table("protocols"), "regenerate with: tally-verifier checks --markdown --suite protocols"
    assert [row.split(" | ")[0] for row in table.splitlines()[2:]] == [f"| {c.id}" for c in PROTOCOL_CHECKS]
    assert all(f"## {c.section}. " in text for c in PROTOCOL_CHECKS)
