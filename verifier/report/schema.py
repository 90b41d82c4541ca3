"""The JSON Schema (draft 2020-12) of the JSON reports of `verify`, `seats` and `protocols`: the shared envelope
(report/envelope.py) and each command's body, as json_report.as_dict, seats.report and protocols.report write them.

Written next to the writers so that a change to one shows beside the other; tests/test_schemas.py validates the
real output of each command against it, and additionalProperties is false throughout, so every key a writer adds
must be described here.
"""
from dataclasses import fields

from verifier.checks.catalog import CHECKS, PHASES, PROTOCOL_CHECKS
from verifier.checks.findings import Location
from verifier.report.envelope import REPORT_FORMAT, SCHEMA_VERSION, STATUSES

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://tally-verifier.invalid/schemas/report.schema.json"  # a name, never fetched
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
COUNT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
FLAG = {"type": "boolean"}
ANY: dict = {}


def _object(props: dict, optional: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": props, "required": [k for k in props if k not in optional],
            "additionalProperties": False}


def _nullable(s: dict) -> dict:
    return {"anyOf": [s, {"type": "null"}]}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


# a finding's place as fields: Location's (verify), and `item`, the figure of a paper protocol (protocols)
_PLACE_FIELDS = {f.name: COUNT if f.name in ("line", "trustee") else TEXT for f in fields(Location)}
LOCATION = _object({**_PLACE_FIELDS, "item": TEXT}, optional=(*_PLACE_FIELDS, "item"))  # absent when unknown
FINDING = _object({
    "code": {"enum": [c.id for c in (*CHECKS, *PROTOCOL_CHECKS)]},  # the check id
    "location": LOCATION,
    "place": TEXT,  # the location in words (verify: with the manifest's names)
    "detail": TEXT,  # the check's own words (formula, values)
    "expected": ANY, "found": ANY,  # the values compared, where the check compares two
}, optional=("expected", "found"))

STEP = _object({
    "id": {"enum": [c.id for c in CHECKS]},
    "name": TEXT,
    "phase": {"enum": list(PHASES)},
    "title": TEXT,
    "spec_section": TEXT,
    "status": {"enum": ["passed", "failed", "not run"]},
    "checked": COUNT,
    "failed": COUNT,
    "not_run_reason": _nullable(TEXT),
    "optional": FLAG,
    "unlisted_failures": COUNT,  # failures beyond the 10,000 kept per step: counted, not in `findings`
})
VERIFY = _object({
    "record": TEXT,
    "election_id": _nullable(TEXT),
    "election_fingerprint": _nullable(SHA256),
    "test_record": FLAG,
    "anchor": _object({
        "status": {"enum": ["anchored", "not anchored", "failed"]},
        "text": TEXT,
        "expected_fingerprints": _array(SHA256),
        "trusted_keys": _nullable(TEXT),
    }),
    "record_digest": _nullable(SHA256),
    "auditor_inputs": _array(TEXT),  # which of the inputs are the auditor's own (--receipts, --trusted-keys)
    "warnings": _array(TEXT),
    "counts": {"type": "object", "additionalProperties": COUNT},
    "verdict": TEXT,
    "root_causes": _array(TEXT),
    # the verified result in plain figures (SPEC.md §5): contests, options, votes, shares, seats or winner,
    # turnout, the ballot accounting, the drill-down; null when the run stopped before the results
    "result": _nullable({"type": "object"}),
    "steps": {"type": "array", "items": STEP, "minItems": len(CHECKS), "maxItems": len(CHECKS)},
})

FRACTION = _nullable(_object({"fraction": {"type": "string", "pattern": "^[0-9]+/[1-9][0-9]*$"},
                              "decimal": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{6}$"}}))
OPTION_KINDS = {"enum": ["party", "candidate", "against_all"]}
ANNOUNCED = _nullable(_object({"file": TEXT, "seats": {"type": "object", "additionalProperties": COUNT}}))
SEATS_LIST = _object({
    "mode": {"const": "list"},
    "counts": TEXT,
    "rule": _object({"seats": COUNT, "threshold_percent": FRACTION, "base": {"enum": ["parties",
                     "parties-and-against-all"]}, "base_includes_against_all": FLAG}),
    "base": COUNT,
    "threshold_votes": FRACTION,
    "min_votes_to_pass": _nullable(COUNT),
    "passing_votes": COUNT,
    "quota": FRACTION,
    "allocated": FLAG,
    "no_allocation_reason": _nullable(TEXT),
    "options": _array(_object({"option": TEXT, "kind": OPTION_KINDS, "votes": COUNT, "share_percent": FRACTION,
                               "passed": _nullable(FLAG), "seats": COUNT, "remainder": FRACTION,
                               "remainder_seat": FLAG, "total": COUNT})),
    "total_seats": COUNT,
    "remainder_seats": COUNT,
    "remainder_tie": _nullable(_object({"remainder": FRACTION, "winners": _array(TEXT), "losers": _array(TEXT),
                                        "note": TEXT})),
    "announced": ANNOUNCED,
})
SEATS_PLURALITY = _object({
    "mode": {"const": "plurality"},
    "counts": TEXT,
    "rule": _object({"seats": {"const": 1}}),
    "options": _array(_object({"option": TEXT, "kind": OPTION_KINDS, "votes": COUNT, "share_percent": FRACTION})),
    "winner": _nullable(TEXT),
    "undecided": FLAG,
    "tied": _array(TEXT),
    "top_votes": COUNT,
    "against_all_votes": _nullable(COUNT),
    "against_all_leads": FLAG,
    "announced": ANNOUNCED,
})
PROTOCOLS = _object({
    "directory": TEXT,
    "protocols": COUNT,
    "contests": _array(TEXT),
    "checks": _array(_object({
        "id": {"enum": [c.id for c in PROTOCOL_CHECKS]}, "title": TEXT, "family": {"enum": ["protocol",
        "hierarchy"]}, "identity": TEXT, "counts": TEXT, "checked": COUNT, "failed": COUNT, "findings": COUNT,
        "not_checked": _array(TEXT)})),
})
BODIES = {"verify": VERIFY, "seats": {"oneOf": [SEATS_LIST, SEATS_PLURALITY]}, "protocols": PROTOCOLS}
assert set(BODIES) == set(STATUSES)

ENVELOPE = {
    "format": {"const": REPORT_FORMAT},
    "schema_version": {"const": SCHEMA_VERSION},
    "kind": {"enum": list(STATUSES)},  # which command wrote the report; its body is under the key of that name
    "verifier_version": TEXT,
    "spec_version": TEXT,
    "status": {"enum": sorted({s for good, bad, more in STATUSES.values() for s in (good, bad, *more)})},
    "ok": FLAG,  # true exactly when the command exits 0
    "inputs": _array(_object({"file": TEXT, "sha256": SHA256})),  # every input, with the SHA-256 of its bytes read
    "findings": _array(FINDING),
}


def _kind(kind: str) -> dict:
    """The envelope of one command: its body and no other, its statuses, `ok` true for the good ones only."""
    good, bad, more = STATUSES[kind]
    return {"properties": {"kind": {"const": kind}}, "required": [kind],
            "propertyNames": {"enum": [*ENVELOPE, kind]},
            "oneOf": [{"properties": {"ok": {"const": True}, "status": {"enum": [good, *more]}}},
                      {"properties": {"ok": {"const": False}, "status": {"const": bad}}}]}


def report_schema() -> dict:
    return {
        "$schema": DRAFT, "$id": SCHEMA_ID,
        "title": f"tally-verifier JSON report ({REPORT_FORMAT} v{SCHEMA_VERSION}: verify, seats, protocols; "
                 f"SPEC.md §5)",
        **_object({**ENVELOPE, **BODIES}, optional=tuple(BODIES)),
        "oneOf": [_kind(k) for k in STATUSES],
    }
