"""A box of failing proofs costs the batch path no more than individual checking (issue 10 §3, SPEC.md §10.4).

Counted, not timed: the batch tests `failing_items` makes (with the cost model's estimate of each, in units of one
individual branch equation, U) and the individual checks. The wall-clock figures are benchmarks/bench_hostile_box.py's.
Every failing proof here fails at its first branch, the cheapest rejection for the individual path (1 U)."""
from collections import Counter as Tally

import gmpy2
import pytest
from gmpy2 import mpz

from verifier.crypto import batch, membership
from verifier.crypto.batch import CoefficientStream, ProofItem, estimated_cost, failing_items
from verifier.crypto.paillier import PublicKey, option_message
from verifier.simulate.prover import PrecomputedProver, random_unit
from verifier.simulate.randomness import SeededRandom

N, K = 256, 8


def _primes() -> tuple[mpz, mpz]:
    rng = SeededRandom("test_hostile_box key")
    p, q = (gmpy2.next_prime(mpz(rng.randbits(320)) | (mpz(3) << 318)) for _ in range(2))
    return p, q


@pytest.fixture(scope="module")
def key():
    p, q = _primes()
    return PublicKey.from_n(p * q)


@pytest.fixture(scope="module")
def honest(key):
    rng = SeededRandom("test_hostile_box proofs")
    fast = PrecomputedProver(key, random_unit(key, rng))
    messages = tuple(option_message(j) for j in range(K))
    items = []
    for i in range(N):
        index = rng.randbelow(K)
        c, x = fast.encrypt(messages[index], rng)
        st = membership.Statement(bytes(32), "c", messages, bytes(32), i.to_bytes(16, "big"), int(c))
        a, e, z = fast.prove(st, index, x, rng)
        items.append(ProofItem(int(c), messages, a, e, z))
    return items


def broken(key, item: ProofItem) -> ProofItem:
    """The equation of branch 0 fails (a_0 times 1 + n, a unit of order n): rejected individually for 1 U."""
    a = (item.a[0] * (1 + key.n) % key.n2, *item.a[1:])
    return ProofItem(item.c, item.messages, a, item.e, item.z)


class Counted:
    """The batch tests (their modelled cost) and the individual checks (which items) of one `failing_items` call."""

    def __init__(self, monkeypatch, key):
        self.tests: list[float] = []
        self.checked: Tally = Tally()
        real_batch, real_individual = batch.batch_holds, batch.equations_hold

        def counted_batch(key_, items, *args, **kwargs):
            self.tests.append(estimated_cost(items))
            return real_batch(key_, items, *args, **kwargs)

        def counted_individual(key_, c, *args, **kwargs):
            self.checked[c] += 1
            return real_individual(key_, c, *args, **kwargs)

        monkeypatch.setattr(batch, "batch_holds", counted_batch)
        monkeypatch.setattr(batch, "equations_hold", counted_individual)


def individual_cost(items, bad: set[int]) -> float:
    """What the individual path pays for the equations, in U: k for a proof that holds, 1 for one failing at its
    first branch."""
    return sum(1 if i in bad else len(item.messages) for i, item in enumerate(items))


PLACEMENTS = {
    "none": lambda i: False,
    "one": lambda i: i == 77,
    "1/16": lambda i: i % 16 == 3,
    "1/8 at random": lambda i: (i * 2654435761) % 8 == 0,
    "1/4": lambda i: i % 4 == 1,
    "left half": lambda i: i < N // 2,  # all the failures where bisection looks first
    "1/2": lambda i: i % 2 == 0,
    "all but one": lambda i: i != 200,
    "all": lambda i: True,
}


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_cost_is_bounded_by_individual_checking_at_every_failure_rate(key, honest, placement, monkeypatch):
    bad = {i for i in range(N) if PLACEMENTS[placement](i)}
    items = [broken(key, item) if i in bad else item for i, item in enumerate(honest)]
    for seed in range(2):
        counted = Counted(monkeypatch, key)
        found = failing_items(key, items, rng=CoefficientStream(bytes([seed]) * 32, placement))
        assert found == sorted(bad)  # exactly what individual checking names
        assert max(counted.checked.values(), default=1) == 1  # no proof is checked individually twice
        if not bad:
            assert (len(counted.tests), len(counted.checked)) == (1, 0)  # honest: one batch test, as before
            continue
        first, *more = counted.tests
        checked = {i for i in range(N) if items[i].c in counted.checked}
        # the batch tests after the first cost at most what they saved (k U for every proof a passing test settled:
        # the ones not checked individually), BISECTION_BUDGET times the individual path's cost, and the cost of
        # finding one failure (tests of halving sizes: about one test of the whole, and two tests' fixed cost per
        # level)
        saved = sum(len(items[i].messages) for i in range(N) if i not in checked)
        one_failure = first + 2 * batch.TEST_FIXED * (N - 1).bit_length()
        assert sum(more) <= saved + batch.BISECTION_BUDGET * individual_cost(items, bad) + one_failure, placement
        # so the whole, in the cost model, is the individual path's cost plus the first test, a tenth and one
        # bisection at most
        whole = first + sum(more) + sum(1 if i in bad else len(items[i].messages) for i in checked)
        assert whole <= (1 + batch.BISECTION_BUDGET) * individual_cost(items, bad) + first + one_failure
        if placement in ("all", "all but one"):
            assert more == []  # the sample sees a dense chunk: no bisection at all
        # and the individual checks are of failing proofs, the sample, and what the budget left over
        assert set(counted.checked) >= {items[i].c for i in bad}
        monkeypatch.undo()


def test_a_box_of_failing_proofs_costs_one_batch_test_and_its_individual_checks(key, honest, monkeypatch):
    items = [broken(key, item) for item in honest]
    counted = Counted(monkeypatch, key)
    assert failing_items(key, items, rng=CoefficientStream(bytes(32), "all")) == list(range(N))
    assert len(counted.tests) == 1  # the sample shows a dense chunk: no bisection at all
    assert sum(counted.checked.values()) == N


def test_one_bad_proof_is_still_found_by_bisection(key, honest, monkeypatch):
    items = list(honest)
    items[131] = broken(key, items[131])
    counted = Counted(monkeypatch, key)
    assert failing_items(key, items, rng=CoefficientStream(bytes(32), "one")) == [131]
    assert len(counted.tests) <= 1 + 2 * (N - 1).bit_length()
    assert sum(counted.checked.values()) <= 1 + batch.sample_size(N)


def test_sample_size():
    assert [batch.sample_size(n) for n in (1, 2, 8, 9, 24, 64, 65, 4096)] == [1, 1, 1, 2, 3, 8, 8, 8]



# --- proofs holding a value that is not a unit (batch.not_units_and_failing) ---------------------------------------

def not_unit(item: ProofItem) -> ProofItem:
    """z_0 replaced by p, a factor of n: its ranges hold, its unit check fails (one gcd: all the individual path
    pays for such a proof)."""
    return ProofItem(item.c, item.messages, item.a, item.e, (int(_primes()[0]), *item.z[1:]))


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_values_that_are_not_units_cost_at_most_one_more_batch_test(key, honest, placement, monkeypatch):
    """Named exactly (the per-proof gcd, as the individual path), with a batch test only when the secret sample saw
    no such value: then the first test finds them with its one gcd, and one more test settles the others."""
    bad = {i for i in range(N) if PLACEMENTS[placement](i)}
    items = [not_unit(item) if i in bad else item for i, item in enumerate(honest)]
    for seed in range(3):
        counted = Counted(monkeypatch, key)
        assert batch.not_units_and_failing(key, items, CoefficientStream(bytes([seed]) * 32, placement)) \
            == (sorted(bad), [])
        assert len(counted.tests) <= (2 if bad else 1)
        assert len(counted.checked) == 0  # the other proofs hold: no bisection, no individual equation
        if placement in ("all", "all but one", "1/2"):
            assert counted.tests[-1:] != [estimated_cost(items)]  # the sample saw them: no test of the whole chunk
        monkeypatch.undo()


def test_a_box_of_values_that_are_not_units_makes_no_batch_test(key, honest, monkeypatch):
    counted = Counted(monkeypatch, key)
    assert batch.not_units_and_failing(key, [not_unit(item) for item in honest], CoefficientStream(bytes(32))) \
        == (list(range(N)), [])
    assert counted.tests == []


def test_one_value_that_is_not_a_unit_beside_failing_proofs(key, honest, monkeypatch):
    """Where the sample does not look: the first test's gcd finds it, the failing proofs are then found among the
    rest as before, each list named once."""
    items = list(honest)
    items[5], items[77], items[200] = broken(key, items[5]), not_unit(items[77]), broken(key, items[200])
    counted = Counted(monkeypatch, key)
    rng = CoefficientStream(bytes(32), "mixed")
    assert 77 not in batch.secret_places(CoefficientStream(bytes(32), "mixed"), N, batch.sample_size(N))
    assert batch.not_units_and_failing(key, items, rng) == ([77], [5, 200])
    assert counted.tests[:2] == [estimated_cost(items), estimated_cost(items[:77] + items[78:])]


@pytest.mark.parametrize("count, m", [(1, 1), (8, 8), (256, 8), (3, 2)])
def test_secret_places_are_m_distinct_places(count, m):
    """The sample (and the units' sample) is m distinct places of range(count), drawn from the run's secret stream:
    the same stream gives the same places, another stream others."""
    places = batch.secret_places(CoefficientStream(bytes(32), f"{count} {m}"), count, m)
    assert len(places) == len(set(places)) == m and all(0 <= p < count for p in places)
    assert places == batch.secret_places(CoefficientStream(bytes(32), f"{count} {m}"), count, m)
    if m == count:
        assert sorted(places) == list(range(count))
    if count == 256:
        assert places != batch.secret_places(CoefficientStream(bytes([1]) * 32, f"{count} {m}"), count, m)
