"""Key material of the simulated authority and voters. Only the simulator ever holds private keys."""
from dataclasses import dataclass
from typing import Protocol

import gmpy2
from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC
from Crypto.PublicKey.ECC import EccKey
from Crypto.Signature import DSS, eddsa
from phe import paillier

from verifier.simulate import spec

# the order n of the P-256 group (FIPS 186-4 D.1.2.3): the range of an ECDSA secret, and the bound of low s (§3.2)
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class Signer(Protocol):
    """What signs as a key holder: a SigningKey, or one of the forgery keys of the fault injector
    (verifier.simulate.forgery's SmallOrderKey and TwinKey) that stand in for one."""

    @property
    def algorithm(self) -> str: ...

    @property
    def public_bytes(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True)
class SigningKey:
    algorithm: str
    private: EccKey

    @classmethod
    def generate(cls, algorithm: str, rng) -> "SigningKey":
        if algorithm == "ed25519":
            return cls(algorithm, ECC.construct(curve="Ed25519", seed=rng.token_bytes(32)))
        d = 1 + rng.randbelow(P256_ORDER - 1)
        return cls(algorithm, ECC.construct(curve="P-256", d=d))

    def export(self) -> dict:
        """The private key as JSON (simulator secrets file only; never part of a record)."""
        secret = self.private.seed.hex() if self.algorithm == "ed25519" else f"{int(self.private.d):064x}"
        return {"algorithm": self.algorithm, "secret": secret}

    @classmethod
    def from_export(cls, value: dict) -> "SigningKey":
        if value["algorithm"] == "ed25519":
            return cls("ed25519", ECC.construct(curve="Ed25519", seed=bytes.fromhex(value["secret"])))
        return cls("ecdsa-p256", ECC.construct(curve="P-256", d=int(value["secret"], 16)))

    @property
    def public_bytes(self) -> bytes:
        if self.algorithm == "ed25519":
            return self.private.public_key().export_key(format="raw")
        return self.private.public_key().export_key(format="SEC1", compress=True)

    def sign(self, message: bytes) -> bytes:
        if self.algorithm == "ed25519":
            return eddsa.new(self.private, "rfc8032").sign(message)
        sig = DSS.new(self.private, "deterministic-rfc6979").sign(SHA256.new(message))
        s = int.from_bytes(sig[32:], "big")
        if s > P256_ORDER // 2:  # low-s: the verifier rejects the malleable twin
            sig = sig[:32] + (P256_ORDER - s).to_bytes(32, "big")
        return sig


@dataclass(frozen=True)
class ModulusProof:
    """Π^mod as published in election_key.json (§2.2): w, and per round i the x_i, a_i, b_i, z_i."""

    w: int
    x: tuple[int, ...]
    a: tuple[int, ...]
    b: tuple[int, ...]
    z: tuple[int, ...]


def _prime(bits: int, rng) -> int:
    """A Blum prime (≡ 3 mod 4) of exactly `bits` bits with its top two bits set (n = pq then has 2·bits bits)."""
    while True:
        p = gmpy2.next_prime(rng.randbits(bits) | (3 << (bits - 2)) | 3)
        while p % 4 != 3:
            p = gmpy2.next_prime(p)
        if p.bit_length() == bits:
            return int(p)


def generate_paillier(bits: int, rng) -> tuple[paillier.PaillierPublicKey, paillier.PaillierPrivateKey]:
    """A phe key pair from the simulator's random stream (so a seed reproduces it): n = pq of exactly `bits` bits,
    p ≡ q ≡ 3 (mod 4) distinct (a Paillier–Blum modulus, as the modulus proof requires)."""
    half = bits // 2
    while True:
        p, q = _prime(half, rng), _prime(bits - half, rng)
        if p != q and gmpy2.gcd(p * q, (p - 1) * (q - 1)) == 1 and (p * q).bit_length() == bits:
            public = paillier.PaillierPublicKey(p * q)
            return public, paillier.PaillierPrivateKey(public, p, q)


def _carmichael(primes) -> int:
    """λ(n) for n the product of `primes` (a prime listed k times is the factor p^k)."""
    lam = gmpy2.mpz(1)
    for p in set(primes):
        k = list(primes).count(p)
        lam = gmpy2.lcm(lam, p ** (k - 1) * (p - 1))
    return int(lam)


def key_proof(n: int, *primes: int) -> tuple[int, ...]:
    """σ_i = ρ_i^(n⁻¹ mod λ(n)) mod n, i = 1..11 (SPEC §3.6.1). `primes`: the prime factors of n."""
    d = gmpy2.invert(n, _carmichael(primes))
    return tuple(int(gmpy2.powmod(spec.key_proof_base(n, i), d, n)) for i in range(1, spec.KEY_PROOF_ROUNDS + 1))


def modulus_proof(n: int, primes, rng):
    """Π^mod for n = the product of `primes` (with multiplicity) (SPEC §3.6.2). Returns (proof, rounds): `rounds`
    are the 1-based rounds for which no fourth root of any (−1)^a·w^b·y_i exists — empty for a Paillier–Blum n; a
    dishonest key holder (the fault injector, the tests) gets a proof whose other rounds are right."""
    n = int(n)
    powers = {p: list(primes).count(p) for p in set(primes)}
    while True:
        w = 2 + rng.randbelow(n - 3)
        if gmpy2.jacobi(w, n) == -1:
            break
    lam = _carmichael(primes)
    d = gmpy2.invert(n, lam) if gmpy2.gcd(n, lam) == 1 else None
    xs, as_, bs, zs, bad = [], [], [], [], []
    for i in range(1, spec.MODULUS_PROOF_ROUNDS + 1):
        y = spec.modulus_challenge(n, w, i)
        best: tuple[int, int, int, list[int | None]] | None = None
        for a, b in ((0, 0), (1, 0), (0, 1), (1, 1)):
            t = y * (w if b else 1) * (-1 if a else 1) % n
            roots = [_fourth_root(t, p, k) for p, k in powers.items()]
            ok = sum(r is not None for r in roots)
            if best is None or ok > best[0]:
                best = (ok, a, b, roots)
        assert best is not None  # the loop above runs four times
        ok, a, b, roots = best
        if ok < len(powers):
            bad.append(i)
        mods = [p**k for p, k in powers.items()]
        x = _crt([1 if r is None else r for r in roots], mods)
        xs.append(x)
        as_.append(a)
        bs.append(b)
        zs.append(int(gmpy2.powmod(y, d, n)) if d is not None else y)  # no n-th root exists: a wrong z
    return ModulusProof(w, tuple(xs), tuple(as_), tuple(bs), tuple(zs)), bad


def _fourth_root(t: int, p: int, k: int) -> int | None:
    """A fourth root of t mod p^k, for a prime p ≡ 3 (mod 4) and t a square mod p; else None. The squares mod p^k
    form a group of odd order h = p^(k−1)·(p − 1)/2, where squaring is a bijection with inverse u ↦ u^((h+1)/2)."""
    if p % 4 != 3 or gmpy2.legendre(t % p, p) != 1:
        return None
    h = p ** (k - 1) * (p - 1) // 2
    e = ((h + 1) // 2) ** 2 % h
    return int(gmpy2.powmod(t, e, p**k))


def _crt(residues: list[int], moduli: list[int]) -> int:
    n = 1
    for m in moduli:
        n *= m
    x = 0
    for r, m in zip(residues, moduli, strict=True):
        rest = n // m
        x += r * rest * int(gmpy2.invert(rest, m))
    return x % n


def reveal_randomness(c: int, n: int, *primes: int) -> int:
    """R = (C mod n)^(n⁻¹ mod λ(n)) mod n: the decryption proof of SPEC §3.7."""
    return int(gmpy2.powmod(c % n, gmpy2.invert(n, _carmichael(primes)), n))
