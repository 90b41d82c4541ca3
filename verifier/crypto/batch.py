"""Cross-ballot batch verification of 1-out-of-k membership proofs (crypto.md §3; Bellare–Garay–Rabin 1998).

Only the proof *equations* are batched. Every item must already have passed `membership.statement_problem`
(ranges, units, Fiat–Shamir hash) on its own: batching is sound only over individually well-formed proofs.

For every equation (b, j) — ballot b, branch j — the individual check is (z^n)² ≡ (a·u_j^e)² (mod n²) with
u_j = c_b·(1 − m_j·n). Raise both sides to a fresh random δ_(b,j) of ℓ bits and multiply everything:

    (P_zⁿ)² ≡ (P_a · P_c · (1 − S·n))²  (mod n²)
    P_z = Π z^δ,  P_a = Π a^δ,  P_c = Π_b c_b^(E_b),  E_b = Σ_j δ_(b,j)·e_(b,j),  S = Σ δ·e·m_j mod n.

If every individual squared equation holds, the batch equation holds (it is their product of δ-th powers), so
a failing batch proves that some item fails individually. Conversely a failing item slips through with
probability about 2^(−ℓ) when its defect has large order (see the note at `batch_holds` on small orders).
"""
import hashlib
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import gmpy2
from gmpy2 import mpz

from verifier.crypto import multiexp
from verifier.crypto.membership import equations_hold
from verifier.crypto.paillier import PublicKey

DEFAULT_COEFFICIENT_BITS = 128  # ℓ
COEFFICIENT_TAG = b"tally-verifier/batch-coefficients/v1"


class CoefficientStream:
    """A CSPRNG for the batch coefficients δ: SHAKE-256 keyed by a secret seed and a label, read in blocks.

    Why a keyed stream and not `secrets` call by call: a verification run draws one 256-bit seed from the
    operating system when it starts on the published (signed, hash-chained, so frozen) box, before pass 1
    (engine/run.py says why that is enough), keeps it in memory only, and derives the coefficients of every
    chunk and every bisection step from it (label = chunk number, sub-range). What the
    batch test needs is that whoever made the proofs cannot predict δ; the proofs are fixed before the seed
    exists and the seed is never written anywhere, so they cannot. Deriving instead of drawing lets every worker
    (local or on a cluster) compute its own coefficients from a small job description, costs one SHAKE call
    per batch instead of one system call per δ, and makes a run reproducible when a test fixes the seed.
    Labels must never repeat within a run: every batch test gets coefficients of its own.
    """

    def __init__(self, seed: bytes, label: str = ""):
        if len(seed) < 16:
            raise ValueError("the coefficient seed must have at least 128 bits")
        self._prefix = len(seed).to_bytes(4, "big") + seed + label.encode() + b"\0"
        self._counter = 0

    def child(self, label: str) -> "CoefficientStream":
        child = CoefficientStream.__new__(CoefficientStream)
        child._prefix = self._prefix + label.encode() + b"\0"
        child._counter = 0
        return child

    def draw(self, count: int, bits: int) -> list[int]:
        """`count` independent uniform integers of `bits` bits."""
        width = (bits + 7) // 8
        self._counter += 1
        block = hashlib.shake_256(COEFFICIENT_TAG + self._prefix + self._counter.to_bytes(8, "big")).digest(
            count * width)
        excess = width * 8 - bits
        ints = [int.from_bytes(block[i:i + width], "big") for i in range(0, count * width, width)]
        return [x >> excess for x in ints] if excess else ints


class RandomBits(Protocol):
    def randbits(self, k: int, /) -> int: ...


class RandomDraws(Protocol):
    def draw(self, count: int, bits: int, /) -> list[int]: ...


# where coefficients come from: the `secrets` module, anything with `randbits`, or a `CoefficientStream` (`draw`)
Coefficients = RandomBits | RandomDraws


def _draw(rng: Coefficients, count: int, bits: int) -> list[int]:
    draw = getattr(rng, "draw", None)
    if draw is not None:
        drawn: list[int] = draw(count, bits)
        return drawn
    source = cast(RandomBits, rng)  # no `draw`: `randbits`
    return [source.randbits(bits) for _ in range(count)]


@dataclass(frozen=True, slots=True)
class ProofItem:
    """One ballot's membership proof, already checked by `statement_problem`: ciphertext c, allowed plaintexts
    m_0..m_(k-1) and the proof (a_j, e_j, z_j)."""

    c: int
    messages: tuple[int, ...]
    a: tuple[int, ...]
    e: tuple[int, ...]
    z: tuple[int, ...]

    def __post_init__(self) -> None:
        for name in ("messages", "a", "e", "z"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        k = len(self.messages)
        if not (len(self.a) == len(self.e) == len(self.z) == k):
            raise ValueError(f"proof has {len(self.a)}/{len(self.e)}/{len(self.z)} branches for {k} options")

    def holds_individually(self, key: PublicKey) -> bool:
        return equations_hold(key, self.c, self.messages, self.a, self.e, self.z)


class NotUnits(Exception):
    """Some value of the items tested is not a unit mod n (`batch_holds(units=True)`): which one, the batch test
    cannot say; the caller checks them ballot by ballot (`statement_problem`)."""


def batch_holds(key: PublicKey, items: Sequence[ProofItem], coefficient_bits: int = DEFAULT_COEFFICIENT_BITS,
                rng: Coefficients = secrets, *, units: bool = False) -> bool:
    """The batch equation over all equations of all `items`, with fresh δ from `rng` (a CSPRNG: `secrets` by
    default, or a `CoefficientStream`; anything with `randbits`, or `draw(count, bits)`). True for no items.

    `units=True`: also settle that every a_j, z_j and c of the items is a unit mod n, for three multiplications in
    all instead of 2k + 1 per proof (`units_ok`), or raise NotUnits. A value sharing the prime p with n makes its
    δ-th power, and so P_z·P_a·P_c, 0 mod p: gcd(P_z·P_a·P_c mod n, n) = 1 exactly when every value with a
    non-zero exponent is a unit, and an exponent is 0 only when its δ is (probability 2^−ℓ) or, for c, when
    every e_j is 0, that is when the statement's hash is 0 mod 2^256.

    Why the right-hand side is P_a·P_c·(1 − S·n): (1 − m·n)^e = Σ_i C(e, i)·(−m·n)^i and every term with i ≥ 2
    contains n², so (1 − m·n)^e ≡ 1 − e·m·n (mod n²) for any integer e ≥ 0. Hence
    u_j^(e_j) = c^(e_j)·(1 − m_j·n)^(e_j) ≡ c^(e_j)·(1 − e_j·m_j·n), and raised to δ: c^(δe)·(1 − δ·e·m_j·n).
    Factors (1 − x·n) multiply by adding x (mod n², the cross terms contain n²), and x matters only mod n, so
    Π_(b,j) (a·u^e)^δ ≡ Π a^δ · Π_b c_b^(Σ_j δe) · (1 − S·n) with S = Σ δ·e·m_j mod n. The c-part needs one
    exponentiation per ballot, not per branch, and the m-part none at all.

    Squaring both sides keeps the batch verdict equal to the individual squared verdict for defects of order 2
    (z → n − z, a → −a): they vanish in both, whereas an unsquared batch would accept −1 whenever its δ is
    even. Note: a defect x of another small order coprime to n fails the individual check but passes the batch
    with probability 1/d, d the order of x² (3 for a cube root of unity). Constructing such an x needs the
    factorisation of n (±1 are the only public ones), and it is an n-th power, so it cannot change what the
    ciphertext encrypts: a reporting difference only, open to the key holder alone.
    """
    if coefficient_bits < 1:
        raise ValueError("coefficient_bits must be positive")
    if not items:
        return True
    n, n2 = mpz(key.n), mpz(key.n2)
    z_bases: list[int] = []
    a_bases: list[int] = []
    for item in items:
        z_bases += item.z
        a_bases += item.a
    deltas = _draw(rng, len(z_bases), coefficient_bits)
    c_bases, c_exponents = [], []
    s = 0
    i = 0
    for item in items:
        e_b = 0
        for m, ej in zip(item.messages, item.e, strict=True):
            de = deltas[i] * ej
            i += 1
            e_b += de
            s += de * m
        c_bases.append(item.c)
        c_exponents.append(e_b)
    s %= n
    # xⁿ mod n² depends only on x mod n ((x + k·n)ⁿ ≡ xⁿ, the other binomial terms hold n²): P_z is formed mod n,
    # where a multiplication costs a third of one mod n²
    p_z = multiexp.multi_exp(z_bases, deltas, n)
    p_a = multiexp.multi_exp(a_bases, deltas, n2)
    p_c = multiexp.multi_exp(c_bases, c_exponents, n2)
    if units and gmpy2.gcd(p_z * p_a % n * p_c % n, n) != 1:
        raise NotUnits
    lhs = gmpy2.powmod(p_z, n, n2)
    rhs = p_a * p_c % n2 * ((1 - s * n) % n2) % n2
    return bool(lhs * lhs % n2 == rhs * rhs % n2)  # bool: mpz is untyped


# The cost model of `failing_items`, in units of one individual branch equation (U: zⁿ and u^e mod n², what
# `equations_hold` pays per branch). A batch test over b proofs of E equations in all costs about
# TEST_FIXED + TEST_PER_PROOF·b + TEST_PER_EQUATION·E U (the fixed part is mostly the final n-th power, the rest the
# three multi-exponentiations and their Python loops). Measured at 1024 and 2048 bits (benchmarks/RESULTS.md,
# "Hostile boxes") and rounded up, so that the budget below errs towards individual checks.
TEST_FIXED, TEST_PER_PROOF, TEST_PER_EQUATION = 2.0, 0.1, 0.02
# After a chunk's batch test fails, the further batch tests may cost what the items they settle save (k U for each
# proof a passing test settles), plus BISECTION_BUDGET times a lower bound of what checking the chunk individually
# costs, plus what finding one failure by bisection costs; see `failing_items` and SPEC.md §10.4.
BISECTION_BUDGET = 0.1
SAMPLE = 8  # proofs checked individually at secret random places when a chunk fails, to estimate its failure rate
DENSE = 3 / 8  # the share of failures in the sample from which the rest is checked individually, without bisecting


def estimated_cost(items: Sequence[ProofItem]) -> float:
    """The cost model's estimate of one batch test over `items`, in U (see TEST_FIXED)."""
    return TEST_FIXED + TEST_PER_PROOF * len(items) + TEST_PER_EQUATION * sum(len(it.messages) for it in items)


def sample_size(count: int) -> int:
    """Proofs sampled when a batch test over `count` proofs fails: one in eight, at most SAMPLE."""
    return min(SAMPLE, -(-count // 8))


# noqa C901: one bisection loop whose cost budget (below) is shared by every branch; split up, the accounting
# that bounds the whole by individual checking would be spread over several functions
def failing_items(key: PublicKey, items: Sequence[ProofItem], rng: Coefficients = secrets,  # noqa: C901
                  leaf_size: int = 1, coefficient_bits: int = DEFAULT_COEFFICIENT_BITS,
                  budget: float = BISECTION_BUDGET, *, units: bool = False) -> list[int]:
    """Sorted indices of the items whose individual `equations_hold` is False. `units=True`: the first batch test
    also settles the items' units (`batch_holds`), and NotUnits is raised, before any further test, if one is not.

    One batch test over everything: on an honest input that is all it costs. On failure, bisect: test the left
    half with fresh coefficients; if it passes, the right half must hold the failure (the parent failed, and a
    failing batch always contains a failing item), so it is bisected without a test of its own. A range known to
    contain a failure and of at most `leaf_size` items is checked item by item with the individual (normative)
    check, so an index is reported only when individual verification rejects it; a failing item is missed only
    with the batch test's error probability. Few failures cost a few batch tests each: bisecting down to single
    items is the cheapest (a test of one 1-of-8 proof costs about 2 U, its individual check 8 U).

    Many failures make bisection dearer than checking everything individually: every level of the tree is a batch
    test over nearly every item, while a failing proof may be rejected individually at its first branch, for 1 U.
    So the cost is bounded by that of individual checking (IP, in U: k for a proof that holds, at least 1 for one
    that fails), whatever the failure rate:

    * every item is checked individually at most once, so that part costs at most what it costs in IP;
    * a batch test after the first is made only if all of them together stay within what the passing ones saved
      (k U for every proof they settled, which IP pays and this path does not), plus `budget` times a lower
      bound of IP (k for a proof known to hold, 1 for any other), plus the cost of finding one failure by bisection
      (F: tests of halving sizes, about one test of the whole in all, and the fixed cost of two tests per level).
      A test that would exceed it is not made: its items are checked individually. So the whole costs at most
      IP + first test + budget·IP + F, whatever the proofs are;
    * when the first test fails, a sample (`sample_size`: one item in eight, at most SAMPLE) at secret random
      places (drawn from `rng`, like the coefficients: whoever made the proofs can aim neither at them nor away
      from them) is checked individually. A share of failures of DENSE or more, and everything left is checked
      individually without another test: a chunk of bad proofs costs its individual check plus the first test.
      Less, and F is spent only where most proofs hold, that is where IP is about k U per proof; when the sample
      saw failures, the chunk is tested in groups of about sample/failures proofs rather than from the top (whose
      tests would nearly all fail), the failing groups bisected.

    One bad proof among N costs the first test, at most 2·⌈log2 N⌉ more, and 1 + sample_size(N) individual checks.
    """
    if leaf_size < 1:
        raise ValueError("leaf_size must be positive")
    items = list(items)
    if batch_holds(key, items, coefficient_bits, rng, units=units):
        return []
    status: list[bool | None] = [None] * len(items)  # None: not known yet; True holds, False fails (individually)
    bad: list[int] = []
    # spent: the batch tests after the first; saved: k for every proof they settled; known: IP of the items settled
    # (k, or 1 for a failure), unknown: items not settled (1 each); allowance: F (all in U)
    st = {"spent": 0.0, "saved": 0.0, "known": 0.0, "unknown": len(items), "dense": False,
          "allowance": estimated_cost(items) + 2 * TEST_FIXED * max(1, len(items) - 1).bit_length()}

    def settle(i: int, holds: bool) -> None:
        status[i] = holds
        st["known"] += len(items[i].messages) if holds else 1
        st["unknown"] -= 1
        if not holds:
            bad.append(i)

    def individually(idx: list[int]) -> None:
        for i in idx:
            if status[i] is None:
                settle(i, items[i].holds_individually(key))

    def attempt(idx: list[int]) -> bool | None:
        """The batch test over idx, or None when the budget does not allow it."""
        chosen = [items[i] for i in idx]
        cost = estimated_cost(chosen)
        if st["spent"] + cost > st["saved"] + budget * (st["known"] + st["unknown"]) + st["allowance"]:
            return None
        st["spent"] += cost
        if batch_holds(key, chosen, coefficient_bits, rng):
            for i in idx:
                settle(i, True)
                st["saved"] += len(items[i].messages)
            return True
        return False

    def resolve(idx: list[int], failing: bool) -> None:
        """Settle every item of idx; `failing`: a batch test showed that idx holds a failing item."""
        if failing and any(status[i] is False for i in idx):
            failing = False  # the sample found the failure the test saw: the rest is not known to fail
        idx = [i for i in idx if status[i] is None]
        if not idx:
            return
        if st["dense"] or (failing and len(idx) <= leaf_size):
            individually(idx)
            return
        if not failing:
            outcome = attempt(idx)
            if outcome is None:
                individually(idx)
            elif not outcome:
                resolve(idx, True)
            return
        mid = len(idx) // 2
        outcome = attempt(idx[:mid])
        if outcome is None:
            individually(idx)
        elif outcome:
            resolve(idx[mid:], True)
        else:
            resolve(idx[:mid], True)
            resolve(idx[mid:], False)

    failed = 0
    if len(items) > leaf_size:
        m = sample_size(len(items))
        picked = secret_places(rng, len(items), m)
        individually(picked)
        failed = sum(1 for i in picked if status[i] is False)
        st["dense"] = failed >= DENSE * m
    if failed and not st["dense"]:
        # failures at a rate of about failed/m: the top levels of the tree would be tests that all fail, so test
        # groups of about m/failed proofs and bisect the failing ones (after one test of the rest when the sample
        # saw a single failure: it may be the only one)
        rest = [i for i in range(len(items)) if status[i] is None]
        if failed == 1 and len(rest) > leaf_size:
            outcome = attempt(rest)
            if outcome is None:
                individually(rest)
            if outcome is not False:
                rest = []
        size = 1 << max(1, round(math.log2(m / failed)))
        for start in range(0, len(rest), size):
            resolve(rest[start:start + size], False)
    else:
        resolve(list(range(len(items))), True)
    return sorted(bad)


def secret_places(rng: Coefficients, count: int, m: int) -> list[int]:
    """m distinct places in range(count) (m ≤ count), drawn from `rng`: secret, like the coefficients."""
    picked: list[int] = []
    while len(picked) < m:
        for x in _draw(rng, m, 64):
            if len(picked) < m and x % count not in picked:
                picked.append(x % count)
    return picked


def all_units(n: int, values: Iterable[int]) -> bool:
    """gcd(Π values mod n, n) = 1: every value is a unit mod n, for one gcd instead of one per value (a gcd of a
    4096-bit value with n costs about eight multiplications). False names no value: the caller checks them one
    by one."""
    m = mpz(n)
    product = mpz(1)
    for x in values:
        product = product * x % m
    return bool(gmpy2.gcd(product, m) == 1)  # bool: mpz is untyped


def units_ok(key: PublicKey, items: Sequence[ProofItem]) -> bool:
    """One gcd for many proofs (crypto.md §3): gcd(Π c·Π a_j·Π z_j mod n, n) = 1. A False names no ballot: fall
    back to the per-ballot check (`statement_problem` already does one gcd per ballot)."""
    return all_units(key.n, (x for item in items for x in (item.c, *item.a, *item.z)))


def not_units_and_failing(key: PublicKey, items: Sequence[ProofItem], rng: Coefficients = secrets
                          ) -> tuple[list[int], list[int]]:
    """(the items holding a value that is not a unit mod n, the other items whose individual `equations_hold` is
    False), each sorted by index: the batch path's answer for a chunk of proofs whose ranges and hash hold.

    The units cost nothing apart on an honest chunk: the first batch test settles them (`batch_holds(units=True)`).
    Before it, the units of sample_size(N) items at secret places are checked (one gcd): a chunk where many proofs
    hold a value that is not a unit goes to the per-item check (one gcd each, all the individual path pays for such
    a proof) without a batch test it would not repay (SPEC.md §10.4). A share f of such proofs escapes a sample of
    8 with probability (1 − f)^8, and then costs one wasted batch test, where the individual path pays k U for
    each of the other proofs: (1 − f)^7 times the test's cost per proof over k more at most (0.26 U against 8 U
    for 1-of-8 proofs in the cost model: 3%)."""
    sample = [items[i] for i in secret_places(rng, len(items), sample_size(len(items)))]
    try:
        if units_ok(key, sample):
            return [], failing_items(key, items, rng=rng, units=True)
    except NotUnits:
        pass
    units = [units_ok(key, [item]) for item in items]
    rest = [i for i, unit in enumerate(units) if unit]
    failing = failing_items(key, [items[i] for i in rest], rng=rng) if rest else []
    return [i for i, unit in enumerate(units) if not unit], [rest[i] for i in failing]
