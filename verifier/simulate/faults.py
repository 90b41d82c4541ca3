"""The fault matrix: kinds of fault as data (kind → actor, what it does, the checks expected to fail and no other,
the secrets it needs, the function that injects it into a `Forger`).

`tally-verifier tamper`, SPEC.md §9 (`spec_table`) and tests/test_faults.py all read FAULTS. Each injection returns
the exact places where the verifier must report it (`Injected.expected`).
"""
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import gmpy2

from verifier.crypto.encoding import sha256, signed_message
from verifier.crypto.paillier import option_message
from verifier.record import canonical, layout
from verifier.record.source import open_record
from verifier.simulate.authority import Secrets
from verifier.simulate import publish
from verifier.simulate.forgery import SmallOrderKey, TwinKey, twin_public_key
from verifier.simulate.keys import SigningKey, generate_paillier, modulus_proof
from verifier.simulate.publish import election_key, hex_int, parse_time, sign_object, time_text
from verifier.simulate.tamper import (
    Entry,
    FaultError,
    Forger,
    Injected,
    _where,
)
from verifier.tally.hierarchy import turnout_percent

HELD_RECEIPTS = "voter_receipts.jsonl"  # the receipts voters kept, as the verifier names the file in its report
SECRET_PARTS = {
    "authority": "the authorities' signing keys (registrar, collector, commission)",
    "paillier": "the Paillier factors p and q (to decrypt and prove the tally)",
    "voters": "the voters' signing keys",
}

__all__ = ["FAULTS", "BY_KIND", "Fault", "FaultError", "Injected", "HELD_RECEIPTS", "SECRET_PARTS", "inject",
           "load_secrets", "missing_secrets", "spec_table"]


# --- setup and registry ---------------------------------------------------------------------------------------

def key_small_factor(w: Forger) -> Injected:
    """n = p·q with p = 65539: above tier 1's bound (6370) and ≡ 3 (mod 4), so that the modulus proof holds (it
    proves two Blum primes, not their sizes) and only tier 0 sees it."""
    bits = w.n.bit_length()
    small = 65539
    q = _blum_prime_for(w, bits, small)
    w.rebuild(small * q, small, q)
    return Injected(f"election key n = 65539 · q ({bits} bits); every ballot encrypted, proved and signed again "
                    f"under it", [_where("V1.2", file=layout.ELECTION_KEY)])


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
                    [_where("V1.9", file=layout.MANIFEST)], published_fingerprint=published)


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
                    [_where("V1.7", file=layout.ELECTION_KEY) for _ in failing])


def key_modulus_proof_altered(w: Forger) -> Injected:
    x = w.key_doc["modulus_proof"]["x"]
    x[0] = hex_int(int(x[0], 16) * 2 % w.n, w.key.width)
    w.rebuild()
    return Injected("x_1 of the modulus proof doubled (x_1^4 off by 16); everything signed again under the new "
                    "fingerprint", [_where("V1.7", file=layout.ELECTION_KEY)])


def key_generator(w: Forger) -> Injected:
    w.key_doc["g"] = hex_int(w.n + 2, w.key.width2)
    w.rebuild()
    return Injected("election key published with g = n + 2; everything signed again under the new fingerprint",
                    [_where("V1.3", file=layout.ELECTION_KEY)])


def key_proof_altered(w: Forger) -> Injected:
    sigma = w.key_doc["key_proof"]["sigma"]
    sigma[0] = hex_int(int(sigma[0], 16) * 2 % w.n, w.key.width)
    w.rebuild()
    return Injected("sigma_1 of the key proof doubled; everything signed again under the new fingerprint",
                    [_where("V1.4", file=layout.ELECTION_KEY)])


def ghost_voter(w: Forger, votes: bool = False) -> Injected:
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    ghost = SigningKey.generate("ed25519", w.rng)
    w.secrets.voters[vid] = ghost
    w.register(vid, station, "ed25519", ghost.public_bytes)
    what = f"voter {vid} added to the registry at {station} after the manifest committed to it, signed by the registrar"
    if votes:
        entry = w.cast(vid)
        w.rechain()
        what += f"; the ghost casts ballot {entry.ballot_id} (line {w.line_of(entry)}), counted"
    w.recount()
    where = _where("V2.1", file=layout.REGISTRY)
    return Injected(what, [where, where])  # the registry's hash and its number of lines


def double_registration(w: Forger) -> Injected:
    original = w.voter(w.single_voter())
    vid = w.new_voter_id()
    station = w.pick(sorted(s for s in w.stations if s != original["polling_station"]), "other polling station")
    w.register(vid, station, original["algorithm"], bytes.fromhex(original["public_key"]))
    w.secrets.voters[vid] = w.voter_key(original["voter_id"])
    w.commit_registry()
    w.rebuild()
    entry = w.cast(vid)
    w.rechain()
    w.recount()
    return Injected(f"voter {original['voter_id']}'s signing key registered again as {vid} at {station} before the "
                    f"election (the manifest commits to it); {vid} votes too (ballot {entry.ballot_id}), counted",
                    [_where("V2.4", file=layout.REGISTRY, line=len(w.registry), voter_id=vid, polling_station=station),
                     *w.counted_though_unregistered(entry, station)])


def small_order_key(w: Forger) -> Injected:
    """A voter registered with the identity as key: R = identity, S = 0 signs anything under it (crypto.md §6)."""
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    key = SmallOrderKey()
    w.register(vid, station, "ed25519", key.public_bytes)
    w.secrets.voters[vid] = key
    w.commit_registry()
    w.rebuild()
    entry = w.cast(vid)
    w.rechain()
    w.recount()
    return Injected(f"voter {vid} registered at {station} with the Ed25519 identity point as key (the manifest "
                    f"commits to it); ballot {entry.ballot_id} cast in its name with the signature R = identity, "
                    f"S = 0, which the cofactorless equation accepts under that key; counted",
                    [_where("V2.5", file=layout.REGISTRY, line=len(w.registry), voter_id=vid, polling_station=station),
                     *w.counted_though_unregistered(entry, station)])


def twin_key(w: Forger) -> Injected:
    """A mixed-order twin A + T of voter A's key registered under a second id: A's owner signs for both, V2.4 sees
    two different keys (crypto.md §6)."""
    counts = Counter(e.voter_id for e in w.box)
    cancelled = w.cancelled()
    original = w.voter(w.pick(sorted(v["voter_id"] for v in w.registry if v["algorithm"] == "ed25519"
                                     and counts[v["voter_id"]] == 1 and v["voter_id"] not in cancelled),
                              "Ed25519 voter with exactly one counted e-vote"))
    vid = w.new_voter_id()
    station = w.pick(sorted(s for s in w.stations if s != original["polling_station"]), "other polling station")
    twin = twin_public_key(bytes.fromhex(original["public_key"]))
    key = TwinKey(w.voter_key(original["voter_id"]).private.seed, twin)
    w.register(vid, station, "ed25519", key.public_bytes)
    w.secrets.voters[vid] = key
    w.commit_registry()
    w.rebuild()
    entry = w.cast(vid)
    w.rechain()
    w.recount()
    return Injected(f"voter {original['voter_id']}'s key A registered again as {vid} at {station} in the form A + T "
                    f"(T of order 8: another key for V2.4; the manifest commits to it); {vid}'s ballot "
                    f"{entry.ballot_id} is signed with A's secret, the nonce ground until k ≡ 0 (mod 8) so that "
                    f"libsodium's cofactorless verification accepts it under A + T; both ballots counted",
                    [_where("V2.5", file=layout.REGISTRY, line=len(w.registry), voter_id=vid, polling_station=station),
                     *w.counted_though_unregistered(entry, station)])


def authority_key_small_order(w: Forger) -> Injected:
    """The commission's key in the manifest replaced by the identity point: it then signs everything with
    R = identity, S = 0 (valid under the cofactorless equation with that key), the cancellations too."""
    forged = SmallOrderKey()
    w.manifest["authorities"]["commission"] = {"algorithm": "ed25519", "public_key": forged.public_bytes.hex()}
    w.secrets.authorities["commission"] = forged
    w.cancellations = [sign_object(forged, layout.CANCELLATION_TAG, w.eid, c, "commission_signature")
                       for c in w.cancellations]
    w.rebuild()
    # no signature under an invalid key verifies: every cancellation, the tally and the results fail their own
    # signature check; the e-votes the cancellations excluded then count by the rules
    expected = [_where("V1.6", file=layout.MANIFEST), _where("V6.1", file=layout.TALLY),
                _where("V7.1", file=layout.RESULTS)]
    stations = set()
    for line, c in enumerate(w.cancellations, 1):
        expected.append(_where("V5.1", file=layout.CANCELLATIONS, line=line, voter_id=c["voter_id"],
                               polling_station=c["polling_station"]))
        if ballots := w.ballots_of(c["voter_id"]):
            expected.append(w.at_decision("V5.5", ballots[-1]))
            stations.add(w.station_of(c["voter_id"]))
    for station in sorted(stations):
        expected += w.aggregates_differ(station, w.style(station))
    units = dict.fromkeys(u for s in sorted(stations) for u in w.units_of(s))  # a unit above two stations once
    expected += [w.at_results("V7.5", level, unit) for level, unit in units]
    return Injected("the commission's key in the manifest replaced by the Ed25519 identity point; everything it "
                    "signs carries R = identity, S = 0, which the cofactorless equation accepts under that key; "
                    f"{len(w.cancellations)} cancellations re-signed so", expected)


# --- ballot box -----------------------------------------------------------------------------------------------

def ghost_ballot(w: Forger) -> Injected:
    vid = w.never_voted()
    entry = w.cast(vid, signer=SigningKey.generate("ed25519", w.rng))
    w.rechain()
    w.recount()
    return Injected(f"ballot {entry.ballot_id} of voter {vid} (who never voted) inserted at line {w.line_of(entry)}, "
                    f"signed with a key the authority holds, chain re-signed, counted",
                    [w.at_box("V3.2", entry), *w.counted_though_invalid(entry)])


def foreign_signature(w: Forger) -> Injected:
    vid = w.single_voter()
    other = w.pick(sorted(v for v in w.secrets.voters if v != vid and v in {r["voter_id"] for r in w.registry}),
                   "other voter")
    [entry] = w.ballots_of(vid)
    w.sign_envelope(entry.envelope, w.voter_key(other))
    w.rechain()
    w.recount()
    return Injected(f"ballot {entry.ballot_id} of voter {vid} signed with voter {other}'s key; receipts re-signed; "
                    f"counted", [w.at_box("V3.2", entry), *w.counted_though_invalid(entry)])


def contest_outside_style(w: Forger) -> Injected:
    vid = w.never_voted()
    station = w.station_of(vid)
    style = w.style(station)
    foreign = w.pick(sorted({c for s in w.manifest["ballot_styles"] for c in s["contests"]} - set(style)),
                     "contest outside a ballot style")
    replaced = next(c for c in style if len(w.contest(c)["options"]) == len(w.contest(foreign)["options"]))
    ballot_id = w.rng.token_bytes(16)
    contests = [w.contest_ballot(foreign if c == replaced else c, w.choose(foreign if c == replaced else c),
                                 context=w.context(vid), ballot_id=ballot_id) for c in style]
    entry = w.cast(vid, contests=contests, ballot_id=ballot_id)
    w.rechain()
    w.recount()
    return Injected(f"voter {vid} of {station} casts ballot {entry.ballot_id} for {foreign} instead of {replaced} "
                    f"(valid proofs, the voter's own signature), counted",
                    [w.at_box("V3.4", entry), w.at_decision("V5.5", entry),
                     *w.aggregates_differ(station, [c for c in style if c != replaced]), *w.turnout_differs(station)])


def outside_voting_period(w: Forger) -> Injected:
    vid = w.never_voted()
    end = parse_time(w.manifest["voting_period"]["end"])
    entry = w.cast(vid, received=end + timedelta(hours=1), cast_at=end + timedelta(hours=1, seconds=-5))
    w.rechain()
    w.recount()
    where = w.at_box("V3.5", entry)
    return Injected(f"voter {vid} casts ballot {entry.ballot_id} an hour after e-voting closed; the collector "
                    f"appends it and the commission counts it",
                    [where, where, *w.counted_though_invalid(entry)])  # cast and received: both outside


def ballot_dropped(w: Forger) -> Injected:
    vid = w.single_voter(not_last=True)
    [entry] = w.ballots_of(vid)
    line = w.line_of(entry)
    w.box.remove(entry)
    w.sign_head()
    w.recount()
    after = w.box[line - 1]
    where = w.at_box("V3.7", after, station=False)
    return Injected(f"ballot {entry.ballot_id} of voter {vid} (line {line}) removed from the box, from the list and "
                    f"from the tally; head re-signed, the chain left as it was",
                    [where, where])  # the sequence number jumps and the previous hash does not match


def ballot_dropped_rechained(w: Forger) -> Injected:
    vid = w.single_voter(not_last=True)
    [entry] = w.ballots_of(vid)
    line = w.line_of(entry)
    w.box.remove(entry)
    w.rechain()
    w.recount()
    after = w.box[line - 1]
    return Injected(
        f"ballot {entry.ballot_id} of voter {vid} (line {line}) removed; the collector numbers, links and signs the "
        f"chain and head again, the commission recounts: the record is consistent, only the receipts the voters kept "
        f"show it", [_where("V3.10", file=HELD_RECEIPTS, line=line, ballot_id=entry.ballot_id, voter_id=vid),
                     _where("V3.10", file=HELD_RECEIPTS, line=line + 1, ballot_id=after.ballot_id,
                            voter_id=after.voter_id)],
        held_receipts=list(w.original_box))


def box_truncated(w: Forger) -> Injected:
    last = w.box[-1]
    line = len(w.box)
    w.box.pop()
    w.sign_head()
    w.recount()
    return Injected(f"the last ballot {last.ballot_id} of voter {last.voter_id} (line {line}) cut off the box; head "
                    f"re-signed, list, tally and results recounted",
                    [_where("V3.10", file=HELD_RECEIPTS, line=line, ballot_id=last.ballot_id, voter_id=last.voter_id)],
                    held_receipts=list(w.original_box))


def duplicate_ballot(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    copy = Entry(json.loads(json.dumps(entry.envelope)), {"received_at": entry.receipt["received_at"]},
                 decision=("counted", None))
    entry.decision = ("counted", None)
    w.box.insert(w.line_of(entry), copy)
    w.rechain()
    w.recount()
    station = w.station_of(vid)
    return Injected(f"ballot {entry.ballot_id} of voter {vid} appears twice (lines {w.line_of(entry)} and "
                    f"{w.line_of(copy)}), both counted",
                    [w.at_box("V3.9", copy, station=False), _where("V5.5", file=layout.BALLOT_DECISIONS,
                                                                   line=w.line_of(copy), ballot_id=copy.ballot_id,
                                                                   voter_id=vid),
                     *w.aggregates_differ(station, w.style(station))])


def _reorder(w: Forger, retime: bool) -> Injected:
    vid = w.revoter(cast_gap=w.manifest["max_receipt_delay_seconds"] if retime else 0)
    first, second = w.ballots_of(vid)
    w.box.remove(first)
    w.box.insert(w.line_of(second), first)
    if retime:
        before = w.box[w.line_of(first) - 2]
        first.receipt = {"received_at": before.receipt["received_at"]}
    w.rechain()
    w.recount()
    what = (f"voter {vid}'s first e-vote {first.ballot_id} moved after the second {second.ballot_id} and the chain "
            f"re-signed, so that the first one counts")
    if not retime:
        return Injected(what + "; receipt times left as they were",
                        [w.at_box("V3.7", first, station=False)])
    station = w.station_of(vid)
    return Injected(what + "; its receipt time moved up to keep the chain's times in order",
                    [w.at_box("V3.5", first), w.at_decision("V5.5", first), w.at_decision("V5.5", second),
                     *w.aggregates_differ(station, w.style(station), count_too=False)])


def revote_reordered(w: Forger) -> Injected:
    return _reorder(w, retime=False)


def revote_reordered_retimed(w: Forger) -> Injected:
    return _reorder(w, retime=True)


# --- ballot validity ------------------------------------------------------------------------------------------

def ciphertext_altered(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    cb = entry.envelope["contests"][0]
    c = int(cb["ciphertext"], 16)
    k = len(w.contest(cb["contest"])["options"])
    i = w.messages(cb["contest"]).index(w.decrypt(c))
    j = (i + 1) % k
    shift, _ = w.encrypt(option_message(j) - option_message(i))
    cb["ciphertext"] = hex_int(c * shift % w.key.n2, w.key.width2)
    w.rechain()
    w.recount()
    return Injected(f"the collector turns ballot {entry.ballot_id}'s {cb['contest']} vote from option {i} to {j} "
                    f"(ciphertext times E(M^{j} − M^{i})); receipts re-signed; counted",
                    [w.at_box("V3.2", entry), w.at_box("V4.2", entry, cb["contest"]),
                     *w.counted_though_invalid(entry)])


def _bad_ciphertext(w: Forger, kind: str) -> Injected:
    vid = w.never_voted()
    ballot_id = w.rng.token_bytes(16)
    context = w.context(vid)
    style = w.style(w.station_of(vid))
    contests = [w.contest_ballot(c, w.choose(c), context=context, ballot_id=ballot_id) for c in style]
    cb = contests[0]
    c = int(cb["ciphertext"], 16)
    if kind == "zero":
        bad = 0
    elif kind == "not-unit":
        bad = w.p * (c % w.q) % w.key.n2 if w.p else w.n
    else:
        bad = c + w.key.n2
        if bad.bit_length() > 8 * w.key.width2:
            bad = w.key.n2  # does not fit the field with a valid ciphertext above it: n² itself
    cb["ciphertext"] = hex_int(bad, w.key.width2)
    entry = w.cast(vid, contests=contests, ballot_id=ballot_id)
    entry.decision = ("excluded", "invalid")
    w.rechain()
    w.recount()
    return Injected(f"voter {vid}'s client sends ballot {entry.ballot_id} whose {cb['contest']} ciphertext is "
                    f"{kind.replace('-', ' ')}; the collector accepts it, the commission excludes it as invalid",
                    [w.at_box("V4.1", entry, cb["contest"]), w.at_box("V4.2", entry, cb["contest"])])


def ciphertext_zero(w: Forger) -> Injected:
    return _bad_ciphertext(w, "zero")


def ciphertext_not_unit(w: Forger) -> Injected:
    return _bad_ciphertext(w, "not-unit")


def ciphertext_too_large(w: Forger) -> Injected:
    return _bad_ciphertext(w, "at-least-n²")


def _counted_bad_ballot(w: Forger, what: str, bad: Callable[[Forger, str, bytes, str], dict],
                        contest_of: Callable[[Forger, list[str]], str] = lambda w, style: style[0],
                        tally_breaks: bool = False) -> Injected:
    """A voter who never voted casts a ballot whose contest `contest_of` is made by bad(w, voter, ballot id,
    contest); the voter's own key signs it and the commission counts it."""
    vid = w.never_voted()
    station = w.station_of(vid)
    style = w.style(station)
    cid = contest_of(w, style)
    ballot_id = w.rng.token_bytes(16)
    contests = [bad(w, vid, ballot_id, c) if c == cid else
                w.contest_ballot(c, w.choose(c), context=w.context(vid), ballot_id=ballot_id) for c in style]
    entry = w.cast(vid, contests=contests, ballot_id=ballot_id)
    w.rechain()
    w.recount()
    expected = [w.at_box("V4.2", entry, cid), *w.counted_though_invalid(entry)]
    if tally_breaks:
        expected.append(w.at_tally("V6.4", cid, station))
    return Injected(f"voter {vid}'s client casts ballot {entry.ballot_id} whose {cid} {what}; the voter's key signs "
                    f"it, the commission counts it", expected)


def _honest(w: Forger, vid: str, ballot_id: bytes, cid: str, **kw) -> dict:
    return w.contest_ballot(cid, kw.pop("m", None) or w.choose(cid), context=w.context(vid), ballot_id=ballot_id, **kw)


def proof_value_altered(w: Forger) -> Injected:
    def bad(w, vid, ballot_id, cid):
        cb = _honest(w, vid, ballot_id, cid)
        z = cb["proof"]["z"]
        z[0] = hex_int(int(z[0], 16) * 2 % w.n, w.key.width)
        return cb

    return _counted_bad_ballot(w, "proof has z_0 doubled", bad)


def proof_other_voter(w: Forger) -> Injected:
    def bad(w, vid, ballot_id, cid):
        donor = w.ballots_of(w.single_voter())[0]
        return json.loads(json.dumps(next(cb for cb in donor.envelope["contests"] if cb["contest"] == cid)))

    return _counted_bad_ballot(w, "ciphertext and proof are copied from another voter's counted ballot", bad)


def _twin_contest(w: Forger, cid: str) -> str | None:
    """Another contest with as many options (a proof made for it has the right shape)."""
    k = len(w.contest(cid)["options"])
    return next((c["id"] for c in w.manifest["contests"] if c["id"] != cid and len(c["options"]) == k), None)


def proof_other_contest(w: Forger) -> Injected:
    def pick(w, style):
        return next(c for c in style if _twin_contest(w, c))

    def bad(w, vid, ballot_id, cid):
        return _honest(w, vid, ballot_id, cid, statement_contest=_twin_contest(w, cid))

    return _counted_bad_ballot(w, "proof was made for another contest with as many options", bad, pick)


def proof_other_election(w: Forger) -> Injected:
    def bad(w, vid, ballot_id, cid):
        return _honest(w, vid, ballot_id, cid, fingerprint=sha256(b"another election"))

    return _counted_bad_ballot(w, "proof was made for another election (another fingerprint)", bad)


def proof_other_ballot(w: Forger) -> Injected:
    vid = w.single_voter()
    [first] = w.ballots_of(vid)
    station = w.station_of(vid)
    style = w.style(station)
    ballot_id = w.rng.token_bytes(16)
    copied = json.loads(json.dumps(first.envelope["contests"][0]))
    contests = [copied] + [_honest(w, vid, ballot_id, c) for c in style[1:]]
    second = w.cast(vid, received=w.free_time(after=first.receipt["received_at"]), contests=contests,
                    ballot_id=ballot_id)
    w.rechain()
    w.recount()
    return Injected(f"voter {vid} votes again (ballot {second.ballot_id}) with the {copied['contest']} ciphertext and "
                    f"proof of the first ballot {first.ballot_id}; the second one is counted",
                    [w.at_box("V4.2", second, copied["contest"]), w.at_decision("V5.5", second),
                     w.at_decision("V5.5", first), *w.aggregates_differ(station, style[1:], count_too=False)])


def two_votes(w: Forger) -> Injected:
    def bad(w, vid, ballot_id, cid):
        return _honest(w, vid, ballot_id, cid, m=option_message(0) + option_message(1), index=0)

    return _counted_bad_ballot(w, "ciphertext encrypts votes for options 0 and 1 (proof made as if for option 0)",
                               bad, tally_breaks=True)


def negative_vote(w: Forger) -> Injected:
    def bad(w, vid, ballot_id, cid):
        return _honest(w, vid, ballot_id, cid, m=w.n - option_message(0), index=0)

    return _counted_bad_ballot(w, "ciphertext encrypts −1 vote for option 0 (proof made as if for option 0)", bad,
                               tally_breaks=True)


def unknown_option(w: Forger) -> Injected:
    def bad(w, vid, ballot_id, cid):
        return _honest(w, vid, ballot_id, cid, m=option_message(len(w.contest(cid)["options"])), index=0)

    return _counted_bad_ballot(w, "ciphertext encrypts a vote for option k, which does not exist (proof made as "
                                  "if for option 0)", bad, tally_breaks=True)


# --- counting rules -------------------------------------------------------------------------------------------

def paper_voter_counted(w: Forger) -> Injected:
    vid = w.paper_voter()
    entry = w.ballots_of(vid)[-1]
    entry.decision = ("counted", None)
    w.recount()
    station = w.station_of(vid)
    return Injected(f"voter {vid} voted on paper (a valid cancellation) but the e-vote {entry.ballot_id} is counted",
                    [w.at_decision("V5.4", entry), *w.aggregates_differ(station, w.style(station)),
                     *w.turnout_differs(station)])


def superseded_counted(w: Forger) -> Injected:
    vid = w.revoter()
    first, _ = w.ballots_of(vid)
    first.decision = ("counted", None)
    w.recount()
    station = w.station_of(vid)
    return Injected(f"voter {vid}'s superseded e-vote {first.ballot_id} is counted as well as the last one",
                    [w.at_decision("V5.3", first), *w.aggregates_differ(station, w.style(station))])


def fake_cancellation(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    station = w.station_of(vid)
    ack = {"voter_id": vid, "polling_station": station, "paper_voted_at": f"{w.manifest['election_day']}T09:00:00Z",
           "voter_signature": w.rng.token_bytes(64).hex()}  # the commission cannot sign the poll book as the voter
    w.cancellations.append(sign_object(w.authority("commission"), layout.CANCELLATION_TAG, w.eid, ack,
                                       "commission_signature"))
    w.recount()
    return Injected(f"the commission lists voter {vid} (who never voted on paper) as a paper voter, signs the list, "
                    f"and excludes the e-vote {entry.ballot_id} as cancelled",
                    [_where("V5.1", file=layout.CANCELLATIONS, line=len(w.cancellations), voter_id=vid,
                            polling_station=station), w.at_decision("V5.5", entry),
                     *w.aggregates_differ(station, w.style(station)), *w.turnout_differs(station)])


def valid_ballot_excluded(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    entry.decision = ("excluded", "invalid")
    w.recount()
    station = w.station_of(vid)
    return Injected(f"voter {vid}'s valid e-vote {entry.ballot_id} excluded as invalid",
                    [w.at_decision("V5.5", entry), *w.aggregates_differ(station, w.style(station)),
                     *w.turnout_differs(station)])


def counted_ghost(w: Forger) -> Injected:
    station = w.pick(sorted(w.stations), "polling station")
    w.redecide()
    ghost = w.rng.token_bytes(16).hex()
    w.decisions.append({"ballot_id": ghost, "status": "counted"})
    for cid in w.style(station):
        w.extra_tally.append((cid, station, w.encrypt(w.choose(cid))[0]))
    w.extra_voted[station] += 1
    w.retally()
    w.reannounce()
    return Injected(f"the commission's list counts ballot {ghost}, which is not in the box, and its tally of {station} "
                    f"includes one more ballot",
                    [_where("V5.5", file=layout.BALLOT_DECISIONS, line=len(w.decisions), ballot_id=ghost),
                     *w.aggregates_differ(station, w.style(station)), *w.turnout_differs(station)])


def counted_missing(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    w.redecide()
    w.decisions = [d for d in w.decisions if d["ballot_id"] != entry.ballot_id]
    w.retally()
    w.reannounce()
    station = w.station_of(vid)
    return Injected(f"voter {vid}'s valid e-vote {entry.ballot_id} left out of the commission's list and tally",
                    [_where("V5.5", file=layout.BALLOT_DECISIONS, ballot_id=entry.ballot_id, voter_id=vid),
                     *w.aggregates_differ(station, w.style(station)), *w.turnout_differs(station)])


def tally_includes_excluded(w: Forger) -> Injected:
    vid = w.paper_voter()
    entry = w.ballots_of(vid)[-1]
    entry.tally_anyway = True
    w.recount()
    station = w.station_of(vid)
    return Injected(f"the commission's list says voter {vid}'s e-vote {entry.ballot_id} is cancelled (true), but its "
                    f"tally includes it", w.aggregates_differ(station, w.style(station)))


# --- tally ----------------------------------------------------------------------------------------------------

def _busy_aggregate(w: Forger) -> tuple[dict, int, int]:
    """A national-list style aggregate with a vote for some option i, and another option j."""
    candidates = [a for a in w.tally["aggregates"] if a["ballots"] > 0]
    a = w.pick(sorted(candidates, key=lambda a: (a["contest"], a["polling_station"])), "aggregate with ballots")
    i = next(k for k, c in enumerate(a["counts"]) if c["votes"] > 0)
    return a, i, (i + 1) % len(a["counts"])


def _replace_aggregate(w: Forger, old: dict, new: dict) -> None:
    aggregates = w.tally["aggregates"]
    aggregates[aggregates.index(old)] = new
    w.sign_tally()
    w.reannounce()


def aggregate_altered(w: Forger) -> Injected:
    a, i, j = _busy_aggregate(w)
    shift, _ = w.encrypt(option_message(j) - option_message(i))
    c = int(a["ciphertext"], 16) * shift % w.key.n2
    _replace_aggregate(w, a, w.aggregate(a["contest"], a["polling_station"], a["ballots"], c))
    return Injected(f"aggregate {a['contest']} at {a['polling_station']} multiplied by E(M^{j} − M^{i}) (one vote "
                    f"moved), decrypted and proved honestly",
                    [w.at_tally("V6.2", a["contest"], a["polling_station"])])


def decryption_off_by_one(w: Forger) -> Injected:
    a, i, j = _busy_aggregate(w)
    c = int(a["ciphertext"], 16)
    t = int(a["plaintext"], 16) - option_message(i) + option_message(j)
    # the best forgery the factors allow: R for C·(1 + T'·n)⁻¹, which is no n-th power (it is the true R)
    r = w.randomness(c * gmpy2.invert(1 + t * w.n, w.key.n2) % w.key.n2)
    _replace_aggregate(w, a, w.aggregate(a["contest"], a["polling_station"], a["ballots"], c, t=t, r=r))
    return Injected(f"aggregate {a['contest']} at {a['polling_station']} decrypted as one vote moved from option {i} to "
                    f"{j}, with a forged decryption proof", [w.at_tally("V6.3", a["contest"], a["polling_station"])])


def tally_counts_wrong(w: Forger) -> Injected:
    a, i, _ = _busy_aggregate(w)
    new = json.loads(json.dumps(a))
    new["counts"][i]["votes"] += 1
    _replace_aggregate(w, a, new)
    return Injected(f"published count of option {new['counts'][i]['option']} in {a['contest']} at "
                    f"{a['polling_station']} is one more than the decrypted plaintext says",
                    [w.at_tally("V6.4", a["contest"], a["polling_station"], new["counts"][i]["option"])])


# --- results ----------------------------------------------------------------------------------------------------

def _bump(w: Forger, level: str, unit: str, cid: str, option: str, delta: int = 1) -> None:
    p = w.protocol(level, unit)
    r = next(r for r in p["contests"] if r["contest"] == cid)
    next(v for v in r["votes"] if v["option"] == option)["votes"] += delta


def _results_target(w: Forger) -> tuple[str, str, list[tuple[str, str]]]:
    """A nation-wide contest, one of its options, and the units of one polling station from the station up."""
    cid = next(c["id"] for c in w.manifest["contests"] if c["scope"]["level"] == "nation")
    option = w.pick([o["id"] for o in w.contest(cid)["options"]], "option")
    station = w.pick(sorted(w.stations), "polling station")
    return cid, option, w.units_of(station)


def _announced_wrong(w: Forger, levels: tuple[str, ...]) -> Injected:
    cid, option, units = _results_target(w)
    for level, unit in units:
        if level in levels:
            _bump(w, level, unit, cid, option)
    w.sign_results()
    expected = [w.at_results("V7.3" if level == "polling_station" else "V7.4", level, unit, cid, option)
                for level, unit in units if level in levels]
    what = ", ".join(f"{level} {unit}" for level, unit in units if level in levels)
    return Injected(f"announced {cid} votes for {option} one too many at {what}", expected)


def station_count_wrong(w: Forger) -> Injected:
    return _announced_wrong(w, ("polling_station",))


def district_count_wrong(w: Forger) -> Injected:
    return _announced_wrong(w, ("district",))


def region_count_wrong(w: Forger) -> Injected:
    return _announced_wrong(w, ("region",))


def nation_count_wrong(w: Forger) -> Injected:
    return _announced_wrong(w, ("nation",))


def wrong_count_carried_up(w: Forger) -> Injected:
    return _announced_wrong(w, ("polling_station", "district", "region", "nation"))


def turnout_wrong(w: Forger) -> Injected:
    _, _, units = _results_target(w)
    level, unit = units[1]
    p = w.protocol(level, unit)
    whole, frac = p["turnout_percent"].split(".")
    hundredths = (int(whole) * 100 + int(frac) + 1) % 10001
    p["turnout_percent"] = f"{hundredths // 100}.{hundredths % 100:02d}"
    w.sign_results()
    return Injected(f"turnout of {level} {unit} announced as {p['turnout_percent']}%",
                    [w.at_results("V7.5", level, unit)])


def voters_voted_wrong(w: Forger) -> Injected:
    _, _, units = _results_target(w)
    level, unit = units[0]
    p = w.protocol(level, unit)
    p["voters_voted"] += 1
    p["turnout_percent"] = turnout_percent(p["voters_voted"], p["registered_voters"])
    w.sign_results()
    return Injected(f"{level} {unit} announces one voter more than voted (turnout to match)",
                    [w.at_results("V7.5", level, unit)])


def seats_wrong(w: Forger) -> Injected:
    s = next(s for s in w.results["seats"] if sum(x["seats"] for x in s["seats"]) > 1)
    seats = s["seats"]
    rich = max(range(len(seats)), key=lambda i: seats[i]["seats"])
    poor = next(i for i in range(len(seats)) if i != rich and w.contest(s["contest"])["options"][i]["kind"] == "party")
    seats[rich]["seats"] -= 1
    seats[poor]["seats"] += 1
    w.sign_results()
    return Injected(f"one {s['contest']} seat moved from {seats[rich]['option']} to {seats[poor]['option']}",
                    [w.at_results("V8.1", contest=s["contest"], option=seats[rich]["option"]),
                     w.at_results("V8.1", contest=s["contest"], option=seats[poor]["option"])])


# --- catalog coverage: a fault for every check the kinds above leave untested (tests/test_rules.py) -------------

ANOTHER_ELECTION = sha256(b"another election").hex()


def spec_version_unknown(w: Forger) -> Injected:
    w.manifest["spec_version"] = "9.9"
    w.rebuild()
    return Injected("the manifest declares spec version 9.9; everything signed again under the new fingerprint",
                    [_where("V1.1", file=layout.MANIFEST)])


def manifest_inconsistent(w: Forger) -> Injected:
    region = {d["id"]: d["region"] for d in w.manifest["districts"]}

    def outside(station: dict, style: dict) -> list[str]:
        district = station["district"]
        return [cid for cid in style["contests"] if not (
            (s := w.contest(cid)["scope"])["level"] == "nation" or s.get("unit") in (district, region[district]))]

    options = [(st, style, bad) for st in w.manifest["polling_stations"] for style in w.manifest["ballot_styles"]
               if (bad := outside(st, style))]
    station, style, bad = w.pick(sorted(options, key=lambda o: (o[0]["id"], o[1]["id"])),
                                 "ballot style outside some station's territory")
    station["ballot_style"] = style["id"]
    return Injected(f"polling station {station['id']} given ballot style {style['id']}, whose {', '.join(bad)} "
                    f"belong to another territory: nothing after the manifest can be checked",
                    [_where("V1.5", file=layout.MANIFEST, polling_station=station["id"], contest=cid) for cid in bad])


def _registry_changed(w: Forger) -> None:
    """The registry as it now is, committed to by the manifest before the election: everything set up again."""
    w.commit_registry()
    w.rebuild()


def registrar_signature_invalid(w: Forger) -> Injected:
    vid = w.never_voted()
    line = next(i for i, v in enumerate(w.registry) if v["voter_id"] == vid)
    v = w.registry[line]
    w.registry[line] = sign_object(w.authority("collector"), layout.REGISTRY_TAG, w.eid, v, "registrar_signature")
    _registry_changed(w)
    return Injected(f"registry line {line + 1} (voter {vid}) signed by the collector's key instead of the "
                    f"registrar's; the manifest commits to the registry as it is",
                    [_where("V2.2", file=layout.REGISTRY, line=line + 1, voter_id=vid,
                            polling_station=v["polling_station"]), *w.turnout_differs(v["polling_station"])])


def voter_id_twice(w: Forger) -> Injected:
    vid = w.never_voted()
    first = w.station_of(vid)
    station = w.pick(sorted(s for s in w.stations if s != first), "other polling station")
    w.register(vid, station, "ed25519", SigningKey.generate("ed25519", w.rng).public_bytes)
    _registry_changed(w)
    return Injected(f"voter id {vid} (registered at {first}) registered again at {station} with another key; the "
                    f"manifest commits to it", [_where("V2.3", file=layout.REGISTRY, line=len(w.registry),
                                                       voter_id=vid, polling_station=station)])


def voter_unknown_station(w: Forger) -> Injected:
    vid = w.new_voter_id()
    w.register(vid, "PS-NOWHERE", "ed25519", SigningKey.generate("ed25519", w.rng).public_bytes)
    _registry_changed(w)
    return Injected(f"voter {vid} registered at polling station PS-NOWHERE, which the manifest does not have",
                    [_where("V2.5", file=layout.REGISTRY, line=len(w.registry), voter_id=vid,
                            polling_station="PS-NOWHERE")])


def voter_key_invalid(w: Forger) -> Injected:
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    w.register(vid, station, "ed25519", (2).to_bytes(32, "little"))  # y = 2: not the encoding of a curve point
    _registry_changed(w)
    return Injected(f"voter {vid} registered at {station} with 32 bytes that are not an Ed25519 public key",
                    [_where("V2.5", file=layout.REGISTRY, line=len(w.registry), voter_id=vid,
                            polling_station=station), *w.turnout_differs(station)])


def unregistered_voter_ballot(w: Forger) -> Injected:
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    signer = SigningKey.generate("ed25519", w.rng)
    context, ballot_id = sha256(signer.public_bytes), w.rng.token_bytes(16)
    received = w.free_time()
    env = {"ballot_id": ballot_id.hex(), "cast_at": time_text(received - timedelta(seconds=5)),
           "election_fingerprint": w.fp.hex(), "election_id": w.eid, "key_fingerprint": context.hex(),
           "voter_id": vid, "contests": [w.contest_ballot(c, w.choose(c), context=context, ballot_id=ballot_id)
                                         for c in w.style(station)]}
    w.sign_envelope(env, signer)
    entry = Entry(env, {"received_at": time_text(received)}, decision=("excluded", "invalid"))
    w.box.insert(sum(1 for e in w.box if e.receipt["received_at"] <= time_text(received)), entry)
    w.rechain()
    w.recount()
    return Injected(f"the collector accepts ballot {entry.ballot_id} of {vid}, who is not registered (line "
                    f"{w.line_of(entry)}); the commission excludes it as invalid", [w.at_box("V3.1", entry)])


def _rebound(w: Forger, field: str, value: str, what: str) -> Injected:
    vid = w.never_voted()
    entry = w.cast(vid)
    entry.envelope[field] = value
    w.sign_envelope(entry.envelope, w.voter_key(vid))
    entry.decision = ("excluded", "invalid")
    w.rechain()
    w.recount()
    return Injected(f"voter {vid}'s client signs ballot {entry.ballot_id} naming {what}; the collector accepts it, "
                    f"the commission excludes it as invalid", [w.at_box("V3.3", entry)])


def envelope_other_election_id(w: Forger) -> Injected:
    return _rebound(w, "election_id", "another-election", "election id another-election")


def envelope_other_fingerprint(w: Forger) -> Injected:
    return _rebound(w, "election_fingerprint", ANOTHER_ELECTION, "another election's fingerprint")


def envelope_other_key_fingerprint(w: Forger) -> Injected:
    return _rebound(w, "key_fingerprint", sha256(b"another key").hex(), "a key fingerprint that is not its key's")


def _relink(w: Forger, start: int) -> None:
    """Receipts after box index `start` linked again to the entries before them, and the head; the receipt at
    `start` is left as it is."""
    collector = w.authority("collector")
    previous = sha256(w.box[start].line_bytes())
    for i, e in enumerate(w.box[start + 1:], start + 2):
        e.receipt = publish.receipt(collector, w.eid, i, e.receipt["received_at"],
                                    sha256(canonical.dumps(e.envelope)), previous)
        previous = sha256(e.line_bytes())
    w.sign_head()


def _bad_receipt(w: Forger, signer_role: str, envelope_hash: str | None, what: str) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    w.rechain()
    receipt = dict(entry.receipt)
    if envelope_hash is not None:
        receipt["envelope_hash"] = envelope_hash
    entry.receipt = sign_object(w.authority(signer_role), layout.RECEIPT_TAG, w.eid, receipt, "collector_signature")
    _relink(w, w.line_of(entry) - 1)
    w.recount()
    return Injected(f"ballot {entry.ballot_id} of voter {vid}: {what}; the chain links it, the commission counts it",
                    [w.at_box("V3.6", entry), *w.counted_though_invalid(entry)])


def receipt_signature_invalid(w: Forger) -> Injected:
    return _bad_receipt(w, "commission", None, "its receipt is signed by the commission's key, not the collector's")


def receipt_other_envelope(w: Forger) -> Injected:
    return _bad_receipt(w, "collector", sha256(b"another envelope").hex(),
                        "its receipt, signed by the collector, hashes another envelope")


def _bad_head(w: Forger, what: str, signer_role: str = "collector", extra: int = 0,
              before_last: bool = False) -> Injected:
    last = w.box[-2] if before_last else w.box[-1]
    w.head = publish.box_head(w.authority(signer_role), w.eid, len(w.box) + extra, sha256(last.line_bytes()),
                              w.head["closed_at"])
    return Injected(f"the ballot box head {what}", [_where("V3.8", file=layout.BALLOT_BOX_HEAD)])


def head_entries_wrong(w: Forger) -> Injected:
    return _bad_head(w, "claims one entry more than the box has", extra=1)


def head_hash_wrong(w: Forger) -> Injected:
    return _bad_head(w, "names the entry before the last", before_last=True)


def head_signature_invalid(w: Forger) -> Injected:
    return _bad_head(w, "is signed by the commission's key, not the collector's", signer_role="commission")


def _cancel(w: Forger, vid: str, station: str, at: str, signer: SigningKey) -> dict:
    ack = {"voter_id": vid, "polling_station": station, "paper_voted_at": at}
    ack["voter_signature"] = signer.sign(signed_message(layout.PAPER_BALLOT_TAG, w.eid, canonical.dumps(ack))).hex()
    line = sign_object(w.authority("commission"), layout.CANCELLATION_TAG, w.eid, ack, "commission_signature")
    w.cancellations.append(line)
    w.recount()
    return _where("V5.2", file=layout.CANCELLATIONS, line=len(w.cancellations), voter_id=vid, polling_station=station)


def _election_day(w: Forger, hour: int = 9) -> str:
    return f"{w.manifest['election_day']}T{hour:02d}:00:00Z"


def cancellation_unregistered(w: Forger) -> Injected:
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    where = _cancel(w, vid, station, _election_day(w), SigningKey.generate("ed25519", w.rng))
    return Injected(f"the cancellation list names {vid}, who is not registered", [where])


def cancellation_other_station(w: Forger) -> Injected:
    vid = w.never_voted()
    station = w.pick(sorted(s for s in w.stations if s != w.station_of(vid)), "other polling station")
    where = _cancel(w, vid, station, _election_day(w), w.voter_key(vid))
    return Injected(f"the cancellation list says voter {vid} voted on paper at {station}, not where registered",
                    [where])


def cancellation_not_election_day(w: Forger) -> Injected:
    vid = w.never_voted()
    at = time_text(parse_time(_election_day(w)) - timedelta(days=1))
    where = _cancel(w, vid, w.station_of(vid), at, w.voter_key(vid))
    return Injected(f"the cancellation list says voter {vid} voted on paper at {at}, the day before election day",
                    [where])


def cancellation_listed_twice(w: Forger) -> Injected:
    first = w.cancellations[w.rng.randbelow(len(w.cancellations))]
    w.cancellations.append(dict(first))
    w.recount()
    return Injected(f"voter {first['voter_id']}'s cancellation listed a second time",
                    [_where("V5.2", file=layout.CANCELLATIONS, line=len(w.cancellations), voter_id=first["voter_id"],
                            polling_station=first["polling_station"])])


def _signed_other(w: Forger, doc: dict, tag: str, role: str, fingerprint: str | None) -> dict:
    doc = dict(doc)
    if fingerprint is not None:
        doc["election_fingerprint"] = fingerprint
    return sign_object(w.authority(role), tag, w.eid, doc, "commission_signature")


def tally_other_election(w: Forger) -> Injected:
    w.tally = _signed_other(w, w.tally, layout.TALLY_TAG, "commission", ANOTHER_ELECTION)
    return Injected("the tally, signed by the commission, names another election's fingerprint",
                    [_where("V6.1", file=layout.TALLY)])


def tally_signature_invalid(w: Forger) -> Injected:
    w.tally = _signed_other(w, w.tally, layout.TALLY_TAG, "registrar", None)
    return Injected("the tally signed by the registrar's key, not the commission's", [_where("V6.1", file=layout.TALLY)])


def results_other_election(w: Forger) -> Injected:
    w.results = _signed_other(w, w.results, layout.RESULTS_TAG, "commission", ANOTHER_ELECTION)
    return Injected("the results, signed by the commission, name another election's fingerprint",
                    [_where("V7.1", file=layout.RESULTS)])


def results_signature_invalid(w: Forger) -> Injected:
    w.results = _signed_other(w, w.results, layout.RESULTS_TAG, "registrar", None)
    return Injected("the results signed by the registrar's key, not the commission's",
                    [_where("V7.1", file=layout.RESULTS)])


def aggregate_twice(w: Forger) -> Injected:
    a = w.pick(sorted(w.tally["aggregates"], key=lambda a: (a["contest"], a["polling_station"])), "aggregate")
    w.tally["aggregates"].append(json.loads(json.dumps(a)))
    w.sign_tally()
    return Injected(f"the {a['contest']} aggregate of {a['polling_station']} listed twice in the tally",
                    [w.at_tally("V6.2", a["contest"], a["polling_station"])])


def aggregate_unknown(w: Forger) -> Injected:
    pairs = sorted((c["id"], s) for s in w.stations for c in w.manifest["contests"] if c["id"] not in w.style(s))
    cid, station = w.pick(pairs, "contest outside a station's ballot style")
    w.tally["aggregates"].append(w.aggregate(cid, station, 0, 1))
    w.sign_tally()
    return Injected(f"the tally has an (empty) {cid} aggregate for {station}, whose ballot style lacks {cid}",
                    [w.at_tally("V6.2", cid, station)])


def _station_protocol(w: Forger) -> dict:
    return w.pick(sorted((p for p in w.results["protocols"] if p["level"] == "polling_station"),
                         key=lambda p: p["unit"]), "polling-station protocol")


def protocol_twice(w: Forger) -> Injected:
    p = _station_protocol(w)
    w.results["protocols"].append(json.loads(json.dumps(p)))
    w.sign_results()
    return Injected(f"the protocol of {p['unit']} announced twice", [w.at_results("V7.2", p["level"], p["unit"])])


def protocol_unknown_unit(w: Forger) -> Injected:
    p = json.loads(json.dumps(_station_protocol(w)))
    p["unit"] = "PS-NOWHERE"
    w.results["protocols"].append(p)
    w.sign_results()
    return Injected("a protocol announced for polling station PS-NOWHERE, which the manifest does not have",
                    [w.at_results("V7.2", "polling_station", "PS-NOWHERE")])


def protocol_contest_twice(w: Forger) -> Injected:
    p = _station_protocol(w)
    r = p["contests"][0]
    p["contests"].append(json.loads(json.dumps(r)))
    w.sign_results()
    where = w.at_results("V7.2", p["level"], p["unit"], r["contest"])
    return Injected(f"the protocol of {p['unit']} announces {r['contest']} twice", [where, where])  # each copy


# ===================================================================================================== the matrix

AUTH, PAILLIER, VOTERS = "authority", "paillier", "voters"


@dataclass(frozen=True)
class Fault:
    kind: str
    actor: str
    title: str
    checks: tuple[str, ...]  # the checks that fail, and no other
    needs: tuple[str, ...]  # parts of the secrets (SECRET_PARTS)
    inject: Callable[[Forger], Injected]
    why: str = ""  # why more than one check fails, where that is so (or how the fault can be seen at all)
    receipts: bool = False  # shown only by the receipts voters kept (verify with the receipts file)
    anchored: bool = False  # shown only against the fingerprint published before the vote (verify --expect-fingerprint)


UNREGISTERED = "a registry line that fails registers nobody (§4.2), so the id's ballot fails V3.1; the " \
    "commission counts it: its list (V5.5), each aggregate holding it (V6.2, product and number of ballots), and " \
    "registered voters and voters-voted at the station and every level above (V7.5) are each wrong"
REGISTERS_NOBODY = "a line that fails it registers nobody (§4.2): the commission's registered voters count one " \
                   "voter too many at the station and every level above (V7.5)"
COUNTED = "the commission counts what the rules exclude: its list (V5.5), each aggregate holding it (V6.2, product " \
          "and number of ballots) and voters-voted at the station and every level above (V7.5) are each wrong"

FAULTS: tuple[Fault, ...] = (
    Fault("key-small-factor", "key holder", "election key n with the prime factor 65539 (above tier 1's bound, "
          "≡ 3 mod 4)", ("V1.2",), (AUTH, PAILLIER, VOTERS), key_small_factor),
    Fault("key-three-primes", "key holder", "election key n = p·q·r, r a prime just above 2^20, with a valid tier-1 "
          "proof", ("V1.7",), (AUTH, PAILLIER, VOTERS), key_three_primes,
          why="one finding per round of the modulus proof that has no fourth root (about half of them)"),
    Fault("key-modulus-proof", "key holder", "one value of the modulus proof altered", ("V1.7",),
          (AUTH, PAILLIER, VOTERS), key_modulus_proof_altered),
    Fault("record-replaced", "anyone", "the whole record set up again under a new election key: consistent in "
          "itself", ("V1.9",), (AUTH, PAILLIER, VOTERS), record_replaced, anchored=True,
          why="every other step passes: only the fingerprint the commission published before the vote (verify "
              "--expect-fingerprint) tells the record from the real one"),
    Fault("key-generator", "key holder", "election key published with g ≠ n + 1", ("V1.3",), (AUTH, PAILLIER, VOTERS),
          key_generator),
    Fault("key-proof", "key holder", "tier-1 key-correctness proof value altered", ("V1.4",),
          (AUTH, PAILLIER, VOTERS), key_proof_altered),
    Fault("ghost-voter", "registrar", "voter added to the registry after the manifest committed to it (re-signed)",
          ("V2.1",), (AUTH, PAILLIER), ghost_voter),
    Fault("ghost-voter-votes", "registrar", "the ghost voter of ghost-voter also casts a counted ballot", ("V2.1",),
          (AUTH, PAILLIER), lambda w: ghost_voter(w, votes=True)),
    Fault("double-registration", "registrar", "one person registered twice (same key, two voter ids), both vote",
          ("V2.4", "V3.1", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER, VOTERS), double_registration,
          why="the second line registers nobody (V2.4), " + UNREGISTERED[UNREGISTERED.index("so the id's"):]),
    Fault("small-order-key", "registrar", "voter registered with the Ed25519 identity key; a ballot forged in its "
          "name (R = identity, S = 0), counted", ("V2.5", "V3.1", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER),
          small_order_key, why=UNREGISTERED),
    Fault("twin-key", "registrar", "a voter's key A registered again as the mixed-order twin A + T under a second "
          "id; both vote, the twin's ballot signed with A's secret, counted", ("V2.5", "V3.1", "V5.5", "V6.2", "V7.5"),
          (AUTH, PAILLIER, VOTERS), twin_key, why=UNREGISTERED),
    Fault("authority-key-small-order", "commission", "the commission's key in the manifest replaced by the identity "
          "point, everything it signs forged with R = identity, S = 0",
          ("V1.6", "V5.1", "V5.5", "V6.1", "V6.2", "V7.1", "V7.5"), (AUTH, PAILLIER), authority_key_small_order,
          why="no signature under an invalid key verifies, so each document the commission signed fails its own "
              "check (V5.1 every cancellation, V6.1, V7.1); without valid cancellations the e-votes they excluded "
              "count by the rules: the list (V5.5), the aggregates (V6.2) and voters-voted (V7.5) follow the wrong "
              "list"),
    Fault("ghost-ballot", "collector", "ballot of a registered voter who never voted, under a forged signature, "
          "counted", ("V3.2", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER), ghost_ballot, why=COUNTED),
    Fault("foreign-signature", "collector", "a voter's ballot signed with another voter's key, counted",
          ("V3.2", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER, VOTERS), foreign_signature, why=COUNTED),
    Fault("contest-outside-style", "voter client", "ballot for a contest outside the voter's ballot style, counted",
          ("V3.4", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER, VOTERS), contest_outside_style, why=COUNTED),
    Fault("outside-voting-period", "voter client", "envelope cast and received after e-voting closed, counted",
          ("V3.5", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER, VOTERS), outside_voting_period, why=COUNTED),
    Fault("ballot-dropped", "collector", "valid ballot dropped from the box (list, tally, results, head recomputed)",
          ("V3.7",), (AUTH, PAILLIER), ballot_dropped),
    Fault("ballot-dropped-rechained", "collector", "valid ballot dropped and the hash chain renumbered, relinked and "
          "re-signed", ("V3.10",), (AUTH, PAILLIER), ballot_dropped_rechained, receipts=True,
          why="the record alone is consistent; the receipts voters kept show the dropped ballot, and that every "
              "later receipt no longer matches (one finding for the rewrite)"),
    Fault("box-truncated", "collector", "the last ballot cut off the box, head re-signed", ("V3.10",),
          (AUTH, PAILLIER), box_truncated, receipts=True,
          why="the record alone is consistent; only the voter's receipt shows it"),
    Fault("duplicate-ballot", "collector", "a ballot appears twice in the box, both counted",
          ("V3.9", "V5.5", "V6.2"), (AUTH, PAILLIER), duplicate_ballot,
          why="the repeat is not a ballot (V3.9); counting it is the commission's error (V5.5) and puts it twice "
              "into its station's aggregates (V6.2)"),
    Fault("revote-reordered", "collector", "receipts reordered so that a voter's earlier e-vote becomes the last",
          ("V3.7",), (AUTH, PAILLIER), revote_reordered),
    Fault("revote-reordered-retimed", "collector", "as revote-reordered, with the moved receipt's time pushed up to "
          "keep the chain's times in order", ("V3.5", "V5.5", "V6.2"), (AUTH, PAILLIER), revote_reordered_retimed,
          why="the moved ballot's receipt comes too late after its signed cast time (V3.5), so it is invalid and the "
              "voter's other e-vote counts by the rules: the commission's list is wrong on both (V5.5) and its "
              "aggregates hold the other ciphertexts (V6.2)"),
    Fault("ciphertext-altered", "collector", "a counted ballot's ciphertext changed to another vote "
          "(homomorphically)", ("V3.2", "V4.2", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER), ciphertext_altered,
          why="the voter's signature covers the ciphertext (V3.2) and so does the proof (V4.2); then " + COUNTED),
    Fault("ciphertext-zero", "voter client", "a ciphertext of 0 (excluded as invalid by the commission)",
          ("V4.1", "V4.2"), (AUTH, PAILLIER, VOTERS), ciphertext_zero,
          why="a proof about a non-ciphertext fails its own range check"),
    Fault("ciphertext-not-unit", "voter client", "a ciphertext sharing the factor p with n (excluded as invalid)",
          ("V4.1", "V4.2"), (AUTH, PAILLIER, VOTERS), ciphertext_not_unit,
          why="a proof about a non-unit fails its own unit check"),
    Fault("ciphertext-too-large", "voter client", "a ciphertext ≥ n² (excluded as invalid)", ("V4.1", "V4.2"),
          (AUTH, PAILLIER, VOTERS), ciphertext_too_large, why="a proof about a non-ciphertext fails its own range check"),
    Fault("proof-value-altered", "voter client", "a proof value (z_0) altered, counted",
          ("V4.2", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER, VOTERS), proof_value_altered, why=COUNTED),
    Fault("proof-other-ballot", "voter client", "a re-vote reusing the ciphertext and proof of the voter's own earlier "
          "ballot, counted", ("V4.2", "V5.5", "V6.2"), (AUTH, PAILLIER, VOTERS), proof_other_ballot,
          why="the re-vote is invalid (V4.2), so the earlier ballot counts by the rules: the list is wrong on both "
              "(V5.5) and the aggregates of the other contests hold the re-vote's ciphertexts (V6.2)"),
    Fault("proof-other-voter", "voter client", "ciphertext and proof copied from another voter's ballot, counted",
          ("V4.2", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER, VOTERS), proof_other_voter, why=COUNTED),
    Fault("proof-other-contest", "voter client", "proof made for another contest, counted",
          ("V4.2", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER, VOTERS), proof_other_contest, why=COUNTED),
    Fault("proof-other-election", "voter client", "proof made for another election, counted",
          ("V4.2", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER, VOTERS), proof_other_election, why=COUNTED),
    Fault("two-votes", "voter client", "ballot encrypting two votes, proof made for a different statement, counted",
          ("V4.2", "V5.5", "V6.2", "V6.4", "V7.5"), (AUTH, PAILLIER, VOTERS), two_votes,
          why=COUNTED + "; and the decrypted counts no longer sum to the ballots (V6.4)"),
    Fault("negative-vote", "voter client", "ballot encrypting −1 vote, proof made for a different statement, counted",
          ("V4.2", "V5.5", "V6.2", "V6.4", "V7.5"), (AUTH, PAILLIER, VOTERS), negative_vote,
          why=COUNTED + "; and the decrypted counts no longer sum to the ballots (V6.4)"),
    Fault("unknown-option", "voter client", "ballot encrypting a vote for an option that does not exist, proof made "
          "for a different statement, counted", ("V4.2", "V5.5", "V6.2", "V6.4", "V7.5"), (AUTH, PAILLIER, VOTERS),
          unknown_option, why=COUNTED + "; and the plaintext no longer fits the contest's slots (V6.4)"),
    Fault("paper-voter-counted", "commission", "e-vote counted although the voter voted on paper",
          ("V5.4", "V6.2", "V7.5"), (AUTH, PAILLIER), paper_voter_counted,
          why="the aggregates (V6.2) and voters-voted (V7.5) follow the wrong list"),
    Fault("superseded-counted", "commission", "a superseded e-vote counted as well as the voter's last",
          ("V5.3", "V6.2"), (AUTH, PAILLIER), superseded_counted, why="the aggregates (V6.2) follow the wrong list"),
    Fault("fake-cancellation", "commission", "cancellation list names a voter who never voted on paper (re-signed); "
          "the e-vote is excluded", ("V5.1", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER), fake_cancellation,
          why="the commission cannot forge the voter's poll-book signature (V5.1); the e-vote it excluded counts by "
              "the rules (V5.5), and the aggregates (V6.2) and voters-voted (V7.5) follow the wrong list"),
    Fault("valid-ballot-excluded", "commission", "a valid e-vote excluded as invalid", ("V5.5", "V6.2", "V7.5"),
          (AUTH, PAILLIER), valid_ballot_excluded, why="the aggregates (V6.2) and voters-voted (V7.5) follow the list"),
    Fault("counted-ghost", "commission", "the counted list names a ballot that is not in the box, and the tally "
          "includes it", ("V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER), counted_ghost,
          why="the aggregates (V6.2) and voters-voted (V7.5) follow the wrong list"),
    Fault("counted-missing", "commission", "a valid box ballot missing from the counted list and the tally",
          ("V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER), counted_missing,
          why="the aggregates (V6.2) and voters-voted (V7.5) follow the list"),
    Fault("tally-includes-excluded", "commission", "the list truly excludes a cancelled e-vote but the tally includes "
          "it", ("V6.2",), (AUTH, PAILLIER), tally_includes_excluded),
    Fault("aggregate-altered", "commission", "an aggregate ciphertext altered (one vote moved), decrypted and proved",
          ("V6.2",), (AUTH, PAILLIER), aggregate_altered),
    Fault("decryption-off-by-one", "commission", "decrypted count off by one with a forged decryption proof",
          ("V6.3",), (AUTH, PAILLIER), decryption_off_by_one),
    Fault("tally-counts-wrong", "commission", "a published count differs from the decrypted plaintext", ("V6.4",),
          (AUTH, PAILLIER), tally_counts_wrong),
    Fault("station-count-wrong", "commission", "announced count wrong at one polling station (levels above left "
          "as they were: the levels do not sum)", ("V7.3",), (AUTH,), station_count_wrong),
    Fault("district-count-wrong", "commission", "announced count wrong at one district: levels that do not sum",
          ("V7.4",), (AUTH,), district_count_wrong),
    Fault("region-count-wrong", "commission", "announced count wrong at one region: levels that do not sum",
          ("V7.4",), (AUTH,), region_count_wrong),
    Fault("nation-count-wrong", "commission", "announced national count wrong: levels that do not sum", ("V7.4",),
          (AUTH,), nation_count_wrong),
    Fault("wrong-count-carried-up", "commission", "a wrong station count carried up through every level (the levels "
          "sum)", ("V7.3", "V7.4"), (AUTH,), wrong_count_carried_up,
          why="each level's figure differs from the verified tallies: named at the station (V7.3) and at its "
              "district, region and nation (V7.4)"),
    Fault("turnout-wrong", "commission", "turnout percentage wrong at one district", ("V7.5",), (AUTH,),
          turnout_wrong),
    Fault("voters-voted-wrong", "commission", "voters who voted inflated at one polling station (turnout to match)",
          ("V7.5",), (AUTH,), voters_voted_wrong),
    Fault("seats-wrong", "commission", "one seat moved between two parties", ("V8.1",), (AUTH,), seats_wrong),
    # catalog coverage: every check of the catalog fails in some kind (tests/test_rules.py)
    Fault("spec-version-unknown", "commission", "the manifest declares a spec version this verifier does not "
          "implement (everything re-signed)", ("V1.1",), (AUTH, PAILLIER, VOTERS), spec_version_unknown),
    Fault("manifest-inconsistent", "commission", "a polling station given a ballot style of another territory",
          ("V1.5",), (), manifest_inconsistent,
          why="one check fails; every step after the setup is not run (nothing can be checked against an "
              "inconsistent manifest)"),
    Fault("registrar-signature-invalid", "registrar", "a registry line signed by another authority's key "
          "(committed to by the manifest)", ("V2.2", "V7.5"), (AUTH, PAILLIER, VOTERS), registrar_signature_invalid,
          why=REGISTERS_NOBODY),
    Fault("voter-id-twice", "registrar", "a voter id registered twice, at two stations with two keys",
          ("V2.3",), (AUTH, PAILLIER, VOTERS), voter_id_twice),
    Fault("voter-unknown-station", "registrar", "a voter registered at a polling station the manifest does not have",
          ("V2.5",), (AUTH, PAILLIER, VOTERS), voter_unknown_station),
    Fault("voter-key-invalid", "registrar", "a voter registered with bytes that are not an Ed25519 key",
          ("V2.5", "V7.5"), (AUTH, PAILLIER, VOTERS), voter_key_invalid,
          why=REGISTERS_NOBODY),
    Fault("unregistered-voter-ballot", "collector", "a ballot of an unregistered voter id accepted (excluded by the "
          "commission)", ("V3.1",), (AUTH, PAILLIER, VOTERS), unregistered_voter_ballot),
    Fault("envelope-other-election-id", "voter client", "an envelope naming another election id (excluded)",
          ("V3.3",), (AUTH, PAILLIER, VOTERS), envelope_other_election_id),
    Fault("envelope-other-fingerprint", "voter client", "an envelope naming another election's fingerprint "
          "(excluded)", ("V3.3",), (AUTH, PAILLIER, VOTERS), envelope_other_fingerprint),
    Fault("envelope-other-key-fingerprint", "voter client", "an envelope naming a key fingerprint that is not the "
          "voter's registered key (excluded)", ("V3.3",), (AUTH, PAILLIER, VOTERS), envelope_other_key_fingerprint),
    Fault("receipt-signature-invalid", "collector", "a receipt not signed by the collector, counted",
          ("V3.6", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER), receipt_signature_invalid, why=COUNTED),
    Fault("receipt-other-envelope", "collector", "a receipt hashing another envelope, counted",
          ("V3.6", "V5.5", "V6.2", "V7.5"), (AUTH, PAILLIER), receipt_other_envelope, why=COUNTED),
    Fault("head-entries-wrong", "collector", "the signed head claims one entry more than the box has", ("V3.8",),
          (AUTH,), head_entries_wrong),
    Fault("head-hash-wrong", "collector", "the signed head names the entry before the last", ("V3.8",), (AUTH,),
          head_hash_wrong),
    Fault("head-signature-invalid", "collector", "the head signed by another authority's key", ("V3.8",), (AUTH,),
          head_signature_invalid),
    Fault("cancellation-unregistered", "commission", "a cancellation of a voter id that is not registered",
          ("V5.2",), (AUTH, PAILLIER), cancellation_unregistered),
    Fault("cancellation-other-station", "commission", "a cancellation at a station other than the voter's",
          ("V5.2",), (AUTH, PAILLIER, VOTERS), cancellation_other_station),
    Fault("cancellation-not-election-day", "commission", "a paper vote dated the day before election day",
          ("V5.2",), (AUTH, PAILLIER, VOTERS), cancellation_not_election_day),
    Fault("cancellation-listed-twice", "commission", "a voter's cancellation listed twice", ("V5.2",),
          (AUTH, PAILLIER), cancellation_listed_twice),
    Fault("tally-other-election", "commission", "the tally names another election's fingerprint", ("V6.1",),
          (AUTH,), tally_other_election),
    Fault("tally-signature-invalid", "commission", "the tally signed by another authority's key", ("V6.1",),
          (AUTH,), tally_signature_invalid),
    Fault("aggregate-twice", "commission", "an aggregate listed twice in the tally", ("V6.2",), (AUTH,),
          aggregate_twice),
    Fault("aggregate-unknown", "commission", "an aggregate for a contest outside the station's ballot style",
          ("V6.2",), (AUTH, PAILLIER), aggregate_unknown),
    Fault("results-other-election", "commission", "the results name another election's fingerprint", ("V7.1",),
          (AUTH,), results_other_election),
    Fault("results-signature-invalid", "commission", "the results signed by another authority's key", ("V7.1",),
          (AUTH,), results_signature_invalid),
    Fault("protocol-twice", "commission", "a polling station's protocol announced twice", ("V7.2",), (AUTH,),
          protocol_twice),
    Fault("protocol-unknown-unit", "commission", "a protocol for a polling station the manifest does not have",
          ("V7.2",), (AUTH,), protocol_unknown_unit),
    Fault("protocol-contest-twice", "commission", "a contest announced twice in one protocol", ("V7.2",), (AUTH,),
          protocol_contest_twice),
)

BY_KIND = {f.kind: f for f in FAULTS}


def missing_secrets(fault: Fault, secrets: Secrets | None) -> list[str]:
    """The parts of the secrets the fault needs that are not there (all of them without a secrets file)."""
    have = set()
    if secrets is not None:
        if all(r in secrets.authorities for r in ("registrar", "collector", "commission")):
            have.add(AUTH)
        if secrets.paillier_p and secrets.paillier_q:
            have.add(PAILLIER)
        if secrets.voters:
            have.add(VOTERS)
    return [part for part in fault.needs if part not in have]


def inject(record, out: Path, kind: str, secrets: Secrets, seed: str = "tamper") -> Injected:
    """Read the record at `record` (directory or archive), inject one fault of `kind`, write the result to `out`."""
    fault = BY_KIND[kind]
    if missing := missing_secrets(fault, secrets):
        raise FaultError(f"{kind} needs {' and '.join(SECRET_PARTS[m] for m in missing)}")
    with open_record(record) as root:
        w = Forger(Path(root), secrets, seed)
    injected = fault.inject(w)
    w.publish(out)
    return injected


def load_secrets(path: Path) -> Secrets:
    """The secrets file written by `simulate --secrets`."""
    try:
        return Secrets.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise FaultError(f"{path}: not a secrets file written by `simulate --secrets` ({type(e).__name__}: {e})") \
            from None


def spec_table() -> str:
    """SPEC.md §9: the matrix as Markdown, from FAULTS (`tally-verifier tamper --list --markdown`)."""
    rows = ["## 9. Fault matrix", "",
            "`tally-verifier tamper RECORD OUT --fault KIND --secrets FILE` writes a copy of a valid simulated record "
            "with exactly one fault of the kind, made by the actor named. The actor re-signs with the authority's own "
            "keys everything downstream it can — receipts, hash chain and head; the list of counted ballots; the "
            "tally, multiplied, decrypted and proved again with the Paillier factors; the results, every level summed "
            "again and the seats allocated again — with the honest authority's arithmetic (redone on a valid record "
            "it gives back every file byte for byte), so that every published document is consistent with the others "
            "and only the deeper check can catch the fault. A voter's signature is never forged: where the actor is a "
            "voter's client, the voter's own key signs. `tally-verifier tamper --list` prints this list; "
            "`--seed` chooses the ballot, voter or unit hit.", "",
            "The test suite injects every kind into a simulated record and requires exactly the checks listed to "
            "fail, each finding at exactly the place the injector names (file and line, ballot id, voter id, polling "
            "station, contest, option, level and unit), and no other check to fail or not run (where V1.5 fails, "
            "every step after the setup is not run: an inconsistent manifest stops the run); with other seeds too "
            "(`pytest -m slow`).", "",
            "| kind | actor | fault | fails | note: why more than one check fails |", "|---|---|---|---|---|"]
    for f in FAULTS:
        rows.append(f"| `{f.kind}` | {f.actor} | {f.title} | {', '.join(f.checks)} | {f.why} |")
    rows += ["",
             "Where more than one check fails, each names a different wrong statement of the record, at its own "
             "place. The commonest case: the commission counts (or drops) a ballot against the rules; the verifier "
             "names its decision (V5.x, with the ballot id), and because the tally is compared with the ballots that "
             "count by the verifier's own recomputation (§4.6), also each aggregate that holds the wrong ballots "
             "(V6.2, contest and polling station) and each protocol whose voters-who-voted figure follows the wrong "
             "list (V7.5, at the station and the three levels above). Announced figures that rest on an aggregate "
             "that did not verify are not compared again (§4.7), so a wrong tally never also shows as wrong results.",
             "",
             "`ballot-dropped-rechained` and `box-truncated` leave a record that is consistent in itself: a collector "
             "that drops a ballot before it signs the head and re-chains what is left can only be caught by the "
             "receipts it signed for the voters. The injector writes them (the box lines each voter's client "
             "received) next to OUT; V3.10 compares them with the box: a receipt whose ballot is not in the box is "
             "named by itself; receipts whose lines were rewritten after they were issued are named once, at the "
             "first."]
    return "\n".join(rows) + "\n"
