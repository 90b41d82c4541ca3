"""Faults of the voter's client: ciphertexts and validity proofs that are not what they claim (V4.x)."""
import json
from collections.abc import Callable

from verifier.simulate.publish import (
    hex_int,
)
from verifier.simulate.spec import (
    option_message,
    sha256,
)
from verifier.simulate.tamper import Forger, Injected


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
    style = w.style(w.station(vid))
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
    station = w.station(vid)
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


def proof_value_not_unit(w: Forger) -> Injected:
    def bad(w, vid, ballot_id, cid):
        cb = _honest(w, vid, ballot_id, cid)
        z = cb["proof"]["z"]
        z[-1] = hex_int(w.p * (1 + int(z[-1], 16) % w.q) % w.n, w.key.width)  # p: the row needs the secrets
        return cb

    return _counted_bad_ballot(w, "proof has its last z sharing the factor p with n", bad)


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
    station = w.station(vid)
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


# kind → injector: the matrix (matrix.py) names the kinds, this module injects these
INJECTORS = {
    "ciphertext-altered": ciphertext_altered,
    "ciphertext-zero": ciphertext_zero,
    "ciphertext-not-unit": ciphertext_not_unit,
    "ciphertext-too-large": ciphertext_too_large,
    "proof-value-altered": proof_value_altered,
    "proof-value-not-unit": proof_value_not_unit,
    "proof-other-ballot": proof_other_ballot,
    "proof-other-voter": proof_other_voter,
    "proof-other-contest": proof_other_contest,
    "proof-other-election": proof_other_election,
    "two-votes": two_votes,
    "negative-vote": negative_vote,
    "unknown-option": unknown_option,
}
