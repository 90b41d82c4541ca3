"""SPEC.md Appendix A: the verifier's encoders, and the simulator's own (verifier/simulate/spec.py, a second
implementation written from SPEC.md), reproduce the known-answer vectors printed there.

The values are parsed from SPEC.md itself (not from tests/kat_vectors.py, which computes them without the verifier),
so a change to an encoder, to SPEC.md or to the script fails here. After an intended change of format: update
tests/kat_vectors.py, then replace SPEC.md's Appendix A with the output of `python tests/kat_vectors.py`."""
import json
import re
from pathlib import Path

import gmpy2
import kat_vectors
import pytest

from verifier.checks.findings import Findings
from verifier.checks.setup import check_manifest
from verifier.crypto import encoding, keycheck, membership, modulus_proof, signatures
from verifier.crypto.paillier import PublicKey, option_message
from verifier.record import canonical, layout, reader
from verifier.simulate import prover as sim_prover
from verifier.simulate import spec as sim
from verifier.simulate.keys import SigningKey
from verifier.simulate.keys import key_proof as sim_key_proof

SPEC = Path(__file__).resolve().parent.parent / "SPEC.md"
HEADING = "## Appendix A. Known-answer vectors"


def appendix() -> str:
    text = SPEC.read_text()
    start = text.index(HEADING)
    end = text.find("\n## ", start + len(HEADING))
    return text[start:] if end < 0 else text[start:end + 1]


@pytest.fixture(scope="module")
def kat() -> dict[str, str]:
    """Every `name = value` line of the appendix's code blocks (a name given twice must have one value)."""
    values: dict[str, str] = {}
    fence = None  # the opening fence of the block we are in
    for line in appendix().splitlines():
        if line.startswith("```"):
            fence = line if fence is None else None
        elif fence == "```":
            name, value = line.split(" = ", 1)
            assert values.setdefault(name, value) == value, name
    return values


def test_appendix_is_what_the_script_prints():
    assert appendix() == kat_vectors.appendix(kat_vectors.vectors()), \
        "regenerate SPEC.md Appendix A with: python tests/kat_vectors.py"


def test_length_prefixed_encoding(kat):
    assert encoding.field(b"abc").hex() == kat["enc_abc"]


def test_test_key_and_key_proof_base(kat):
    p, q, n = int(kat["p"], 16), int(kat["q"], 16), int(kat["n"], 16)
    assert gmpy2.is_prime(p, 50) and gmpy2.is_prime(q, 50) and p % 4 == q % 4 == 3 and p * q == n
    assert p.bit_length() == q.bit_length() == 320 and n.bit_length() == 639
    key = PublicKey.from_n(n)
    assert (key.width, key.width2) == (int(kat["w1"]), int(kat["w2"]))
    assert f"{keycheck.proof_base(n, 1):0{2 * key.width}x}" == kat["rho_1"]
    sigmas = tuple(int(kat[f"sigma_{i}"], 16) for i in range(1, 12))
    assert keycheck.tier1_problems(n, sigmas) == []


def _key_doc(kat) -> dict:
    """election_key.json of A.2: σ_i as printed; Π^mod made again from p, q and w as the appendix says (every value
    of it is determined by them) by the script, which uses neither side's code."""
    p, q = int(kat["p"], 16), int(kat["q"], 16)
    proof = kat_vectors.modulus_proof(p, q, int(kat["mod_w"], 16))
    return kat_vectors.election_key(p, q, [int(kat[f"sigma_{i}"], 16) for i in range(1, 12)], proof)


def _key_bytes(kat) -> bytes:
    return canonical.dumps(_key_doc(kat))


def test_election_key_document(kat):
    assert encoding.sha256(_key_bytes(kat)).hex() == kat["election_key_sha256"]


def test_modulus_proof_challenge_and_round_1(kat):
    n, w = int(kat["n"], 16), int(kat["mod_w"], 16)
    assert gmpy2.jacobi(w, n) == -1
    assert f"{modulus_proof.challenge(n, w, 1):0{2 * int(kat['w1'])}x}" == kat["mod_y_1"]
    assert f"{modulus_proof.challenge(n, w, 128):0{2 * int(kat['w1'])}x}" == kat["mod_y_128"]
    doc = _key_doc(kat)["modulus_proof"]
    assert (doc["x"][0], doc["a"][0], doc["b"][0], doc["z"][0]) == \
        (kat["mod_x_1"], int(kat["mod_a_1"]), int(kat["mod_b_1"]), kat["mod_z_1"])
    proof = modulus_proof.ModulusProof(w, *(tuple(int(v, 16) if isinstance(v, str) else v for v in doc[f])
                                            for f in ("x", "a", "b", "z")))
    assert modulus_proof.problems(n, proof) == []


def test_signed_message_and_ed25519_signature(kat):
    message = bytes.fromhex(kat["registry_message_hex"])
    [text] = re.findall(r"^```text\n(.*?)\n```$", appendix(), re.S | re.M)
    assert message == text.encode()
    voter = reader.read_voter(1, kat["registry_line"].encode(), "kat-2023")
    assert voter.signed_bytes == message
    assert encoding.signed_message(layout.REGISTRY_TAG, "kat-2023", message.split(b"\n", 2)[2]) == message
    signature = bytes.fromhex(kat["registry_signature"])
    assert voter.registrar_signature == signature
    assert signatures.verify("ed25519", bytes.fromhex(kat["registrar_public_key"]), message, signature)
    assert not signatures.verify("ed25519", bytes.fromhex(kat["registrar_public_key"]), message + b" ", signature)
    # a second Ed25519 implementation (pycryptodome; the script uses PyNaCl) derives the same keys and signature
    for role in ("registrar", "collector", "commission", "voter"):
        k = SigningKey.from_export({"algorithm": "ed25519", "secret": kat[f"{role}_seed"]})
        assert k.public_bytes.hex() == kat[f"{role}_public_key"], role
    registrar = SigningKey.from_export({"algorithm": "ed25519", "secret": kat["registrar_seed"]})
    assert registrar.sign(message) == signature


def test_fingerprint_and_genesis_hash(kat):
    manifest = kat["manifest"].encode()
    assert canonical.dumps(canonical.parse(manifest, layout.MANIFEST)) == manifest
    assert json.loads(manifest)["registry"]["sha256"] == encoding.sha256(kat["registry_line"].encode() + b"\n").hex()
    fingerprint = reader.fingerprint(manifest, _key_bytes(kat))
    assert fingerprint.hex() == kat["fingerprint"]
    assert reader.genesis_hash(fingerprint).hex() == kat["genesis_hash"]


def test_kat_manifest_is_a_consistent_manifest(kat, tmp_path):
    """The vectors describe a real (tiny) election: its manifest reads and passes V1.5."""
    (tmp_path / layout.MANIFEST).write_bytes(kat["manifest"].encode() + b"\n")
    manifest, _ = reader.read_manifest(tmp_path)
    f = Findings()
    assert check_manifest(manifest, int(kat["n"], 16), f), [x.message for x in f.failures()]


def test_fiat_shamir_challenge_and_proof(kat):
    n = int(kat["n"], 16)
    key = PublicKey.from_n(n)
    k = int(kat["k"])
    messages = tuple(int(kat[f"m_{j}"], 16) for j in range(k))
    assert messages == tuple(option_message(j) for j in range(k))
    statement = membership.Statement(bytes.fromhex(kat["fingerprint"]), kat["contest"], messages,
                                     bytes.fromhex(kat["voter_context"]), bytes.fromhex(kat["ballot_id"]),
                                     int(kat["c"], 16))
    assert kat["voter_context"] == encoding.sha256(bytes.fromhex(kat["voter_public_key"])).hex()
    a = tuple(int(kat[f"a_{j}"], 16) for j in range(k))
    e = membership.challenge(key, statement, a)
    assert f"{e:064x}" == kat["e"] == kat["digest"]  # big-endian: e's hex digits are the digest's
    es = tuple(int(kat[f"e_{j}"], 16) for j in range(k))
    zs = tuple(int(kat[f"z_{j}"], 16) for j in range(k))
    assert membership.verify(key, statement, a, es, zs) is None
    # the vector pins the statement: another ballot id changes the challenge
    other = membership.Statement(*(statement.fingerprint, statement.contest_id, messages, statement.voter_context,
                                   bytes(16), statement.ciphertext))
    assert membership.verify(key, other, a, es, zs) is not None


# --- the simulator's own encoders (verifier/simulate/spec.py) --------------------------------------------------

def test_simulator_spec_version_is_the_spec_header():
    assert re.search(r"^Spec version \*\*(\S+)\*\*", SPEC.read_text(), re.M)[1] == sim.SPEC_VERSION


def test_simulator_length_prefixed_encoding_and_widths(kat):
    assert sim.enc(b"abc").hex() == kat["enc_abc"]
    key = sim.PaillierKey.of(int(kat["n"], 16))
    assert (key.width, key.width2) == (int(kat["w1"]), int(kat["w2"]))


def test_simulator_key_proof_bases_and_sigmas(kat):
    n, p, q = int(kat["n"], 16), int(kat["p"], 16), int(kat["q"], 16)
    assert f"{sim.key_proof_base(n, 1):0{2 * int(kat['w1'])}x}" == kat["rho_1"]
    w1 = int(kat["w1"])
    assert [f"{s:0{2 * w1}x}" for s in sim_key_proof(n, p, q)] == [kat[f"sigma_{i}"] for i in range(1, 12)]


def test_simulator_modulus_proof_challenges(kat):
    n, w, w1 = int(kat["n"], 16), int(kat["mod_w"], 16), int(kat["w1"])
    assert f"{sim.modulus_challenge(n, w, 1):0{2 * w1}x}" == kat["mod_y_1"]
    assert f"{sim.modulus_challenge(n, w, 128):0{2 * w1}x}" == kat["mod_y_128"]


def test_simulator_election_key_and_canonical_json(kat):
    doc = _key_doc(kat)
    assert sim.sha256(sim.canonical(doc)).hex() == kat["election_key_sha256"]
    manifest = json.loads(kat["manifest"])
    assert sim.canonical(manifest) == kat["manifest"].encode()


def test_simulator_signed_message(kat):
    line = json.loads(kat["registry_line"])
    message = sim.signed_message(sim.REGISTRY_TAG, "kat-2023", line, "registrar_signature")
    assert message.hex() == kat["registry_message_hex"]
    assert sim.canonical(line).decode() == kat["registry_line"]


def test_simulator_fingerprint_and_genesis_hash(kat):
    fp = sim.fingerprint(json.loads(kat["manifest"]), _key_doc(kat))
    assert fp.hex() == kat["fingerprint"]
    assert sim.genesis_hash(fp).hex() == kat["genesis_hash"]


def test_simulator_fiat_shamir_challenge(kat):
    key = sim.PaillierKey.of(int(kat["n"], 16))
    k = int(kat["k"])
    messages = tuple(int(kat[f"m_{j}"], 16) for j in range(k))
    assert messages == tuple(sim.option_message(j) for j in range(k))
    st = sim_prover.Statement(bytes.fromhex(kat["fingerprint"]), kat["contest"], messages,
                              bytes.fromhex(kat["voter_context"]), bytes.fromhex(kat["ballot_id"]), int(kat["c"], 16))
    a = tuple(int(kat[f"a_{j}"], 16) for j in range(k))
    assert f"{sim_prover.challenge(key, st, a):064x}" == kat["e"]
    # the ciphertext of A.5 encrypts option 1: the simulator's decoding of it (one vote, in slot 1)
    p, q = int(kat["p"], 16), int(kat["q"], 16)
    lam = (p - 1) * (q - 1)
    t = (pow(int(kat["c"], 16), lam, key.n2) - 1) // key.n * pow(lam, -1, key.n) % key.n
    assert sim.decode_counts(t, k) == [0, 1]
