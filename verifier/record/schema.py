"""The record files' shapes as data, and their JSON Schemas (draft 2020-12) generated from it.

Each field is described by the fields.Obj accessor the reader uses for it (`via`) and that accessor's arguments, so
the description is a transcript of the readers' Obj calls: tests/test_schemas.py reads both fixtures through the real
readers with every Obj call recorded and requires each call (its object's field set, its accessor, its arguments)
to be the one described here. The schemas in schemas/ are generated from this (`tally-verifier schemas DIR`), and
a test keeps the committed ones equal to the generated ones.

A schema checks the shape only: what SPEC.md §2 says beyond it (canonical JSON, signatures, hashes, references
between files) is the verifier's. Big integers are fixed-length lowercase hex whose width the election key fixes:
`width(n)` hex digits are twice the byte length of n (512 at 2048 bits, 768 at 3072), `width(n²)` twice that of
n²; a schema cannot know the key, so those fields say `^([0-9a-f]{2})+$` and name their width in the description.
"""
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from verifier.crypto.signatures import ALGORITHMS, KEY_LENGTHS
from verifier.record import layout
from verifier.record.fields import DATE_PATTERN, ID_PATTERN, MAX_TEXT, TIMESTAMP_PATTERN
from verifier.record.model import LEVELS, OPTION_KINDS
from verifier.record.reader import BALLOT_ID, DECISION_REASONS, HASH, PERCENT, SIGNATURE, TURNOUT

T = TypeVar("T")

SCHEMA_ID = "https://tally-verifier.invalid/schemas/"  # a name, never fetched
DRAFT = "https://json-schema.org/draft/2020-12/schema"
MAX_INT = 2**53 - 1
NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"  # fields.CONTROL: Obj.text refuses these
KEY_WIDTHS = ("n", "n2")  # hex widths fixed by the key: of n, of n²


@dataclass(frozen=True)
class F:
    """One field (or array item): `via` is the Obj accessor that reads it, `args` its arguments after the key."""

    via: str
    args: tuple = ()
    items: "F | None" = None  # arrays: the item
    obj: "Shape | None" = None  # objects
    nullable: bool = False
    note: str = ""


@dataclass(frozen=True)
class Shape:
    required: dict[str, F]
    optional: dict[str, F] = field(default_factory=dict)

    @property
    def keys(self) -> set[str]:
        return set(self.required)


def ident() -> F:
    return F("ident")


def text(max_len: int = MAX_TEXT, pattern: re.Pattern | None = None) -> F:
    return F("text", (pattern, max_len))


def integer(lo: int = 0, hi: int = MAX_INT) -> F:
    return F("integer", (lo, hi))


def choice(*allowed: str) -> F:
    return F("choice", (tuple(allowed),))


def hex_bytes(length: int | str) -> F:
    return F("hex_bytes", (length,))


def hex_int(width: str) -> F:
    return F("hex_int", (width,))


def hex_ints(width: int | str, same_length_as: str | None = None) -> F:
    return F("hex_ints", (width,), note=same_length_as or "")


def obj(required: dict[str, F], optional: dict[str, F] | None = None, nullable: bool = False) -> F:
    return F("obj", obj=Shape(required, optional or {}), nullable=nullable)


def objs(item: dict[str, F], min_len: int = 0, optional: dict[str, F] | None = None) -> F:
    return F("objs", (min_len,), obj=Shape(item, optional or {}))


def array(item: F, min_len: int = 0, max_len: int = 10**7) -> F:
    return F("array", (min_len, max_len), items=item)


PUBLIC_KEY = hex_bytes("algorithm")  # its length is the algorithm's (KEY_LENGTHS)
AUTHORITY = obj({"algorithm": choice(*ALGORITHMS), "public_key": PUBLIC_KEY})

CONTEST = {
    "id": ident(), "title": text(),
    "scope": obj({"level": choice("nation", "region", "district")}, {"unit": ident()}),
    "options": objs({"id": ident(), "name": text(), "kind": choice(*OPTION_KINDS)}, min_len=1),
    "seat_rule": obj({"method": choice("largest_remainder", "plurality"), "seats": integer(1, 100000)},
                     {"threshold_percent": text(MAX_TEXT, PERCENT),
                      "threshold_base": choice("parties", "parties_and_against_all")}, nullable=True),
}
COUNTS = objs({"option": ident(), "votes": integer()})

FILES: dict[str, Shape] = {
    layout.MANIFEST: Shape({
        "spec_version": text(16), "election_id": ident(), "title": text(), "test_record": F("boolean"),
        "voting_period": obj({"start": F("timestamp"), "end": F("timestamp")}),
        "election_day": F("date"), "max_receipt_delay_seconds": integer(0, 86400),
        "regions": objs({"id": ident(), "name": text()}, min_len=1),
        "districts": objs({"id": ident(), "name": text(), "region": ident()}, min_len=1),
        "polling_stations": objs({"id": ident(), "name": text(), "district": ident(), "ballot_style": ident()},
                                 min_len=1),
        "contests": objs(CONTEST, min_len=1),
        "ballot_styles": objs({"id": ident(), "contests": array(ident())}, min_len=1),
        "authorities": obj({"registrar": AUTHORITY, "collector": AUTHORITY, "commission": AUTHORITY}),
        "registry": obj({"voters": integer(), "sha256": hex_bytes(HASH)}),
    }),
    layout.ELECTION_KEY: Shape({
        "n": F("text", (None, 2048), note="n"),  # read as text (its length fixes the width), then as hex
        "g": hex_int("n2"),
        "key_proof": obj({"sigma": hex_ints("n")}),
        "modulus_proof": obj({"w": hex_int("n"), "x": hex_ints("n"), "a": F("bits", (0, 1000)),
                              "b": F("bits", (0, 1000)), "z": hex_ints("n")}),
    }, {  # only when the key is shared among trustees (§2.2, §3.9)
        "threshold": obj({"trustees": integer(1, 64), "threshold": integer(1, 64), "v": hex_int("n2"),
                          "verification_keys": hex_ints("n2")}),
    }),
    layout.REGISTRY: Shape({
        "voter_id": ident(), "polling_station": ident(), "algorithm": choice(*ALGORITHMS), "public_key": PUBLIC_KEY,
        "registrar_signature": hex_bytes(SIGNATURE),
    }),
    layout.BALLOT_BOX: Shape({
        "envelope": obj({
            "ballot_id": hex_bytes(BALLOT_ID), "election_id": ident(), "election_fingerprint": hex_bytes(HASH),
            "voter_id": ident(), "key_fingerprint": hex_bytes(HASH), "cast_at": F("timestamp"),
            "contests": objs({"contest": ident(), "ciphertext": hex_int("n2"),
                              "proof": obj({"a": hex_ints("n2", "k"), "e": hex_ints(HASH, "a"),
                                            "z": hex_ints("n", "a")})}, min_len=1),
            "signature": hex_bytes(SIGNATURE),
        }),
        "receipt": obj({"sequence": integer(1), "received_at": F("timestamp"), "envelope_hash": hex_bytes(HASH),
                        "previous_hash": hex_bytes(HASH), "collector_signature": hex_bytes(SIGNATURE)}),
    }),
    layout.BALLOT_BOX_HEAD: Shape({"entries": integer(), "head_hash": hex_bytes(HASH), "closed_at": F("timestamp"),
                                   "collector_signature": hex_bytes(SIGNATURE)}),
    layout.CANCELLATIONS: Shape({"voter_id": ident(), "polling_station": ident(), "paper_voted_at": F("timestamp"),
                                 "voter_signature": hex_bytes(SIGNATURE),
                                 "commission_signature": hex_bytes(SIGNATURE)}),
    layout.BALLOT_DECISIONS: Shape({"ballot_id": hex_bytes(BALLOT_ID), "status": choice("counted", "excluded")},
                                   {"reason": choice(*DECISION_REASONS)}),
    layout.TALLY: Shape({
        "election_fingerprint": hex_bytes(HASH),
        "aggregates": objs({"contest": ident(), "polling_station": ident(), "ballots": integer(),
                            "ciphertext": hex_int("n2"), "plaintext": hex_int("n"), "counts": COUNTS,
                            # "r" for the randomness reveal, "shares" for threshold decryption (§2.8, §3.9)
                            "decryption_proof": obj({"method": choice("randomness_reveal", "threshold")},
                                                    {"r": hex_int("n"),
                                                     "shares": objs({"trustee": F("integer", (1, 64),
                                                                                  note="trustees"),
                                                                     "share": hex_int("n2"),
                                                                     "proof": obj({"a": hex_int("n2"),
                                                                                   "b": hex_int("n2"),
                                                                                   "e": F("hex_int", (HASH,)),
                                                                                   "z": hex_int("z")})})})}),
        "commission_signature": hex_bytes(SIGNATURE),
    }),
    layout.RESULTS: Shape({
        "election_fingerprint": hex_bytes(HASH),
        "protocols": objs({"level": choice(*LEVELS), "unit": ident(), "registered_voters": integer(),
                           "voters_voted": integer(), "turnout_percent": text(6, TURNOUT),
                           "contests": objs({"contest": ident(), "ballots": integer(), "votes": COUNTS})}),
        "seats": objs({"contest": ident(), "seats": objs({"option": ident(), "seats": integer()})}),
        "commission_signature": hex_bytes(SIGNATURE),
    }),
}
# JSON Lines files: the schema is of one line
LINE_FILES = (layout.REGISTRY, layout.BALLOT_BOX, layout.CANCELLATIONS, layout.BALLOT_DECISIONS)


# ------------------------------------------------------------------------------------------------ JSON Schema


def _hex(digits: int) -> dict:
    return {"type": "string", "pattern": f"^[0-9a-f]{{{digits}}}$"}


def _key_hex(width: str | int) -> dict:
    if isinstance(width, int):  # a fixed width (a 256-bit challenge)
        return _hex(2 * width)
    if width == "z":
        return {"type": "string", "pattern": "^([0-9a-f]{2})+$",
                "description": "lowercase hex of the share proof's z, of the width SPEC.md §3.9 fixes from n and the "
                               "number of trustees"}
    what = "n" if width == "n" else "n²"
    return {"type": "string", "pattern": "^([0-9a-f]{2})+$",
            "description": f"lowercase hex, exactly twice as many digits as {what} has bytes (fixed by the key: "
                           f"{'512 at 2048 bits, 768 at 3072' if width == 'n' else '1024 at 2048 bits, 1536 at 3072'})"}


def _field(f: F) -> dict:
    s = _field_only(f)
    if f.nullable:
        s = {"anyOf": [s, {"type": "null"}]}
    return s


def _field_only(f: F) -> dict:
    v = f.via
    if v == "ident":
        return {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$", "maxLength": 64}
    if v == "text":
        pattern, max_len = f.args
        if f.note == "n":
            return {"type": "string", "pattern": "^(0[1-9a-f]|[1-9a-f][0-9a-f])([0-9a-f]{2})*$", "maxLength": max_len,
                    "description": "the modulus n: minimal-length lowercase hex (whole bytes, no leading zero byte)"}
        s = {"type": "string", "maxLength": max_len, "pattern": NO_CONTROL}
        if pattern is not None:
            s = {"type": "string", "maxLength": max_len, "pattern": f"^{pattern.pattern}$"}
        return s
    if v == "integer":
        return {"type": "integer", "minimum": f.args[0], "maximum": f.args[1]}
    if v == "boolean":
        return {"type": "boolean"}
    if v == "timestamp":
        return {"type": "string", "pattern": f"^{TIMESTAMP_PATTERN.pattern}$", "description": "UTC, to the second"}
    if v == "date":
        return {"type": "string", "pattern": f"^{DATE_PATTERN.pattern}$"}
    if v == "choice":
        return {"enum": list(f.args[0])}
    if v == "hex_bytes":
        (length,) = f.args
        if length == "algorithm":
            return {"type": "string", "pattern": "^[0-9a-f]+$",
                    "description": "the public key in lowercase hex; its length is the algorithm's: "
                                   + ", ".join(f"{a} {2 * n} digits" for a, n in KEY_LENGTHS.items())}
        return _hex(2 * length)
    if v == "hex_int":
        return _key_hex(f.args[0])
    return _composite_field(f)


def _composite_field(f: F) -> dict:
    """The arrays and objects (of _field_only's kinds)."""
    v = f.via
    if v == "hex_ints":
        (width,) = f.args
        item = _key_hex(width) if width in KEY_WIDTHS else _hex(2 * width)
        s: dict[str, Any] = {"type": "array", "items": item}
        if f.note == "k":
            s.update(minItems=1, maxItems=1000)
        elif f.note:
            s["description"] = f"as many items as {f.note}"
        return s
    if v == "bits":
        return {"type": "array", "maxItems": f.args[1], "items": {"enum": [0, 1]}}
    if v == "array":
        return {"type": "array", "minItems": f.args[0], "items": _field(_part(f.items, f))}
    if v == "obj":
        return shape_schema(_part(f.obj, f))
    if v == "objs":
        s = {"type": "array", "items": shape_schema(_part(f.obj, f))}
        if f.args[0]:
            s["minItems"] = f.args[0]
        return s
    raise ValueError(v)


def _part(part: T | None, f: F) -> T:
    """An array's item or an object's shape: array() and obj()/objs() always give it."""
    if part is None:
        raise ValueError(f"{f.via} field without its {'item' if f.via == 'array' else 'shape'}")
    return part


def shape_schema(shape: Shape) -> dict:
    props = {k: _field(f) for k, f in {**shape.required, **shape.optional}.items()}
    return {"type": "object", "properties": dict(sorted(props.items())), "required": sorted(shape.required),
            "additionalProperties": False}


def schema_name(file: str) -> str:
    """manifest.json -> manifest.schema.json; registry.jsonl -> registry.line.schema.json (one line of it)."""
    stem = file.rsplit(".", 1)[0]
    return f"{stem}.line.schema.json" if file in LINE_FILES else f"{stem}.schema.json"


def record_schemas() -> dict[str, dict]:
    out = {}
    for file, shape in FILES.items():
        what = f"one line of {file}" if file in LINE_FILES else file
        out[schema_name(file)] = {"$schema": DRAFT, "$id": SCHEMA_ID + schema_name(file),
                                  "title": f"tally-verifier record: {what} (SPEC.md §2)", **shape_schema(shape)}
    return out
