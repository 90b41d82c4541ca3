"""The simulator's own encoders, written from SPEC.md alone: a second implementation of the contract.

The simulator plays the election authority, a different party from the verifier, so it shares none of the
verifier's code (tests/test_layers.py refuses any import of verifier.* here outside verifier.simulate). Were both
to use one function, a misreading of SPEC.md in it would pass every test; written twice, the fixtures, the fault
matrix and the known-answer vectors of Appendix A (tests/test_kat.py) hold each side to the text.

Canonical JSON is the `rfc8785` package (an independent JCS implementation); everything else is written here from
the section named at each definition.
"""
import hashlib
from dataclasses import dataclass
from fractions import Fraction

import gmpy2
import rfc8785

# The version of SPEC.md this simulator writes records for (its header, "Spec version **1.1**"). A constant of its
# own rather than the verifier's SUPPORTED list: a simulator that writes another version than the verifier reads
# is exactly what spec-version-unknown fakes; tests/test_kat.py holds it to SPEC.md's header.
SPEC_VERSION = "1.1"

# --- §2: the files of a record ---------------------------------------------------------------------------------

MANIFEST = "manifest.json"
ELECTION_KEY = "election_key.json"
REGISTRY = "registry.jsonl"
BALLOT_BOX = "ballot_box.jsonl"
BALLOT_BOX_HEAD = "ballot_box_head.json"
CANCELLATIONS = "cancellations.jsonl"
BALLOT_DECISIONS = "tally_ballots.jsonl"
TALLY = "tally.json"
RESULTS = "results.json"
ALL_FILES = (MANIFEST, ELECTION_KEY, REGISTRY, BALLOT_BOX, BALLOT_BOX_HEAD, CANCELLATIONS, BALLOT_DECISIONS, TALLY,
             RESULTS)

# --- §3.8: domain tags -----------------------------------------------------------------------------------------

FINGERPRINT_TAG = "tally-verifier/fingerprint/v1"
GENESIS_TAG = "tally-verifier/ballot-box-genesis/v1"
REGISTRY_TAG = "tally-verifier/registry-entry/v1"
ENVELOPE_TAG = "tally-verifier/envelope/v1"
RECEIPT_TAG = "tally-verifier/receipt/v1"
HEAD_TAG = "tally-verifier/ballot-box-head/v1"
SNAPSHOT_TAG = "tally-verifier/ballot-box-snapshot/v1"  # a head signed while the box is open (SPEC.md §12.1)
PAPER_BALLOT_TAG = "tally-verifier/paper-ballot/v1"
CANCELLATION_TAG = "tally-verifier/cancellation/v1"
TALLY_TAG = "tally-verifier/tally/v1"
RESULTS_TAG = "tally-verifier/results/v1"
MEMBERSHIP_TAG = "tally-verifier/membership/v1"
KEY_PROOF_TAG = "tally-verifier/key-proof/v1"
MODULUS_PROOF_TAG = "tally-verifier/modulus-proof/v1"  # §3.6.2

# --- §1: canonical JSON, hashes --------------------------------------------------------------------------------


def canonical(value) -> bytes:
    """RFC 8785 (JCS) bytes of a JSON value (§1): sorted keys, no whitespace, minimal string escapes."""
    return rfc8785.dumps(value)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def int_bytes(x: int, width: int) -> bytes:
    """A non-negative integer as exactly `width` big-endian bytes (§1)."""
    return int(x).to_bytes(width, "big")


def hex_int(x: int, width: int) -> str:
    """A big integer as fixed-length lowercase hex of `width` bytes (§1)."""
    return int_bytes(x, width).hex()


def width(x: int) -> int:
    """Byte length ceil(bits/8): W1 of n, W2 of n² (§1)."""
    return (int(x).bit_length() + 7) // 8


# --- §3.1: the length-prefixed encoding ------------------------------------------------------------------------

def enc(x: bytes) -> bytes:
    """enc(x) = len(x) as 4 bytes big-endian ‖ x."""
    return len(x).to_bytes(4, "big") + x


def hfs(tag: str, *fields: bytes) -> bytes:
    """Hfs(tag, x1, …, xm) = H(enc(tag) ‖ enc(x1) ‖ … ‖ enc(xm))."""
    return sha256(enc(tag.encode()) + b"".join(enc(f) for f in fields))


def _below_n(n: int, prefix: bytes) -> int:
    """The first candidate 0 < x < n, x_ctr = SHAKE-256(prefix ‖ enc(ctr as 4 bytes)) of W1 bytes read big-endian
    and shifted right by 8·W1 − bits(n), for ctr = 0, 1, … (§3.1, §3.6.1, §3.6.2)."""
    n = int(n)
    w1 = width(n)
    shift = 8 * w1 - n.bit_length()
    ctr = 0
    while True:
        x = int.from_bytes(hashlib.shake_256(prefix + enc(ctr.to_bytes(4, "big"))).digest(w1), "big") >> shift
        if 0 < x < n:
            return x
        ctr += 1


# --- §3.2: signed messages -------------------------------------------------------------------------------------

def signed_message(tag: str, election_id: str, obj: dict, sig_field: str | None = None) -> bytes:
    """tag ‖ 0x0a ‖ election_id ‖ 0x0a ‖ canonical(object without its signature field)."""
    body = {k: v for k, v in obj.items() if k != sig_field}
    return tag.encode() + b"\n" + election_id.encode() + b"\n" + canonical(body)


# --- §2.2, §2.4: fingerprint, genesis, envelope ----------------------------------------------------------------

def fingerprint(manifest: dict, election_key: dict) -> bytes:
    """H("tally-verifier/fingerprint/v1" ‖ 0x0a ‖ canonical(manifest) ‖ 0x0a ‖ canonical(election_key))."""
    return sha256(FINGERPRINT_TAG.encode() + b"\n" + canonical(manifest) + b"\n" + canonical(election_key))


def genesis_hash(fp: bytes) -> bytes:
    """H("tally-verifier/ballot-box-genesis/v1" ‖ 0x0a ‖ hex(fingerprint))."""
    return sha256(GENESIS_TAG.encode() + b"\n" + fp.hex().encode())


# the fields of the envelope its voter signs, with inner_hash (§2.4)
ENVELOPE_SIGNED_FIELDS = ("ballot_id", "cast_at", "election_fingerprint", "election_id", "key_fingerprint", "voter_id")


def envelope_body(env: dict) -> dict:
    """The object the voter's signature covers (§2.4): the signed fields and inner_hash = hex H(canonical(contests))."""
    body = {k: env[k] for k in ENVELOPE_SIGNED_FIELDS}
    body["inner_hash"] = sha256(canonical(env["contests"])).hex()
    return body


# --- §3.3, §3.4: Paillier and the vote encoding ----------------------------------------------------------------

@dataclass(frozen=True)
class PaillierKey:
    n: int
    n2: int
    width: int  # W1
    width2: int  # W2

    @classmethod
    def of(cls, n: int) -> "PaillierKey":
        n = gmpy2.mpz(n)
        return cls(n, n * n, width(n), width(n * n))


def encrypt(key: PaillierKey, m: int, r: int) -> int:
    """E(m; r) = (1 + m·n)·rⁿ mod n²."""
    return (1 + m * key.n) * gmpy2.powmod(r, key.n, key.n2) % key.n2


SLOT_BITS = 24
M = 1 << SLOT_BITS  # the slot base: option j (0-based) is m_j = M^j


def option_message(j: int) -> int:
    return M**j


def decode_counts(t: int, k: int) -> list[int] | None:
    """N_j = ⌊T / M^j⌋ mod M for j < k; None when T ≥ M^k (not the sum of ballots)."""
    if not 0 <= t < M**k:
        return None
    return [t // M**j % M for j in range(k)]


# --- §3.5: the 1-of-k challenge --------------------------------------------------------------------------------

CHALLENGE_BITS = 256
CHALLENGE_MOD = 1 << CHALLENGE_BITS


def membership_challenge(fp: bytes, contest: str, key: PaillierKey, messages, voter_context: bytes,
                         ballot_id: bytes, c: int, a) -> int:
    """e = Hfs(membership tag, fingerprint, contest id, n (W1), k (4 bytes), m_j (W1 each), voter context, ballot id,
    c (W2), a_j (W2 each)) read big-endian, mod 2^256."""
    fields = [fp, contest.encode(), int_bytes(key.n, key.width), len(messages).to_bytes(4, "big"),
              *(int_bytes(m, key.width) for m in messages), voter_context, ballot_id, int_bytes(c, key.width2),
              *(int_bytes(x, key.width2) for x in a)]
    return int.from_bytes(hfs(MEMBERSHIP_TAG, *fields), "big") % CHALLENGE_MOD


# --- §3.6: key correctness --------------------------------------------------------------------------------------

KEY_PROOF_ROUNDS = 11
MODULUS_PROOF_ROUNDS = 128


def key_proof_base(n: int, i: int) -> int:
    """ρ_i of §3.6.1: over enc(tag) ‖ enc(n, W1) ‖ enc(i, 4 bytes) ‖ enc(ctr, 4 bytes)."""
    return _below_n(n, enc(KEY_PROOF_TAG.encode()) + enc(int_bytes(n, width(n))) + enc(i.to_bytes(4, "big")))


def modulus_challenge(n: int, w: int, i: int) -> int:
    """y_i of §3.6.2: over enc(tag) ‖ enc(n, W1) ‖ enc(w, W1) ‖ enc(i, 4 bytes) ‖ enc(ctr, 4 bytes)."""
    w1 = width(n)
    return _below_n(n, enc(MODULUS_PROOF_TAG.encode()) + enc(int_bytes(n, w1)) + enc(int_bytes(w, w1))
                    + enc(i.to_bytes(4, "big")))


# --- §2.9: which protocols list a contest, turnout ----------------------------------------------------------------

LEVELS = ("polling_station", "district", "region", "nation")  # lowest first


def announced_at(scope_level: str, level: str) -> bool:
    """A contest is listed at level L exactly when L is at or below the contest's scope level."""
    return LEVELS.index(level) <= LEVELS.index(scope_level)


def turnout_percent(voted: int, registered: int) -> str:
    """h = ⌊(voted·20000 + registered) / (2·registered)⌋ hundredths, as ⌊h/100⌋ "." h mod 100 (two digits);
    "0.00" if none registered."""
    if registered == 0:
        return "0.00"
    h = (voted * 20000 + registered) // (2 * registered)
    return f"{h // 100}.{h % 100:02d}"


# --- §6: seat allocation ---------------------------------------------------------------------------------------

AGAINST_ALL = "against_all"


def largest_remainder(options: list[dict], votes: dict[str, int], rule: dict) -> dict[str, int]:
    """Seats per option id, every option in manifest (registration) order, for a `largest_remainder` seat rule:
    base (parties, plus against-all for parties_and_against_all), threshold votes·100 ≥ percent·base, quota over
    the passing parties, integer seats, then the largest exact remainders with earlier registration winning ties;
    against-all and parties below the threshold get 0; nothing allocated with no base or no passing votes."""
    parties = [o["id"] for o in options if o["kind"] != AGAINST_ALL]
    base = sum(votes[p] for p in parties)
    if rule["threshold_base"] == "parties_and_against_all":
        base += sum(votes[o["id"]] for o in options if o["kind"] == AGAINST_ALL)
    percent = Fraction(rule["threshold_percent"])
    passing = [p for p in parties if base > 0 and votes[p] * 100 >= percent * base]
    seats = {o["id"]: 0 for o in options}
    total = sum(votes[p] for p in passing)
    if not passing or total == 0:
        return seats
    quota = Fraction(total, rule["seats"])
    for p in passing:
        seats[p] = int(votes[p] / quota)
    left = rule["seats"] - sum(seats.values())
    # sorted() is stable: equal remainders stay in registration order
    by_remainder = sorted(passing, key=lambda p: -(votes[p] / quota - seats[p]))
    for p in by_remainder[:left]:
        seats[p] += 1
    return seats


def plurality(options: list[dict], votes: dict[str, int]) -> dict[str, int]:
    """1 for the candidate with the most votes and 0 for every other option; all 0 on a tie for first (undecided:
    never broken). Against-all never wins, even when it leads."""
    seats = {o["id"]: 0 for o in options}
    candidates = [o["id"] for o in options if o["kind"] != AGAINST_ALL]
    if candidates:
        top = max(votes[c] for c in candidates)
        leaders = [c for c in candidates if votes[c] == top]
        if len(leaders) == 1:
            seats[leaders[0]] = 1
    return seats


def allocate(contest: dict, votes: dict[str, int]) -> dict[str, int]:
    """The seats of a contest with a seat rule (§2.1 `seat_rule`, §6), every option in manifest order."""
    rule = contest["seat_rule"]
    if rule["method"] == "largest_remainder":
        return largest_remainder(contest["options"], votes, rule)
    return plurality(contest["options"], votes)
