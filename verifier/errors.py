"""The one error type for input that cannot be read: names the file and line, and the SPEC.md section that says
how that input is written (from SPEC_SECTIONS, the one table of them)."""
from collections.abc import Iterator
from contextlib import contextmanager

# The SPEC.md section of each input, for a read error to point to. By the name of a record file (§2) or of a paper
# protocols file (§7); by the suffix of a record archive (§10.3); and, for the inputs whose names are the user's
# choice, by what they are (the reader says so: `reading(...)`). tests/test_errors.py keeps the names those of
# verifier.record.layout and verifier.record.paper_protocols, and every section one SPEC.md has.
SPEC_SECTIONS: dict[str, str] = {
    "manifest.json": "2.1", "election_key.json": "2.2", "registry.jsonl": "2.3", "ballot_box.jsonl": "2.4",
    "ballot_box_head.json": "2.5", "cancellations.jsonl": "2.6", "tally_ballots.jsonl": "2.7", "tally.json": "2.8",
    "results.json": "2.9",
    "contests.json": "7", "units.jsonl": "7", "polling_station.jsonl": "7", "district.jsonl": "7",
    "region.jsonl": "7", "nation.jsonl": "7",
    ".zip": "10.3", ".tar.gz": "10.3",
    "paper protocols": "7",  # the protocols command's DIR
    "receipts": "2.4",  # verify --receipts: box lines as the voters' clients received them
    "trusted keys": "5",  # verify --trusted-keys
    "seat counts": "6", "announced seats": "6",  # seats COUNTS --announced FILE
}


def spec_section(file: str, input: str | None = None) -> str | None:
    """The section for a file (a path, or a name as a record or an archive holds it, perhaps after a word such as
    `diff`'s "OLD ") or for a kind of input."""
    if input is not None:
        return SPEC_SECTIONS[input]
    name = file.replace("\\", "/").rsplit("/", 1)[-1].rsplit(" ", 1)[-1]
    if name in SPEC_SECTIONS:
        return SPEC_SECTIONS[name]
    return next((s for suffix, s in SPEC_SECTIONS.items() if suffix.startswith(".") and name.endswith(suffix)), None)


class RecordError(Exception):
    """Unreadable or malformed input. The CLI prints str(self) on one line and exits 2."""

    MAX_MESSAGE = 300  # characters (and as many for the file's name): messages quote input, which may be 4 MB

    def __init__(self, file: str, line: int | None, message: str, input: str | None = None):
        self.file = file
        self.line = line
        self.message = message
        self.input = input  # a key of SPEC_SECTIONS for an input named by the user (seat counts, trusted keys…)
        super().__init__(str(self))

    @property
    def spec_section(self) -> str | None:
        return spec_section(self.file, self.input)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        section = self.spec_section
        see = f" (SPEC.md §{section})" if section else ""
        return f"{one_line(where, self.MAX_MESSAGE)}: {one_line(self.message, self.MAX_MESSAGE)}{see}"

    def __reduce__(self):
        # raised in worker processes and re-raised in the parent: keep the file and line across pickling
        return (RecordError, (self.file, self.line, self.message, self.input))


@contextmanager
def reading(input: str) -> Iterator[None]:
    """Read errors raised inside are about this kind of input (a key of SPEC_SECTIONS), whatever its file's name."""
    try:
        yield
    except RecordError as e:
        if e.input is None:
            e.input = input
        raise


def one_line(text: str, limit: int) -> str:
    """One printable line of at most `limit` characters: control characters (newlines, terminal escapes) escaped."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
