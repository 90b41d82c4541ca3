"""The membership proof (crypto.md §2), the decryption proof (§4) and the key checks (§5) on honest and dishonest
inputs."""
import secrets as system_random

import gmpy2
import pytest

from verifier.crypto import keycheck, membership
from verifier.crypto.decryption import randomness_reveal_problem
from verifier.crypto.paillier import PublicKey, decode_counts, encrypt_with, option_message
from verifier.simulate import prover
from verifier.simulate.keys import generate_paillier, key_proof, reveal_randomness
from verifier.simulate.randomness import SeededRandom

K = 5
MESSAGES = tuple(option_message(j) for j in range(K))


@pytest.fixture(scope="module")
def keypair():
    public, private = generate_paillier(640, SeededRandom("crypto-tests"))
    return PublicKey.from_n(public.n), private


def statement(key, c, contest="c1", voter=b"v" * 32, ballot=b"b" * 16, fp=b"f" * 32):
    return membership.Statement(fp, contest, MESSAGES, voter, ballot, int(c))


def honest(key, index=2, **kw):
    rng = SeededRandom(f"honest-{index}")
    c, r = prover.encrypt(key, MESSAGES[index], rng)
    st = statement(key, c, **kw)
    return st, prover.prove(key, st, index, r, rng), r


def test_honest_proofs_verify_for_every_option(keypair):
    key, _ = keypair
    for index in range(K):
        st, (a, e, z), _ = honest(key, index)
        assert membership.verify(key, st, a, e, z) is None


def test_proof_for_a_plaintext_outside_the_set_fails(keypair):
    key, _ = keypair
    rng = SeededRandom("two-votes")
    # a ballot encrypting two votes (m_0 + m_1), with a proof made as if it encrypted m_1
    c, r = prover.encrypt(key, MESSAGES[0] + MESSAGES[1], rng)
    st = statement(key, c)
    a, e, z = prover.prove(key, st, 1, r, rng)
    assert membership.verify(key, st, a, e, z) == "proof equation fails"


def test_negative_vote_fails(keypair):
    key, _ = keypair
    rng = SeededRandom("negative")
    c, r = prover.encrypt(key, key.n - MESSAGES[0], rng)  # -1 vote for option 0
    st = statement(key, c)
    a, e, z = prover.prove(key, st, 0, r, rng)
    assert membership.verify(key, st, a, e, z) == "proof equation fails"


def test_rerandomised_ciphertext_fails(keypair):
    key, _ = keypair
    st, (a, e, z), _ = honest(key)
    s = prover.random_unit(key, SeededRandom("s"))
    c2 = st.ciphertext * gmpy2.powmod(s, key.n, key.n2) % key.n2
    # the classic re-randomisation: adjust every z_j by s^(e_j); the equations hold, the hash binds c
    z2 = tuple(zj * gmpy2.powmod(s, ej, key.n) % key.n for zj, ej in zip(z, e, strict=True))
    moved = statement(key, c2)
    assert membership.equations_hold(key, c2, MESSAGES, a, e, z2)
    assert membership.verify(key, moved, a, e, z2) == "challenges do not sum to the hash of the statement"


@pytest.mark.parametrize("change", [
    {"ballot": b"x" * 16},  # another ballot
    {"voter": b"w" * 32},  # another voter
    {"contest": "c2"},  # another contest
    {"fp": b"g" * 32},  # another election
])
def test_proof_moved_to_another_statement_fails(keypair, change):
    key, _ = keypair
    st, (a, e, z), _ = honest(key)
    moved = statement(key, st.ciphertext, **change)
    assert membership.verify(key, moved, a, e, z) == "challenges do not sum to the hash of the statement"


@pytest.mark.parametrize("where,value,expected", [
    ("c", 0, "ciphertext out of range (0 < c < n²)"),
    ("c", "n2", "ciphertext out of range (0 < c < n²)"),
    ("a", 0, "a[1] out of range"),
    ("a", "n2", "a[1] out of range"),
    ("e", 1 << 256, "e[1] out of range"),
    ("e", -1, "e[1] out of range"),
    ("z", 0, "z[1] out of range"),
    ("z", "n", "z[1] out of range"),
    ("z", "p", "ciphertext or proof value is not a unit mod n"),
])
def test_out_of_range_and_non_unit_values_fail(keypair, where, value, expected):
    key, private = keypair
    st, (a, e, z), _ = honest(key)
    value = {"n": key.n, "n2": key.n2, "p": private.p}.get(value, value)
    a, e, z = list(a), list(e), list(z)
    if where == "c":
        st = statement(key, value)
    else:
        {"a": a, "e": e, "z": z}[where][1] = value
    assert membership.verify(key, st, a, e, z) == expected


def test_wrong_number_of_branches_fails(keypair):
    key, _ = keypair
    st, (a, e, z), _ = honest(key)
    assert "branches" in membership.verify(key, st, a[:-1], e[:-1], z[:-1])


def test_random_tampering_is_always_caught(keypair):
    key, _ = keypair
    st, (a, e, z), _ = honest(key)
    for _ in range(20):
        z2 = list(z)
        j = system_random.randbelow(K)
        z2[j] = (z2[j] + 1 + system_random.randbelow(1000)) % key.n
        assert membership.verify(key, st, a, e, z2) is not None


def test_decryption_proof(keypair):
    key, private = keypair
    rng = SeededRandom("tally")
    product = gmpy2.mpz(1)
    for index in (0, 1, 1, 4):
        c, _ = prover.encrypt(key, MESSAGES[index], rng)
        product = product * c % key.n2
    t = private.raw_decrypt(int(product))
    assert decode_counts(t, K) == [1, 2, 0, 0, 1]
    r = reveal_randomness(int(product), key.n, private.p, private.q)
    assert randomness_reveal_problem(key, product, t, r) is None
    assert randomness_reveal_problem(key, product, t + 1, r) == "C != (1 + T·n)·Rⁿ mod n²"
    # no R at all makes T + 1 pass: E is a bijection, so the R that encrypts T + 1 to C does not exist
    for forged_r in (r, r * 2 % key.n,
                     reveal_randomness(int(product * (1 - key.n) % key.n2), key.n, private.p, private.q)):
        assert randomness_reveal_problem(key, product, t + 1, forged_r) is not None
    assert randomness_reveal_problem(key, product, t, 0) == "revealed randomness out of range (0 < R < n)"
    assert randomness_reveal_problem(key, product, key.n, r) == "plaintext out of range (0 <= T < n)"
    assert randomness_reveal_problem(key, product, t, private.p) == "revealed randomness is not a unit mod n"
    assert encrypt_with(key, t, r) == product


def test_decode_counts_sanity():
    assert decode_counts(option_message(3) * 5 + 7, 4) == [7, 0, 0, 5]
    assert decode_counts(option_message(4), 4) is None  # T >= M^k
    assert decode_counts(-1, 4) is None


def test_key_checks(keypair):
    key, private = keypair
    assert keycheck.tier0_problems(key.n, key.n + 1) == []
    assert keycheck.tier0_problems(key.n, key.n + 2) == ["g is not n + 1"]
    assert "n has the small prime factor 1009" in keycheck.tier0_problems(key.n * 1009, key.n * 1009 + 1)
    assert "n is prime" in keycheck.tier0_problems(private.p, private.p + 1)
    assert "n is a perfect power" in keycheck.tier0_problems(private.p ** 2, private.p ** 2 + 1)
    sigmas = key_proof(key.n, private.p, private.q)
    assert keycheck.tier1_problems(key.n, sigmas) == []
    bad = (sigmas[0] + 1,) + sigmas[1:]
    assert keycheck.tier1_problems(key.n, bad) == ["sigma_1^n != rho_1 (mod n)"]
    assert keycheck.tier1_problems(key.n, sigmas[:10]) == ["key proof has 10 values, expected 11"]


def test_small_prime_sieve_from_scratch(monkeypatch):
    """The sieve behind the small-factor message, rebuilt (its list is cached per process): exactly the primes
    below 2^20, so the factor it names is the smallest prime factor of n, up to the bound."""
    monkeypatch.setattr(keycheck, "_SMALL_PRIMES", [])
    primes = keycheck._small_primes()
    assert len(primes) == 82025 and primes[:5] == [2, 3, 5, 7, 11] and primes[-1] == 1048573
    assert all(gmpy2.is_prime(p) for p in primes[::997])
    n = 1048573 * 1009 * int(gmpy2.next_prime(2**300))
    assert "n has the small prime factor 1009" in keycheck.tier0_problems(n, n + 1)
    n = 1048573 * int(gmpy2.next_prime(2**300))
    assert "n has the small prime factor 1048573" in keycheck.tier0_problems(n, n + 1)


@pytest.mark.parametrize("algorithm", ["ed25519", "ecdsa-p256"])
def test_signature_verification(algorithm):
    """A valid signature verifies; another message, a malformed key and a short signature do not, and do not
    raise; a high-s ECDSA signature (the malleable twin of a valid one) is rejected."""
    from verifier.crypto import signatures
    from verifier.simulate.keys import SigningKey

    key = SigningKey.generate(algorithm, SeededRandom(f"signature {algorithm}"))
    public, message = key.public_bytes, b"tally-verifier test message"
    signature = key.sign(message)
    assert signatures.verify(algorithm, public, message, signature)
    # low-s ECDSA signatures have s anywhere in (0, n/2]: many messages reach every part of that range
    assert all(signatures.verify(algorithm, public, m, key.sign(m)) for m in (bytes([i]) * 8 for i in range(32)))
    assert not signatures.verify(algorithm, public, message + b"!", signature)
    assert not signatures.verify(algorithm, public, message, signature[:63])
    bad_key = (2).to_bytes(32, "little") if algorithm == "ed25519" else b"\x05" + bytes(32)  # no such point
    assert signatures.load_public_key(algorithm, bad_key) is None
    assert not signatures.verify(algorithm, bad_key, message, signature)
    if algorithm == "ecdsa-p256":
        s = int.from_bytes(signature[32:], "big")
        twin = signature[:32] + (signatures.P256_ORDER - s).to_bytes(32, "big")
        assert not signatures.verify(algorithm, public, message, twin)


def test_decryption_proof_ranges(keypair):
    """The bounds of every range, from both sides: an aggregate of no ballot (C = 1, T = 0, R = 1) is a valid
    proof; C = 0 and C = n², T = n, R = 0 and R = n are out of range; T = 0 and T = n − 1 in range."""
    key, private = keypair
    n, n2 = key.n, key.n2
    assert randomness_reveal_problem(key, 1, 0, 1) is None
    for c in (0, n2, n2 + 1):
        assert randomness_reveal_problem(key, c, 0, 1) == "aggregate ciphertext out of range"
    assert randomness_reveal_problem(key, encrypt_with(key, n - 1, 1), n - 1, 1) is None
    assert randomness_reveal_problem(key, 1, -1, 1) == "plaintext out of range (0 <= T < n)"
    assert randomness_reveal_problem(key, 1, n, 1) == "plaintext out of range (0 <= T < n)"
    r = n - 2
    assert randomness_reveal_problem(key, encrypt_with(key, 0, r), 0, r) is None
    for bad in (0, n, -1):
        assert randomness_reveal_problem(key, 1, 0, bad) == "revealed randomness out of range (0 < R < n)"


def test_committed_record_passes_the_crypto():
    """Known answers: the committed record fixtures/demo-2023 was made by the simulator as published. Every byte
    encoding the record format fixes (key widths, length-prefixed hash fields, the Fiat–Shamir challenge, the key
    proof's bases, the signed messages) must give back exactly what it holds — a change that prover and verifier
    would make alike (and that the simulated records of the other tests cannot see) rejects it here."""
    from pathlib import Path

    from verifier.crypto import batch, signatures
    from verifier.crypto.encoding import sha256
    from verifier.record import layout, reader

    root = Path(__file__).resolve().parent.parent / "fixtures" / "demo-2023"
    manifest, manifest_bytes = reader.read_manifest(root)
    election_key, key_bytes = reader.read_election_key(root)
    eid, fp = manifest.election_id, reader.fingerprint(manifest_bytes, key_bytes)
    key = PublicKey.from_n(election_key.n)
    assert key.n.bit_length() == 2048 and (key.width, key.width2) == (256, 512)
    assert keycheck.tier0_problems(key.n, election_key.g) == []
    assert keycheck.tier1_problems(key.n, election_key.key_proof) == []

    voters = {v.voter_id: v for v in reader.iter_registry(root, eid)}
    registrar, collector = manifest.authority("registrar"), manifest.authority("collector")
    first = next(iter(voters.values()))
    assert signatures.verify(registrar.algorithm, registrar.public_key, first.signed_bytes, first.registrar_signature)

    _, raw = next(reader.iter_file_lines(root, layout.BALLOT_BOX))
    entry = reader.read_box_entry(1, raw, key, eid)
    env, voter = entry.envelope, voters[entry.envelope.voter_id]
    assert env.election_fingerprint == fp and env.key_fingerprint == sha256(voter.public_key)
    assert signatures.verify(voter.algorithm, voter.public_key, env.signed_bytes, env.signature)
    assert signatures.verify(collector.algorithm, collector.public_key, entry.receipt.signed_bytes,
                             entry.receipt.collector_signature)
    assert entry.receipt.envelope_hash == sha256(entry.envelope_bytes)
    assert entry.receipt.previous_hash == reader.genesis_hash(fp)
    contests = {c.id: c for c in manifest.contests}
    items = []
    for cb in env.contests:
        messages = tuple(option_message(j) for j in range(len(contests[cb.contest].options)))
        st = membership.Statement(fp, cb.contest, messages, env.key_fingerprint, env.ballot_id, cb.ciphertext)
        p = cb.proof
        assert membership.statement_problem(key, st, p.a, p.e, p.z) is None, cb.contest
        assert membership.equations_hold(key, cb.ciphertext, messages, p.a, p.e, p.z), cb.contest
        items.append(batch.ProofItem(cb.ciphertext, messages, p.a, p.e, p.z))
    assert batch.batch_holds(key, items) and batch.units_ok(key, items)

    tally = reader.read_tally(root, key, eid)
    commission = manifest.authority("commission")
    assert signatures.verify(commission.algorithm, commission.public_key, tally.signed_bytes,
                             tally.commission_signature)
    for a in tally.aggregates[:3]:
        assert randomness_reveal_problem(key, a.ciphertext, a.plaintext, a.proof.r) is None
        assert decode_counts(a.plaintext, len(a.counts)) == [n for _, n in a.counts]


def test_key_check_messages(keypair):
    """Each structural problem is named as itself (not as the next check that also happens to fail)."""
    key, private = keypair
    assert keycheck.tier0_problems(2**640, 2**640 + 1) == ["n is not an odd integer above 2"]
    assert keycheck.tier0_problems(1, 2) == ["n is not an odd integer above 2"]
    assert keycheck.tier0_problems(3, 4) == ["n is prime", "n has the small prime factor 3"]
    n = 3 * private.p
    assert keycheck.tier0_problems(n, n + 1) == ["n has the small prime factor 3"]
    sigmas = key_proof(key.n, private.p, private.q)
    for bad, message in ((0, "sigma_1 out of range"), (key.n, "sigma_1 out of range"),
                         (1, "sigma_1^n != rho_1 (mod n)")):
        assert keycheck.tier1_problems(key.n, (bad,) + sigmas[1:]) == [message]
    assert keycheck.tier1_problems(key.n * 6367, sigmas) == ["n has a prime factor below 6370"]


def test_max_options_is_the_most_slots_that_fit():
    """k options fit when M^k = 2^(24k) <= n: at every bit length around a multiple of 24."""
    from verifier.crypto.paillier import SLOT_BITS, max_options

    for bits in range(24 * 20 - 3, 24 * 20 + 4):
        for n in (2 ** (bits - 1) + 1, 2**bits - 1):
            k = max_options(n)
            assert isinstance(k, int) and 2 ** (SLOT_BITS * k) <= n < 2 ** (SLOT_BITS * (k + 1)), (bits, n)


def test_decode_counts_bounds():
    """T = 0 is the aggregate of no ballot; T = M^k − 1 the largest that fits k slots."""
    from verifier.crypto.paillier import SLOT

    assert decode_counts(0, 3) == [0, 0, 0]
    assert decode_counts(SLOT**3 - 1, 3) == [SLOT - 1] * 3
    assert decode_counts(SLOT**3, 3) is None


def test_key_proof_bases_follow_the_spec():
    """ρ_i = SHAKE-256(field(tag) ‖ field(n) ‖ field(i) ‖ field(counter)), width bytes, shifted down to n's bit
    length, the first value in (0, n): recomputed here from crypto.md §5, for bit lengths that are and are not a
    multiple of 8 (the simulator uses the verifier's own function, so only an independent computation sees a
    change in it)."""
    import hashlib

    def field(b):
        return len(b).to_bytes(4, "big") + b

    def rho(n, i):
        width = (n.bit_length() + 7) // 8
        for counter in range(1000):
            data = field(keycheck.KEY_PROOF_TAG.encode()) + field(n.to_bytes(width, "big")) \
                + field(i.to_bytes(4, "big")) + field(counter.to_bytes(4, "big"))
            x = int.from_bytes(hashlib.shake_256(data).digest(width), "big") >> (width * 8 - n.bit_length())
            if 0 < x < n:
                return x
        raise AssertionError("no base")

    rng = SeededRandom("key proof bases")
    for bits in (640, 641, 645, 2047):
        n = rng.randbits(bits) | (1 << (bits - 1)) | 1
        n_low = (1 << (bits - 1)) + 2 * rng.randbits(bits // 2) + 1  # just above 2^(bits−1): most draws rejected
        for m in (n, n_low):
            assert [keycheck.proof_base(m, i) for i in range(1, 12)] == [rho(m, i) for i in range(1, 12)], bits


def test_key_widths():
    """Fixed widths of the record format: bytes for any value below n and below n², at and off multiples of 8."""
    for n, width, width2 in ((2**2048 - 1, 256, 512), (2**2047 + 1, 256, 512), (2**639 + 1, 80, 160),
                             (2**640 - 1, 80, 160), (2**640 + 1, 81, 161)):
        key = PublicKey.from_n(n)
        assert (key.width, key.width2) == (width, width2), n.bit_length()
