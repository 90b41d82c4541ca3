"""Signature verification over exact bytes: Ed25519 through libsodium (PyNaCl), ECDSA P-256 (SHA-256, low-s)
through OpenSSL (`cryptography`). SPEC.md §3.2 states the rules; this module is them.

Key encodings: Ed25519 public keys are the 32-byte RFC 8032 encoding; P-256 keys are SEC1 compressed points
(33 bytes; the 65-byte uncompressed form is refused, so that a key has one encoding and V2.4 compares keys).
Signatures: Ed25519 64 bytes; ECDSA r ‖ s, 32 bytes each, big-endian, with 1 <= r and 1 <= s <= order/2.

A key is valid (`valid_public_key`) only if it is a point of the prime-order group: for Ed25519 canonically
encoded, not of small order and with no torsion component (libsodium's crypto_core_ed25519_is_valid_point). The
identity key, or any small-order key, lets anyone sign; a mixed-order key A + T (T of order 8) is a second key for
whoever holds A. `verify` refuses every signature under a key that is not valid.

Ed25519 (libsodium's verification, measured in tests/test_signatures.py): S < L, R not of small order, A canonical
and not of small order, and the cofactorless equation [S]B = R + [k]A, compared by encoding. Under a valid key it
accepts exactly the signatures RFC 8032's cofactorless equation accepts.
"""
from functools import lru_cache
from typing import cast

import nacl.bindings
import nacl.exceptions
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ALGORITHMS = ("ed25519", "ecdsa-p256")
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
KEY_LENGTHS = {"ed25519": 32, "ecdsa-p256": 33}
SIGNATURE_LENGTH = 64
_ECDSA = ec.ECDSA(hashes.SHA256())


@lru_cache(maxsize=4096)
def load_public_key(algorithm: str, public_key: bytes) -> bytes | ec.EllipticCurvePublicKey | None:
    """The key object (the key bytes themselves for Ed25519), or None when the bytes are not a valid key of that
    algorithm. Cached: a registry holds each key once, but the authorities' keys sign every receipt."""
    if len(public_key) != KEY_LENGTHS.get(algorithm):
        return None
    if algorithm == "ed25519":
        # canonical (y < p), on the curve, not of small order, in the prime-order subgroup ([L]A = identity)
        return public_key if nacl.bindings.crypto_core_ed25519_is_valid_point(public_key) else None
    if public_key[0] not in (2, 3):
        return None  # 33 bytes but not a compressed point (from_encoded_point would take other forms)
    try:
        # decompresses: x < p and a y with y² = x³ − 3x + b exists, else ValueError; P-256 has cofactor 1, so every
        # point on the curve is in the prime-order group
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    except ValueError:
        return None


def valid_public_key(algorithm: str, key_bytes: bytes) -> bool:
    return load_public_key(algorithm, bytes(key_bytes)) is not None


def verify(algorithm: str, public_key: bytes, message: bytes, signature: bytes, *, key_checked: bool = False) -> bool:
    """`key_checked`: the caller holds the key from a place that admits only keys `valid_public_key` accepts (the
    registry index: a line with an invalid key registers nobody), so an Ed25519 key is not validated again. The
    cache of 4,096 keys cannot spare that for a national registry, where a voter's key comes by once per ballot,
    and the subgroup check costs about two thirds of a verification."""
    if key_checked and algorithm == "ed25519" and len(public_key) == KEY_LENGTHS["ed25519"]:
        key: bytes | ec.EllipticCurvePublicKey | None = bytes(public_key)
    else:
        key = load_public_key(algorithm, bytes(public_key))
    if key is None or len(signature) != SIGNATURE_LENGTH:
        return False
    if algorithm == "ed25519":
        try:
            # PyNaCl 1.6 does not expose crypto_sign_verify_detached; crypto_sign_open(signature ‖ message) is that
            # very function (libsodium's crypto_sign_ed25519_open calls it) plus a copy of the message
            nacl.bindings.crypto_sign_open(bytes(signature) + bytes(message), cast(bytes, key))  # Ed25519: bytes
            return True
        except nacl.exceptions.BadSignatureError:
            return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    # r, s in 1..order−1 (OpenSSL checks it too; said here so the rule does not rest on it); high s is the
    # malleable twin (r, order − s) of a valid signature: refused
    if not (0 < r < P256_ORDER and 0 < s <= P256_ORDER // 2):
        return False
    try:
        cast(ec.EllipticCurvePublicKey, key).verify(encode_dss_signature(r, s), bytes(message), _ECDSA)
        return True
    except InvalidSignature:
        return False
