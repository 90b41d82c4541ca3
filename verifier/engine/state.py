"""`verify RECORD --state FILE` (SPEC.md §12.4): what a run verified of the ballot box so far, in an SQLite file
(the standard library's sqlite3), so that the next snapshot's run checks only the lines added since.

The file holds only what this verifier wrote: the box's first `entries` lines (their `bytes`, their SHA-256 and
the chain's state after them), every such line's record of the ballot log (engine/phases/box.py), the product of
the valid ballots' ciphertexts per contest and station, the findings of the registry and box steps (before the
head's check), the registry index, and the digests of the files that must not change while the box grows. It is
bound to the verifier's code (a digest of its source), the election (fingerprint) and the box (the next run
hashes the same first `bytes` bytes and refuses the state unless they are byte for byte those verified). A state
file is input too: a regular file within a size limit, the schema exactly this module's (no trigger, no view),
every value checked for type and range, nothing unpickled or executed. Every update is one transaction: a run
killed while writing leaves the previous state (SQLite's rollback journal)."""
import hashlib
import json
import os
import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import gmpy2

from verifier.checks.catalog import CHECKS
from verifier.checks.findings import Finding, Location, StepResult
from verifier.checks.voters import CompactVoters
from verifier.errors import RecordError
from verifier.record import layout
from verifier.record.files import kind_of
from verifier.tally.aggregates import Aggregates

STATE_FORMAT = "tally-verifier/state/v1"
SQLITE_HEADER = b"SQLite format 3\x00"
KEY_STEPS = ("V1.1", "V1.2", "V1.3", "V1.4", "V1.7", "V1.10")  # check_key's: they depend on manifest and key only
REGISTRY_STEPS = tuple(c.id for c in CHECKS if c.phase == "registry")
BOX_STEPS = tuple(c.id for c in CHECKS if c.phase in ("ballot box", "ballot validity"))
KEPT_STEPS = KEY_STEPS + REGISTRY_STEPS + BOX_STEPS
FIXED_INPUTS = (layout.MANIFEST, layout.ELECTION_KEY, layout.REGISTRY)  # must not change while the box grows
VOTERS_PART = 65536  # registry index rows per database row

SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE steps (check_id TEXT PRIMARY KEY, result TEXT NOT NULL)",
    "CREATE TABLE voters (part INTEGER PRIMARY KEY, rows BLOB NOT NULL, ids TEXT NOT NULL)",
    "CREATE TABLE aggregates (contest TEXT NOT NULL, station TEXT NOT NULL, ballots INTEGER NOT NULL, "
    "product TEXT NOT NULL, PRIMARY KEY (contest, station))",
    "CREATE TABLE ballot_log (part INTEGER PRIMARY KEY, records BLOB NOT NULL)",
    "CREATE TABLE unregistered (line INTEGER PRIMARY KEY, voter_id TEXT NOT NULL)",
)
META_KEYS = ("format", "verifier_version", "verifier_code_sha256", "fingerprint",
             *(f"sha256 {n}" for n in FIXED_INPUTS), "entries", "bytes", "box_sha256", "sequence", "received_at",
             "chain_head", "key_warnings")


@cache
def code_digest() -> str:
    """SHA-256 of the verifier's own source (every .py file but the simulator's, by relative path): a state is
    reused only by the code that wrote it."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith("simulate/"):
            h.update(f"{rel}\n{len(path.read_bytes())}\n".encode() + path.read_bytes())
    return h.hexdigest()


def verifier_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tally-verifier")
    except PackageNotFoundError:
        return "unknown"


class BoxCheckpoint(NamedTuple):
    """What the box phase hands to the state after its last line, before the head's check."""

    entries: int
    size: int  # bytes of those lines
    box_sha256: str  # of the first `size` bytes: the whole box of this run
    sequence: int
    received_at: str
    chain_head: bytes  # SHA-256 of the last line (the genesis hash for an empty box)
    passed: Aggregates
    steps: dict[str, StepResult]  # the box steps' findings so far (a copy: the head's check comes after)
    new_records: Iterator[bytes]  # the ballot log's records of the lines after the earlier state's, in blocks
    new_unregistered: dict[int, str]


@dataclass
class SavedBox:
    entries: int
    size: int
    box_sha256: str
    sequence: int
    received_at: str
    chain_head: bytes
    passed: Aggregates
    steps: dict[str, StepResult]
    unregistered: dict[int, str]
    records: Iterator[bytes]  # the ballot log, in blocks (read from the file as consumed)


@dataclass
class Saved:
    voters: CompactVoters
    registry_steps: dict[str, StepResult]
    box: SavedBox


class StateFile:
    def __init__(self, path: str | os.PathLike, max_bytes: int):
        self.path = Path(path)
        self.name = os.fspath(path)
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise self.error(e.strerror or str(e)) from None
        if st is not None:
            kind = kind_of(st.st_mode)
            if kind is not None:
                raise self.error(f"is {kind}, not a regular file")
            if st.st_size > max_bytes:
                raise self.error(f"larger than {max_bytes} bytes, the most a state for this record can need")
            if st.st_size:
                with open(self.path, "rb") as fh:
                    if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                        raise self.error("not a state file (not an SQLite database)")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA trusted_schema = OFF")
            self.db.execute("PRAGMA cell_size_check = ON")
            self._schema(fresh=st is None or not st.st_size)
        except sqlite3.Error as e:
            raise self.error(f"not a state file this verifier can read ({e})") from None

    def error(self, message: str) -> RecordError:
        return RecordError(self.name, None, message)

    def close(self) -> None:
        self.db.close()

    def _schema(self, fresh: bool) -> None:
        found = set(self.db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        if fresh and not found:
            self.db.execute("BEGIN IMMEDIATE")
            for sql in SCHEMA:
                self.db.execute(sql)
            self.db.execute("COMMIT")
            return
        if found != _expected_schema():
            raise self.error("not a state file of this verifier (its tables are not the state's: refused unread)")

    # --- reading -----------------------------------------------------------------------------------------------

    def key_checks(self, inputs: dict[str, str]) -> tuple[dict[str, StepResult], list[str]] | None:
        """The key's steps and warnings (check_key) as the state's run found them, if this verifier wrote the
        state for the same manifest and key; else None (they are computed, and `load` then decides)."""
        try:
            meta = dict(self.db.execute("SELECT key, value FROM meta"))
            if set(meta) != set(META_KEYS) or (meta["format"], meta["verifier_code_sha256"]) != (
                    STATE_FORMAT, code_digest()) or any(meta[f"sha256 {n}"] != inputs[n]
                                                        for n in (layout.MANIFEST, layout.ELECTION_KEY)):
                return None
            warnings = json.loads(meta["key_warnings"])
            if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)):
                raise ValueError("key warnings")
            steps = self._steps()
            return {c: steps[c] for c in KEY_STEPS}, warnings
        except sqlite3.Error as e:
            raise self.error(f"unreadable state ({e})") from None
        except (ValueError, TypeError, KeyError, RecursionError) as e:
            raise self.error(f"malformed state: {str(e)[:200]}") from None

    def load(self, fingerprint: str | None, inputs: dict[str, str], n2: int, box_bytes: int) -> Saved | None:
        """The earlier runs' state, or None for a new file. Refused (RecordError, exit 2) unless it was written by
        this verifier's code for this election with these fixed inputs."""
        try:
            meta = dict(self.db.execute("SELECT key, value FROM meta"))
            if not meta:
                return None
            if set(meta) != set(META_KEYS) or meta["format"] != STATE_FORMAT:
                raise self.error("not a state file of this verifier (its meta data are not a state's)")
            if (meta["verifier_version"], meta["verifier_code_sha256"]) != (verifier_version(), code_digest()):
                raise self.error(f"made by another verifier (version {meta['verifier_version']}, code "
                                 f"{meta['verifier_code_sha256'][:16]}…; this is {verifier_version()}, code "
                                 f"{code_digest()[:16]}…): a state is reused only by the verifier that wrote it; "
                                 f"start a new state file")
            if meta["fingerprint"] != fingerprint:
                raise self.error(f"made for another election record (fingerprint {meta['fingerprint'][:64]}, this "
                                 f"record's is {fingerprint}): start a new state file for this record")
            for name in FIXED_INPUTS:
                if meta[f"sha256 {name}"] != inputs[name]:
                    raise self.error(f"{name} changed since the state was made (SHA-256 {meta[f'sha256 {name}'][:64]}"
                                     f", now {inputs[name]}): it must not change while the box grows; start a new "
                                     f"state file")
            steps = self._steps()
            box = self._box(meta, n2, box_bytes, steps)
            return Saved(self._voters(), {c: steps[c] for c in REGISTRY_STEPS}, box)
        except sqlite3.Error as e:
            raise self.error(f"unreadable state ({e})") from None
        except (ValueError, TypeError, KeyError, RecursionError) as e:
            raise self.error(f"malformed state: {str(e)[:200]}") from None

    def _box(self, meta: dict[str, str], n2: int, box_bytes: int, steps: dict[str, StepResult]) -> SavedBox:
        entries, size, sequence = (_natural(meta[k], k) for k in ("entries", "bytes", "sequence"))
        box_sha256, chain_head = _hex(meta["box_sha256"], 32), _hex(meta["chain_head"], 32)
        if size > box_bytes:
            raise self.error(f"the ballot box is shorter ({box_bytes} bytes) than the {size} bytes of its first "
                             f"{entries} lines the state verified: lines were removed; the box forked (keep both "
                             f"as evidence); the state is not used")
        received_at = meta["received_at"]
        if not isinstance(received_at, str) or len(received_at) > 64:
            raise ValueError("received_at")
        passed: Aggregates = {}
        for contest, station, ballots, product in self.db.execute("SELECT * FROM aggregates"):
            p = int(_hex(product, None).hex() or "0", 16)
            if not (isinstance(contest, str) and isinstance(station, str) and type(ballots) is int
                    and 0 < ballots <= entries and 0 < p < n2):
                raise ValueError("aggregate out of range")
            passed[(contest, station)] = (ballots, gmpy2.mpz(p))
        unregistered = {}
        for line, voter_id in self.db.execute("SELECT line, voter_id FROM unregistered"):
            if not (type(line) is int and 0 < line <= entries and isinstance(voter_id, str)):
                raise ValueError("unregistered voter out of range")
            unregistered[line] = voter_id
        return SavedBox(entries, size, box_sha256.hex(), sequence, received_at, chain_head, passed,
                        {c: steps[c] for c in BOX_STEPS}, unregistered, self._records())

    def _records(self) -> Iterator[bytes]:
        for (records,) in self.db.execute("SELECT records FROM ballot_log ORDER BY part"):
            if not isinstance(records, bytes):
                raise self.error("malformed state: ballot log")
            yield records

    def _voters(self) -> CompactVoters:
        stations = algorithms = None
        rows, ids = bytearray(), []
        for part, data, names in self.db.execute("SELECT part, rows, ids FROM voters ORDER BY part"):
            value = json.loads(names)
            if part == 0:
                stations, algorithms = value
                continue
            if not (isinstance(data, bytes) and isinstance(value, list) and all(isinstance(i, str) for i in value)):
                raise ValueError("registry index")
            rows += data
            ids += value
        if not (isinstance(stations, list) and isinstance(algorithms, list)
                and all(isinstance(s, str) for s in stations + algorithms)):
            raise ValueError("registry index names")
        return CompactVoters.restore(stations, algorithms, bytes(rows), ids)

    def _steps(self) -> dict[str, StepResult]:
        steps = {}
        for check, text in self.db.execute("SELECT check_id, result FROM steps"):
            if check not in KEPT_STEPS:
                raise ValueError(f"step {str(check)[:20]!r}")
            steps[check] = _step(check, json.loads(text))
        if set(steps) != set(KEPT_STEPS):
            raise ValueError("steps missing")
        return steps

    # --- writing -----------------------------------------------------------------------------------------------

    def save(self, fingerprint: str, inputs: dict[str, str], key_warnings: list[str], voters: CompactVoters | None,
             steps: dict[str, StepResult], box: BoxCheckpoint) -> None:
        """One transaction: the state after this run's box (voters: the registry index, for a new state; steps:
        the key's and the registry's)."""
        meta = {"format": STATE_FORMAT, "verifier_version": verifier_version(),
                "verifier_code_sha256": code_digest(), "fingerprint": fingerprint,
                **{f"sha256 {n}": inputs[n] for n in FIXED_INPUTS},
                "entries": str(box.entries), "bytes": str(box.size), "box_sha256": box.box_sha256,
                "sequence": str(box.sequence), "received_at": box.received_at, "chain_head": box.chain_head.hex(),
                "key_warnings": json.dumps(key_warnings)}
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            db.executemany("INSERT OR REPLACE INTO steps VALUES (?, ?)",
                           ((c, json.dumps(_step_data(s))) for c, s in {**steps, **box.steps}.items()))
            if voters is not None:
                db.execute("DELETE FROM voters")
                stations, algorithms, rows, ids = voters.export()
                db.execute("INSERT INTO voters VALUES (0, x'', ?)", (json.dumps([stations, algorithms]),))
                size = struct.calcsize(">IIBB33s")
                for part, start in enumerate(range(0, len(ids), VOTERS_PART), 1):
                    db.execute("INSERT INTO voters VALUES (?, ?, ?)",
                               (part, rows[start * size:(start + VOTERS_PART) * size],
                                json.dumps(ids[start:start + VOTERS_PART])))
            db.execute("DELETE FROM aggregates")
            db.executemany("INSERT INTO aggregates VALUES (?, ?, ?, ?)",
                           ((c, s, n, f"{int(p):x}") for (c, s), (n, p) in box.passed.items()))
            (last,) = db.execute("SELECT COALESCE(MAX(part), 0) FROM ballot_log").fetchone()
            db.executemany("INSERT INTO ballot_log VALUES (?, ?)", enumerate(box.new_records, last + 1))
            db.executemany("INSERT INTO unregistered VALUES (?, ?)", box.new_unregistered.items())
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def max_state_bytes(registry_bytes: int, box_bytes: int) -> int:
    """The most a state can need: the registry index (~100 bytes per voter with its JSON id, less than the
    voter's registry line), a 65-byte record per box line (every line is longer), the findings (at most
    MAX_KEPT_PER_CHECK per step)."""
    return (256 << 20) + 2 * registry_bytes + 2 * box_bytes


@cache
def _expected_schema() -> set[tuple]:
    db = sqlite3.connect(":memory:")
    for sql in SCHEMA:
        db.execute(sql)
    found = set(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    db.close()
    return found


def _natural(text: Any, name: str) -> int:
    if not (isinstance(text, str) and text.isdigit() and len(text) <= 20):
        raise ValueError(name)
    return int(text)


def _hex(text: Any, size: int | None) -> bytes:
    if not isinstance(text, str) or len(text) > 8192:
        raise ValueError("hex value")
    value = bytes.fromhex(text if len(text) % 2 == 0 else "0" + text)
    if size is not None and len(value) != size:
        raise ValueError("hex value of the wrong length")
    return value


_LOCATION_FIELDS = {f.name: f.type for f in fields(Location)}


def _step_data(s: StepResult) -> dict[str, Any]:
    return {"checked": s.checked, "failed": s.failed, "not_run": s.not_run, "optional": s.optional,
            "unlisted": s.unlisted,
            "findings": [{"location": f.location.as_dict(), "message": f.message, "expected": f.expected,
                          "found": f.found} for f in s.findings]}


def _step(check: str, data: Any) -> StepResult:
    """A StepResult from its JSON, every field checked (the last failed item is not kept: a later line's
    findings are of another item)."""
    if not isinstance(data, dict) or set(data) != {"checked", "failed", "not_run", "optional", "unlisted",
                                                   "findings"}:
        raise ValueError(f"step {check}")
    checked, failed, unlisted = data["checked"], data["failed"], data["unlisted"]
    if not all(type(x) is int and x >= 0 for x in (checked, failed, unlisted)):
        raise ValueError(f"step {check}: counts")
    if not (data["not_run"] is None or isinstance(data["not_run"], str)) or type(data["optional"]) is not bool:
        raise ValueError(f"step {check}: not run")
    if not isinstance(data["findings"], list):
        raise ValueError(f"step {check}: findings")
    return StepResult(check, checked, failed, data["not_run"], data["optional"],
                      [_finding(check, f) for f in data["findings"]], unlisted, object())


def _finding(check: str, data: Any) -> Finding:
    if not (isinstance(data, dict) and set(data) == {"location", "message", "expected", "found"}
            and isinstance(data["message"], str) and isinstance(data["location"], dict)):
        raise ValueError(f"step {check}: finding")
    for key, value in data["location"].items():
        if key not in _LOCATION_FIELDS or not isinstance(value, int if key in ("line", "trustee") else str):
            raise ValueError(f"step {check}: finding location")
    for value in (data["expected"], data["found"]):
        if not (value is None or isinstance(value, str | int)):
            raise ValueError(f"step {check}: finding value")
    return Finding(check, Location(**data["location"]), data["message"], data["expected"], data["found"])
