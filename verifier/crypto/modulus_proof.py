"""The Paillier–Blum modulus proof Π^mod (SPEC.md §3.6.2): n is the product of exactly two distinct primes
p ≡ q ≡ 3 (mod 4) with gcd(n, φ(n)) = 1.

After Canetti, Gennaro, Goldfeder, Makriyannis, Peled, "UC Non-Interactive, Proactive, Threshold ECDSA with
Identifiable Aborts" (ePrint 2021/060), the Paillier–Blum modulus figure, made non-interactive: the challenges y_i
are hashed from the whole statement (n, w, i). Verification only; the prover is in verifier.simulate.keys.
"""
import hashlib
from dataclasses import dataclass

import gmpy2

from verifier.crypto.encoding import field, int_bytes

# Each round catches a wrong modulus with probability ≥ 1/2, so m rounds give 2^-m per attempt (SPEC §3.6.2).
MODULUS_PROOF_ROUNDS = 128
MODULUS_PROOF_TAG = "tally-verifier/modulus-proof/v1"


@dataclass(frozen=True)
class ModulusProof:
    w: int
    x: tuple[int, ...]
    a: tuple[int, ...]  # each 0 or 1: the sign (−1)^a
    b: tuple[int, ...]  # each 0 or 1: the factor w^b
    z: tuple[int, ...]


def challenge(n: int, w: int, i: int) -> int:
    """y_i = H(tag, n, w, i) expanded below n by SHAKE-256, with a counter for rejection sampling."""
    n = int(n)
    width = (n.bit_length() + 7) // 8
    excess = width * 8 - n.bit_length()
    prefix = field(MODULUS_PROOF_TAG.encode()) + field(int_bytes(n, width)) + field(int_bytes(w, width)) \
        + field(i.to_bytes(4, "big"))
    counter = 0
    while True:
        y = int.from_bytes(hashlib.shake_256(prefix + field(counter.to_bytes(4, "big"))).digest(width), "big") >> excess
        if 0 < y < n:
            return y
        counter += 1


def problems(n: int, proof: ModulusProof) -> list[str]:
    """Every reason the proof does not hold, each one line; [] if it holds. Shapes, ranges, units and the Jacobi
    symbol are checked before any equation (a proof that fails them is not evaluated further)."""
    n = gmpy2.mpz(n)
    if n < 15 or n % 2 == 0 or gmpy2.is_prime(n, 50):
        return ["n is not an odd composite number"]  # a Blum prime n would pass every round below
    m = MODULUS_PROOF_ROUNDS
    counts = {"x": len(proof.x), "a": len(proof.a), "b": len(proof.b), "z": len(proof.z)}
    if any(c != m for c in counts.values()):
        return [f"modulus proof has {', '.join(f'{c} {k}' for k, c in counts.items())} values; {m} of each expected"]
    found = []
    if not 0 < proof.w < n:
        found.append("w out of range")
    elif gmpy2.jacobi(proof.w, n) != -1:
        found.append("the Jacobi symbol (w | n) is not -1")
    for i in range(m):
        for name, bit in (("a", proof.a[i]), ("b", proof.b[i])):
            if bit not in (0, 1):
                found.append(f"{name}_{i + 1} is not 0 or 1")
        for name, v in (("x", proof.x[i]), ("z", proof.z[i])):
            if not 0 < v < n:
                found.append(f"{name}_{i + 1} out of range")
            elif gmpy2.gcd(v, n) != 1:
                found.append(f"{name}_{i + 1} is not a unit mod n")
    if found:
        return found
    w = gmpy2.mpz(proof.w)
    for i in range(m):
        y = challenge(n, proof.w, i + 1)
        if gmpy2.powmod(proof.z[i], n, n) != y:
            found.append(f"z_{i + 1}^n != y_{i + 1} (mod n)")
        target = y * (w if proof.b[i] else 1) * (-1 if proof.a[i] else 1) % n
        if gmpy2.powmod(proof.x[i], 4, n) != target:
            found.append(f"x_{i + 1}^4 != (-1)^a_{i + 1} * w^b_{i + 1} * y_{i + 1} (mod n)")
    return found
