"""Strict signature keys and signatures (SPEC.md §3.2): what libsodium and OpenSSL refuse, and what the verifier
refuses on top of them."""
import nacl.bindings
import nacl.exceptions
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from verifier.crypto import signatures
from verifier.crypto.signatures import P256_ORDER, valid_public_key, verify
from verifier.simulate import forgery

MESSAGE = b"tally-verifier/envelope/v1\nE\n{}"
P = 2**255 - 19


def libsodium_accepts(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """libsodium's crypto_sign_verify_detached alone (through crypto_sign_open, which runs it)."""
    try:
        nacl.bindings.crypto_sign_open(signature + message, public_key)
        return True
    except nacl.exceptions.BadSignatureError:
        return False


def point_times(scalar: int, point: bytes) -> bytes:
    """[scalar]point (scalar reduced mod L: fine for points of the prime-order group)."""
    return nacl.bindings.crypto_scalarmult_ed25519_noclamp((scalar % forgery.L).to_bytes(32, "little"), point)


def base_times(scalar: int) -> bytes:
    return nacl.bindings.crypto_scalarmult_ed25519_base_noclamp((scalar % forgery.L).to_bytes(32, "little"))


@pytest.fixture(scope="module")
def ed():
    seed = bytes(range(32))
    public, secret = nacl.bindings.crypto_sign_seed_keypair(seed)
    return seed, public, nacl.bindings.crypto_sign(MESSAGE, secret)[:64]


@pytest.fixture(scope="module")
def p256():
    private = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())
    public = private.public_key()
    r, s = decode_dss_signature(private.sign(MESSAGE, ec.ECDSA(hashes.SHA256())))
    s = min(s, P256_ORDER - s)  # low s
    return private, public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint), r, s


def rs(r: int, s: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


# --- Ed25519 ---------------------------------------------------------------------------------------------------

def test_honest_ed25519_signature_is_accepted(ed):
    _, public, signature = ed
    assert valid_public_key("ed25519", public)
    assert verify("ed25519", public, MESSAGE, signature)
    assert not verify("ed25519", public, MESSAGE + b" ", signature)


def test_identity_key_is_refused_and_its_forgery_does_not_verify():
    # with the identity as key, R = identity and S = 0 satisfy [S]B = R + [k]A for every message: anyone signs
    assert not valid_public_key("ed25519", forgery.IDENTITY)
    assert not verify("ed25519", forgery.IDENTITY, MESSAGE, forgery.FORGED_SIGNATURE)


@pytest.mark.parametrize("multiple", [2, 4, 8])
def test_every_small_order_key_is_refused(multiple):
    # [m]T for T of order 8: points of order 4, 2 and (m = 8) 1
    point = forgery.ORDER_8
    for _ in range(multiple - 1):
        point = nacl.bindings.crypto_core_ed25519_add(point, forgery.ORDER_8)
    assert not valid_public_key("ed25519", point)
    assert not valid_public_key("ed25519", forgery.ORDER_8)


def test_twin_key_is_refused_though_libsodium_accepts_its_ground_signature(ed):
    seed, public, _ = ed
    twin = forgery.twin_public_key(public)
    assert twin != public
    signature = forgery.ground_twin_signature(seed, twin, MESSAGE)
    assert libsodium_accepts(twin, MESSAGE, signature)  # libsodium checks A is not of small order, not the subgroup
    assert not valid_public_key("ed25519", twin)
    assert not verify("ed25519", twin, MESSAGE, signature)


def test_libsodium_equation_is_cofactorless(ed):
    """An ungrounded twin signature (k odd) fails libsodium: [S]B − [k]A' = R − [k]T ≠ R compared by encoding
    (a cofactored or torsion-tolerant check would accept it)."""
    seed, public, _ = ed
    twin = forgery.twin_public_key(public)
    a, prefix = forgery.secret_scalar(seed)
    for i in range(64):
        signature, k = forgery.sign_raw(a, prefix, twin, MESSAGE, bytes([i]))
        if k % 2:
            assert not libsodium_accepts(twin, MESSAGE, signature)
            return
    pytest.fail("no odd k in 64 nonces")


def test_mixed_order_r_is_refused(ed):
    """R + T with S recomputed by the key's owner: the cofactorless equation gives R, not R + T. Guards the equation
    the verifier states: libsodium's unreleased master (2026) accepts when R − ([S]B − [k]A) is of small order,
    which takes this signature; its releases up to 1.0.22 compare encodings."""
    seed, public, _ = ed
    a, prefix = forgery.secret_scalar(seed)
    r = 77
    r_twin = nacl.bindings.crypto_core_ed25519_add(base_times(r), forgery.ORDER_8)
    k = forgery.challenge(r_twin, public, MESSAGE)
    signature = r_twin + ((r + k * a) % forgery.L).to_bytes(32, "little")
    assert not verify("ed25519", public, MESSAGE, signature)


def test_non_canonical_key_encoding_is_refused(ed):
    # y >= p: y + p for y < 19 (the only non-canonical y that fit 255 bits); none of these is a valid key
    for y in range(19):
        assert not valid_public_key("ed25519", (y + P).to_bytes(32, "little"))
    # the sign bit set on x = 0 (y = 1: the identity; y = -1: order 2)
    assert not valid_public_key("ed25519", (1 + (1 << 255)).to_bytes(32, "little"))
    assert not valid_public_key("ed25519", (P - 1 + (1 << 255)).to_bytes(32, "little"))


def test_key_not_on_the_curve_is_refused():
    d = -121665 * pow(121666, -1, P) % P
    y = next(y for y in range(2, 100)  # x² = (y² − 1)/(d·y² + 1) has no root mod p: no point has this y
             if pow((y * y - 1) * pow(d * y * y + 1, -1, P) % P, (P - 1) // 2, P) == P - 1)
    assert not valid_public_key("ed25519", y.to_bytes(32, "little"))


def test_s_at_least_l_is_refused(ed):
    """S + L satisfies the equation as well as S ([S + L]B = [S]B): only the rule S < L refuses it."""
    _, public, signature = ed
    s = int.from_bytes(signature[32:], "little")
    big = signature[:32] + (s + forgery.L).to_bytes(32, "little")
    assert base_times(s + forgery.L) == base_times(s)
    assert not verify("ed25519", public, MESSAGE, big)


def test_small_order_r_is_refused(ed):
    """With R = identity and S = k·a the equation holds ([S]B = [k]A = R + [k]A): only the small-order-R rule
    refuses it. (It needs the secret key; refused anyway: a signature's R must be a nonce commitment.)"""
    seed, public, _ = ed
    a, _ = forgery.secret_scalar(seed)
    k = forgery.challenge(forgery.IDENTITY, public, MESSAGE)
    signature = forgery.IDENTITY + (k * a % forgery.L).to_bytes(32, "little")
    assert base_times(k * a) == point_times(k, public)  # the equation holds
    assert not verify("ed25519", public, MESSAGE, signature)


def test_wrong_lengths_are_refused(ed):
    _, public, signature = ed
    assert not valid_public_key("ed25519", public + b"\0")
    assert not verify("ed25519", public, MESSAGE, signature + b"\0")
    assert not verify("ed25519", public, MESSAGE, signature[:63])
    assert not verify("rsa", public, MESSAGE, signature)


# --- ECDSA P-256 -----------------------------------------------------------------------------------------------

def test_honest_p256_signature_is_accepted(p256):
    _, public, r, s = p256
    assert len(public) == 33 and valid_public_key("ecdsa-p256", public)
    assert verify("ecdsa-p256", public, MESSAGE, rs(r, s))
    assert not verify("ecdsa-p256", public, MESSAGE + b" ", rs(r, s))


def test_p256_point_not_on_the_curve_is_refused():
    x = 1
    while True:
        candidate = b"\x02" + x.to_bytes(32, "big")
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), candidate)
        except ValueError:
            break  # x³ − 3x + b has no square root: no point with this x
        x += 1
    assert not valid_public_key("ecdsa-p256", candidate)
    assert not valid_public_key("ecdsa-p256", b"\x02" + (2**256 - 1).to_bytes(32, "big"))  # x >= p


def test_uncompressed_p256_key_is_refused(p256):
    private, public, r, s = p256
    uncompressed = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    assert len(uncompressed) == 65
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), uncompressed)  # a valid point for OpenSSL
    assert not valid_public_key("ecdsa-p256", uncompressed)
    assert not verify("ecdsa-p256", uncompressed, MESSAGE, rs(r, s))
    assert not valid_public_key("ecdsa-p256", b"\x04" + public[1:])  # 33 bytes with another prefix


def test_high_s_is_refused(p256):
    _, public, r, s = p256
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
    key.verify(encode_dss_signature(r, P256_ORDER - s), MESSAGE, ec.ECDSA(hashes.SHA256()))  # OpenSSL accepts it
    assert not verify("ecdsa-p256", public, MESSAGE, rs(r, P256_ORDER - s))


@pytest.mark.parametrize("which", ["r=0", "s=0", "r=order"])
def test_r_or_s_out_of_range_is_refused(p256, which):
    _, public, r, s = p256
    bad = {"r=0": (0, s), "s=0": (r, 0), "r=order": (P256_ORDER, s)}[which]
    assert not verify("ecdsa-p256", public, MESSAGE, rs(*bad))


def test_keys_are_cached():
    signatures.load_public_key.cache_clear()
    valid_public_key("ed25519", forgery.IDENTITY)
    valid_public_key("ed25519", forgery.IDENTITY)
    assert signatures.load_public_key.cache_info().hits == 1


# --- keys in the checks: V1.6, V2.5 and what a line registers (SPEC.md §4.2) -------------------------------------

def _registration(line, voter_id, key, valid=True, station="PS-1"):
    from verifier.checks.registry import Registration
    return Registration(line, voter_id, station, "ed25519", key, valid)


def test_only_valid_first_registrations_register():
    from verifier.checks.findings import Findings
    from verifier.checks.registry import RegistryIndex

    keys = [bytes([i]) * 32 for i in range(6)]
    f = Findings()
    index = RegistryIndex()
    for r in (_registration(1, "A", keys[0]),
              _registration(2, "B", keys[1], valid=False),  # fails V2.2 or V2.5: registers nobody
              _registration(3, "B", keys[2]),  # B was on line 2: V2.3, registers nobody
              _registration(4, "C", keys[0]),  # A's key: V2.4, registers nobody
              _registration(5, "D", keys[1]),  # the key of line 2 (which registered nobody): V2.4
              _registration(6, "A", keys[3]),  # V2.3; A stays registered by line 1
              _registration(7, "E", keys[4])):
        index.feed(r, f)
    voters = index.voters
    assert sorted(voters.voter_id(i) for i in range(len(voters))) == ["A", "E"]
    assert voters["A"].line == 1
    assert sorted((x.location.line, x.check) for x in f.failures()) == [(3, "V2.3"), (4, "V2.4"), (5, "V2.4"),
                                                                      (6, "V2.3")]
    assert [x.message for x in f.failures()][0] == "voter id already on line 2"


def test_voter_with_an_invalid_key_fails_v25(ed):
    from verifier.checks.findings import Findings
    from verifier.checks.registry import RegistryContext, check_voter
    from verifier.record.model import AuthorityKey, Voter

    seed, public, _ = ed
    registrar_public, registrar_secret = nacl.bindings.crypto_sign_seed_keypair(bytes(32))
    rctx = RegistryContext("E", AuthorityKey("registrar", "ed25519", registrar_public), frozenset({"PS-1"}))

    def line(key):
        message = b"registry line " + key
        return Voter(line=1, voter_id="V1", polling_station="PS-1", algorithm="ed25519", public_key=key,
                     registrar_signature=nacl.bindings.crypto_sign(message, registrar_secret)[:64],
                     signed_bytes=message)

    f = Findings()
    assert check_voter(rctx, line(public), f).valid and not f.failures()
    for bad in (forgery.IDENTITY, forgery.twin_public_key(public)):
        f = Findings()
        assert not check_voter(rctx, line(bad), f).valid
        assert [(x.check, x.location.voter_id) for x in f.failures()] == [("V2.5", "V1")]


def test_authority_keys_v16(ed, p256):
    import dataclasses

    from verifier.checks.findings import Findings
    from verifier.checks.setup import check_authority_keys
    from verifier.record.model import AuthorityKey, Manifest

    _, public, _ = ed
    not_on_curve = b"\x02" + (2**256 - 1).to_bytes(32, "big")
    fields = {fld.name: None for fld in dataclasses.fields(Manifest)}

    def manifest(registrar, collector):
        return Manifest(**{**fields, "authorities": (
            AuthorityKey("registrar", "ed25519", registrar), AuthorityKey("collector", "ecdsa-p256", collector),
            AuthorityKey("commission", "ed25519", public))})

    f = Findings()
    assert check_authority_keys(manifest(public, p256[1]), f) and not f.failures()
    f = Findings()
    assert not check_authority_keys(manifest(forgery.ORDER_8, not_on_curve), f)
    assert [(x.check, x.location.file) for x in f.failures()] == [("V1.6", "manifest.json")] * 2
    assert "registrar" in f.failures()[0].message and "collector" in f.failures()[1].message


def test_key_checked_skips_only_the_key_validation(ed, p256):
    """`key_checked=True` (the box's voter signatures: the registry index holds only valid keys) gives the same
    verdicts under a valid key; it is no check of the key itself, which is why only the index may pass it (a twin
    key's ground signature passes libsodium: test_twin_key_is_refused_though_libsodium_accepts_its_ground_signature)."""
    seed, public, signature = ed
    private, p_public, r, s = p256
    for algorithm, key, good in (("ed25519", public, signature), ("ecdsa-p256", p_public, rs(r, s))):
        for message, sig in ((MESSAGE, good), (MESSAGE + b" ", good), (MESSAGE, good[:-1] + bytes([good[-1] ^ 1]))):
            assert verify(algorithm, key, message, sig, key_checked=True) == verify(algorithm, key, message, sig)
    assert verify("ed25519", public, MESSAGE, signature, key_checked=True)
    twin = forgery.twin_public_key(public)
    ground = forgery.ground_twin_signature(seed, twin, MESSAGE)
    assert verify("ed25519", twin, MESSAGE, ground, key_checked=True)  # what the index's validation prevents
    assert not verify("ed25519", twin, MESSAGE, ground)
