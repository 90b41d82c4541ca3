"""Signature verification over exact bytes: Ed25519 and ECDSA P-256 (SHA-256, low-s enforced).

Key encodings: Ed25519 public keys are the 32-byte RFC 8032 encoding; P-256 keys are SEC1 compressed points
(33 bytes). Signatures: Ed25519 64 bytes; ECDSA r ‖ s, 32 bytes each, big-endian, with s <= order/2.
"""
from functools import lru_cache

from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC
from Crypto.Signature import DSS, eddsa

ALGORITHMS = ("ed25519", "ecdsa-p256")
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
KEY_LENGTHS = {"ed25519": 32, "ecdsa-p256": 33}


@lru_cache(maxsize=4096)
def load_public_key(algorithm: str, public_key: bytes):
    """The key object, or None when the bytes are not a valid key of that algorithm."""
    try:
        if algorithm == "ed25519" and len(public_key) == 32:
            return eddsa.import_public_key(public_key)
        if algorithm == "ecdsa-p256" and len(public_key) == 33:
            return ECC.import_key(public_key, curve_name="P-256")
    except (ValueError, TypeError, IndexError):
        return None
    return None


def verify(algorithm: str, public_key: bytes, message: bytes, signature: bytes) -> bool:
    key = load_public_key(algorithm, public_key)
    if key is None or len(signature) != 64:
        return False
    try:
        if algorithm == "ed25519":
            eddsa.new(key, "rfc8032").verify(message, signature)
            return True
        s = int.from_bytes(signature[32:], "big")
        if not 0 < s <= P256_ORDER // 2:
            return False  # high-s signatures are malleable copies: rejected
        DSS.new(key, "fips-186-3").verify(SHA256.new(message), signature)
        return True
    except ValueError:
        return False
