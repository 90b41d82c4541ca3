"""Threshold Paillier decryption with verifiable shares (Shoup 2000, as Damgård–Jurik 2001 and
Fouque–Poupard–Stern 2000 apply it to Paillier, s = 1): pure functions on integers.

Key material (dealer, safe primes p = 2p'+1, q = 2q'+1, m = p'q'): d ≡ 0 (mod m), d ≡ 1 (mod n); a random
polynomial f of degree w−1 over Z_(nm) with f(0) = d; trustee i (1..ℓ) holds s_i = f(i) mod nm. Published: v, a
square mod n² (here derived from n by hashing, so anyone can check that it is a random square: `derive_v`),
and the verification keys v_i = v^(Δ·s_i) mod n², Δ = ℓ!.

Decryption share of an aggregate C: C_i = C^(2Δ·s_i) mod n², with a proof of equality of discrete logs
log_(C⁴)(C_i²) = log_v(v_i) (= Δ·s_i): r random of R_BITS bits, a = C^(4r), b = v^r, e = the challenge below,
z = r + e·Δ·s_i over the integers. The verifier checks (squared, so that a defect of order 2, the only small
order anyone can construct without the factorisation, never makes the individual and the batch verdicts differ)

    (C^(4z))² ≡ (a·(C_i²)^e)²   and   (v^z)² ≡ (b·v_i^e)²   (mod n²).

Combination over a set S of w trustees: λ_i = Δ·Π_(j∈S, j≠i) j/(j − i) (an integer), C' = Π C_i^(2λ_i) mod n²
= C^(4Δ²·d), and T = L(C')·(4Δ²)⁻¹ mod n with L(u) = (u − 1)/n.

Statistical zero knowledge: Δ·s_i < Δ·n·m < Δ·n², e < 2^256, so e·Δ·s_i < 2^(256 + bits(Δ) + 2·bits(n)); with
r uniform of R_BITS = 2·bits(n) + bits(Δ) + 256 + 128 bits, z's distribution is within 2^−128 of r's
(statistical distance ≤ e·Δ·s_i / 2^R_BITS). Hence z < 2^(R_BITS + 1): `z_bits`.
"""
import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import gmpy2
from gmpy2 import mpz

from verifier.crypto.batch import Coefficients, RandomDraws
from verifier.crypto.encoding import field, hash_fields, int_bytes
from verifier.crypto.multiexp import multi_exp
from verifier.crypto.paillier import PublicKey

SHARE_TAG = "tally-verifier/threshold-share/v1"
V_TAG = "tally-verifier/threshold-v/v1"
CHALLENGE_BITS = 256
CHALLENGE_MOD = 1 << CHALLENGE_BITS
ZK_SLACK_BITS = 128
MAX_TRUSTEES = 64  # input limit (§10): Δ = 64! has 296 bits
DEFAULT_COEFFICIENT_BITS = 128


def delta(trustees: int) -> int:
    return math.factorial(trustees)


def r_bits(key: PublicKey, trustees: int) -> int:
    """Bits of the prover's r: enough for statistical ZK with distance ≤ 2^−128."""
    return 2 * int(key.n).bit_length() + delta(trustees).bit_length() + CHALLENGE_BITS + ZK_SLACK_BITS


def z_bits(key: PublicKey, trustees: int) -> int:
    """Every honest z is below 2^z_bits (r < 2^R and e·Δ·s_i < 2^R)."""
    return r_bits(key, trustees) + 1


def z_width(key: PublicKey, trustees: int) -> int:
    """Bytes of z as written in a record (fixed width, 2·z_width hex digits)."""
    return (z_bits(key, trustees) + 7) // 8


def derive_v(key: PublicKey) -> int:
    """v = (1 + n)·ρ^(2n) mod n², ρ the first counter value's SHAKE-256(enc(tag) ‖ enc(n_W1) ‖ enc(counter_4)),
    W1 bytes read big-endian, reduced mod n, that is a unit mod n (counter 0, 1, ...).

    Why this v: with safe primes the squares mod n² are cyclic of order n·p'q', and v generates them when ρ² generates
    the squares mod n (all but a 1/p' + 1/q' fraction of ρ); (1 + n) is its part of order n. Deriving ρ from n makes
    "v is a random square" checkable, and knowing v's n-part makes the shared secret checkable: the verification
    keys combine to v^(Δ²·d) = (1 + n)^(Δ²·d)·ρ^(2nΔ²·d), which is 1 + Δ²·n (mod n²) exactly when d ≡ 1 (mod n) and
    ρ^(2n·d) = 1 (d ≡ 0 mod the order of ρ²), i.e. when the shares decrypt (`key_problems`). The cost: v_i reveals
    s_i mod n, which is independent of s_i mod p'q' (CRT; the coefficients are uniform mod n·p'q') and worthless for
    decryption, which needs the p'q' part (SPEC §3.9)."""
    counter = 0
    while True:
        data = field(V_TAG.encode()) + field(int_bytes(key.n, key.width)) + field(counter.to_bytes(4, "big"))
        rho = mpz(int.from_bytes(hashlib.shake_256(data).digest(key.width), "big")) % key.n
        if rho != 0 and gmpy2.gcd(rho, key.n) == 1:
            return int((1 + key.n) * gmpy2.powmod(rho, 2 * key.n, key.n2) % key.n2)
        counter += 1


@dataclass(frozen=True)
class ThresholdKey:
    """The published threshold data of the election key: ℓ trustees, threshold w, v and v_1..v_ℓ."""

    trustees: int  # ℓ
    threshold: int  # w
    v: int
    verification_keys: tuple[int, ...]  # v_1..v_ℓ

    @property
    def delta(self) -> int:
        return delta(self.trustees)


@dataclass(frozen=True)
class ShareStatement:
    """What the share challenge binds besides the commitments: the election, which aggregate (contest, station,
    ciphertext) and which trustee."""

    fingerprint: bytes  # 32 bytes
    contest_id: str
    station_id: str
    trustee: int  # 1..ℓ
    ciphertext: int  # the aggregate C


@dataclass(frozen=True)
class Share:
    trustee: int
    share: int  # C_i
    a: int
    b: int
    e: int
    z: int


def _unit(x: int, key: PublicKey) -> bool:
    return 0 < x < key.n2 and gmpy2.gcd(x, key.n) == 1


def key_problems(key: PublicKey, tk: ThresholdKey) -> list[str]:
    """V1.10: the threshold key material, each problem one line. Checks 1 ≤ w ≤ ℓ ≤ MAX_TRUSTEES, ℓ below every
    prime factor of n (Δ must be a unit mod n: n has no factor below 2^20 by V1.7's tier 0, and we check the gcd),
    v = derive_v(n), every v_i a unit in range, and that the v_i are consistent: all lie on one polynomial of
    degree < w in the exponent (v_j^Δ = Π_(i≤w) v_i^(λ_(i)(j)) for j > w), and the combination of v_1..v_w,
    v^(Δ²·f(0)), is 1 + Δ²·n (mod n²), i.e. f(0) ≡ 1 (mod n) and f(0) ≡ 0 (mod ord(ρ²)): the shares combine to
    the decryption exponent d (see `derive_v`)."""
    problems: list[str] = []
    ell, w = tk.trustees, tk.threshold
    if not (1 <= w <= ell <= MAX_TRUSTEES):
        return [f"threshold {w} of {ell} trustees is not 1 <= w <= trustees <= {MAX_TRUSTEES}"]
    if len(tk.verification_keys) != ell:
        return [f"{len(tk.verification_keys)} verification keys for {ell} trustees"]
    if gmpy2.gcd(4 * tk.delta, key.n) != 1:
        return ["4·Δ is not a unit mod n"]
    if tk.v != derive_v(key):
        problems.append("v is not the value derived from n (SPEC §3.9)")
    bad = [i for i, vi in enumerate(tk.verification_keys, 1) if not _unit(vi, key)]
    for i in bad:
        problems.append(f"verification key of trustee {i} is not a unit in 1..n²−1")
    if problems:
        return problems
    base = list(range(1, w + 1))
    vks = tk.verification_keys
    for j in range(w + 1, ell + 1):
        lam = lagrange_at(base, j, tk.delta)
        expected = multi_exp([vks[i - 1] for i in base], [lam[i] for i in base], key.n2)
        if gmpy2.powmod(vks[j - 1], tk.delta, key.n2) != expected:
            problems.append(f"verification key of trustee {j} is not on the polynomial of trustees 1..{w}")
    lam0 = lagrange(base, tk.delta)
    combined = multi_exp([vks[i - 1] for i in base], [lam0[i] for i in base], key.n2)
    if combined != (1 + tk.delta * tk.delta * key.n) % key.n2:
        problems.append("the verification keys do not combine to the decryption exponent (v^(Δ²·d) ≠ 1 + Δ²·n)")
    return problems


def challenge(key: PublicKey, tk: ThresholdKey, st: ShareStatement, share: int, a: int, b: int) -> int:
    """e = Hfs(tag, fingerprint, contest, station, n, ℓ, w, v, i, v_i, C, C⁴, C_i², a, b) read big-endian mod 2^256;
    integers mod n² as W2 bytes, n as W1 bytes, ℓ, w, i as 4 bytes."""
    n2, w2 = key.n2, key.width2
    c = mpz(st.ciphertext)
    fields = [st.fingerprint, st.contest_id.encode(), st.station_id.encode(), int_bytes(key.n, key.width),
              tk.trustees.to_bytes(4, "big"), tk.threshold.to_bytes(4, "big"), int_bytes(tk.v, w2),
              st.trustee.to_bytes(4, "big"), int_bytes(tk.verification_keys[st.trustee - 1], w2),
              int_bytes(c, w2), int_bytes(gmpy2.powmod(c, 4, n2), w2), int_bytes(gmpy2.powmod(share, 2, n2), w2),
              int_bytes(a, w2), int_bytes(b, w2)]
    return int.from_bytes(hash_fields(SHARE_TAG, *fields), "big") % CHALLENGE_MOD


def share_statement_problem(key: PublicKey, tk: ThresholdKey, st: ShareStatement, sh: Share) -> str | None:
    """Ranges, units and the hash, in that order (one line, or None). The verification key comes from `tk`."""
    if not 1 <= st.trustee <= tk.trustees or sh.trustee != st.trustee:
        return f"trustee {sh.trustee} is not one of 1..{tk.trustees}"
    if not _unit(st.ciphertext, key):
        return "aggregate ciphertext is not a unit in 1..n²−1"
    if not _unit(sh.share, key):
        return "decryption share is not a unit in 1..n²−1"
    if not (_unit(sh.a, key) and _unit(sh.b, key)):
        return "share proof commitment (a, b) is not a unit in 1..n²−1"
    if not 0 <= sh.e < CHALLENGE_MOD:
        return "share proof challenge out of range"
    if not 0 <= sh.z < (1 << z_bits(key, tk.trustees)):
        return "share proof response z out of range"
    if challenge(key, tk, st, sh.share, sh.a, sh.b) != sh.e:
        return "share proof challenge is not the hash of its statement"
    return None


def share_equations_hold(key: PublicKey, tk: ThresholdKey, c: int, sh: Share) -> bool:
    n2 = key.n2
    vi = tk.verification_keys[sh.trustee - 1]
    left1 = gmpy2.powmod(c, 8 * sh.z, n2)
    right1 = gmpy2.powmod(sh.a * gmpy2.powmod(sh.share, 2 * sh.e, n2), 2, n2)
    if left1 != right1:
        return False
    left2 = gmpy2.powmod(tk.v, 2 * sh.z, n2)
    right2 = gmpy2.powmod(sh.b * gmpy2.powmod(vi, sh.e, n2), 2, n2)
    return bool(left2 == right2)  # gmpy2 is untyped: its comparison is a bool to mypy only through bool()


def verify_share(key: PublicKey, tk: ThresholdKey, st: ShareStatement, sh: Share) -> str | None:
    problem = share_statement_problem(key, tk, st, sh)
    if problem is not None:
        return problem
    if not share_equations_hold(key, tk, st.ciphertext, sh):
        return "share proof equations do not hold"
    return None


def batch_holds(key: PublicKey, tk: ThresholdKey, items: Sequence[tuple[int, Share]],
                coefficient_bits: int = DEFAULT_COEFFICIENT_BITS, rng: Coefficients = secrets) -> bool:
    """The share-proof equations of many (aggregate C, share) pairs at once, each already through
    `share_statement_problem`. Fresh δ_k of `coefficient_bits` bits per item; the two squared batch equations

        (Π C_k^(4·z_k·δ_k))² ≡ (Π a_k^δ_k · Π C_(i,k)^(2·e_k·δ_k))²
        (v^(Σ z_k·δ_k))²     ≡ (Π b_k^δ_k · Π_i v_i^(Σ_(k of i) e_k·δ_k))²      (mod n²)

    are the products of the δ-th powers of the individual squared equations, so every honest batch holds, and a
    batch with a failing item holds with probability about 2^−coefficient_bits when the defect has large order
    (small orders other than 2 need the factorisation of n: see crypto/batch.py). Sound because v_i come from the
    published key and each item's e was checked to be the hash of its own statement before batching."""
    if not items:
        return True
    n2 = key.n2
    deltas: list[int]
    if hasattr(rng, "draw"):
        deltas = cast(RandomDraws, rng).draw(len(items), coefficient_bits)
    else:
        deltas = [rng.randbits(coefficient_bits) for _ in items]
    l_bases, l_exp, r_bases, r_exp = [], [], [], []
    vz = 0
    vi_exp: dict[int, int] = {}
    b_bases = []
    for (c, sh), d in zip(items, deltas, strict=True):  # one coefficient drawn per item
        l_bases.append(c)
        l_exp.append(4 * sh.z * d)
        r_bases += [sh.a, sh.share]
        r_exp += [d, 2 * sh.e * d]
        vz += sh.z * d
        b_bases.append(sh.b)
        vi_exp[sh.trustee] = vi_exp.get(sh.trustee, 0) + sh.e * d
    left1 = multi_exp(l_bases, l_exp, n2)
    right1 = multi_exp(r_bases, r_exp, n2)
    if gmpy2.powmod(left1, 2, n2) != gmpy2.powmod(right1, 2, n2):
        return False
    left2 = gmpy2.powmod(tk.v, vz, n2)
    right2 = multi_exp(b_bases + [tk.verification_keys[i - 1] for i in vi_exp],
                       deltas + list(vi_exp.values()), n2)
    return bool(gmpy2.powmod(left2, 2, n2) == gmpy2.powmod(right2, 2, n2))  # gmpy2 is untyped (see above)


def lagrange_at(subset: Sequence[int], x: int, dlt: int) -> dict[int, int]:
    """λ_i(x) = Δ·Π_(j∈S, j≠i) (x − j)/(i − j), exact integers (Δ = ℓ! clears every denominator)."""
    if len(set(subset)) != len(subset):
        raise ValueError("repeated trustee in the subset")
    out = {}
    for i in subset:
        num, den = dlt, 1
        for j in subset:
            if j != i:
                num *= x - j
                den *= i - j
        if num % den:
            raise ValueError("Δ does not clear the Lagrange denominator")
        out[i] = num // den
    return out


def lagrange(subset: Sequence[int], dlt: int) -> dict[int, int]:
    """λ_i = λ_i(0) = Δ·Π_(j≠i) j/(j − i)."""
    return lagrange_at(subset, 0, dlt)


def combine(key: PublicKey, tk: ThresholdKey, shares: dict[int, int]) -> int:
    """T from exactly w (or more: the first w by trustee index are used) verified shares {i: C_i}:
    C' = Π C_i^(2λ_i) mod n², T = L(C')·(4Δ²)⁻¹ mod n. Raises ValueError with fewer than w shares or when C' is
    not ≡ 1 (mod n)."""
    if len(shares) < tk.threshold:
        raise ValueError(f"{len(shares)} valid shares, {tk.threshold} needed")
    subset = sorted(shares)[: tk.threshold]
    lam = lagrange(subset, tk.delta)
    combined = multi_exp([shares[i] for i in subset], [2 * lam[i] for i in subset], key.n2)
    if combined % key.n != 1:
        raise ValueError("combined shares are not ≡ 1 (mod n)")
    inv = gmpy2.invert(4 * tk.delta * tk.delta, key.n)
    return int(((combined - 1) // key.n) * inv % key.n)
