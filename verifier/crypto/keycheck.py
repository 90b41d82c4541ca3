"""Public key checks an auditor can run without the private key (crypto.md §5)."""
import hashlib

import gmpy2

from verifier.crypto.encoding import field, int_bytes

MIN_BITS = 2048
KEY_PROOF_ROUNDS = 11
KEY_PROOF_TAG = "tally-verifier/key-proof/v1"
TIER0_SMALL_PRIME_BOUND = 1 << 20
TIER1_SMALL_PRIME_BOUND = 6370

_SMALL_PRIMES: list[int] = []


def _small_primes() -> list[int]:
    if not _SMALL_PRIMES:
        sieve = bytearray([1]) * TIER0_SMALL_PRIME_BOUND
        sieve[0:2] = b"\0\0"
        for i in range(2, int(TIER0_SMALL_PRIME_BOUND**0.5) + 1):
            if sieve[i]:
                sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
        _SMALL_PRIMES.extend(i for i, v in enumerate(sieve) if v)
    return _SMALL_PRIMES


def tier0_problems(n: int, g: int) -> list[str]:
    """Structural problems of (n, g), each one line. Key size is judged by the caller (test records)."""
    problems = []
    n = gmpy2.mpz(n)
    if n < 3 or n % 2 == 0:
        return ["n is not an odd integer above 2"]
    if gmpy2.is_prime(n, 50):
        problems.append("n is prime")
    if gmpy2.is_power(n):
        problems.append("n is a perfect power")
    # one gcd against the product of all small primes is far cheaper than 82,000 divisions
    factor = gmpy2.gcd(n, _primorial_below(TIER0_SMALL_PRIME_BOUND))
    if factor != 1:
        p = next(p for p in _small_primes() if n % p == 0)
        problems.append(f"n has the small prime factor {p}")
    if g != n + 1:
        problems.append("g is not n + 1")
    return problems


def proof_base(n: int, i: int) -> int:
    """ρ_i = H(tag, n, i) expanded below n by SHAKE-256, with a counter for rejection sampling."""
    width = (int(n).bit_length() + 7) // 8
    excess = width * 8 - int(n).bit_length()
    counter = 0
    while True:
        xof = hashlib.shake_256(
            field(KEY_PROOF_TAG.encode()) + field(int_bytes(n, width)) + field(i.to_bytes(4, "big"))
            + field(counter.to_bytes(4, "big"))
        )
        x = int.from_bytes(xof.digest(width), "big") >> excess
        if 0 < x < n:
            return x
        counter += 1


def tier1_problems(n: int, sigmas: tuple[int, ...]) -> list[str]:
    """The non-interactive proof that gcd(n, φ(n)) = 1: σ_iⁿ ≡ ρ_i (mod n) for i = 1..11."""
    if len(sigmas) != KEY_PROOF_ROUNDS:
        return [f"key proof has {len(sigmas)} values, expected {KEY_PROOF_ROUNDS}"]
    n = gmpy2.mpz(n)
    if gmpy2.gcd(n, _primorial_below(TIER1_SMALL_PRIME_BOUND)) != 1:
        return ["n has a prime factor below 6370"]
    problems = []
    for i, sigma in enumerate(sigmas, start=1):
        if not 0 < sigma < n:
            problems.append(f"sigma_{i} out of range")
        elif gmpy2.powmod(sigma, n, n) != proof_base(n, i):
            problems.append(f"sigma_{i}^n != rho_{i} (mod n)")
    return problems


def _primorial_below(bound: int) -> gmpy2.mpz:
    """The product of all primes below `bound` (gmpy2 computes it for 2^20 in milliseconds)."""
    return gmpy2.primorial(bound - 1)
