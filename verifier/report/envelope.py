"""The envelope every JSON report shares (`verify`, `seats`, `protocols`; SPEC.md §5): which command wrote it, the
report schema version, the verifier's and the spec's versions, the inputs with their SHA-256, the status, and the
findings as fields (code, place, expected, found); the command's own figures under a key named after it.

A program reads any of the three reports the same way: `ok` is true exactly when the command exits 0, each finding
names its check in `code`, and its place in `location` (fields) and `place` (words)."""
from importlib import metadata
from typing import Any

from verifier import SPEC_VERSION

REPORT_FORMAT = "tally-verifier/report"
SCHEMA_VERSION = 2
# kind -> (status when ok, status otherwise, further statuses when ok); `seats` without --announced only computes
STATUSES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "verify": ("verified", "not verified", ()),
    "seats": ("matches", "differs", ("computed",)),
    "protocols": ("consistent", "inconsistent", ()),
}
_ABSENT = object()


def verifier_version() -> str:
    try:
        return metadata.version("tally-verifier")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def finding(code: str, location: dict[str, Any], place: str, detail: str, expected: object = _ABSENT,
            found: object = _ABSENT) -> dict[str, Any]:
    """One failure: `code` the check id, `location` its place as fields, `place` in words, `detail` the check's
    own words; `expected` and `found` only where the check compares two values."""
    out: dict[str, Any] = {"code": code, "location": location, "place": place, "detail": detail}
    if expected is not _ABSENT:
        out["expected"] = expected
    if found is not _ABSENT:
        out["found"] = found
    return out


def envelope(kind: str, ok: bool, inputs: list[tuple[str, str]], findings: list[dict[str, Any]],
             body: dict[str, Any], status: str | None = None) -> dict[str, Any]:
    """The whole report. `status`: one of the kind's statuses; by default its word for `ok`."""
    good, bad, more = STATUSES[kind]
    status = status or (good if ok else bad)
    assert status in ((good, *more) if ok else (bad,)), (kind, ok, status)
    return {"format": REPORT_FORMAT, "schema_version": SCHEMA_VERSION, "kind": kind,
            "verifier_version": verifier_version(), "spec_version": SPEC_VERSION, "status": status, "ok": ok,
            "inputs": [{"file": f, "sha256": h} for f, h in inputs], kind: body, "findings": findings}
