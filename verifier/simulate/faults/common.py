"""What faults of more than one concern use: the receipts file's name, another election's fingerprint, a document
re-signed by some authority."""
from verifier.simulate.publish import sign_object
from verifier.simulate.spec import sha256
from verifier.simulate.tamper import Forger

HELD_RECEIPTS = "voter_receipts.jsonl"  # the receipts voters kept, as the verifier names the file in its report

ANOTHER_ELECTION = sha256(b"another election").hex()


def _signed_other(w: Forger, doc: dict, tag: str, role: str, fingerprint: str | None) -> dict:
    doc = dict(doc)
    if fingerprint is not None:
        doc["election_fingerprint"] = fingerprint
    return sign_object(w.authority(role), tag, w.eid, doc, "commission_signature")
