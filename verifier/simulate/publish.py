"""Writing record files as the authority does: canonical bytes, signatures over the documented messages.
Shared by the honest authority (authority.py) and the fault injector (tamper.py), which re-signs what a
dishonest authority could re-sign."""
from datetime import datetime, timezone
from pathlib import Path

from verifier.simulate import spec
from verifier.simulate.keys import Signer
from verifier.simulate.spec import hex_int

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # UTC, to the second (SPEC.md §2)


def time_text(t: datetime) -> str:
    return t.strftime(TIME_FORMAT)


def parse_time(s: str) -> datetime:
    return datetime.strptime(s, TIME_FORMAT).replace(tzinfo=timezone.utc)


def sign_object(key: Signer, tag: str, election_id: str, obj: dict, sig_field: str) -> dict:
    """A copy of obj with sig_field set to the signature over tag, election id and obj's canonical bytes."""
    obj = {k: v for k, v in obj.items() if k != sig_field}
    obj[sig_field] = key.sign(spec.signed_message(tag, election_id, obj)).hex()
    return obj


def contest_ballot(key, contest: str, c: int, a, e, z) -> dict:
    """One contest of an envelope: the ciphertext and its 1-of-k proof (SPEC.md §2.5)."""
    return {"contest": contest, "ciphertext": hex_int(c, key.width2),
            "proof": {"a": [hex_int(x, key.width2) for x in a], "e": [hex_int(x, 32) for x in e],
                      "z": [hex_int(x, key.width) for x in z]}}


def sign_envelope(signer: Signer, election_id: str, env: dict) -> None:
    """Set env's signature: the voter signs the envelope's fields and the hash of its contests."""
    env["signature"] = signer.sign(spec.signed_message(spec.ENVELOPE_TAG, election_id, spec.envelope_body(env))).hex()


def receipt(collector: Signer, election_id: str, sequence: int, received_at: str, envelope_hash: bytes,
            previous_hash: bytes) -> dict:
    return sign_object(collector, spec.RECEIPT_TAG, election_id,
                       {"sequence": sequence, "received_at": received_at, "envelope_hash": envelope_hash.hex(),
                        "previous_hash": previous_hash.hex()}, "collector_signature")


def box_head(collector: Signer, election_id: str, entries: int, head_hash: bytes, closed_at: str) -> dict:
    return sign_object(collector, spec.HEAD_TAG, election_id,
                       {"entries": entries, "head_hash": head_hash.hex(), "closed_at": closed_at},
                       "collector_signature")


def aggregate(key, contest: str, station: str, ballots: int, c: int, t: int, r: int, option_ids, counts) -> dict:
    """One aggregate of the tally: product of the ciphertexts, its plaintext and counts, the revealed randomness."""
    return {"contest": contest, "polling_station": station, "ballots": ballots,
            "ciphertext": hex_int(c, key.width2), "plaintext": hex_int(t, key.width),
            "counts": [{"option": o, "votes": v} for o, v in zip(option_ids, counts, strict=True)],
            "decryption_proof": {"method": "randomness_reveal", "r": hex_int(r, key.width)}}


def write_lines(path: Path, rows) -> None:
    with open(path, "wb") as f:
        for row in rows:
            f.write(spec.canonical(row) + b"\n")


def write_document(path: Path, obj: dict) -> None:
    path.write_bytes(spec.canonical(obj) + b"\n")


def election_key(n: int, primes, rng, proof=None) -> dict:
    """election_key.json for n = the product of `primes` (SPEC §2.2): g, the tier-1 proof and Π^mod, computed with
    the factors (or the Π^mod given: a fault injector publishes its own)."""
    from verifier.simulate.keys import key_proof, modulus_proof

    key = spec.PaillierKey.of(n)
    sigma = key_proof(n, *primes)
    proof = modulus_proof(n, primes, rng)[0] if proof is None else proof
    return {"n": hex_int(n, key.width), "g": hex_int(n + 1, key.width2),
            "key_proof": {"sigma": [hex_int(s, key.width) for s in sigma]},
            "modulus_proof": {"w": hex_int(proof.w, key.width), "x": [hex_int(v, key.width) for v in proof.x],
                              "a": list(proof.a), "b": list(proof.b),
                              "z": [hex_int(v, key.width) for v in proof.z]}}
