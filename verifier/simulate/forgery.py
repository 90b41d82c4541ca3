"""Ed25519 forgeries for the fault matrix and the tests (simulator side only: the verifier never imports this).

Raw RFC 8032 signing with a secret scalar and a public key chosen separately, so that a signature can be made under
a key that is not [a]B: a small-order key (no secret needed at all) or a mixed-order twin A + T of a voter's key A.
"""
import hashlib
from dataclasses import dataclass

import nacl.bindings

L = 2**252 + 27742317777372353535851937790883648493  # order of the prime-order subgroup
IDENTITY = (1).to_bytes(32, "little")  # the neutral point (x = 0, y = 1): order 1
# a point of order 8 (x != 0): T, [2]T, ... [8]T = identity
ORDER_8 = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
FORGED_SIGNATURE = IDENTITY + bytes(32)  # R = identity, S = 0: [0]B = R + [k]·identity for every k and message


def secret_scalar(seed: bytes) -> tuple[int, bytes]:
    """RFC 8032 §5.1.5: the clamped secret scalar a and the nonce prefix of a 32-byte seed."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def challenge(r_bytes: bytes, public_key: bytes, message: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r_bytes + public_key + message).digest(), "little") % L


def sign_raw(a: int, prefix: bytes, public_key: bytes, message: bytes, nonce_extra: bytes = b"") -> tuple[bytes, int]:
    """(R ‖ S, k) with secret scalar a under `public_key` whatever it is: r = H(prefix ‖ extra ‖ M), R = [r]B,
    k = H(R ‖ public_key ‖ M), S = r + k·a mod L. With public_key = [a]B and no extra: RFC 8032's signature."""
    r = int.from_bytes(hashlib.sha512(prefix + nonce_extra + message).digest(), "little") % L
    r_bytes = nacl.bindings.crypto_scalarmult_ed25519_base_noclamp(r.to_bytes(32, "little"))
    k = challenge(r_bytes, public_key, message)
    return r_bytes + ((r + k * a) % L).to_bytes(32, "little"), k


def twin_public_key(public_key: bytes, torsion: bytes = ORDER_8) -> bytes:
    """A + T: the same key for the cofactored equation, another key (and another fingerprint) for V2.4."""
    return nacl.bindings.crypto_core_ed25519_add(public_key, torsion)


def ground_twin_signature(seed: bytes, twin: bytes, message: bytes) -> bytes:
    """A signature by the owner of A (seed) that verifies under the twin A + T with the cofactorless equation:
    [S]B = R + [k]A = R + [k](A + T) − [k]T, so it holds when [k]T = identity, that is k ≡ 0 (mod 8) for T of order
    8. The nonce is ground until k is (1 try in 8)."""
    a, prefix = secret_scalar(seed)
    for i in range(1 << 16):
        signature, k = sign_raw(a, prefix, twin, message, i.to_bytes(4, "big"))
        if k % 8 == 0:
            return signature
    raise AssertionError("no nonce gave k ≡ 0 (mod 8)")  # probability 2^-9000


@dataclass(frozen=True)
class TwinKey:
    """Signs like a voter's SigningKey, as the holder of A under the registered twin A + T (see
    ground_twin_signature)."""
    seed: bytes
    twin: bytes
    algorithm: str = "ed25519"

    @property
    def public_bytes(self) -> bytes:
        return self.twin

    def sign(self, message: bytes) -> bytes:
        return ground_twin_signature(self.seed, self.twin, message)


@dataclass(frozen=True)
class SmallOrderKey:
    """The 'key' of a voter registered with a small-order point: anyone signs anything with R = identity, S = 0."""
    public: bytes = IDENTITY
    algorithm: str = "ed25519"

    @property
    def public_bytes(self) -> bytes:
        return self.public

    def sign(self, message: bytes) -> bytes:
        return FORGED_SIGNATURE
