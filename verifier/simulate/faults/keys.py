"""Faults of the setup: the election key (tier 0, tier 1, Π^mod, g), the whole record replaced, the manifest and the
authorities' keys (V1.x)."""

import gmpy2

from verifier.simulate import spec
from verifier.simulate.forgery import SmallOrderKey
from verifier.simulate.keys import generate_paillier, modulus_proof
from verifier.simulate.publish import election_key, hex_int, sign_object
from verifier.simulate.tamper import FaultError, Forger, Injected, _where


def key_small_factor(w: Forger) -> Injected:
    """n = p·q with p = 65539: above tier 1's bound (6370) and ≡ 3 (mod 4), so that the modulus proof holds (it
    proves two Blum primes, not their sizes) and only tier 0 sees it."""
    bits = w.n.bit_length()
    small = 65539
    q = _blum_prime_for(w, bits, small)
    w.rebuild(small * q, small, q)
    return Injected(f"election key n = 65539 · q ({bits} bits); every ballot encrypted, proved and signed again "
                    f"under it", [_where("V1.2", file=spec.ELECTION_KEY)])


def record_replaced(w: Forger) -> Injected:
    """Someone sets the whole election up again under an election key of their own: every ballot re-encrypted with
    the same choices, proved, signed and chained again, the tally decrypted and proved, the results announced. The
    record is consistent in itself; only the fingerprint the commission published before the vote tells it apart."""
    published = w.fp.hex()
    bits = w.n.bit_length()
    public, private = generate_paillier(bits, w.rng)
    w.rebuild(int(public.n), int(private.p), int(private.q))
    return Injected(f"the record set up again under a new {bits}-bit election key (fingerprint {w.fp.hex()}, "
                    f"published {published}); every ballot encrypted, proved and signed again",
                    [_where("V1.9", file=spec.MANIFEST)], published_fingerprint=published)


def _blum_prime_for(w: Forger, bits: int, other: int) -> int:
    """A prime q ≡ 3 (mod 4) with other·q of exactly `bits` bits (and, for a prime `other`, gcd(n, φ(n)) = 1)."""
    qbits = bits - other.bit_length() + 1
    while True:
        x = w.rng.randbits(qbits) | (1 << (qbits - 1)) | 3
        q = int(gmpy2.next_prime(x))
        n = other * q
        if q % 4 == 3 and n.bit_length() == bits and gmpy2.gcd(n, (other - 1) * (q - 1)) == 1:
            return q


def key_three_primes(w: Forger) -> Injected:
    """n = p·q·r, r a Blum prime just above 2^20, p and q Blum primes: no factor below tier 0's bound, gcd(n, φ(n)) = 1
    (tier 1 holds), every ballot proved again. The key holder makes the modulus proof as well as it can: a round
    whose (−1)^a·w^b·y has no fourth root mod p, q and r at once (probability 1/2 each) fails, and it names those."""
    bits = w.n.bit_length()
    r = int(gmpy2.next_prime(1 << 20))
    while r % 4 != 3:
        r = int(gmpy2.next_prime(r))
    pbits = (bits - r.bit_length()) // 2 + 1
    while True:
        p = int(gmpy2.next_prime(w.rng.randbits(pbits) | (3 << (pbits - 2)) | 3))
        if p % 4 != 3:
            continue
        q = _blum_prime_for(w, bits, p * r)
        n = p * q * r
        if len({p, q, r}) == 3 and gmpy2.gcd(n, (p - 1) * (q - 1) * (r - 1)) == 1:
            break
    proof, failing = modulus_proof(n, (p, q, r), w.rng)
    if not failing:
        raise FaultError("every round of the three-prime modulus proof held (probability 2^-128)")
    w.rebuild(n, p, q, r, key_doc=election_key(n, (p, q, r), w.rng, proof=proof))
    return Injected(f"election key n = p·q·r with r = {r} (just above 2^20), tier-1 proof valid; {len(failing)} of "
                    f"{len(proof.x)} rounds of the modulus proof without a fourth root; every ballot proved again",
                    [_where("V1.7", file=spec.ELECTION_KEY) for _ in failing])


def key_modulus_proof_altered(w: Forger) -> Injected:
    x = w.key_doc["modulus_proof"]["x"]
    x[0] = hex_int(int(x[0], 16) * 2 % w.n, w.key.width)
    w.rebuild()
    return Injected("x_1 of the modulus proof doubled (x_1^4 off by 16); everything signed again under the new "
                    "fingerprint", [_where("V1.7", file=spec.ELECTION_KEY)])


def key_generator(w: Forger) -> Injected:
    w.key_doc["g"] = hex_int(w.n + 2, w.key.width2)
    w.rebuild()
    return Injected("election key published with g = n + 2; everything signed again under the new fingerprint",
                    [_where("V1.3", file=spec.ELECTION_KEY)])


def key_proof_altered(w: Forger) -> Injected:
    sigma = w.key_doc["key_proof"]["sigma"]
    sigma[0] = hex_int(int(sigma[0], 16) * 2 % w.n, w.key.width)
    w.rebuild()
    return Injected("sigma_1 of the key proof doubled; everything signed again under the new fingerprint",
                    [_where("V1.4", file=spec.ELECTION_KEY)])


def authority_key_small_order(w: Forger) -> Injected:
    """The commission's key in the manifest replaced by the identity point: it then signs everything with
    R = identity, S = 0 (valid under the cofactorless equation with that key), the cancellations too."""
    forged = SmallOrderKey()
    w.manifest["authorities"]["commission"] = {"algorithm": "ed25519", "public_key": forged.public_bytes.hex()}
    w.secrets.authorities["commission"] = forged
    w.cancellations = [sign_object(forged, spec.CANCELLATION_TAG, w.eid, c, "commission_signature")
                       for c in w.cancellations]
    w.rebuild()
    # no signature under an invalid key verifies: every cancellation, the tally and the results fail their own
    # signature check; the e-votes the cancellations excluded then count by the rules
    expected = [_where("V1.6", file=spec.MANIFEST), _where("V6.1", file=spec.TALLY),
                _where("V7.1", file=spec.RESULTS)]
    stations = set()
    for line, c in enumerate(w.cancellations, 1):
        expected.append(_where("V5.1", file=spec.CANCELLATIONS, line=line, voter_id=c["voter_id"],
                               polling_station=c["polling_station"]))
        if ballots := w.ballots_of(c["voter_id"]):
            expected.append(w.at_decision("V5.5", ballots[-1]))
            stations.add(w.station(c["voter_id"]))
    for station in sorted(stations):
        expected += w.aggregates_differ(station, w.style(station))
    units = dict.fromkeys(u for s in sorted(stations) for u in w.units_of(s))  # a unit above two stations once
    expected += [w.at_results("V7.5", level, unit) for level, unit in units]
    return Injected("the commission's key in the manifest replaced by the Ed25519 identity point; everything it "
                    "signs carries R = identity, S = 0, which the cofactorless equation accepts under that key; "
                    f"{len(w.cancellations)} cancellations re-signed so", expected)


def spec_version_unknown(w: Forger) -> Injected:
    w.manifest["spec_version"] = "9.9"
    w.rebuild()
    return Injected("the manifest declares spec version 9.9; everything signed again under the new fingerprint",
                    [_where("V1.1", file=spec.MANIFEST)])


def manifest_inconsistent(w: Forger) -> Injected:
    def outside(station: dict, style: dict) -> list[str]:
        units = w.units_of(station["id"])  # the contest's scope must be one of them
        return [cid for cid in style["contests"]
                if ((s := w.contest(cid)["scope"])["level"], s.get("unit", "nation")) not in units]

    options = [(st, style, bad) for st in w.manifest["polling_stations"] for style in w.manifest["ballot_styles"]
               if (bad := outside(st, style))]
    station, style, bad = w.pick(sorted(options, key=lambda o: (o[0]["id"], o[1]["id"])),
                                 "ballot style outside some station's territory")
    station["ballot_style"] = style["id"]
    return Injected(f"polling station {station['id']} given ballot style {style['id']}, whose {', '.join(bad)} "
                    f"belong to another territory: nothing after the manifest can be checked",
                    [_where("V1.5", file=spec.MANIFEST, polling_station=station["id"], contest=cid) for cid in bad])


# kind → injector: the matrix (matrix.py) names the kinds, this module injects these
INJECTORS = {
    "key-small-factor": key_small_factor,
    "key-three-primes": key_three_primes,
    "key-modulus-proof": key_modulus_proof_altered,
    "record-replaced": record_replaced,
    "key-generator": key_generator,
    "key-proof": key_proof_altered,
    "authority-key-small-order": authority_key_small_order,
    "spec-version-unknown": spec_version_unknown,
    "manifest-inconsistent": manifest_inconsistent,
}
