"""Faults of the registrar: ghost voters, double and invalid registrations (V2.x)."""
from collections import Counter

from verifier.simulate import spec
from verifier.simulate.forgery import SmallOrderKey, TwinKey, twin_public_key
from verifier.simulate.keys import Signer, SigningKey
from verifier.simulate.publish import sign_object
from verifier.simulate.tamper import Entry, FaultError, Forger, Injected, _where


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
    where = _where("V2.1", file=spec.REGISTRY)
    return Injected(what, [where, where])  # the registry's hash and its number of lines


def double_registration(w: Forger) -> Injected:
    original = w.voter(w.single_voter())
    vid = w.new_voter_id()
    station = w.pick(sorted(s for s in w.stations if s != original["polling_station"]), "other polling station")
    entry = _registered_and_voting(w, vid, station, original["algorithm"], bytes.fromhex(original["public_key"]),
                                   w.voter_key(original["voter_id"]))
    return Injected(f"voter {original['voter_id']}'s signing key registered again as {vid} at {station} before the "
                    f"election (the manifest commits to it); {vid} votes too (ballot {entry.ballot_id}), counted",
                    [_where("V2.4", file=spec.REGISTRY, line=len(w.registry), voter_id=vid, polling_station=station),
                     *w.counted_though_unregistered(entry, station)])


def small_order_key(w: Forger) -> Injected:
    """A voter registered with the identity as key: R = identity, S = 0 signs anything under it (crypto.md §6)."""
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    key = SmallOrderKey()
    entry = _registered_and_voting(w, vid, station, "ed25519", key.public_bytes, key)
    return Injected(f"voter {vid} registered at {station} with the Ed25519 identity point as key (the manifest "
                    f"commits to it); ballot {entry.ballot_id} cast in its name with the signature R = identity, "
                    f"S = 0, which the cofactorless equation accepts under that key; counted",
                    [_where("V2.5", file=spec.REGISTRY, line=len(w.registry), voter_id=vid, polling_station=station),
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
    holder = w.voter_key(original["voter_id"])
    if not isinstance(holder, SigningKey):  # a registered voter of the valid record holds a real key
        raise FaultError(f"voter {original['voter_id']} holds no Ed25519 seed")
    key = TwinKey(holder.private.seed, twin)
    entry = _registered_and_voting(w, vid, station, "ed25519", key.public_bytes, key)
    return Injected(f"voter {original['voter_id']}'s key A registered again as {vid} at {station} in the form A + T "
                    f"(T of order 8: another key for V2.4; the manifest commits to it); {vid}'s ballot "
                    f"{entry.ballot_id} is signed with A's secret, the nonce ground until k ≡ 0 (mod 8) so that "
                    f"libsodium's cofactorless verification accepts it under A + T; both ballots counted",
                    [_where("V2.5", file=spec.REGISTRY, line=len(w.registry), voter_id=vid, polling_station=station),
                     *w.counted_though_unregistered(entry, station)])


def _registered_and_voting(w: Forger, vid: str, station: str, algorithm: str, public_key: bytes,
                           signer: Signer) -> Entry:
    """`vid` registered (the manifest committing to it, everything set up again), then casting a ballot signed by
    `signer`, chained and counted: the ballot's entry."""
    w.register(vid, station, algorithm, public_key)
    w.secrets.voters[vid] = signer
    _registry_changed(w)
    entry = w.cast(vid)
    w.rechain()
    w.recount()
    return entry


def _registry_changed(w: Forger) -> None:
    """The registry as it now is, committed to by the manifest before the election: everything set up again."""
    w.commit_registry()
    w.rebuild()


def registrar_signature_invalid(w: Forger) -> Injected:
    vid = w.never_voted()
    line = next(i for i, v in enumerate(w.registry) if v["voter_id"] == vid)
    v = w.registry[line]
    w.registry[line] = sign_object(w.authority("collector"), spec.REGISTRY_TAG, w.eid, v, "registrar_signature")
    _registry_changed(w)
    return Injected(f"registry line {line + 1} (voter {vid}) signed by the collector's key instead of the "
                    f"registrar's; the manifest commits to the registry as it is",
                    [_where("V2.2", file=spec.REGISTRY, line=line + 1, voter_id=vid,
                            polling_station=v["polling_station"]), *w.turnout_differs(v["polling_station"])])


def voter_id_twice(w: Forger) -> Injected:
    vid = w.never_voted()
    first = w.station_of(vid)
    station = w.pick(sorted(s for s in w.stations if s != first), "other polling station")
    w.register(vid, station, "ed25519", SigningKey.generate("ed25519", w.rng).public_bytes)
    _registry_changed(w)
    return Injected(f"voter id {vid} (registered at {first}) registered again at {station} with another key; the "
                    f"manifest commits to it", [_where("V2.3", file=spec.REGISTRY, line=len(w.registry),
                                                       voter_id=vid, polling_station=station)])


def voter_unknown_station(w: Forger) -> Injected:
    vid = w.new_voter_id()
    w.register(vid, "PS-NOWHERE", "ed25519", SigningKey.generate("ed25519", w.rng).public_bytes)
    _registry_changed(w)
    return Injected(f"voter {vid} registered at polling station PS-NOWHERE, which the manifest does not have",
                    [_where("V2.5", file=spec.REGISTRY, line=len(w.registry), voter_id=vid,
                            polling_station="PS-NOWHERE")])


def voter_key_invalid(w: Forger) -> Injected:
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    w.register(vid, station, "ed25519", (2).to_bytes(32, "little"))  # y = 2: not the encoding of a curve point
    _registry_changed(w)
    return Injected(f"voter {vid} registered at {station} with 32 bytes that are not an Ed25519 public key",
                    [_where("V2.5", file=spec.REGISTRY, line=len(w.registry), voter_id=vid,
                            polling_station=station), *w.turnout_differs(station)])


def ghost_voter_votes(w: Forger) -> Injected:
    return ghost_voter(w, votes=True)


# kind → injector: the matrix (matrix.py) names the kinds, this module injects these
INJECTORS = {
    "ghost-voter": ghost_voter,
    "ghost-voter-votes": ghost_voter_votes,
    "double-registration": double_registration,
    "small-order-key": small_order_key,
    "twin-key": twin_key,
    "registrar-signature-invalid": registrar_signature_invalid,
    "voter-id-twice": voter_id_twice,
    "voter-unknown-station": voter_unknown_station,
    "voter-key-invalid": voter_key_invalid,
}
