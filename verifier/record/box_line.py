"""A ballot-box line read at C speed (issue 15): msgspec decodes it straight into typed structs, the same encoder
writes them back for the canonical-form check, and every hex value of the line is checked and converted in one
`bytes.fromhex` call.

Only a fast path: `read` returns None for anything it cannot vouch for, and reader.read_box_entry then reads the
line the general way (canonical.parse and the Obj schema), which refuses it with its precise message or accepts it.
What `read` accepts, that path accepts too, with equal objects (tests/test_box_line.py holds them against each
other on honest and damaged lines): the structs' fields are the line's exact keys, in sorted order, so writing
them back gives the canonical bytes; lengths, identifiers, times and ranges are checked as the schema checks them.
"""
import hashlib

import msgspec

from verifier.crypto.encoding import sha256, signed_message
from verifier.crypto.paillier import PublicKey
from verifier.record import canonical, layout
from verifier.record.fields import ID_PATTERN, TIMESTAMP_PATTERN, utc_time
from verifier.record.model import BoxEntry, ContestBallot, Envelope, Proof, Receipt

MAX_BRANCHES = 1000  # options of a contest (reader.parse_box_entry: `p.array("a", 1, 1000)`)
HASH, BALLOT_ID, SIGNATURE = 32, 16, 64
# ballot id, election fingerprint, key fingerprint, voter signature, collector signature, envelope hash, previous hash
_FIXED = (BALLOT_ID, HASH, HASH, SIGNATURE, SIGNATURE, HASH, HASH)
_FIXED_DIGITS = [2 * width for width in _FIXED]
_FIXED_SPANS = [(sum(_FIXED[:i]), sum(_FIXED[:i + 1])) for i in range(len(_FIXED))]


# fields in sorted order (msgspec writes them in this order): the canonical order of the keys
class _Proof(msgspec.Struct, forbid_unknown_fields=True):
    a: list[str]
    e: list[str]
    z: list[str]


class _ContestBallot(msgspec.Struct, forbid_unknown_fields=True):
    ciphertext: str
    contest: str
    proof: _Proof


class _Envelope(msgspec.Struct, forbid_unknown_fields=True):
    ballot_id: str
    cast_at: str
    contests: list[_ContestBallot]
    election_fingerprint: str
    election_id: str
    key_fingerprint: str
    signature: str
    voter_id: str


class _Receipt(msgspec.Struct, forbid_unknown_fields=True):
    collector_signature: str
    envelope_hash: str
    previous_hash: str
    received_at: str
    sequence: int


class _Line(msgspec.Struct, forbid_unknown_fields=True):
    envelope: _Envelope
    receipt: _Receipt


_DECODER = msgspec.json.Decoder(_Line)
_ENCODER = msgspec.json.Encoder()


def _time(t: str) -> bool:
    if not TIMESTAMP_PATTERN.fullmatch(t):
        return False
    try:
        utc_time(t)
    except ValueError:
        return False
    return True


def _ints(data: bytes, at: int, width: int, count: int) -> tuple[tuple[int, ...], int]:
    end = at + width * count
    return tuple(int.from_bytes(data[i:i + width], "big") for i in range(at, end, width)), end


def read(line: int, raw: bytes, key: PublicKey, election_id: str) -> BoxEntry | None:
    """The entry of a box line, or None when the general reader must judge it."""
    try:
        value = _DECODER.decode(raw)
        again = _ENCODER.encode(value)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    if again != raw:  # not canonical (order, spacing, escapes, a duplicate key): the general reader says which
        return None
    env, rec = value.envelope, value.receipt
    w1, w2 = key.width, key.width2
    # every hex value of the line, checked and converted in one fromhex call: first the fixed fields (FIXED: their
    # lengths in bytes), then per contest c, a_0.., e_0.., z_0..
    texts = [env.ballot_id, env.election_fingerprint, env.key_fingerprint, env.signature, rec.collector_signature,
             rec.envelope_hash, rec.previous_hash]
    if [len(t) for t in texts] != _FIXED_DIGITS or not env.contests:
        return None
    for cb in env.contests:
        p = cb.proof
        k = len(p.a)
        if not 1 <= k <= MAX_BRANCHES or len(p.e) != k or len(p.z) != k or not ID_PATTERN.fullmatch(cb.contest):
            return None
        if len(cb.ciphertext) != 2 * w2 or {*map(len, p.a)} != {2 * w2} or {*map(len, p.e)} != {2 * HASH} \
                or {*map(len, p.z)} != {2 * w1}:
            return None
        texts.append(cb.ciphertext)
        texts += p.a
        texts += p.e
        texts += p.z
    joined = "".join(texts)
    try:
        data = bytes.fromhex(joined)
    except ValueError:
        return None
    if data.hex() != joined:  # fromhex also takes upper case and spaces
        return None
    if not (ID_PATTERN.fullmatch(env.election_id) and ID_PATTERN.fullmatch(env.voter_id)
            and _time(env.cast_at) and _time(rec.received_at) and 1 <= rec.sequence <= canonical.MAX_SAFE_INT):
        return None
    fixed = [data[start:end] for start, end in _FIXED_SPANS]
    ballot_id, fingerprint, key_fingerprint, signature, collector_signature, envelope_hash, previous_hash = fixed
    at = _FIXED_SPANS[-1][1]
    contests = []
    for cb in env.contests:
        k = len(cb.proof.a)
        c = int.from_bytes(data[at:at + w2], "big")
        a, at = _ints(data, at + w2, w2, k)
        e, at = _ints(data, at, HASH, k)
        z, at = _ints(data, at, w1, k)
        contests.append(ContestBallot(cb.contest, c, Proof(a, e, z)))
    # raw is exactly the encoding of the structs, which nests the encodings of its parts: the envelope's bytes and
    # its contests' bytes are slices of it, found from the (small) encodings of what surrounds them
    receipt_bytes = _ENCODER.encode(rec)
    envelope_bytes = raw[len(b'{"envelope":'):len(raw) - len(b',"receipt":}') - len(receipt_bytes)]
    before, after = _ENCODER.encode(msgspec.structs.replace(env, contests=[])).split(b'"contests":[]')
    contests_bytes = envelope_bytes[len(before) + len(b'"contests":'):len(envelope_bytes) - len(after)]
    body = {"ballot_id": env.ballot_id, "cast_at": env.cast_at, "election_fingerprint": env.election_fingerprint,
            "election_id": env.election_id, "key_fingerprint": env.key_fingerprint, "voter_id": env.voter_id,
            "inner_hash": hashlib.sha256(contests_bytes).hexdigest()}
    envelope = Envelope(ballot_id, env.election_id, fingerprint, env.voter_id, key_fingerprint, env.cast_at,
                        tuple(contests), signature,
                        signed_message(layout.ENVELOPE_TAG, election_id, canonical.dumps(body)))
    receipt_body = {"envelope_hash": rec.envelope_hash, "previous_hash": rec.previous_hash,
                    "received_at": rec.received_at, "sequence": rec.sequence}
    receipt = Receipt(rec.sequence, rec.received_at, envelope_hash, previous_hash, collector_signature,
                      signed_message(layout.RECEIPT_TAG, election_id, canonical.dumps(receipt_body)))
    return BoxEntry(line, envelope, receipt, envelope_bytes, sha256(raw))
