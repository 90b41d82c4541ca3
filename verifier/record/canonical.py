"""Canonical JSON: the one byte form every signed or hashed object has.

Canonical form = RFC 8785 (JCS) restricted to what records use: objects, arrays, strings, booleans, null and
integers of magnitude at most 2^53 − 1, the range JCS (and I-JSON) allow (big integers travel as fixed-length
lowercase hex strings). For such
values, sorted keys with compact separators and UTF-8 output give exactly the JCS bytes (tests hold the two
against each other). Reading is strict: duplicate keys, floats, NaN and over-long numbers are rejected.

Speed (issue 15): bytes are written by msgspec's C encoder (sorted keys), which gives byte for byte what
`json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` gives on this value domain (held against
each other and against rfc8785 by tests/test_canonical.py). A line is first read by msgspec's C decoder and
accepted only when it holds no float, no integer beyond 2^53 − 1 and writing it back gives the very same bytes;
anything else (a duplicate key, whitespace, a float, an escape, a long number, invalid JSON) goes to the
strict Python reader, which refuses it with its precise message. The fast path only ever accepts what the
strict one accepts, with the same value: equal bytes mean unique, sorted keys.
"""
import json
import os
from collections.abc import Iterator
from typing import Annotated, Any, BinaryIO, NewType, Union

import msgspec

from verifier.errors import RecordError

MAX_SAFE_INT = 2**53 - 1  # plain JSON integers are counts, sequence numbers and seats; anything bigger is hex
MAX_INT_DIGITS = len(str(MAX_SAFE_INT))  # 16: checked on the text first, so a million digits cost nothing
MAX_LINE_BYTES = 4 << 20  # one JSON Lines entry: five 30-option contests at 3072 bits is ~0.6 MB
MAX_DOCUMENT_BYTES = 256 << 20


class _Reject(ValueError):
    pass


def show_text(text: str, limit: int = 40) -> str:
    """A string as it goes into an error message: quoted, cut at `limit` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise _Reject(f"duplicate key {show_text(k)}")
        out[k] = v
    return out


def _int(text: str) -> int:
    digits = text.lstrip("-")
    if len(digits) > MAX_INT_DIGITS:
        raise _Reject(f"integer with {len(digits)} digits (at most {MAX_INT_DIGITS}; big integers are hex strings)")
    value = int(text)
    if abs(value) > MAX_SAFE_INT:
        raise _Reject(f"integer {text} beyond 2^53 - 1 (big integers are hex strings)")
    return value


def _float(text: str) -> float:
    raise _Reject(f"non-integer number {text[:20]!r}")


def _const(text: str) -> float:
    raise _Reject(f"{text} is not JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_int, parse_float=_float, parse_constant=_const)


# The C path's reading type: JSON without floats and with integers in ±(2^53 − 1), nested at most FAST_DEPTH deep
# (msgspec takes no recursive alias; records nest 6 deep at most, anything deeper is read by the strict reader).
# Each level is a NewType, whose hash is its identity: nested Unions would hash every level below twice per level
# (2^12 hashes each, ~90 ms at every process start: the CLI's and every worker's); msgspec reads a NewType as its type
FAST_DEPTH = 12
_SafeInt = Annotated[int, msgspec.Meta(ge=-MAX_SAFE_INT, le=MAX_SAFE_INT)]
_new_type: Any = NewType  # called at run time with a computed type, which mypy's NewType rules do not take
_FastValue: Any = _new_type("JSONLevel0", Union[None, bool, _SafeInt, str])
for _level in range(1, FAST_DEPTH + 1):
    _FastValue = _new_type(f"JSONLevel{_level}",
                           Union[None, bool, _SafeInt, str, list[_FastValue], dict[str, _FastValue]])
_FAST_DECODER = msgspec.json.Decoder(_FastValue)
_ENCODER = msgspec.json.Encoder(order="sorted")


def dumps(value: Any) -> bytes:
    """The canonical bytes of a value (of the domain above: no floats, no lone surrogates)."""
    return _ENCODER.encode(value)


def dumps_reference(value: Any) -> bytes:
    """The same bytes by the json module: the strict reader's own, and the reference the tests hold `dumps` to."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _fast(data: bytes) -> tuple[bool, Any]:
    """(True, value) when `data` is canonical by the C path; (False, None) for anything it cannot vouch for."""
    try:
        value = _FAST_DECODER.decode(data)
        again = _ENCODER.encode(value)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return False, None
    return (True, value) if again == data else (False, None)


def parse(data: bytes, file: str, line: int | None = None, *, require_canonical: bool = True) -> Any:
    """Parse one JSON text strictly; with require_canonical the bytes must already be in canonical form."""
    canonical, value = _fast(data)
    return value if canonical else strict_parse(data, file, line, require_canonical=require_canonical)


def strict_parse(data: bytes, file: str, line: int | None = None, *, require_canonical: bool = True) -> Any:
    """`parse` by the json module alone, rule by rule: what the C path hands everything it cannot vouch for to."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RecordError(file, line, f"not UTF-8 (byte {e.start})") from None
    if not text.strip():
        raise RecordError(file, line, "empty")
    if text.startswith("\ufeff"):
        raise RecordError(file, line, "starts with a byte-order mark (canonical JSON has none)")
    try:
        value = _DECODER.decode(text)
        # a "\ud800" escape decodes to a lone surrogate, which is no Unicode text: it cannot be written back
        # (and would break every later hash and signature check), so look whenever there is an escape at all
        again = dumps_reference(value) if require_canonical or "\\u" in text else None
    except _Reject as e:
        raise RecordError(file, line, str(e)) from None
    except json.JSONDecodeError as e:
        raise RecordError(file, line, f"invalid JSON: {e.msg.removesuffix(' at')} at column {e.colno}") from None
    except RecursionError:
        raise RecordError(file, line, "invalid JSON: nested too deeply") from None
    except UnicodeEncodeError:
        raise RecordError(file, line, "a string holds an unpaired surrogate escape (\\ud800–\\udfff): not Unicode "
                                      "text") from None
    except ValueError as e:
        raise RecordError(file, line, f"invalid JSON: {e}") from None
    if require_canonical and again != data:
        raise RecordError(file, line, "not in canonical form (sorted keys, no whitespace, UTF-8; see SPEC.md §2)")
    return value


def read_bounded(stream: BinaryIO, file: str, max_bytes: int) -> bytes:
    """A whole file of at most max_bytes, refused beyond: a file on disk by its size before a byte is read, any
    other stream as soon as it passes the limit. Read in pieces: read(max_bytes + 1) would reserve the whole
    limit (256 MB for a tally) for a file of a few KB."""
    try:
        size = os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):  # not a file on disk (an archive member, a test's BytesIO)
        size = 0
    if size > max_bytes:
        raise RecordError(file, None, f"larger than {max_bytes} bytes")
    parts, total = [], 0
    while total <= max_bytes and (part := stream.read(min(1 << 20, max_bytes + 1 - total))):
        parts.append(part)
        total += len(part)
    if total > max_bytes:
        raise RecordError(file, None, f"larger than {max_bytes} bytes")
    return b"".join(parts)


def read_document(stream: BinaryIO, file: str, *, require_canonical: bool = True,
                  max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """A whole-file JSON document of at most max_bytes. A canonical document is one canonical object followed by
    exactly one newline: one byte form, so that the SHA-256 of the file (and the record digest) is the same for the
    same content. Other documents (an auditor's own files) may end with or without a newline."""
    return parse_document(read_bounded(stream, file, max_bytes), file, require_canonical=require_canonical)


def parse_document(data: bytes, file: str, *, require_canonical: bool = True) -> Any:
    """`read_document` on a whole file's bytes already read."""
    newline = data.endswith(b"\n")
    value = parse(data[:-1] if newline else data, file, 1, require_canonical=require_canonical)
    if require_canonical and not newline:  # after the parse: a cut-off file is told as invalid JSON first
        raise RecordError(file, 1, "no newline at the end (a canonical document ends with exactly one)")
    return value


def iter_raw_lines(stream: BinaryIO, file: str, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """JSON Lines as (line number, exact bytes without the newline), never more than MAX_LINE_BYTES + 1 in memory.
    `start`: the lines before the stream's position (numbered from start + 1).

    Every line, the last included, ends with a newline; a missing one means the file was truncated."""
    number = start
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if not raw.endswith(b"\n"):
            if len(raw) > MAX_LINE_BYTES:
                raise RecordError(file, number, f"line longer than {MAX_LINE_BYTES} bytes")
            raise RecordError(file, number, "last line has no newline (truncated file?)")
        yield number, raw[:-1]


def iter_lines(stream: BinaryIO, file: str, *, require_canonical: bool = True) -> Iterator[tuple[int, bytes, Any]]:
    """JSON Lines: yields (line number, exact bytes, parsed value) per line, in bounded memory per line."""
    for number, raw in iter_raw_lines(stream, file):
        yield number, raw, parse(raw, file, number, require_canonical=require_canonical)
