"""The dishonest authority's workbench: a valid record as data, every private key of the simulation, and the
authority's own pipeline to publish again what it changed.

`Forger` holds the record's files and `Secrets`. A fault (verifier.simulate.faults) changes one thing, as the actor
that would do it; then everything downstream that the authority can re-sign with its own keys is re-derived from
the changed data with the honest pipeline's arithmetic — the collector's receipts, hash chain and head, the
commission's list of counted ballots, the tally (aggregates multiplied again, decrypted and proved with the
Paillier factors) and the results (every level summed again, seats allocated again) — so that every published
document is consistent with the others and carries valid authority signatures. Redone on a valid record, the
pipeline gives back every file byte for byte. A voter's signature is never forged: where the actor is a voter's
client, the voter's own key signs; where it is the authority, its own keys sign and the voter's signature no longer
matches. The `at_*` methods say where the verifier must report what a fault did.
"""
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta
from pathlib import Path

import gmpy2

from verifier.crypto import membership
from verifier.crypto.encoding import sha256
from verifier.crypto.paillier import SLOT, SLOT_BITS, PublicKey, option_message
from verifier.record import canonical, layout, reader
from verifier.simulate import prover, publish
from verifier.simulate.authority import Secrets, announced_results
from verifier.simulate.keys import SigningKey, _carmichael, reveal_randomness
from verifier.simulate.publish import election_key, parse_time, sign_object, time_text, write_document, write_lines
from verifier.simulate.randomness import SeededRandom

class FaultError(Exception):
    """The fault cannot be injected into this record (no suitable voter, secrets missing or not this record's)."""


@dataclass(eq=False)
class Entry:
    """One ballot-box line under construction; `decision` overrides the authority's rule for it."""

    envelope: dict
    receipt: dict
    decision: tuple[str, str | None] | None = None
    tally_anyway: bool = False  # the commission multiplies it into the tally whatever its list says

    @property
    def ballot_id(self) -> str:
        return self.envelope["ballot_id"]

    @property
    def voter_id(self) -> str:
        return self.envelope["voter_id"]

    def line_bytes(self) -> bytes:
        return canonical.dumps({"envelope": self.envelope, "receipt": self.receipt})


@dataclass
class Injected:
    """What one injection did and where the verifier must report it: `expected` holds one dict per finding, the
    check id under "check" and every field of the finding's location (nothing more, nothing less)."""

    description: str
    expected: list[dict] = field(default_factory=list)
    held_receipts: list[bytes] = field(default_factory=list)  # box lines voters kept (for V3.10)
    published_fingerprint: str | None = None  # the fingerprint published before the vote (for V1.9)

    def checks(self) -> list[str]:
        return sorted({e["check"] for e in self.expected})


class Forger:
    """The dishonest authority's workbench over one record."""

    def __init__(self, root: Path, secrets: Secrets, seed: str = "tamper"):
        self.secrets = Secrets(secrets.paillier_p, secrets.paillier_q, dict(secrets.authorities), dict(secrets.voters))
        self.rng = SeededRandom(seed, "tamper")
        self.manifest = _document(root, layout.MANIFEST)
        self.key_doc = _document(root, layout.ELECTION_KEY)
        self.registry = _lines(root, layout.REGISTRY)
        box = _lines(root, layout.BALLOT_BOX)
        self.original_box = [canonical.dumps(v) for v in box]
        self.box = [Entry(v["envelope"], v["receipt"]) for v in box]
        self.head = _document(root, layout.BALLOT_BOX_HEAD)
        self.cancellations = _lines(root, layout.CANCELLATIONS)
        self.decisions = _lines(root, layout.BALLOT_DECISIONS)
        self.tally = _document(root, layout.TALLY)
        self.results = _document(root, layout.RESULTS)
        self.eid = self.manifest["election_id"]
        self.n = int(self.key_doc["n"], 16)
        self.key = PublicKey.from_n(self.n)
        self.p, self.q = secrets.paillier_p, secrets.paillier_q
        self.primes = (self.p, self.q)  # n's prime factors: a faulty key may have three
        self.fp = self._fingerprint()
        self.extra_tally: list[tuple[str, str, int]] = []  # (contest, station, ciphertext) counted from nowhere
        self.extra_voted: Counter = Counter()  # station → voters the commission claims beyond its list
        self._check_secrets()

    # --- secrets --------------------------------------------------------------------------------------------

    def _check_secrets(self) -> None:
        s = self.secrets
        for role, k in s.authorities.items():
            if k.public_bytes.hex() != self.manifest["authorities"][role]["public_key"]:
                raise FaultError(f"the secrets' {role} key is not this record's {role} key")
        if s.paillier_p and s.paillier_p * s.paillier_q != self.n:
            raise FaultError("the secrets' Paillier factors are not this record's election key")

    def authority(self, role: str) -> SigningKey:
        try:
            return self.secrets.authorities[role]
        except KeyError:
            raise FaultError(f"needs the {role}'s signing key") from None

    def voter_key(self, vid: str) -> SigningKey:
        try:
            return self.secrets.voters[vid]
        except KeyError:
            raise FaultError(f"needs the signing key of voter {vid}") from None

    # --- lookups --------------------------------------------------------------------------------------------

    def _fingerprint(self) -> bytes:
        return reader.fingerprint(canonical.dumps(self.manifest), canonical.dumps(self.key_doc))

    # no fault changes the manifest's stations or ballot styles: built once
    @cached_property
    def stations(self) -> dict[str, dict]:
        return {s["id"]: s for s in self.manifest["polling_stations"]}

    @cached_property
    def _styles(self) -> dict[str, list[str]]:
        return {s["id"]: s["contests"] for s in self.manifest["ballot_styles"]}

    def style(self, station: str) -> list[str]:
        return self._styles[self.stations[station]["ballot_style"]]

    def contest(self, cid: str) -> dict:
        return next(c for c in self.manifest["contests"] if c["id"] == cid)

    def messages(self, cid: str) -> tuple[int, ...]:
        return tuple(option_message(j) for j in range(len(self.contest(cid)["options"])))

    def voter(self, vid: str) -> dict:
        return next(v for v in self.registry if v["voter_id"] == vid)

    def registered_stations(self) -> dict[str, str]:
        """Voter id → polling station of its first registration (what `station_of` gives), for every voter."""
        first: dict[str, str] = {}
        for v in self.registry:
            first.setdefault(v["voter_id"], v["polling_station"])
        return first

    def station_of(self, vid: str) -> str | None:
        v = next((v for v in self.registry if v["voter_id"] == vid), None)
        return v["polling_station"] if v else None

    def units_of(self, station: str) -> list[tuple[str, str]]:
        district = self.stations[station]["district"]
        region = next(d["region"] for d in self.manifest["districts"] if d["id"] == district)
        return [("polling_station", station), ("district", district), ("region", region), ("nation", "nation")]

    def context(self, vid: str) -> bytes:
        return sha256(bytes.fromhex(self.voter(vid)["public_key"]))

    def line_of(self, entry: Entry) -> int:
        return next(i for i, e in enumerate(self.box, 1) if e is entry)

    def ballots_of(self, vid: str) -> list[Entry]:
        return [e for e in self.box if e.voter_id == vid]

    def cancelled(self) -> set[str]:
        return {c["voter_id"] for c in self.cancellations}

    def pick(self, items: list, what: str):
        if not items:
            raise FaultError(f"the record has no {what}")
        return items[self.rng.randbelow(len(items))]

    def never_voted(self) -> str:
        voted = {e.voter_id for e in self.box} | self.cancelled()
        return self.pick([v["voter_id"] for v in self.registry if v["voter_id"] not in voted],
                         "registered voter who never voted")

    def single_voter(self, not_last: bool = False) -> str:
        """A voter with exactly one e-vote, counted (no paper vote); with not_last, not on the box's last line."""
        counts = Counter(e.voter_id for e in self.box)
        last = self.box[-1].voter_id if self.box else None
        cancelled = self.cancelled()
        return self.pick([v for v, n in counts.items() if n == 1 and v not in cancelled
                          and not (not_last and v == last)], "voter with exactly one counted e-vote")

    def revoter(self, cast_gap: int = 0) -> str:
        """A voter with exactly two e-votes (the last counted), the second received more than cast_gap seconds
        after the first was cast."""
        cancelled = self.cancelled()
        ballots: dict[str, list[Entry]] = {}
        for e in self.box:
            ballots.setdefault(e.voter_id, []).append(e)
        out = []
        for v, entries in ballots.items():
            if len(entries) != 2 or v in cancelled:
                continue
            a, b = entries
            if (parse_time(b.receipt["received_at"]) - parse_time(a.envelope["cast_at"])).total_seconds() > cast_gap \
                    and b.receipt["received_at"] > a.receipt["received_at"]:
                out.append(v)
        return self.pick(sorted(out), "voter with two e-votes")

    def paper_voter(self) -> str:
        """A voter who e-voted and then voted on paper (a valid cancellation)."""
        voted = {e.voter_id for e in self.box}
        return self.pick(sorted(v for v in self.cancelled() if v in voted), "e-voter who also voted on paper")

    # --- Paillier with the factors -----------------------------------------------------------------------------

    def _require_paillier(self) -> None:
        if not self.p:
            raise FaultError("needs the Paillier factors")

    def decrypt(self, c: int) -> int:
        self._require_paillier()
        # with λ = lcm(prime − 1) rather than phe's two-prime CRT, so that a three-prime key decrypts too
        n, n2 = self.n, self.key.n2
        lam = _carmichael(self.primes)
        u = gmpy2.powmod(c, lam, n2)
        return int((u - 1) // n * gmpy2.invert(lam, n) % n)

    def randomness(self, c: int) -> int:
        self._require_paillier()
        return reveal_randomness(c, self.n, *self.primes)

    def encrypt(self, m: int) -> tuple[int, int]:
        c, r = prover.encrypt(self.key, m % self.n, self.rng)
        return int(c), int(r)

    # --- making ballots ------------------------------------------------------------------------------------------

    def contest_ballot(self, cid: str, m: int, *, context: bytes, ballot_id: bytes, index: int | None = None,
                       fingerprint: bytes | None = None, statement_contest: str | None = None,
                       cr: tuple[int, int] | None = None) -> dict:
        """One contest of an envelope: the ciphertext of m and a proof for the statement "it encrypts message
        `index` of the contest" (by default the true index of m; a malformed m gets a proof made as if it were
        message `index`, with the true challenge, so only the equation fails)."""
        messages = self.messages(statement_contest or cid)
        if index is None:
            index = messages.index(m)
        c, r = cr or self.encrypt(m)
        st = membership.Statement(fingerprint or self.fp, statement_contest or cid, messages, context, ballot_id, c)
        a, e, z = prover.prove(self.key, st, index, r, self.rng)
        return publish.contest_ballot(self.key, cid, c, a, e, z)

    def choose(self, cid: str) -> int:
        return option_message(self.rng.randbelow(len(self.contest(cid)["options"])))

    def new_envelope(self, vid: str, cast_at: str, contests: list[dict] | None = None, ballot_id: bytes | None = None,
                     signer: SigningKey | None = None) -> dict:
        """An envelope of voter vid (honest contests for the voter's ballot style unless given), signed by the
        voter's key unless another signer is given."""
        ballot_id = ballot_id or self.rng.token_bytes(16)
        context = self.context(vid)
        if contests is None:
            contests = [self.contest_ballot(cid, self.choose(cid), context=context, ballot_id=ballot_id)
                        for cid in self.style(self.station_of(vid))]
        env = {"ballot_id": ballot_id.hex(), "cast_at": cast_at, "election_fingerprint": self.fp.hex(),
               "election_id": self.eid, "key_fingerprint": context.hex(), "voter_id": vid, "contests": contests}
        self.sign_envelope(env, signer or self.voter_key(vid))
        return env

    def sign_envelope(self, env: dict, signer: SigningKey) -> None:
        publish.sign_envelope(signer, self.eid, env)

    def free_time(self, after: str | None = None) -> datetime:
        """A receipt time inside the voting period (after `after`), a minute into one of the wider gaps between the
        box's receipt times."""
        start, end = parse_time(self.manifest["voting_period"]["start"]), parse_time(self.manifest["voting_period"]["end"])
        if after is not None:
            start = max(start, parse_time(after))
        times = sorted(t for e in self.box if start < (t := parse_time(e.receipt["received_at"])) < end)
        times = [start, *times, end]
        gaps = [(b - a, a) for a, b in zip(times, times[1:]) if (b - a).total_seconds() >= 120]
        _, a = self.pick(sorted(gaps)[-max(1, len(gaps) // 4):], "gap in the receipt times")
        return a + timedelta(seconds=60)

    def cast(self, vid: str, received: datetime | None = None, contests: list[dict] | None = None,
             ballot_id: bytes | None = None, signer: SigningKey | None = None,
             cast_at: datetime | None = None) -> Entry:
        """A new envelope received at `received`, placed in the box by its receipt time (the chain is redone)."""
        received = received or self.free_time()
        cast_at = cast_at or received - timedelta(seconds=5)
        env = self.new_envelope(vid, time_text(cast_at), contests, ballot_id, signer)
        entry = Entry(env, {"received_at": time_text(received)})
        self.box.insert(sum(1 for e in self.box if e.receipt["received_at"] <= time_text(received)), entry)
        return entry

    # --- the collector ------------------------------------------------------------------------------------------

    def rechain(self) -> None:
        """Number, link and sign every receipt again, and the head."""
        collector = self.authority("collector")
        previous = reader.genesis_hash(self.fp)
        for i, e in enumerate(self.box, 1):
            e.receipt = publish.receipt(collector, self.eid, i, e.receipt["received_at"],
                                        sha256(canonical.dumps(e.envelope)), previous)
            previous = sha256(e.line_bytes())
        self.sign_head()

    def sign_head(self) -> None:
        last = sha256(self.box[-1].line_bytes()) if self.box else reader.genesis_hash(self.fp)
        # a collector that appends a late envelope closes the box no earlier than it (V3.8), as an honest one would
        closed_at = max([self.head["closed_at"], *(e.receipt["received_at"] for e in self.box)])
        self.head = publish.box_head(self.authority("collector"), self.eid, len(self.box), last, closed_at)

    # --- the commission: its list, its tally, its results ------------------------------------------------------

    def redecide(self) -> None:
        """The commission's list by its own rule (last e-vote per voter by box order, minus paper voters; every
        envelope taken as valid) unless an entry carries its own decision."""
        last = {e.voter_id: i for i, e in enumerate(self.box)}
        cancelled = self.cancelled()
        self.decisions = []
        for i, e in enumerate(self.box):
            status, reason = e.decision or (
                ("excluded", "superseded") if last[e.voter_id] != i else
                ("excluded", "cancelled") if e.voter_id in cancelled else ("counted", None))
            d = {"ballot_id": e.ballot_id, "status": status}
            if reason:
                d["reason"] = reason
            self.decisions.append(d)

    def counted_entries(self) -> list[Entry]:
        status = {}
        for d in self.decisions:
            status.setdefault(d["ballot_id"], []).append(d["status"])
        out = []
        for e in self.box:
            states = status.get(e.ballot_id)
            if states and states.pop(0) == "counted":
                out.append(e)
        return out

    def retally(self) -> None:
        """Aggregates of the counted ballots per contest and polling station, decrypted and proved."""
        self._require_paillier()
        n2 = self.key.n2
        product: dict[tuple[str, str], tuple[int, int]] = {}

        def multiply(cid, station, c):
            count, p = product.get((cid, station), (0, gmpy2.mpz(1)))
            product[(cid, station)] = (count + 1, p * c % n2)

        tallied = self.counted_entries()
        counted = {id(e) for e in tallied}
        tallied += [e for e in self.box if e.tally_anyway and id(e) not in counted]
        station_of = self.registered_stations()
        for e in tallied:
            station = station_of.get(e.voter_id)
            if station is None or station not in self.stations:
                continue
            for cb in e.envelope["contests"]:
                if cb["contest"] in self.style(station):
                    multiply(cb["contest"], station, int(cb["ciphertext"], 16))
        for cid, station, c in self.extra_tally:
            multiply(cid, station, c)
        aggregates = []
        for st in self.manifest["polling_stations"]:
            for cid in self.style(st["id"]):
                count, c = product.get((cid, st["id"]), (0, gmpy2.mpz(1)))
                aggregates.append(self.aggregate(cid, st["id"], count, int(c)))
        self.tally = {"election_fingerprint": self.fp.hex(), "aggregates": aggregates}
        self.sign_tally()

    def aggregate(self, cid: str, station: str, ballots: int, c: int, t: int | None = None,
                  r: int | None = None) -> dict:
        t = self.decrypt(c) if t is None else t
        options = [o["id"] for o in self.contest(cid)["options"]]
        counts = [(t >> (SLOT_BITS * j)) & (SLOT - 1) for j in range(len(options))]  # masked: any t decodes
        return publish.aggregate(self.key, cid, station, ballots, c, t, self.randomness(c) if r is None else r,
                                 options, counts)

    def sign_tally(self) -> None:
        self.tally["election_fingerprint"] = self.fp.hex()
        self.tally = sign_object(self.authority("commission"), layout.TALLY_TAG, self.eid, self.tally,
                                 "commission_signature")

    def reannounce(self) -> None:
        """Protocols at every level summed from the tally, voters and turnout from the registry and the list of
        counted ballots, seats from the scope totals: the honest authority's arithmetic on this data."""
        registered, voted, station_counts = Counter(), Counter(), {}
        first = self.registered_stations()
        registered.update(station for station in first.values() if station in self.stations)
        voted.update(first.get(vid) for vid in {e.voter_id for e in self.counted_entries()})
        voted.update(self.extra_voted)
        for station in [s for s in voted if s not in self.stations]:
            del voted[station]
        for a in self.tally["aggregates"]:
            station_counts[(a["contest"], a["polling_station"])] = (
                a["ballots"], {x["option"]: x["votes"] for x in a["counts"]})
        announced = announced_results(self.manifest, registered, voted, station_counts)
        protocols, seats = announced["protocols"], announced["seats"]
        self.results = {"election_fingerprint": self.fp.hex(), "protocols": protocols, "seats": seats}
        self.sign_results()

    def protocol(self, level: str, unit: str) -> dict:
        return next(p for p in self.results["protocols"] if (p["level"], p["unit"]) == (level, unit))

    def sign_results(self) -> None:
        self.results["election_fingerprint"] = self.fp.hex()
        self.results = sign_object(self.authority("commission"), layout.RESULTS_TAG, self.eid, self.results,
                                   "commission_signature")

    def recount(self) -> None:
        """Everything after the ballot box, again: the list, the tally, the results."""
        self.redecide()
        self.retally()
        self.reannounce()

    # --- registry and setup ---------------------------------------------------------------------------------

    def register(self, vid: str, station: str, algorithm: str, public_key: bytes) -> dict:
        line = sign_object(self.authority("registrar"), layout.REGISTRY_TAG, self.eid,
                           {"voter_id": vid, "polling_station": station, "algorithm": algorithm,
                            "public_key": public_key.hex()}, "registrar_signature")
        self.registry.append(line)
        return line

    def new_voter_id(self) -> str:
        ids = {v["voter_id"] for v in self.registry}
        i = len(ids) + 1
        while f"V{i:07d}" in ids:
            i += 1
        return f"V{i:07d}"

    def commit_registry(self) -> None:
        """The manifest commits to the registry as it now is (a fault made before the election was set up)."""
        data = b"".join(canonical.dumps(v) + b"\n" for v in self.registry)
        self.manifest["registry"] = {"voters": len(self.registry), "sha256": sha256(data).hex()}

    def rebuild(self, n: int | None = None, *primes: int, key_doc: dict | None = None) -> None:
        """The election set up again with this manifest and key (and a new Paillier key n = Π primes if n is given,
        published as `key_doc`, or with honest proofs made with the primes): every
        voter's envelope made again with the same choices, every proof for the new fingerprint, every signature;
        then the chain, the list, the tally and the results. The fault was there before the first vote."""
        old = [[self.decrypt(int(cb["ciphertext"], 16)) for cb in e.envelope["contests"]] for e in self.box]
        if n is not None:
            self.n, self.primes = n, primes
            self.p, self.q = primes[0], n // primes[0]
            self.key = PublicKey.from_n(n)
            self.key_doc = key_doc or election_key(n, primes, self.rng)
        self.fp = self._fingerprint()
        for e, plaintexts in zip(self.box, old):
            env = e.envelope
            ballot_id, context = bytes.fromhex(env["ballot_id"]), bytes.fromhex(env["key_fingerprint"])
            env["contests"] = [self.contest_ballot(cb["contest"], m, context=context, ballot_id=ballot_id)
                               for cb, m in zip(env["contests"], plaintexts)]
            env["election_fingerprint"] = self.fp.hex()
            self.sign_envelope(env, self.voter_key(env["voter_id"]))
        self.rechain()
        self.recount()

    # --- publishing -------------------------------------------------------------------------------------------

    def publish(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        write_document(out / layout.MANIFEST, self.manifest)
        write_document(out / layout.ELECTION_KEY, self.key_doc)
        write_lines(out / layout.REGISTRY, self.registry)
        with open(out / layout.BALLOT_BOX, "wb") as f:
            for e in self.box:
                f.write(e.line_bytes() + b"\n")
        write_document(out / layout.BALLOT_BOX_HEAD, self.head)
        write_lines(out / layout.CANCELLATIONS, self.cancellations)
        write_lines(out / layout.BALLOT_DECISIONS, self.decisions)
        write_document(out / layout.TALLY, self.tally)
        write_document(out / layout.RESULTS, self.results)

    # --- where the verifier must report (locations as the checks write them) -----------------------------------

    def at_box(self, check: str, entry: Entry, contest: str | None = None, station: bool = True) -> dict:
        """A per-entry finding (V3.x, V4.x) — the sequential ones (V3.7, V3.9) carry no station."""
        return _where(check, file=layout.BALLOT_BOX, line=self.line_of(entry), ballot_id=entry.ballot_id,
                      voter_id=entry.voter_id, polling_station=self.station_of(entry.voter_id) if station else None,
                      contest=contest)

    def at_decision(self, check: str, entry: Entry | None = None, ballot_id: str | None = None,
                    line: int | None = None) -> dict:
        if entry is not None:
            ballot_id = entry.ballot_id
            line = next((i for i, d in enumerate(self.decisions, 1) if d["ballot_id"] == ballot_id), None)
        return _where(check, file=layout.BALLOT_DECISIONS, line=line, ballot_id=ballot_id,
                      voter_id=entry.voter_id if entry else None)

    def at_tally(self, check: str, cid: str, station: str, option: str | None = None) -> dict:
        return _where(check, file=layout.TALLY, contest=cid, polling_station=station, option=option)

    def at_results(self, check: str, level: str | None = None, unit: str | None = None, contest: str | None = None,
                   option: str | None = None) -> dict:
        return _where(check, file=layout.RESULTS, level=level, unit=unit, contest=contest, option=option)

    def aggregates_differ(self, station: str, contests, count_too: bool = True) -> list[dict]:
        """V6.2 where the commission's aggregate holds other ballots than the rules count: the product, and the
        number of ballots when that differs too."""
        out = []
        for cid in contests:
            if cid in self.style(station):
                out.append(self.at_tally("V6.2", cid, station))
                if count_too:
                    out.append(self.at_tally("V6.2", cid, station))
        return out

    def turnout_differs(self, station: str) -> list[dict]:
        """V7.5 at the station and every unit above it: the commission's voters-voted counts one voter more or
        fewer than the rules."""
        return [self.at_results("V7.5", level, unit) for level, unit in self.units_of(station)]

    def counted_though_invalid(self, entry: Entry) -> list[dict]:
        """The commission counts a ballot the rules exclude as invalid, and the rules count no other ballot of its
        voter: its decision (V5.5), every aggregate it is in (V6.2) and the voters-voted figures (V7.5)."""
        station = self.station_of(entry.voter_id)
        return [self.at_decision("V5.5", entry),
                *self.aggregates_differ(station, [cb["contest"] for cb in entry.envelope["contests"]]),
                *self.turnout_differs(station)]

    def counted_though_unregistered(self, entry: Entry, station: str) -> list[dict]:
        """The commission counts the ballot of a voter id no valid registry line registers (the commission takes
        the id as registered at `station`): V3.1 at the ballot (no station: the verifier knows none), its decision
        (V5.5), every aggregate it is in (V6.2), and at the station and every unit above both registered voters and
        voters-voted (V7.5)."""
        return [self.at_box("V3.1", entry, station=False), self.at_decision("V5.5", entry),
                *self.aggregates_differ(station, [cb["contest"] for cb in entry.envelope["contests"]]),
                *self.turnout_differs(station), *self.turnout_differs(station)]


def _where(check: str, **fields) -> dict:
    return {"check": check, **{k: v for k, v in fields.items() if v is not None}}


def _document(root: Path, name: str) -> dict:
    with reader.open_file(root, name) as f:
        return canonical.read_document(f, name)


def _lines(root: Path, name: str) -> list[dict]:
    with reader.open_file(root, name) as f:
        return [value for _, _, value in canonical.iter_lines(f, name)]
