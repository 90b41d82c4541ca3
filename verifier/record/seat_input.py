"""Reading the inputs of the standalone `seats` command: a count file and an announced allocation.

Formats (SPEC.md, "Seat allocation and the `seats` command"), chosen by the file name's extension:

counts, ``.csv``: UTF-8 (an initial BOM is ignored); header ``option,votes`` or ``option,votes,kind``; one row
per option in registration order; votes are ASCII digits only (at most 16); kind is ``party`` (also when the
cell is empty), ``candidate`` or ``against_all`` (at most one row).
counts, ``.json``: ``{"options": [{"option": "...", "votes": 123, "kind": "party"}, ...]}``, kind optional.
announced, ``.csv``: header ``option,seats``; announced, ``.json``: ``{"seats": {"option": seats, ...}}``.

Every problem is a RecordError naming the file and the line (CSV) or None (JSON, where the message names the
place in the document instead). Nothing here judges the allocation.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from verifier.errors import RecordError, reading
from verifier.record import canonical
from verifier.record.fields import INT_RANGE, Obj
from verifier.record.files import open_regular
from verifier.record.model import Option

MAX_FILE_BYTES = 4 << 20
# options in a count or an announcement: the longest ballots ever printed had about a thousand candidates
MAX_ROWS = 10_000
MAX_DIGITS = canonical.MAX_INT_DIGITS  # 16: counts stay within 2^53 - 1
MAX_OPTION_CHARS = 200
COUNT_KINDS = ("party", "candidate", "against_all")
_DIGITS = re.compile(r"[0-9]+")
T = TypeVar("T")


@dataclass(frozen=True)
class CountRow:
    option: Option
    votes: int
    line: int | None  # CSV line; None for JSON


@dataclass(frozen=True)
class SeatCounts:
    file: str
    rows: tuple[CountRow, ...]  # registration order

    @property
    def votes(self) -> tuple[tuple[Option, int], ...]:
        """(option, votes) in registration order: what allocate_list and plurality take."""
        return tuple((r.option, r.votes) for r in self.rows)


def _read_bytes(path: str | Path) -> tuple[str, bytes]:
    file = str(path)
    with open_regular(path) as f:
        data = canonical.read_bounded(f, file, MAX_FILE_BYTES)
    return file, data


def _format(file: str) -> str:
    suffix = Path(file).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise RecordError(file, None,
                          f"unknown format {suffix or '(no extension)'!r}: the name must end in .csv or .json")
    return suffix[1:]


def _text(data: bytes, file: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise RecordError(file, line, f"not UTF-8 (byte {e.start})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise RecordError(file, 1, "empty file")
    return text


def _option_id(o: Obj, key: str = "option") -> str:
    """An option id (SPEC.md §6): non-empty, no surrounding whitespace, no control characters, at most 200
    characters; the rule of fields.Obj.name."""
    return o.name(key, MAX_OPTION_CHARS)


def _count_text(value: str, file: str, line: int, column: str) -> int:
    if not _DIGITS.fullmatch(value):
        raise RecordError(file, line, f"{column} must be a non-negative integer (digits only), not {value!r}")
    if len(value) > MAX_DIGITS:
        raise RecordError(file, line, f"{column} has {len(value)} digits (at most {MAX_DIGITS})")
    return int(value)


def _csv_rows(text: str, file: str, header: tuple[str, ...], optional: tuple[str, ...] = ()
              ) -> Iterator[tuple[int, dict[str, str]]]:
    """Yields (line, cells) for the data rows after checking the header; cells as a dict by column name.

    Streamed, and refused at the row after MAX_ROWS: a 4 MiB file of short rows must not become a million
    Python lists. Blank lines are held back (only their line numbers) until a row shows they were not the end."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)

    def rows():
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as e:
            raise RecordError(file, reader.line_num, f"malformed CSV: {e}") from None

    names: list[str] | None = None
    header_blanks = 0  # blank lines before anything else
    blanks: list[int] = []  # blank lines after the last row, held back: at the end of the file they are allowed
    previous = count = 0
    for line, cells in rows():
        if names is None:
            if cells == []:
                header_blanks += 1
                continue
            if header_blanks:  # the first line was blank and something follows: the header is missing
                line, cells = line - header_blanks, []
            names = cells
            _check_header(names, file, line, header, optional)
            previous = line
            continue
        if cells == []:
            blanks.append(line)
            if len(blanks) > MAX_ROWS:
                raise RecordError(file, line, f"more than {MAX_ROWS} blank lines")
            continue
        _refuse_blanks(blanks, file, previous)
        if line != previous + 1:
            raise RecordError(file, previous + 1, "line break inside a quoted field")
        previous = line
        count += 1
        if count > MAX_ROWS:
            raise RecordError(file, line, f"more than {MAX_ROWS} rows (options)")
        if len(cells) != len(names):
            raise RecordError(file, line, f"{len(cells)} columns, the header has {len(names)}")
        yield line, dict(zip(names, cells, strict=True))  # lengths equal (above)
    if names is None:
        raise RecordError(file, 1, "empty file")


def _check_header(names: list[str], file: str, line: int, header: tuple[str, ...], optional: tuple[str, ...]
                  ) -> None:
    allowed = [header, header + optional]
    if tuple(names) not in allowed:
        want = " or ".join(",".join(h) for h in dict.fromkeys(allowed))
        raise RecordError(file, line, f"header must be {want}, not {','.join(names)!r}")


def _refuse_blanks(blanks: list[int], file: str, previous: int) -> None:
    """A row follows blank lines held back: the first of them is a fault (a line break in a quoted field if it
    does not follow the previous row)."""
    for blank in blanks:
        if blank != previous + 1:
            raise RecordError(file, previous + 1, "line break inside a quoted field")
        raise RecordError(file, blank, "blank line")


def parse_counts(data: bytes, file: str) -> SeatCounts:
    """Counts from the bytes of a file named ``file`` (its extension picks the format)."""
    fmt = _format(file)
    rows: list[CountRow] = []
    first_line: dict[str, int | None] = {}
    against: CountRow | None = None

    def add(option_id: str, votes: int, kind: str, line: int | None, where: str) -> None:
        nonlocal against
        if option_id in first_line:
            at = first_line[option_id]
            seen = f" (first on line {at})" if at is not None else ""
            raise RecordError(file, line, f"{where}: duplicate option {option_id!r}{seen}")
        if kind not in COUNT_KINDS:
            raise RecordError(file, line, f"{where}: kind must be one of {', '.join(COUNT_KINDS)}, not {kind!r}")
        row = CountRow(Option(option_id, option_id, kind), votes, line)
        if kind == "against_all":
            if against is not None:
                seen = f" (first on line {against.line})" if against.line is not None else ""
                raise RecordError(file, line, f"{where}: more than one against_all option{seen}")
            against = row
        first_line[option_id] = line
        rows.append(row)

    if fmt == "csv":
        text = _text(data, file)
        for line, cells in _csv_rows(text, file, ("option", "votes"), ("kind",)):
            option_id = _option_id(Obj(cells, file, line))
            votes = _count_text(cells["votes"], file, line, "votes")
            add(option_id, votes, cells.get("kind") or "party", line, "row")
    else:
        doc = Obj(canonical.parse(data, file, None, require_canonical=False), file, None, "", {"options"})
        if len(doc.array("options")) > MAX_ROWS:
            doc.fail(f"more than {MAX_ROWS} options", "options")
        for entry in doc.objs("options", {"option", "votes"}, {"kind"}):
            where = entry.path
            option_id = _option_id(entry)
            votes = entry.count("votes")
            kind = entry.text("kind") if entry.has("kind") else "party"
            add(option_id, votes, kind, None, where)
    if not rows:
        raise RecordError(file, None if fmt == "json" else 1, "no options")
    if all(r.option.kind == "against_all" for r in rows):
        raise RecordError(file, None if fmt == "json" else 1, "no party or candidate: only against_all")
    return SeatCounts(file, tuple(rows))


def read_counts(path: str | Path) -> SeatCounts:
    return read_digested(path, parse_counts)[0]


def parse_announced(data: bytes, file: str) -> dict[str, int]:
    """Announced seats per option id, in file order."""
    fmt = _format(file)
    out: dict[str, int] = {}
    lines: dict[str, int] = {}
    if fmt == "csv":
        text = _text(data, file)
        for line, cells in _csv_rows(text, file, ("option", "seats")):
            option_id = _option_id(Obj(cells, file, line))
            if option_id in out:
                raise RecordError(file, line, f"duplicate option {option_id!r} (first on line {lines[option_id]})")
            out[option_id] = _count_text(cells["seats"], file, line, "seats")
            lines[option_id] = line
    else:
        doc = Obj(canonical.parse(data, file, None, require_canonical=False), file, None, "", {"seats"})
        out.update(doc.int_map("seats", 0, INT_RANGE[1], MAX_OPTION_CHARS, max_items=MAX_ROWS))
    return out


INPUTS: dict[Callable, str] = {parse_counts: "seat counts", parse_announced: "announced seats"}  # SPEC_SECTIONS


def read_announced(path: str | Path) -> dict[str, int]:
    return read_digested(path, parse_announced)[0]


def read_digested(path: str | Path, parse: Callable[[bytes, str], T]) -> tuple[T, str]:
    """What `parse` (parse_counts, parse_announced) makes of the file, and the SHA-256 of exactly the bytes it
    parsed, for the report's inputs (read once: a file changed in between cannot differ from its digest)."""
    with reading(INPUTS[parse]):
        file, data = _read_bytes(path)
        return parse(data, file), hashlib.sha256(data).hexdigest()
