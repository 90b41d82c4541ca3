"""Paillier arithmetic the verifier needs (g = n + 1): pure functions on integers.

E(m; r) = (1 + m·n)·rⁿ mod n². Vote encoding (crypto.md §1): option j of a contest is m_j = M^j, M = 2^24.
"""
from dataclasses import dataclass

import gmpy2

SLOT_BITS = 24
SLOT = 1 << SLOT_BITS  # M: more than the voters of any election this verifier serves


@dataclass(frozen=True)
class PublicKey:
    n: int
    n2: int
    width: int  # bytes of a value mod n
    width2: int  # bytes of a value mod n²

    @classmethod
    def from_n(cls, n: int) -> "PublicKey":
        n = gmpy2.mpz(n)
        n2 = n * n
        return cls(n, n2, (n.bit_length() + 7) // 8, (n2.bit_length() + 7) // 8)


def option_message(index: int) -> int:
    message: int = SLOT**index  # int ** int is typed Any (a negative exponent would make a float); index >= 0
    return message


def max_options(n: int) -> int:
    """The most options a contest may have so that every count fits: M^k <= n."""
    return (int(n).bit_length() - 1) // SLOT_BITS


def encrypt_with(key: PublicKey, m: int, r: int) -> gmpy2.mpz:
    """Encryption with given randomness: what the verifier recomputes in a randomness-reveal decryption proof."""
    return (1 + m * key.n) * gmpy2.powmod(r, key.n, key.n2) % key.n2


def decode_counts(plaintext: int, options: int) -> list[int] | None:
    """The packed tally T = Σ N_j·M^j as counts; None when T does not fit k slots (T >= M^k)."""
    if plaintext < 0 or plaintext >= SLOT**options:
        return None
    return [(int(plaintext) >> (SLOT_BITS * j)) & (SLOT - 1) for j in range(options)]
