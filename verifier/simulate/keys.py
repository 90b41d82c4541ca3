"""Key material of the simulated authority and voters. Only the simulator ever holds private keys."""
from dataclasses import dataclass

import gmpy2
from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC
from Crypto.Signature import DSS, eddsa
from phe import paillier

from verifier.crypto.signatures import P256_ORDER


@dataclass(frozen=True)
class SigningKey:
    algorithm: str
    private: object

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


def _prime(bits: int, rng) -> int:
    while True:
        x = rng.randbits(bits) | (3 << (bits - 2)) | 1  # top two bits set: n has exactly 2·bits bits
        p = gmpy2.next_prime(x)
        if p.bit_length() == bits:
            return int(p)


def generate_paillier(bits: int, rng) -> tuple[paillier.PaillierPublicKey, paillier.PaillierPrivateKey]:
    """A phe key pair from the simulator's random stream (so a seed reproduces it)."""
    half = bits // 2
    while True:
        p, q = _prime(half, rng), _prime(half, rng)
        if p != q and gmpy2.gcd(p * q, (p - 1) * (q - 1)) == 1:
            public = paillier.PaillierPublicKey(p * q)
            return public, paillier.PaillierPrivateKey(public, p, q)


def key_proof(n: int, p: int, q: int) -> tuple[int, ...]:
    """σ_i = ρ_i^(n⁻¹ mod φ(n)) mod n, i = 1..11 (crypto.md §5 tier 1)."""
    from verifier.crypto.keycheck import KEY_PROOF_ROUNDS, proof_base

    d = gmpy2.invert(n, (p - 1) * (q - 1))
    return tuple(int(gmpy2.powmod(proof_base(n, i), d, n)) for i in range(1, KEY_PROOF_ROUNDS + 1))


def reveal_randomness(c: int, n: int, p: int, q: int) -> int:
    """R = (C mod n)^(n⁻¹ mod φ(n)) mod n: the decryption proof of crypto.md §4."""
    return int(gmpy2.powmod(c % n, gmpy2.invert(n, (p - 1) * (q - 1)), n))
