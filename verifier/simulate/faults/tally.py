"""Faults of the commission's tally: aggregates, decryptions and their proofs (V6.x)."""
import json

import gmpy2

from verifier.simulate import spec
from verifier.simulate.faults.common import ANOTHER_ELECTION, _signed_other
from verifier.simulate.spec import (
    option_message,
)
from verifier.simulate.tamper import Forger, Injected, _where


def tally_includes_excluded(w: Forger) -> Injected:
    vid = w.paper_voter()
    entry = w.ballots_of(vid)[-1]
    entry.tally_anyway = True
    w.recount()
    station = w.station(vid)
    return Injected(f"the commission's list says voter {vid}'s e-vote {entry.ballot_id} is cancelled (true), but its "
                    f"tally includes it", w.aggregates_differ(station, w.style(station)))


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
    return Injected(f"aggregate {a['contest']} at {a['polling_station']} decrypted as one vote moved from option {i} "
                    f"to {j}, with a forged decryption proof", [w.at_tally("V6.3", a["contest"], a["polling_station"])])


def tally_counts_wrong(w: Forger) -> Injected:
    a, i, _ = _busy_aggregate(w)
    new = json.loads(json.dumps(a))
    new["counts"][i]["votes"] += 1
    _replace_aggregate(w, a, new)
    return Injected(f"published count of option {new['counts'][i]['option']} in {a['contest']} at "
                    f"{a['polling_station']} is one more than the decrypted plaintext says",
                    [w.at_tally("V6.4", a["contest"], a["polling_station"], new["counts"][i]["option"])])


def tally_other_election(w: Forger) -> Injected:
    w.tally = _signed_other(w, w.tally, spec.TALLY_TAG, "commission", ANOTHER_ELECTION)
    return Injected("the tally, signed by the commission, names another election's fingerprint",
                    [_where("V6.1", file=spec.TALLY)])


def tally_signature_invalid(w: Forger) -> Injected:
    w.tally = _signed_other(w, w.tally, spec.TALLY_TAG, "registrar", None)
    return Injected("the tally signed by the registrar's key, not the commission's", [_where("V6.1", file=spec.TALLY)])


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


# kind → injector: the matrix (matrix.py) names the kinds, this module injects these
INJECTORS = {
    "tally-includes-excluded": tally_includes_excluded,
    "aggregate-altered": aggregate_altered,
    "decryption-off-by-one": decryption_off_by_one,
    "tally-counts-wrong": tally_counts_wrong,
    "tally-other-election": tally_other_election,
    "tally-signature-invalid": tally_signature_invalid,
    "aggregate-twice": aggregate_twice,
    "aggregate-unknown": aggregate_unknown,
}
