"""Faults of a shared key (SPEC §3.9): the dealer's verification keys and the trustees' decryption shares (V1.10,
V6.3). Injected into a simulated record whose key is shared (Fault.record "threshold"). A bad or missing share
with at least w valid ones left is no failure: the record verifies and the report names the trustee among its
warnings (Fault.noted); `expected` then holds the places of those warnings."""
import math

import gmpy2

from verifier.simulate import spec
from verifier.simulate.publish import hex_int
from verifier.simulate.tamper import FaultError, Forger, Injected, _where


def _shared(w: Forger) -> dict:
    """The record's published threshold data (SPEC §2.2)."""
    if w.shared is None:
        raise FaultError("the election key is not shared among trustees (simulate --trustees)")
    return w.shared


def _aggregates(w: Forger, count: int = 1) -> list[dict]:
    """`count` different aggregates with ballots, chosen by the seed."""
    _shared(w)
    pool = sorted((a for a in w.tally["aggregates"] if a["ballots"] > 0),
                  key=lambda a: (a["contest"], a["polling_station"]))
    chosen: list[dict] = []
    for _ in range(count):
        chosen.append(w.pick([a for a in pool if a not in chosen], "aggregate with ballots"))
    return chosen


def _trustee(w: Forger, *, other_than: int = 0, above: int = 0) -> int:
    return w.pick([i for i in range(above + 1, _shared(w)["trustees"] + 1) if i != other_than], "such trustee")


def _shares(a: dict) -> list[dict]:
    return a["decryption_proof"]["shares"]


def _at_share(a: dict, trustee: int) -> dict:
    """Where the verifier names trustee i's share of aggregate a (V6.3)."""
    return _where("V6.3", file=spec.TALLY, contest=a["contest"], polling_station=a["polling_station"],
                  trustee=trustee)


def share_wrong(w: Forger) -> Injected:
    """Trustee i publishes C_i·(1 + n), which would move the decrypted plaintext, with a proof made as for its true
    share (the challenge hashes the claimed one): the hash holds, the first equation cannot."""
    [a] = _aggregates(w)
    i = _trustee(w)
    c = int(a["ciphertext"], 16)
    honest = next(s for s in _shares(a) if s["trustee"] == i)
    claimed = int(honest["share"], 16) * (1 + w.n) % w.key.n2
    _shares(a)[_shares(a).index(honest)] = w.share(i, a["contest"], a["polling_station"], c, claimed=claimed)
    w.sign_tally()
    return Injected(f"trustee {i} publishes a wrong decryption share of the {a['contest']} aggregate at "
                    f"{a['polling_station']} (its share times 1 + n), with a proof made for it",
                    [_at_share(a, i)])


def share_proof_other_aggregate(w: Forger) -> Injected:
    source, target = _aggregates(w, 2)
    i = _trustee(w)
    at = next(k for k, s in enumerate(_shares(target)) if s["trustee"] == i)
    _shares(target)[at] = next(s for s in _shares(source) if s["trustee"] == i)
    w.sign_tally()
    return Injected(f"trustee {i}'s share and proof of the {source['contest']} aggregate at "
                    f"{source['polling_station']} published for the {target['contest']} aggregate at "
                    f"{target['polling_station']}", [_at_share(target, i)])


def share_proof_other_trustee(w: Forger) -> Injected:
    [a] = _aggregates(w)
    i = _trustee(w)
    j = _trustee(w, other_than=i)
    at = next(k for k, s in enumerate(_shares(a)) if s["trustee"] == j)
    _shares(a)[at] = dict(next(s for s in _shares(a) if s["trustee"] == i), trustee=j)
    w.sign_tally()
    return Injected(f"trustee {i}'s share and proof of the {a['contest']} aggregate at {a['polling_station']} "
                    f"published again as trustee {j}'s", [_at_share(a, j)])


def shares_below_threshold(w: Forger) -> Injected:
    """The commission publishes the shares of only w − 1 trustees (all valid) for one aggregate."""
    [a] = _aggregates(w)
    ell, need = _shared(w)["trustees"], _shared(w)["threshold"]
    kept: list[int] = []
    while len(kept) < need - 1:
        kept.append(w.pick([i for i in range(1, ell + 1) if i not in kept], "trustee"))
    a["decryption_proof"]["shares"] = [s for s in _shares(a) if s["trustee"] in kept]
    w.sign_tally()
    return Injected(f"the {a['contest']} aggregate at {a['polling_station']} published with the shares of trustees "
                    f"{', '.join(map(str, sorted(kept)))} only: {need - 1} of the {need} needed",
                    [_where("V6.3", file=spec.TALLY, contest=a["contest"], polling_station=a["polling_station"]),
                     *(_at_share(a, i) for i in range(1, ell + 1) if i not in kept)])


def verification_key_off_polynomial(w: Forger) -> Injected:
    """The dealer gives trustee j (j > w) the share s_j + 1, off the polynomial, and publishes its verification key
    v^(Δ·(s_j + 1)) before the vote: every share proof holds (each matches its own key) and no aggregate combines
    trustee j's share (the verifier combines the w smallest valid ones), so only V1.10 sees the key."""
    shared = _shared(w)
    ell, need = shared["trustees"], shared["threshold"]
    if ell == need:
        raise FaultError("every trustee is needed (w = ℓ): no trustee above the threshold")
    j = _trustee(w, above=need)
    dealt = w.dealt()
    share = int(dealt.shares[j]) + 1
    w.secrets.trustee_shares[j] = share
    vk = gmpy2.powmod(dealt.v, math.factorial(ell) * share, w.key.n2)
    shared["verification_keys"][j - 1] = hex_int(int(vk), w.key.width2)
    w.rebuild()
    return Injected(f"the dealer gives trustee {j} the share s_{j} + 1 and publishes v_{j} = v^(Δ·(s_{j} + 1)); "
                    f"everything signed again under the new fingerprint, every share proved with its key",
                    [_where("V1.10", file=spec.ELECTION_KEY)])


# kind → injector: the matrix (matrix.py) names the kinds, this module injects these
INJECTORS = {
    "share-wrong": share_wrong,
    "share-proof-other-aggregate": share_proof_other_aggregate,
    "share-proof-other-trustee": share_proof_other_trustee,
    "verification-key-off-polynomial": verification_key_off_polynomial,
    "shares-below-threshold": shares_below_threshold,
}
