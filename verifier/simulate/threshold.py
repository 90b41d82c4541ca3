"""Threshold Paillier dealer and trustees for the simulator (Shoup 2000 / Damgård–Jurik 2001, s = 1).

Self-contained on purpose: standard library and gmpy2 only, nothing from the verifier's packages. Encodings are
written here from SPEC.md (§3.1 Hfs, §3.9 the threshold data).
"""
import hashlib
import math
import secrets
from dataclasses import dataclass

import gmpy2
from gmpy2 import mpz

SHARE_TAG = "tally-verifier/threshold-share/v1"
V_TAG = "tally-verifier/threshold-v/v1"
_SMALL = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p**0.5) + 1))]


def _enc(x: bytes) -> bytes:
    return len(x).to_bytes(4, "big") + x


def _hfs(tag: str, *fields: bytes) -> bytes:
    return hashlib.sha256(_enc(tag.encode()) + b"".join(_enc(f) for f in fields)).digest()


def _ib(x, width: int) -> bytes:
    return int(x).to_bytes(width, "big")


def safe_prime(bits: int, rng=secrets) -> mpz:
    """A safe prime p = 2p'+1 of exactly `bits` bits (p' prime). Sieves p' and p by small primes first."""
    while True:
        q = mpz(rng.randbits(bits - 1) | (1 << (bits - 2)) | 1)
        if any(q % s == 0 or (2 * q + 1) % s == 0 for s in _SMALL if s < q):
            continue
        # p' ≡ 1 mod 3 makes p divisible by 3; the sieve above catches it. Cheap Fermat test on p first.
        p = 2 * q + 1
        if gmpy2.powmod(2, p - 1, p) != 1:
            continue
        if gmpy2.is_prime(q, 40) and gmpy2.is_prime(p, 40):
            return p


@dataclass
class Dealt:
    n: mpz
    p: mpz
    q: mpz
    trustees: int
    threshold: int
    v: mpz
    shares: dict  # i -> s_i
    verification_keys: list  # v_1..v_ℓ

    @property
    def n2(self):
        return self.n * self.n

    @property
    def delta(self) -> int:
        return math.factorial(self.trustees)

    def public(self) -> dict:
        """The "threshold" object of election_key.json (SPEC §2.2)."""
        w2 = (int(self.n2).bit_length() + 7) // 8
        return {"threshold": self.threshold, "trustees": self.trustees, "v": format(int(self.v), f"0{2 * w2}x"),
                "verification_keys": [format(int(x), f"0{2 * w2}x") for x in self.verification_keys]}


def derive_v(n) -> mpz:
    """SPEC §3.9: v = (1 + n)·ρ^(2n) mod n², ρ the first unit mod n from SHAKE-256(enc(tag) ‖ enc(n) ‖ enc(counter))
    (W1 bytes, big-endian, mod n)."""
    n = mpz(n)
    n2 = n * n
    w1 = (int(n).bit_length() + 7) // 8
    counter = 0
    while True:
        data = _enc(V_TAG.encode()) + _enc(_ib(n, w1)) + _enc(counter.to_bytes(4, "big"))
        rho = mpz(int.from_bytes(hashlib.shake_256(data).digest(w1), "big")) % n
        if rho != 0 and gmpy2.gcd(rho, n) == 1:
            return (1 + n) * gmpy2.powmod(rho, 2 * n, n2) % n2
        counter += 1


def deal(trustees: int, threshold: int, *, bits: int = 2048, p=None, q=None, rng=secrets) -> Dealt:
    """Generate safe primes (unless given) and deal the key: d ≡ 0 mod p'q', d ≡ 1 mod n, f of degree w−1."""
    if not 1 <= threshold <= trustees:
        raise ValueError("need 1 <= threshold <= trustees")
    if p is None or q is None:
        while True:
            p, q = safe_prime(bits // 2, rng), safe_prime(bits // 2, rng)
            if p != q and (p * q).bit_length() == bits:
                break
    p, q = mpz(p), mpz(q)
    n = p * q
    m = ((p - 1) // 2) * ((q - 1) // 2)
    nm = n * m
    d = m * gmpy2.invert(m, n)  # ≡ 0 mod m, ≡ 1 mod n
    coeffs = [d] + [mpz(rng.randbelow(int(nm))) for _ in range(threshold - 1)]
    shares = {}
    for i in range(1, trustees + 1):
        acc = mpz(0)
        for c in reversed(coeffs):
            acc = (acc * i + c) % nm
        shares[i] = acc
    v = derive_v(n)
    dl = math.factorial(trustees)
    vks = [gmpy2.powmod(v, dl * shares[i], n * n) for i in range(1, trustees + 1)]
    return Dealt(n, p, q, trustees, threshold, v, shares, vks)


def from_record(threshold: dict, n: int, p: int, q: int, shares: dict[int, int]) -> Dealt:
    """The dealt key as the trustees hold it: the record's published "threshold" object (SPEC §2.2) and the
    trustees' shares from the secrets (`simulate --secrets`)."""
    return Dealt(mpz(n), mpz(p), mpz(q), threshold["trustees"], threshold["threshold"], mpz(int(threshold["v"], 16)),
                 {i: mpz(s) for i, s in shares.items()},
                 [mpz(int(x, 16)) for x in threshold["verification_keys"]])


def decryption_share(dealt: Dealt, trustee: int, c: int, *, fingerprint: bytes, contest_id: str,
                     station_id: str, rng=secrets, claimed: int | None = None) -> dict:
    """Trustee i's share of aggregate c and its proof, as the record's share object (SPEC §2.8). A dishonest trustee
    publishes `claimed` instead of its share C^(2Δ·s_i) and proves as it would for the true one, the challenge
    hashing the claimed share: the hash holds, the equations cannot."""
    n, n2 = dealt.n, dealt.n2
    w1, w2 = (int(n).bit_length() + 7) // 8, (int(n2).bit_length() + 7) // 8
    dl = dealt.delta
    x = dl * dealt.shares[trustee]
    c = mpz(c)
    ci = gmpy2.powmod(c, 2 * x, n2) if claimed is None else mpz(claimed)
    rbits = 2 * int(n).bit_length() + dl.bit_length() + 256 + 128
    zw = (rbits + 1 + 7) // 8
    r = mpz(rng.randbits(rbits))
    a = gmpy2.powmod(c, 4 * r, n2)
    b = gmpy2.powmod(dealt.v, r, n2)
    vi = dealt.verification_keys[trustee - 1]
    e = int.from_bytes(_hfs(SHARE_TAG, fingerprint, contest_id.encode(), station_id.encode(), _ib(n, w1),
                            dealt.trustees.to_bytes(4, "big"), dealt.threshold.to_bytes(4, "big"),
                            _ib(dealt.v, w2), trustee.to_bytes(4, "big"), _ib(vi, w2), _ib(c, w2),
                            _ib(gmpy2.powmod(c, 4, n2), w2), _ib(gmpy2.powmod(ci, 2, n2), w2), _ib(a, w2),
                            _ib(b, w2)), "big")
    z = r + e * x

    def hx(val: int, width: int) -> str:
        return format(int(val), f"0{2 * width}x")

    return {"trustee": trustee, "share": hx(ci, w2),
            "proof": {"a": hx(a, w2), "b": hx(b, w2), "e": hx(e, 32), "z": hx(z, zw)}}


def phe_keys(dealt: Dealt):
    """The phe key pair of the dealt modulus (the simulator's authority decrypts with it to know the counts)."""
    from phe import paillier

    public = paillier.PaillierPublicKey(int(dealt.n))
    return public, paillier.PaillierPrivateKey(public, int(dealt.p), int(dealt.q))


def decryption_proof(dealt: Dealt, c: int, *, fingerprint: bytes, contest_id: str, station_id: str,
                     trustees=None, rng=secrets) -> dict:
    """The record's {"method": "threshold", "shares": [...]} for aggregate c, from `trustees` (default: all)."""
    who = sorted(trustees) if trustees is not None else range(1, dealt.trustees + 1)
    return {"method": "threshold",
            "shares": [decryption_share(dealt, i, c, fingerprint=fingerprint, contest_id=contest_id,
                                        station_id=station_id, rng=rng) for i in who]}
