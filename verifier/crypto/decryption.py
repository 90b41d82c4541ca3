"""Decryption proof by randomness reveal (crypto.md §4): C ≡ (1 + T·n)·Rⁿ (mod n²)."""
import gmpy2

from verifier.crypto.paillier import PublicKey, encrypt_with


def randomness_reveal_problem(key: PublicKey, c: int, t: int, r: int) -> str | None:
    if not 0 < c < key.n2:
        return "aggregate ciphertext out of range"
    if not 0 <= t < key.n:
        return "plaintext out of range (0 <= T < n)"
    if not 0 < r < key.n:
        return "revealed randomness out of range (0 < R < n)"
    if gmpy2.gcd(r, key.n) != 1:
        return "revealed randomness is not a unit mod n"
    if encrypt_with(key, t, r) != c:
        return "C != (1 + T·n)·Rⁿ mod n²"
    return None
