"""The voter's side of crypto.md §2: encrypt one option and prove the ciphertext is one of the allowed ones.

Needs only the public key and the encryption randomness r; `rng` supplies randomness (secrets in real use,
a seeded generator for reproducible simulated records).
"""
import gmpy2

from verifier.crypto import membership
from verifier.crypto.paillier import PublicKey, encrypt_with


def random_unit(key: PublicKey, rng) -> int:
    while True:
        r = rng.randbelow(key.n)
        if r > 0 and gmpy2.gcd(r, key.n) == 1:
            return gmpy2.mpz(r)


def prove(key: PublicKey, st: membership.Statement, index: int, r: int, rng):
    """(a, e, z) for ciphertext st.ciphertext = E(st.messages[index]; r)."""
    n, n2 = key.n, key.n2
    k = len(st.messages)
    a, e, z = [0] * k, [0] * k, [0] * k
    for j in range(k):
        if j == index:
            continue
        e[j] = rng.randbelow(membership.CHALLENGE_MOD)
        z[j] = random_unit(key, rng)
        u = st.ciphertext * (1 - st.messages[j] * n) % n2
        a[j] = gmpy2.powmod(z[j], n, n2) * gmpy2.powmod(u, -e[j], n2) % n2
    rho = random_unit(key, rng)
    a[index] = gmpy2.powmod(rho, n, n2)
    total = membership.challenge(key, st, tuple(a))
    e[index] = (total - sum(e)) % membership.CHALLENGE_MOD
    z[index] = rho * gmpy2.powmod(r, e[index], n) % n
    return tuple(a), tuple(e), tuple(z)


def encrypt(key: PublicKey, m: int, rng) -> tuple[int, int]:
    """(ciphertext, r)."""
    r = random_unit(key, rng)
    return encrypt_with(key, m, r), r
