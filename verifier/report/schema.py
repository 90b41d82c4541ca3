"""The JSON Schema (draft 2020-12) of the JSON report, format REPORT_FORMAT: what json_report.as_dict writes.

Written next to the writer so that a change to one shows beside the other; tests/test_schemas.py validates a report
of each committed fixture against it, and requires every key as_dict writes to be described here (and nothing
more: additionalProperties is false throughout).
"""
from dataclasses import fields

from verifier.checks.catalog import CHECKS, PHASES
from verifier.checks.findings import Location
from verifier.report.json_report import REPORT_FORMAT

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://tally-verifier.invalid/schemas/report.schema.json"  # a name, never fetched
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
COUNT = {"type": "integer", "minimum": 0}


def _object(props: dict, optional: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": props, "required": [k for k in props if k not in optional],
            "additionalProperties": False}


def _nullable(s: dict) -> dict:
    return {"anyOf": [s, {"type": "null"}]}


LOCATION = _object({f.name: _nullable(COUNT if f.name == "line" else {"type": "string"}) for f in fields(Location)},
                   optional=tuple(f.name for f in fields(Location)))  # as_dict leaves out what is None
STEP = _object({
    "id": {"enum": [c.id for c in CHECKS]},
    "name": {"type": "string"},
    "phase": {"enum": list(PHASES)},
    "title": {"type": "string"},
    "spec_section": {"type": "string"},
    "status": {"enum": ["passed", "failed", "not run"]},
    "checked": COUNT,
    "failed": COUNT,
    "not_run_reason": _nullable({"type": "string"}),
    "optional": {"type": "boolean"},
    "unlisted_failures": COUNT,
    "failures": {"type": "array", "items": _object({
        "location": LOCATION, "message": {"type": "string"},
        "code": {"enum": [c.id for c in CHECKS]},  # the check id
        "place": {"type": "string"},  # the location in words, with the manifest's names
        "detail": {"type": "string"},  # the check's own words (formula, values)
        "expected": {}, "found": {},  # the values compared, where the check has them (V7.3–V7.5)
    }, optional=("expected", "found"))},
})


def report_schema() -> dict:
    return {
        "$schema": DRAFT, "$id": SCHEMA_ID, "title": f"tally-verifier JSON report ({REPORT_FORMAT}, SPEC.md §5)",
        **_object({
            "format": {"const": REPORT_FORMAT},
            "record": {"type": "string"},
            "election_id": _nullable({"type": "string"}),
            "election_fingerprint": _nullable(SHA256),
            "test_record": {"type": "boolean"},
            "anchor": _object({
                "status": {"enum": ["anchored", "not anchored", "failed"]},
                "text": {"type": "string"},
                "expected_fingerprints": {"type": "array", "items": SHA256},
                "trusted_keys": _nullable({"type": "string"}),
            }),
            "record_digest": _nullable(SHA256),
            "warnings": {"type": "array", "items": {"type": "string"}},
            "inputs_sha256": {"type": "object", "additionalProperties": SHA256},
            "auditor_inputs_sha256": {"type": "object", "additionalProperties": SHA256},
            "counts": {"type": "object", "additionalProperties": COUNT},
            "verified": {"type": "boolean"},
            "verdict": {"type": "string"},
            "root_causes": {"type": "array", "items": {"type": "string"}},
            # the verified result in plain figures (SPEC.md §5): contests, options, votes, shares, seats or winner,
            # turnout, the ballot accounting, the drill-down; null when the run stopped before the results
            "result": _nullable({"type": "object"}),
            "steps": {"type": "array", "items": STEP, "minItems": len(CHECKS), "maxItems": len(CHECKS)},
        }),
    }
