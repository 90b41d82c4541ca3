"""Typed access to one parsed JSON object, with exact error places: the schema layer of the record readers.

Every object must have exactly the expected keys (missing or extra fields are errors); every value is checked for
type and range before it is used. Failures raise RecordError naming file, line and the field's path.
"""
import re
from collections.abc import Set as AbstractSet
from datetime import datetime, timezone
from typing import Any, NoReturn

from verifier.errors import RecordError
from verifier.record.canonical import show_text

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
# ASCII digits only: \d would take any Unicode digit ("２０２３"), which int() reads and string order does not
TIMESTAMP_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1
MAX_TEXT = 1000
MAX_NAME = 200  # a free-form id of the side inputs (paper protocols, seat counts): Unicode, SPEC.md §6, §7
INT_RANGE = (-(2**53 - 1), 2**53 - 1)  # canonical JSON integers: at most 16 digits (§1)


class Obj:
    """A JSON object under reading: `Obj(value, file, line, path)`."""

    def __init__(self, value: Any, file: str, line: int | None, path: str = "", keys: set[str] | None = None,
                 optional: AbstractSet[str] = frozenset()):
        self.file, self.line, self.path = file, line, path
        if not isinstance(value, dict):
            self.fail(f"expected an object, found {_kind(value)}")
        self.value = value
        if keys is not None:
            missing = keys - value.keys()
            extra = value.keys() - keys - optional
            if missing:
                self.fail(f"missing field {sorted(missing)[0]!r}")
            if extra:
                self.fail(f"unknown field {sorted(extra)[0]!r}")

    def fail(self, message: str, key: str | None = None) -> NoReturn:
        where = ".".join(p for p in (self.path, key) if p)
        raise RecordError(self.file, self.line, f"{where}: {message}" if where else message)

    def _get(self, key: str, types, kind: str):
        if key not in self.value:
            self.fail("missing", key)
        v = self.value[key]
        if not isinstance(v, types) or (bool not in _tuple(types) and isinstance(v, bool)):
            self.fail(f"expected {kind}, found {_kind(v)}", key)
        return v

    def has(self, key: str) -> bool:
        return key in self.value

    def obj(self, key: str, keys: set[str] | None = None, optional: AbstractSet[str] = frozenset()) -> "Obj":
        return Obj(self._get(key, dict, "an object"), self.file, self.line, _join(self.path, key), keys, optional)

    def array(self, key: str, min_len: int = 0, max_len: int = 10**7) -> list:
        v = self._get(key, list, "an array")
        if not min_len <= len(v) <= max_len:
            self.fail(f"expected {min_len}..{max_len} items, found {len(v)}", key)
        return v

    def objs(self, key: str, keys: set[str], optional: AbstractSet[str] = frozenset(), min_len: int = 0) -> list["Obj"]:
        return [Obj(v, self.file, self.line, f"{_join(self.path, key)}[{i}]", keys, optional)
                for i, v in enumerate(self.array(key, min_len))]

    def text(self, key: str, pattern: re.Pattern | None = None, max_len: int = MAX_TEXT) -> str:
        v = self._get(key, str, "a string")
        if len(v) > max_len:
            self.fail(f"longer than {max_len} characters", key)
        if CONTROL.search(v):
            self.fail("contains a control character", key)
        if pattern is not None and not pattern.fullmatch(v):
            self.fail(f"{show_text(v)} is not of the form {pattern.pattern}", key)
        return v

    def string(self, key: str) -> str:
        """Any string (a paper protocol's contest title, SPEC.md §7): only its type is checked."""
        return self._get(key, str, "a string")

    def ident(self, key: str) -> str:
        """An identifier: ASCII letters, digits and . _ : -, at most 64 characters."""
        return self.text(key, ID_PATTERN, 64)

    def integer(self, key: str, lo: int = 0, hi: int = 2**53 - 1) -> int:
        v = self._get(key, int, "an integer")
        if not lo <= v <= hi:
            self.fail(f"{v} is outside {lo}..{hi}", key)
        return v

    def count(self, key: str, lo: int = 0, hi: int = INT_RANGE[1]) -> int:
        """An integer of the side inputs: never a boolean; below 0 (when lo is 0) reported as negative."""
        if key not in self.value:
            self.fail("missing", key)
        return _int(self, key, self.value[key], lo, hi)

    def name(self, key: str, max_len: int = MAX_NAME, controls: bool = False) -> str:
        """A free-form id: a non-empty string without leading or trailing whitespace, at most `max_len` characters;
        control characters are refused unless `controls` (paper protocols take any text as an id, SPEC.md §7)."""
        if key not in self.value:
            self.fail("missing", key)
        return _name(self, key, self.value[key], max_len, controls)

    def name_key(self, key: str, max_len: int = MAX_NAME, controls: bool = False, where: str | None = None) -> str:
        """One key of this object taken as a free-form id (an option id in a map of votes or seats)."""
        return _name(self, where or key, key, max_len, controls)

    def int_map(self, key: str, lo: int, hi: int, max_len: int = MAX_NAME, controls: bool = False,
                max_items: int | None = None) -> list[tuple[str, int]]:
        """An object id -> integer, in document order: each key a free-form id (`name`), each value an integer in
        lo..hi (never a boolean). Errors name the entry as key[id]."""
        m = self.obj(key)
        if max_items is not None and len(m.value) > max_items:
            self.fail(f"more than {max_items} entries", key)
        out = []
        for k, v in m.value.items():
            where = f"{key}[{show_text(k)}]"  # JSON object keys are strings
            self.name_key(k, max_len, controls, where)
            out.append((k, _int(self, where, v, lo, hi)))
        return out

    def boolean(self, key: str) -> bool:
        return self._get(key, bool, "true or false")

    def hex_bytes(self, key: str, length: int) -> bytes:
        """Exactly `length` bytes as 2·length lowercase hex digits."""
        return _hex(self, key, self._get(key, str, "a hex string"), length)

    def hex_int(self, key: str, width: int) -> int:
        """A big integer as fixed-length lowercase hex: exactly 2·width digits."""
        return int.from_bytes(self.hex_bytes(key, width), "big")

    def hex_ints(self, key: str, width: int, count: int | None = None) -> tuple[int, ...]:
        values = self.array(key)
        if count is not None and len(values) != count:
            self.fail(f"expected {count} values, found {len(values)}", key)
        # the whole array in one C call each way when every item is a string of the right length (a proof's 8 or
        # 16 values: a third of a ballot's parsing otherwise); anything else, item by item for the exact message
        if all(type(v) is str and len(v) == 2 * width for v in values):
            joined = "".join(values)
            try:
                data = bytes.fromhex(joined)
            except ValueError:
                data = b""
            if data.hex() == joined:  # fromhex also takes upper case and spaces
                return tuple(int.from_bytes(data[i:i + width], "big") for i in range(0, len(data), width))
        out = []
        for i, v in enumerate(values):
            if not isinstance(v, str):
                self.fail(f"expected a hex string, found {_kind(v)}", f"{key}[{i}]")
            out.append(int.from_bytes(_hex(self, f"{key}[{i}]", v, width), "big"))
        return tuple(out)

    def timestamp(self, key: str) -> str:
        v = self.text(key, TIMESTAMP_PATTERN, 20)
        try:
            utc_time(v)
        except ValueError:
            self.fail(f"{v!r} is not a valid UTC time", key)
        return v

    def date(self, key: str) -> str:
        v = self.text(key, DATE_PATTERN, 10)
        try:
            datetime(int(v[0:4]), int(v[5:7]), int(v[8:10]))
        except ValueError:
            self.fail(f"{v!r} is not a valid date", key)
        return v

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        v = self.text(key)
        if v not in allowed:
            self.fail(f"{show_text(v)} is not one of {', '.join(allowed)}", key)
        return v


def utc_time(t: str) -> datetime:
    """The UTC time of a string of TIMESTAMP_PATTERN, by slicing (the format is fixed, SPEC.md §2): about 30 times
    cheaper than strptime, and as strict (datetime refuses month 13, 30 February, hour 24, second 60)."""
    return datetime(int(t[0:4]), int(t[5:7]), int(t[8:10]), int(t[11:13]), int(t[14:16]), int(t[17:19]),
                    tzinfo=timezone.utc)


def _name(o: Obj, where: str, v: Any, max_len: int, controls: bool) -> str:
    if not isinstance(v, str) or not v or len(v) > max_len or v != v.strip():
        shown = show_text(v) if isinstance(v, str) else _kind(v)
        o.fail(f"must be a non-empty string without surrounding spaces, at most {max_len} characters "
               f"(found {shown})", where)
    if not controls and CONTROL.search(v):
        o.fail("contains a control character", where)
    return v


def _int(o: Obj, where: str, v: Any, lo: int, hi: int) -> int:
    if type(v) is not int:  # bool is a subclass of int and is not a count
        o.fail(f"expected an integer, found {_kind(v)}", where)
    if not lo <= v <= hi:
        o.fail(f"{v} is outside {lo}..{hi}" if lo < 0 else (f"negative ({v})" if v < 0 else f"{v} is more than {hi}"),
               where)
    return v


def _hex(o: Obj, key: str, v: str, length: int) -> bytes:
    if len(v) != 2 * length:
        o.fail(f"expected {2 * length} hex digits, found {len(v)}", key)
    try:
        value = bytes.fromhex(v)
    except ValueError:
        value = None
    if value is None or value.hex() != v:  # fromhex also takes upper case and spaces
        o.fail("not lowercase hex", key)
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _tuple(t):
    return t if isinstance(t, tuple) else (t,)


def _kind(v: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "an integer",
            type(None): "null"}.get(type(v), type(v).__name__)
