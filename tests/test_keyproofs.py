"""The Paillier–Blum modulus proof Π^mod (SPEC.md §3.6.2, check V1.7) on honest and dishonest keys, its encoding in
election_key.json, and the assumption every report states (§3.6.3). Each dishonest case asserts the exact reasons,
so that removing the rule that guards it changes the answer."""
import dataclasses
import secrets as system_random
import time

import gmpy2
import pytest
from conftest import cli, edit_document, run_verify

from verifier.checks.setup import UNPROVEN_PRIME_SIZES
from verifier.crypto import keycheck, modulus_proof
from verifier.crypto.modulus_proof import MODULUS_PROOF_ROUNDS as M
from verifier.record import layout
from verifier.simulate.keys import _prime, generate_paillier, key_proof
from verifier.simulate.keys import modulus_proof as prove
from verifier.simulate.randomness import SeededRandom

X4 = "x_{i}^4 != (-1)^a_{i} * w^b_{i} * y_{i} (mod n)"


@pytest.fixture(scope="module")
def blum():
    public, private = generate_paillier(640, SeededRandom("keyproof-tests"))
    proof, failing = prove(public.n, (private.p, private.q), system_random)
    assert failing == []
    return public.n, private.p, private.q, proof


def _with(proof, field: str, i: int | None, value):
    """The proof with one value replaced (round i, 1-based, of an array field; or the scalar w)."""
    if i is None:
        return dataclasses.replace(proof, **{field: value})
    values = list(getattr(proof, field))
    values[i - 1] = value
    return dataclasses.replace(proof, **{field: tuple(values)})


def test_honest_640(blum):
    n, p, q, proof = blum
    assert p % 4 == q % 4 == 3 and p != q and n.bit_length() == 640
    assert modulus_proof.problems(n, proof) == []


def test_honest_2048_and_its_time():
    public, private = generate_paillier(2048, SeededRandom("keyproof-2048"))
    assert public.n.bit_length() == 2048
    proof, failing = prove(public.n, (private.p, private.q), system_random)
    start = time.perf_counter()
    assert modulus_proof.problems(public.n, proof) == []
    elapsed = time.perf_counter() - start
    print(f"Π^mod verification at 2048 bits: {elapsed:.3f} s")
    assert elapsed < 30  # about 0.5 s on one core; a bound, not a benchmark


def test_three_primes_refused_though_tier1_holds():
    # r just above tier 0's bound: tiers 0 and 1 accept this n; only the fourth roots fail
    r = int(gmpy2.next_prime(1 << 20))
    while r % 4 != 3:
        r = int(gmpy2.next_prime(r))
    rng = SeededRandom("three-primes")
    while True:
        p, q = _prime(310, rng), _prime(310, rng)
        n = p * q * r
        if gmpy2.gcd(n, (p - 1) * (q - 1) * (r - 1)) == 1:
            break
    assert keycheck.tier0_problems(n, n + 1) == []
    assert keycheck.tier1_problems(n, key_proof(n, p, q, r)) == []
    proof, failing = prove(n, (p, q, r), rng)
    assert 0 < len(failing) < M  # about half the rounds
    assert modulus_proof.problems(n, proof) == [X4.format(i=i) for i in failing]


def test_prime_power_refused_by_the_n_th_roots():
    # n = p²·q: (w | n) = (w | q) can be −1 and fourth roots exist mod p² — only z_iⁿ ≡ y_i can fail
    rng = SeededRandom("prime-power")
    p, q = _prime(200, rng), _prime(240, rng)
    n = p * p * q
    proof, failing = prove(n, (p, p, q), rng)
    assert failing == []  # every x_i is right
    assert modulus_proof.problems(n, proof) == [f"z_{i}^n != y_{i} (mod n)" for i in range(1, M + 1)]


def test_prime_n_refused_though_every_round_holds():
    # a Blum prime passes every equation: the "not prime" rule alone refuses it
    p = _prime(320, SeededRandom("prime-n"))
    proof, failing = prove(p, (p,), SeededRandom("prime-n proof"))
    assert failing == []
    assert all(pow(z, p, p) == modulus_proof.challenge(p, proof.w, i) for i, z in enumerate(proof.z, 1))
    assert modulus_proof.problems(p, proof) == ["n is not an odd composite number"]


def test_wrong_w_refused_before_any_equation(blum):
    n, p, q, proof = blum
    square = proof.w * proof.w % n  # Jacobi +1
    assert modulus_proof.problems(n, _with(proof, "w", None, square)) == ["the Jacobi symbol (w | n) is not -1"]
    assert modulus_proof.problems(n, _with(proof, "w", None, p)) == ["the Jacobi symbol (w | n) is not -1"]  # (p|n) = 0
    assert modulus_proof.problems(n, _with(proof, "w", None, n + 2)) == ["w out of range"]
    assert modulus_proof.problems(n, _with(proof, "w", None, 0)) == ["w out of range"]


@pytest.mark.parametrize("field,i,change,reason", [
    ("x", 5, lambda v, n: v * 2 % n, X4.format(i=5)),
    ("x", 6, lambda v, n: n - v, None),  # −x has the same fourth power: still a valid proof
    ("z", 7, lambda v, n: v * 2 % n, "z_7^n != y_7 (mod n)"),
    ("a", 3, lambda v, n: 1 - v, X4.format(i=3)),
    ("b", 9, lambda v, n: 1 - v, X4.format(i=9)),
])
def test_altered_value_refused_at_its_round(blum, field, i, change, reason):
    n, p, q, proof = blum
    altered = _with(proof, field, i, change(getattr(proof, field)[i - 1], n))
    assert modulus_proof.problems(n, altered) == ([reason] if reason else [])


@pytest.mark.parametrize("field,i,value,reason", [
    ("x", 1, 0, "x_1 out of range"),
    ("x", 2, "n", "x_2 out of range"),
    ("z", 3, "n+1", "z_3 out of range"),
    ("x", 4, "p", "x_4 is not a unit mod n"),
    ("z", 5, "q", "z_5 is not a unit mod n"),
    ("a", 1, 2, "a_1 is not 0 or 1"),
    ("b", 128, -1, "b_128 is not 0 or 1"),
])
def test_out_of_range_refused_before_any_equation(blum, field, i, value, reason):
    n, p, q, proof = blum
    value = {"n": n, "n+1": n + 1, "p": p, "q": q}.get(value, value)
    assert modulus_proof.problems(n, _with(proof, field, i, value)) == [reason]


def test_wrong_count_of_rounds(blum):
    n, p, q, proof = blum
    short = dataclasses.replace(proof, x=proof.x[:-1], a=proof.a[:-1], b=proof.b[:-1], z=proof.z[:-1])
    assert modulus_proof.problems(n, short) == [f"modulus proof has {M - 1} x, {M - 1} a, {M - 1} b, {M - 1} z "
                                                f"values; {M} of each expected"]
    uneven = _with(proof, "z", None, proof.z + (proof.z[0],))
    assert modulus_proof.problems(n, uneven) == [f"modulus proof has {M} x, {M} a, {M} b, {M + 1} z values; "
                                                 f"{M} of each expected"]


def test_challenges_bind_n_w_and_the_round(blum):
    n, p, q, proof = blum
    y = modulus_proof.challenge(n, proof.w, 1)
    assert 0 < y < n
    assert len({y, modulus_proof.challenge(n, proof.w, 2), modulus_proof.challenge(n, proof.w + 1, 1),
                modulus_proof.challenge(n + 2, proof.w, 1)}) == 4


# --- in a record ----------------------------------------------------------------------------------------------

def test_record_passes_v17_and_states_the_assumption(record):
    v = run_verify(record)
    assert v.findings.steps["V1.7"].checked == 1 and v.findings.steps["V1.7"].failed == 0
    assert UNPROVEN_PRIME_SIZES in v.warnings
    assert "ASSUMPTION" in cli("verify", record, "--workers", "1").output


def test_record_with_an_altered_proof_fails_v17_only_there(record):
    def change(key):
        key["modulus_proof"]["b"][0] ^= 1
    edit_document(record / layout.ELECTION_KEY, change)
    v = run_verify(record)
    assert [f.message for f in v.findings.steps["V1.7"].findings] == [X4.format(i=1)]


@pytest.mark.parametrize("change,message", [
    (lambda k: k["modulus_proof"]["a"].__setitem__(0, True), "modulus_proof.a[0]: expected 0 or 1, found a boolean"),
    (lambda k: k["modulus_proof"]["a"].__setitem__(1, 2), "modulus_proof.a[1]: expected 0 or 1, found 2"),
    (lambda k: k["modulus_proof"]["b"].__setitem__(2, "1"), "modulus_proof.b[2]: expected 0 or 1, found a string"),
    (lambda k: k["modulus_proof"].__setitem__("x", k["modulus_proof"]["x"][0][2:]), "modulus_proof.x: expected an"),
    (lambda k: k["modulus_proof"]["z"].__setitem__(0, k["modulus_proof"]["z"][0][2:]), "modulus_proof.z[0]"),
    (lambda k: k["modulus_proof"].__setitem__("w", "00" + k["modulus_proof"]["w"]), "modulus_proof.w"),
    (lambda k: k["modulus_proof"].__setitem__("c", []), "modulus_proof: unknown field 'c'"),
    (lambda k: k["modulus_proof"].pop("z"), "modulus_proof: missing field 'z'"),
    (lambda k: k.pop("modulus_proof"), "missing field 'modulus_proof'"),
])
def test_key_file_encoding_is_strict(record, change, message):
    edit_document(record / layout.ELECTION_KEY, change)
    result = cli("verify", record, "--workers", "1")
    out = result.output.strip()
    assert result.exit_code == 2 and len(out.splitlines()) == 1, out
    assert out.startswith(f"error: {layout.ELECTION_KEY}:1: ") and message in out, out
