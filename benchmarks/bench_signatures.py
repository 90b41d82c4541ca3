"""Signature verifications per second: pycryptodome (the verifier's path before issue 9: Crypto.Signature.eddsa and
DSS) against libsodium (Ed25519, through PyNaCl) and OpenSSL (P-256, through `cryptography`), in one process, on the
same keys and messages; and the cost of loading (validating) a key, which the registry pays once per voter.

    python benchmarks/bench_signatures.py [--signatures 500] [--seconds 2]

Keys are loaded once and cached for the verification figures (as the verifier does); messages are 300 bytes (an
envelope's signed fields). `verifier` is verifier.crypto.signatures.verify itself: libsodium or OpenSSL plus the
strict checks (cached key validation, r and s ranges, low s).
"""
import argparse
import os
import platform
import time

import nacl.bindings
from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC
from Crypto.Signature import DSS, eddsa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from verifier.crypto import signatures
from verifier.crypto.signatures import P256_ORDER


def make(count: int):
    ed, p256 = [], []
    for _ in range(count):
        message = os.urandom(300)
        public, secret = nacl.bindings.crypto_sign_seed_keypair(os.urandom(32))
        ed.append((public, message, nacl.bindings.crypto_sign(message, secret)[:64]))
        private = ec.generate_private_key(ec.SECP256R1())
        r, s = decode_dss_signature(private.sign(message, ec.ECDSA(hashes.SHA256())))
        s = min(s, P256_ORDER - s)
        compressed = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        p256.append((compressed, message, r.to_bytes(32, "big") + s.to_bytes(32, "big")))
    return ed, p256


def rate(fn, items, seconds: float) -> float:
    """Calls per second of fn(*item) over items, repeated for at least `seconds`."""
    for item in items[:10]:
        assert fn(*item), fn
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for item in items:
            fn(*item)
        done += len(items)
    return done / elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--signatures", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    ed, p256 = make(args.signatures)

    # the old path, keys imported once (it cached them too)
    ed_keys = {k: eddsa.import_public_key(k) for k, _, _ in ed}
    p_keys = {k: ECC.import_key(k, curve_name="P-256") for k, _, _ in p256}

    def old_ed(k, m, sig):
        try:
            eddsa.new(ed_keys[k], "rfc8032").verify(m, sig)
            return True
        except ValueError:
            return False

    def old_p256(k, m, sig):
        try:
            DSS.new(p_keys[k], "fips-186-3").verify(SHA256.new(m), sig)
            return True
        except ValueError:
            return False

    def sodium(k, m, sig):
        nacl.bindings.crypto_sign_open(sig + m, k)
        return True

    o_keys = {k: ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), k) for k, _, _ in p256}
    ecdsa = ec.ECDSA(hashes.SHA256())

    def openssl(k, m, sig):
        o_keys[k].verify(encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")), m,
                         ecdsa)
        return True

    def ed_verifier(k, m, sig):
        return signatures.verify("ed25519", k, m, sig)

    def p_verifier(k, m, sig):
        return signatures.verify("ecdsa-p256", k, m, sig)

    s = args.seconds
    for k, _, _ in ed:
        signatures.valid_public_key("ed25519", k)
    for k, _, _ in p256:
        signatures.valid_public_key("ecdsa-p256", k)

    def key_rate(fn, keys):
        return rate(fn, [(k,) for k in keys], s)

    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"{args.signatures} signatures, 300-byte messages, one core")
    rows = [
        ("Ed25519 verify", rate(old_ed, ed, s), rate(sodium, ed, s), rate(ed_verifier, ed, s), "libsodium"),
        ("P-256 verify", rate(old_p256, p256, s), rate(openssl, p256, s), rate(p_verifier, p256, s), "OpenSSL"),
        ("Ed25519 key load", key_rate(eddsa.import_public_key, [k for k, _, _ in ed]),
         key_rate(nacl.bindings.crypto_core_ed25519_is_valid_point, [k for k, _, _ in ed]),
         key_rate(lambda k: signatures.load_public_key.__wrapped__("ed25519", k), [k for k, _, _ in ed]),
         "is_valid_point"),
        ("P-256 key load", key_rate(lambda k: ECC.import_key(k, curve_name="P-256"), [k for k, _, _ in p256]),
         key_rate(lambda k: ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), k), [k for k, _, _ in p256]),
         key_rate(lambda k: signatures.load_public_key.__wrapped__("ecdsa-p256", k), [k for k, _, _ in p256]),
         "OpenSSL"),
    ]
    print(f"{'':18} {'pycryptodome/s':>15} {'new library/s':>15} {'verifier/s':>12} {'library/old':>12} "
          f"{'verifier/old':>13}")
    for name, old, new, ours, lib in rows:
        print(f"{name:18} {old:15,.0f} {new:15,.0f} {ours:12,.0f} {new / old:11.1f}× {ours / old:12.1f}×  ({lib})")


if __name__ == "__main__":
    main()
