"""The simulator at scale: the fast (precomputed) prover makes valid proofs, the record does not depend on the
number of worker processes, and large records stay cheap to make."""
import time

import gmpy2
import pytest
from conftest import TEST_KEY_BITS, run_verify

from verifier.crypto import membership
from verifier.crypto.batch import ProofItem, batch_holds
from verifier.crypto.paillier import PublicKey, option_message
from verifier.record import layout
from verifier.simulate.authority import Options, simulate
from verifier.simulate.keys import generate_paillier
from verifier.simulate.prover import FixedBase, PrecomputedProver
from verifier.simulate.randomness import SeededRandom
from verifier.simulate.shape import small_shape


@pytest.fixture(scope="module")
def keypair():
    public, private = generate_paillier(TEST_KEY_BITS, SeededRandom("test_scale key"))
    return PublicKey.from_n(public.n), private


def test_fixed_base_equals_powmod(keypair):
    key, _ = keypair
    table = FixedBase(7, key.n2, 300)
    rng = SeededRandom("fixed base")
    for x in (0, 1, 255, 256, 2**299, 2**300 - 1, *(rng.randbits(300) for _ in range(20))):
        assert table.pow(x) == gmpy2.powmod(7, x, key.n2)
    with pytest.raises(ValueError):
        table.pow(2**300)
    with pytest.raises(ValueError):
        table.pow(-1)


@pytest.mark.parametrize("options", [2, 5, 8])
def test_precomputed_prover_makes_valid_proofs(keypair, options):
    key, private = keypair
    rng = SeededRandom(f"precomputed {options}")
    prover = PrecomputedProver(key, 1234567)
    messages = tuple(option_message(j) for j in range(options))
    items = []
    for i in range(12):
        index = rng.randbelow(options)
        c, x = prover.encrypt(messages[index], rng)
        assert private.raw_decrypt(int(c)) == messages[index]
        st = membership.Statement(bytes(32), "c", messages, bytes(32), i.to_bytes(16, "big"), int(c))
        a, e, z = prover.prove(st, index, x, rng)
        assert membership.verify(key, st, a, e, z) is None
        items.append(ProofItem(int(c), messages, a, e, z))
    assert batch_holds(key, items)
    # a proof for the wrong option is not a proof
    c, x = prover.encrypt(messages[0], rng)
    st = membership.Statement(bytes(32), "c", messages, bytes(32), bytes(16), int(c))
    a, e, z = prover.prove(st, 1, x, rng)
    assert membership.verify(key, st, a, e, z) == "proof equation fails"


def test_record_does_not_depend_on_workers(tmp_path):
    records = []
    for workers in (1, 2, 3):
        out = tmp_path / f"w{workers}"
        simulate(out, Options(voters=120, seed="workers", key_bits=TEST_KEY_BITS, shape=small_shape(120, 10),
                              workers=workers))
        records.append({name: (out / name).read_bytes() for name in layout.ALL_FILES})
    assert records[0] == records[1] == records[2]
    assert run_verify(tmp_path / "w2").verified


def test_unseeded_records_differ_and_verify(tmp_path):
    for name in ("a", "b"):
        simulate(tmp_path / name, Options(voters=40, key_bits=TEST_KEY_BITS, shape=small_shape(40, 10), workers=2))
    box = layout.BALLOT_BOX
    assert (tmp_path / "a" / box).read_bytes() != (tmp_path / "b" / box).read_bytes()
    assert run_verify(tmp_path / "a").verified


def test_simulator_speed(tmp_path):
    """1,000 voters at the test key size in well under a minute (a 2048-bit record of 100,000 ballots takes
    about 5 minutes on 2 cores: benchmarks/RESULTS.md)."""
    start = time.perf_counter()
    simulate(tmp_path / "r", Options(voters=1000, seed="speed", key_bits=TEST_KEY_BITS,
                                     shape=small_shape(1000, 10)))
    assert time.perf_counter() - start < 60
    assert (tmp_path / "r" / layout.BALLOT_BOX).read_bytes().count(b"\n") > 900


@pytest.mark.slow
def test_2048_bit_record_verifies(tmp_path):
    simulate(tmp_path / "r", Options(voters=300, seed="2048", key_bits=2048, shape=small_shape(300, 10)))
    assert run_verify(tmp_path / "r").verified
