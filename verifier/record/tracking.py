"""Tracking codes (SPEC.md §12.2): the short code a voter's app shows after voting, derived from the envelope's
canonical bytes, and the scan of a ballot box for one code or ballot id."""
import base64
import hashlib
import re
from pathlib import Path

from verifier.errors import RecordError
from verifier.record import canonical, layout, reader

TRACKING_TAG = layout.TRACKING_TAG
CODE_BYTES = 10  # 80 bits: 16 base32 characters, no padding; a collision needs ~2^40 ballots, a forgery 2^80 work
_CODE = re.compile(r"[A-Z2-7]{16}")
_BALLOT_ID = re.compile(r"[0-9a-f]{32}")


def tracking_code(envelope_bytes: bytes) -> str:
    """The code of an envelope given its canonical bytes: base32 of the first 10 bytes of
    SHA-256(tag ‖ 0x0a ‖ canonical(envelope)), in four groups of four joined by '-'."""
    digest = hashlib.sha256(TRACKING_TAG.encode() + b"\n" + envelope_bytes).digest()
    text = base64.b32encode(digest[:CODE_BYTES]).decode()
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def parse_query(text: str) -> tuple[str, str]:
    """("code", XXXX-XXXX-XXXX-XXXX) or ("ballot", hex) for what a voter typed: a tracking code in any case, with
    or without '-' and spaces, or a ballot id as 32 hex digits. ValueError otherwise."""
    compact = re.sub(r"[\s-]", "", text)
    if _BALLOT_ID.fullmatch(compact.lower()) and not _CODE.fullmatch(compact.upper()):
        return "ballot", compact.lower()
    if _CODE.fullmatch(compact.upper()):
        code = compact.upper()
        return "code", "-".join(code[i:i + 4] for i in range(0, 16, 4))
    raise ValueError("neither a tracking code (16 letters A-Z and digits 2-7, e.g. YIRG-Z7LF-X62A-MNI6) nor a "
                     "ballot id (32 hex digits)")


def find_in_box(root: Path, kind: str, value: str) -> list[tuple[int, str, str, bytes]]:
    """The box lines (line, ballot id hex, tracking code, SHA-256 of the line) whose code or ballot id is `value`,
    in box order. One pass, line by line; a line that is not a readable envelope has no code (the verification
    names it). The line's hash lets the caller check that the verification read that very line."""
    found = []
    for line, raw in reader.iter_file_lines(root, layout.BALLOT_BOX):
        try:
            envelope = canonical.parse(raw, layout.BALLOT_BOX, line)["envelope"]
            ballot_id = envelope["ballot_id"]
            code = tracking_code(canonical.dumps(envelope))
        except (RecordError, KeyError, TypeError, ValueError):
            continue
        if (code if kind == "code" else ballot_id) == value:
            found.append((line, str(ballot_id), code, hashlib.sha256(raw).digest()))
    return found
