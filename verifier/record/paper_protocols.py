"""Reading a directory of published paper result protocols (see the spec section "Paper protocols and the
`protocols` command").

    DIR/contests.json          {"contests": [{"id", "title"?, "options", "top_level", "top_unit"}, ...]}
    DIR/units.jsonl            the register of election commissions: one {"id", "level", "parent"} per line
    DIR/polling_station.jsonl  one protocol per line, likewise district.jsonl, region.jsonl, nation.jsonl

This module only reads: anything that cannot be interpreted (bad JSON, duplicate keys, missing or unknown keys,
wrong types, unknown contest ids, a broken register) raises RecordError naming file and line. Everything that can
be read but is arithmetically or hierarchically wrong (negative figures, wrong sums, missing or duplicate
protocols, unknown units, wrong parents) is left to verifier.tally.protocol_checks to judge.
"""
import functools
import hashlib
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from verifier.errors import RecordError, reading
from verifier.record import canonical
from verifier.record.fields import INT_RANGE, Obj
from verifier.record.files import kind_of, open_regular
from verifier.record.model import LEVELS

CONTESTS_FILE = "contests.json"
UNITS_FILE = "units.jsonl"
LEVEL_FILES = {level: f"{level}.jsonl" for level in LEVELS}

# The protocol figures, in the order they are printed and reported. All are integers; all sum up the hierarchy.
FIGURES = (
    "voters_on_list",  # voters on the list (main list plus those added, e.g. with an absentee certificate)
    "ballots_received",  # ballots the commission received
    "issued_at_station",  # ballots issued to voters in the polling station
    "issued_at_home",  # ballots issued to voters voting outside the station (mobile box)
    "unused",  # unused ballots, cancelled after the close of voting
    "spoiled",  # ballots spoiled by voters and exchanged, cancelled (not counted as issued)
    "in_box",  # ballots found in the ballot boxes (stationary and mobile)
    "valid",  # valid ballots
    "invalid",  # invalid ballots
)
PROTOCOL_KEYS = frozenset(("unit", "parent", "contest", "votes", *FIGURES))
TOP_LEVELS = LEVELS[1:]  # a contest is tallied at least up to the district commission
MAX_ID_LENGTH = 200
MAX_UNIT_CONTESTS = 250_000  # as many (unit, contest) pairs as a manifest may give (stations × their contests)


@dataclass(frozen=True)
class PaperContest:
    id: str
    title: str
    options: tuple[str, ...]  # option ids in ballot order, "against all" included
    top_level: str  # "district", "region" or "nation": the commission that declares the result
    top_unit: str  # the unit whose commission declares the result

    @functools.cached_property
    def option_set(self) -> frozenset[str]:
        """The options as a set, built once: a membership test per listed option must not scan the tuple."""
        return frozenset(self.options)


@dataclass(frozen=True)
class Unit:
    """One election commission's territory in the register (units.jsonl)."""

    file: str
    line: int
    id: str
    level: str
    parent: str | None  # None only for the nation


@dataclass(frozen=True)
class PaperProtocol:
    """One published protocol: one unit, one contest, at the level its file names."""

    file: str
    line: int
    level: str
    unit: str
    parent: str | None  # as printed on the protocol; None only at the nation level
    contest: str
    figures: tuple[tuple[str, int], ...]  # (name, value) in FIGURES order
    votes: tuple[tuple[str, int], ...]  # (option id, votes) in the order the line lists them

    def figure(self, name: str) -> int:
        for k, v in self.figures:
            if k == name:
                return v
        raise KeyError(name)

    def votes_of(self, option: str) -> int | None:
        for k, v in self.votes:
            if k == option:
                return v
        return None


@dataclass(frozen=True)
class InputDigest:
    file: str
    sha256: str  # lowercase hex
    size: int


@dataclass(frozen=True)
class ProtocolSet:
    directory: str
    contests: tuple[PaperContest, ...]
    units: tuple[Unit, ...]
    protocols: tuple[PaperProtocol, ...]  # levels lowest first, each in file order
    level_files: tuple[tuple[str, str], ...]  # (level, file as named in findings)
    inputs: tuple[InputDigest, ...]

    def level_file(self, level: str) -> str:
        return dict(self.level_files)[level]

    def contest(self, contest_id: str) -> PaperContest:
        return next(c for c in self.contests if c.id == contest_id)


# ---------------------------------------------------------------------------------------------------- helpers


def _id(o: Obj, key: str) -> str:
    """An id of this directory: any text, non-empty, no surrounding spaces, at most MAX_ID_LENGTH characters."""
    return o.name(key, MAX_ID_LENGTH, controls=True)


MISSING = ("missing (a protocol directory needs contests.json, units.jsonl and polling_station.jsonl, district.jsonl, "
           "region.jsonl, nation.jsonl)")


def _read_bytes(path: str, file: str, inputs: list[InputDigest]) -> bytes:
    with open_regular(path, file, MISSING) as f:
        data = canonical.read_bounded(f, file, canonical.MAX_DOCUMENT_BYTES)
    inputs.append(InputDigest(file, hashlib.sha256(data).hexdigest(), len(data)))
    return data


def _lines(data: bytes, file: str) -> Iterator[tuple[int, Any]]:
    for number, _raw, value in canonical.iter_lines(io.BytesIO(data), file, require_canonical=False):
        yield number, value


# ---------------------------------------------------------------------------------------------------- readers


def read_contests(data: bytes, file: str) -> tuple[PaperContest, ...]:
    doc = Obj(canonical.read_document(io.BytesIO(data), file, require_canonical=False), file, 1, "", {"contests"})
    items = doc.objs("contests", {"id", "options", "top_level", "top_unit"}, {"title"}, min_len=1)
    out: list[PaperContest] = []
    seen: set[str] = set()
    for c in items:
        cid = _id(c, "id")
        if cid in seen:
            c.fail(f"duplicate contest id {cid!r}")
        seen.add(cid)
        title = c.string("title") if c.has("title") else cid
        options = c.array("options", min_len=1)
        opts = tuple(_id(Obj({"id": o}, file, 1, f"{c.path}.options[{j}]"), "id") for j, o in enumerate(options))
        if len(set(opts)) != len(opts):
            c.fail("an option id appears twice", "options")
        top_level = c.choice("top_level", TOP_LEVELS)
        out.append(PaperContest(cid, title, opts, top_level, _id(c, "top_unit")))
    return tuple(out)


def read_units(lines: bytes | Iterable[tuple[int, Any]], file: str) -> tuple[Unit, ...]:
    units: list[Unit] = []
    where: dict[str, Unit] = {}
    for number, obj in _lines(lines, file) if isinstance(lines, bytes) else lines:
        o = Obj(obj, file, number, "", {"id", "level", "parent"})
        uid = _id(o, "id")
        level = o.choice("level", LEVELS)
        if level == "nation":
            if obj["parent"] is not None:
                raise RecordError(file, number, "the nation unit has no parent (parent must be null)")
            parent = None
        else:
            parent = _id(o, "parent")
        if uid in where:
            raise RecordError(file, number, f"unit {uid!r} listed twice (first at line {where[uid].line})")
        unit = Unit(file, number, uid, level, parent)
        where[uid] = unit
        units.append(unit)
    nations = [u for u in units if u.level == "nation"]
    if len(nations) != 1:
        raise RecordError(file, None, f"the register must list exactly one nation unit (found {len(nations)})")
    for u in units:
        if u.parent is None:
            continue
        p = where.get(u.parent)
        want = LEVELS[LEVELS.index(u.level) + 1]
        if p is None:
            raise RecordError(file, u.line, f"parent {u.parent!r} of {u.id!r} is not in the register")
        if p.level != want:
            raise RecordError(file, u.line, f"parent {u.parent!r} of {u.level} {u.id!r} is a {p.level}, "
                                            f"not a {want}")
    return tuple(units)


def _stream_lines(path: str, file: str, inputs: list[InputDigest]) -> Iterator[tuple[int, Any]]:
    """A JSON Lines file line by line, hashed as it is read: never more than a line of it in memory. Opened like
    every other input: a regular file, never through a link."""
    h, size = hashlib.sha256(), 0
    with open_regular(path, file, MISSING) as f:
        if os.fstat(f.fileno()).st_size > canonical.MAX_DOCUMENT_BYTES:
            raise RecordError(file, None, f"larger than {canonical.MAX_DOCUMENT_BYTES} bytes")
        for number, raw in canonical.iter_raw_lines(f, file):
            h.update(raw + b"\n")
            size += len(raw) + 1
            if size > canonical.MAX_DOCUMENT_BYTES:  # grew while being read
                raise RecordError(file, None, f"larger than {canonical.MAX_DOCUMENT_BYTES} bytes")
            yield number, canonical.parse(raw, file, number, require_canonical=False)
    inputs.append(InputDigest(file, h.hexdigest(), size))


def max_protocols(units_at_level: int, contests: int) -> int:
    """The most lines a level's file may have: twice one per registered unit of that level and contest (room for
    duplicates and unknown units, which are findings), and 1000 more. Beyond it the file is refused as it is read,
    before it is held in memory."""
    return 2 * units_at_level * contests + 1000


def read_protocols(lines: Iterable[tuple[int, Any]], file: str, level: str, contests: dict[str, PaperContest],
                   max_lines: int | None = None) -> list[PaperProtocol]:
    out: list[PaperProtocol] = []
    if isinstance(lines, bytes):  # the bytes of a whole file
        lines = _lines(lines, file)
    for number, obj in lines:
        if max_lines is not None and number > max_lines:
            raise RecordError(file, number, f"more than {max_lines} protocols: twice the {level} units in "
                                            f"{UNITS_FILE} times the contests, and 1000 more (SPEC.md §10)")
        o = Obj(obj, file, number, "", set(PROTOCOL_KEYS))
        unit = _id(o, "unit")
        contest = _id(o, "contest")
        if contest not in contests:
            raise RecordError(file, number, f"unknown contest {contest!r} (not in {CONTESTS_FILE})")
        if level == "nation":
            if obj["parent"] is not None:
                raise RecordError(file, number, "a nation-level protocol has no parent (parent must be null)")
            parent = None
        else:
            if obj["parent"] is None:
                raise RecordError(file, number, f"a {level} protocol must name its parent unit (found null)")
            parent = _id(o, "parent")
        # any integer: a negative figure is read, and judged by P6
        figures = tuple((name, o.count(name, *INT_RANGE)) for name in FIGURES)
        pairs = tuple(o.int_map("votes", *INT_RANGE, max_len=MAX_ID_LENGTH, controls=True))
        out.append(PaperProtocol(file, number, level, unit, parent, contest, figures, pairs))
    return out


def read_protocol_dir(directory: str | os.PathLike) -> ProtocolSet:
    """Read a whole protocol directory; RecordError for anything that cannot be interpreted."""
    with reading("paper protocols"):  # every read error points to SPEC.md §7, the directory's own too
        return _read_protocol_dir(os.fspath(directory))


def _read_protocol_dir(directory: str) -> ProtocolSet:
    try:
        kind = kind_of(os.lstat(directory).st_mode)
    except OSError:
        kind = "missing"
    if kind != "a directory":  # not even a link to one: an input named on the command line is never a link
        raise RecordError(directory, None, "not a directory" if kind in (None, "missing") else
                          f"is {kind}, not a directory")

    def name(n: str) -> str:
        return os.path.join(directory, n)

    inputs: list[InputDigest] = []
    contests = read_contests(_read_bytes(name(CONTESTS_FILE), name(CONTESTS_FILE), inputs), name(CONTESTS_FILE))
    units = read_units(_stream_lines(name(UNITS_FILE), name(UNITS_FILE), inputs), name(UNITS_FILE))
    by_id = {u.id: u for u in units}
    for c in contests:
        u = by_id.get(c.top_unit)
        if u is None or u.level != c.top_level:
            raise RecordError(name(CONTESTS_FILE), 1, f"contest {c.id!r}: top_unit {c.top_unit!r} is not a "
                                                      f"{c.top_level} in {UNITS_FILE}")
    # every registered unit in a contest's area needs a protocol of it (P11): a small contests.json must not
    # declare more (unit, contest) pairs than protocols can be read (SPEC.md §10)
    area = {u.id: 1 for u in units}
    for level in LEVELS[:-1]:  # lowest first: each unit's area is known before it is added to its parent's
        for u in units:
            if u.level == level and u.parent is not None:  # below the nation always true (read_units)
                area[u.parent] += area[u.id]
    pairs = sum(area[c.top_unit] for c in contests)
    if pairs > MAX_UNIT_CONTESTS:
        raise RecordError(name(CONTESTS_FILE), 1, f"the contests' areas hold {pairs} (unit, contest) pairs; at most "
                                                  f"{MAX_UNIT_CONTESTS} (SPEC.md §10)")
    by_contest = {c.id: c for c in contests}
    protocols: list[PaperProtocol] = []
    at_level = {level: 0 for level in LEVELS}
    for u in units:
        at_level[u.level] += 1
    for level in LEVELS:
        f = name(LEVEL_FILES[level])
        protocols.extend(read_protocols(_stream_lines(f, f, inputs), f, level, by_contest,
                                        max_protocols(at_level[level], len(contests))))
    return ProtocolSet(
        directory=directory,
        contests=contests,
        units=units,
        protocols=tuple(protocols),
        level_files=tuple((level, name(LEVEL_FILES[level])) for level in LEVELS),
        inputs=tuple(inputs),
    )
