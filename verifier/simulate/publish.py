"""Writing record files as the authority does: canonical bytes, signatures over the documented messages.
Shared by the honest authority (authority.py) and the fault injector (tamper.py), which re-signs what a
dishonest authority could re-sign."""
from pathlib import Path

from verifier.crypto.encoding import signed_message
from verifier.record import canonical
from verifier.simulate.keys import SigningKey


def hex_int(x: int, width: int) -> str:
    return int(x).to_bytes(width, "big").hex()


def sign_object(key: SigningKey, tag: str, election_id: str, obj: dict, sig_field: str) -> dict:
    """A copy of obj with sig_field set to the signature over tag, election id and obj's canonical bytes."""
    obj = {k: v for k, v in obj.items() if k != sig_field}
    obj[sig_field] = key.sign(signed_message(tag, election_id, canonical.dumps(obj))).hex()
    return obj


def write_lines(path: Path, rows) -> None:
    with open(path, "wb") as f:
        for row in rows:
            f.write(canonical.dumps(row) + b"\n")


def write_document(path: Path, obj: dict) -> None:
    path.write_bytes(canonical.dumps(obj) + b"\n")
