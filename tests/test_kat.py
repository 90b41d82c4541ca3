"""SPEC.md Appendix A: the verifier's own encoders reproduce the known-answer vectors printed there.

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
from verifier.crypto import encoding, keycheck, membership, signatures
from verifier.crypto.paillier import PublicKey, option_message
from verifier.record import canonical, layout, reader
from verifier.simulate.keys import SigningKey

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


def _key_bytes(kat) -> bytes:
    n = int(kat["n"], 16)
    key = PublicKey.from_n(n)
    doc = {"n": kat["n"], "g": f"{n + 1:0{2 * key.width2}x}",
           "key_proof": {"sigma": [kat[f"sigma_{i}"] for i in range(1, 12)]}}
    return canonical.dumps(doc)


def test_election_key_document(kat):
    assert encoding.sha256(_key_bytes(kat)).hex() == kat["election_key_sha256"]


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
