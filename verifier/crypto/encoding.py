"""Byte encodings that hashes and signatures are computed over (SPEC.md §3).

Fiat–Shamir inputs use a length-prefixed binary encoding, never JSON: each field is a 4-byte big-endian length
followed by its bytes, after a domain tag encoded the same way. Integers are fixed-width big-endian.
"""
import hashlib

import gmpy2


def byte_width(modulus: int) -> int:
    """Bytes needed for any value below `modulus`."""
    return (int(modulus).bit_length() + 7) // 8


def int_bytes(value: int, width: int) -> bytes:
    return int(value).to_bytes(width, "big")


def field(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def hash_fields(tag: str, *fields: bytes) -> bytes:
    """SHA-256 over the tag and each field, all length-prefixed: injective by construction."""
    h = hashlib.sha256(field(tag.encode()))
    for f in fields:
        h.update(len(f).to_bytes(4, "big"))
        h.update(f)
    return h.digest()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def signed_message(tag: str, context: str, body: bytes) -> bytes:
    """What every signature in a record covers: tag, newline, context (election id or fingerprint hex), newline,
    the canonical JSON of the signed object without its signature field."""
    return tag.encode() + b"\n" + context.encode() + b"\n" + body


def mpz(x: int) -> gmpy2.mpz:
    return gmpy2.mpz(x)
