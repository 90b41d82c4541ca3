"""1-out-of-k membership proof for one contest ciphertext (crypto.md §2): the ballot encrypts one of m_0..m_(k-1).

Verification splits into pieces so that the batch verifier (batch.py) can reuse the per-ballot parts:
`statement_problem` (ranges, units, Fiat–Shamir hash) is always done per ballot; `equations_hold` is the
individual (squared) check that batch verification replaces.
"""
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import gmpy2

from verifier.crypto.encoding import field, int_bytes
from verifier.crypto.paillier import PublicKey

CHALLENGE_BITS = 256  # t
CHALLENGE_MOD = 1 << CHALLENGE_BITS
TAG = "tally-verifier/membership/v1"


@dataclass(frozen=True, slots=True)
class Statement:
    """Everything the challenge binds besides the commitments: election, contest, key, allowed plaintexts,
    voter, ballot and ciphertext."""

    fingerprint: bytes  # election fingerprint, 32 bytes
    contest_id: str
    messages: tuple[int, ...]  # m_0..m_(k-1)
    voter_context: bytes  # SHA-256 of the voter's signing key
    ballot_id: bytes  # 16 bytes
    ciphertext: int


@lru_cache(maxsize=64)
def _contest_prefix(n: int, w1: int, fingerprint: bytes, contest_id: str, messages: tuple[int, ...]) -> "hashlib._Hash":
    """The hash state after the fields every ballot of a contest shares (tag, election, contest, key, messages)."""
    fields = [fingerprint, contest_id.encode(), int_bytes(n, w1), len(messages).to_bytes(4, "big")]
    fields += [int_bytes(m, w1) for m in messages]
    return hashlib.sha256(field(TAG.encode()) + b"".join(field(f) for f in fields))


def challenge(key: PublicKey, st: Statement, a: Sequence[int]) -> int:
    """H(tag, fingerprint, contest id, n, k, m_0..m_(k-1), voter context, ballot id, c, a_0..a_(k-1)) mod 2^256, all
    length-prefixed (encoding.hash_fields; crypto.md §2). The fields a contest's ballots share are hashed once per
    contest (the state is copied), the rest in one update."""
    w2 = key.width2
    h = _contest_prefix(key.n, key.width, st.fingerprint, st.contest_id, st.messages).copy()
    tail = [field(st.voter_context), field(st.ballot_id), field(int_bytes(st.ciphertext, w2))]
    prefix = w2.to_bytes(4, "big")
    tail += [prefix + int(x).to_bytes(w2, "big") for x in a]
    h.update(b"".join(tail))
    return int.from_bytes(h.digest(), "big") % CHALLENGE_MOD


def statement_problem(key: PublicKey, st: Statement, a: Sequence[int], e: Sequence[int], z: Sequence[int], *,
                      units: bool = True) -> str | None:
    """Ranges, units and the hash, in that order: None if all hold, else what is wrong (one line). `units=False`
    leaves out the units (the batch path settles them for a whole chunk with one gcd)."""
    k = len(st.messages)
    if not (len(a) == len(e) == len(z) == k):
        return f"proof has {len(a)}/{len(e)}/{len(z)} branches for {k} options"
    c = st.ciphertext
    if not 0 < c < key.n2:
        return "ciphertext out of range (0 < c < n²)"
    in_range = (k == 0 or (min(a) > 0 and max(a) < key.n2 and min(e) >= 0 and max(e) < CHALLENGE_MOD
                           and min(z) > 0 and max(z) < key.n))  # every branch at once (C); else find the first
    for j in range(0 if in_range else k):
        if not 0 < a[j] < key.n2:
            return f"a[{j}] out of range"
        if not 0 <= e[j] < CHALLENGE_MOD:
            return f"e[{j}] out of range"
        if not 0 < z[j] < key.n:
            return f"z[{j}] out of range"
    if units:
        product = gmpy2.mpz(c) % key.n
        for x in (*a, *z):
            product = product * x % key.n
        if gmpy2.gcd(product, key.n) != 1:
            return "ciphertext or proof value is not a unit mod n"
    if sum(e) % CHALLENGE_MOD != challenge(key, st, a):
        return "challenges do not sum to the hash of the statement"
    return None


def equations_hold(key: PublicKey, c: int, messages: Sequence[int], a: Sequence[int], e: Sequence[int],
                   z: Sequence[int]) -> bool:
    """(z_jⁿ)² ≡ (a_j·u_j^(e_j))² (mod n²) for every j, u_j = c·(1 − m_j·n). Squared form is normative."""
    n, n2 = key.n, key.n2
    c = gmpy2.mpz(c)
    for m, aj, ej, zj in zip(messages, a, e, z, strict=True):
        u = c * (1 - m * n) % n2
        lhs = gmpy2.powmod(zj, n, n2)
        rhs = aj * gmpy2.powmod(u, ej, n2) % n2
        if lhs * lhs % n2 != rhs * rhs % n2:
            return False
    return True


def verify(key: PublicKey, st: Statement, a: Sequence[int], e: Sequence[int], z: Sequence[int]) -> str | None:
    """Individual verification: None if the proof is valid, else the reason."""
    problem = statement_problem(key, st, a, e, z)
    if problem:
        return problem
    if not equations_hold(key, st.ciphertext, st.messages, a, e, z):
        return "proof equation fails"
    return None
