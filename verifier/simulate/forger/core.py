"""The core of the dishonest authority's workbench (verifier.simulate.tamper.Forger, assembled from this core and
the mixins beside it): a valid record as data, every private key of the simulation, lookups and publishing.

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
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import gmpy2

from verifier.simulate import prover, spec
from verifier.simulate.authority import Secrets, units_of_station
from verifier.simulate.keys import Signer, _carmichael, reveal_randomness
from verifier.simulate.publish import (
    parse_time,
    write_document,
    write_lines,
)
from verifier.simulate.randomness import SeededRandom
from verifier.simulate.spec import option_message, sha256


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
        return spec.canonical({"envelope": self.envelope, "receipt": self.receipt})


@dataclass
class Injected:
    """What one injection did and where the verifier must report it: `expected` holds one dict per finding, the
    check id under "check" and every field of the finding's location (nothing more, nothing less)."""

    description: str
    expected: list[dict] = field(default_factory=list)
    held_receipts: list[bytes] = field(default_factory=list)  # box lines voters kept (for V3.10)
    published_fingerprint: str | None = None  # the fingerprint published before the vote (for V1.9)
    earlier_box: list[bytes] = field(default_factory=list)  # an earlier snapshot the collector published (diff)
    earlier_head: dict | None = None  # … and its signed snapshot head

    def checks(self) -> list[str]:
        return sorted({e["check"] for e in self.expected})


@dataclass
class Keyring:
    """The forger's copy of the secrets: a fault may add or replace a key with a forgery key (a `Signer` that is
    no SigningKey)."""

    paillier_p: int
    paillier_q: int
    authorities: dict[str, Signer]
    voters: dict[str, Signer]
    trustee_shares: dict[int, int]  # a shared key's s_i (SPEC §3.9), empty for a single holder's key


class ForgerCore:
    """The record as data, the secrets, lookups, Paillier with the factors, publishing; the mixins beside
    this module add each actor's pipeline."""

    def __init__(self, root: Path, secrets: Secrets, seed: str = "tamper"):
        self.secrets = Keyring(secrets.paillier_p, secrets.paillier_q, dict(secrets.authorities), dict(secrets.voters),
                               dict(secrets.trustee_shares))
        self.rng = SeededRandom(seed, "tamper")
        self.manifest = _document(root, spec.MANIFEST)
        self.key_doc = _document(root, spec.ELECTION_KEY)
        self.registry = _lines(root, spec.REGISTRY)
        box = _lines(root, spec.BALLOT_BOX)
        self.original_box = [spec.canonical(v) for v in box]
        self.box = [Entry(v["envelope"], v["receipt"]) for v in box]
        self.head = _document(root, spec.BALLOT_BOX_HEAD)
        self.cancellations = _lines(root, spec.CANCELLATIONS)
        self.decisions = _lines(root, spec.BALLOT_DECISIONS)
        self.tally = _document(root, spec.TALLY)
        self.results = _document(root, spec.RESULTS)
        self.eid = self.manifest["election_id"]
        self.n = int(self.key_doc["n"], 16)
        self.key = spec.PaillierKey.of(self.n)
        self.p, self.q = secrets.paillier_p, secrets.paillier_q
        self.primes: tuple[int, ...] = (self.p, self.q)  # n's prime factors: a faulty key may have three
        self.fp = self._fingerprint()
        self.published_fp = self.fp  # what the record was published under (a rebuild changes self.fp)
        # a shared key's decryption proofs as published, by (contest, station, ciphertext), as JSON text (no fault
        # can change them in place): forger/trustees.py keeps those of the aggregates no fault changed
        self.published_proofs = {
            (a["contest"], a["polling_station"], a["ciphertext"]): json.dumps(a["decryption_proof"])
            for a in self.tally["aggregates"] if a["decryption_proof"].get("method") == "threshold"}
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
        shared = self.key_doc.get("threshold")
        if s.trustee_shares:  # each share must give its published verification key v_i = v^(Δ·s_i)
            if shared is None:
                raise FaultError("the secrets hold trustees' key shares, but this record's key is not shared")
            v, dlt, n2 = int(shared["v"], 16), math.factorial(shared["trustees"]), self.key.n2
            vks = shared["verification_keys"]
            if sorted(s.trustee_shares) != list(range(1, len(vks) + 1)) or any(
                    gmpy2.powmod(v, dlt * x, n2) != int(vks[i - 1], 16) for i, x in s.trustee_shares.items()):
                raise FaultError("the secrets' trustee shares are not this record's shared key")

    def authority(self, role: str) -> Signer:
        try:
            return self.secrets.authorities[role]
        except KeyError:
            raise FaultError(f"needs the {role}'s signing key") from None

    def voter_key(self, vid: str) -> Signer:
        try:
            return self.secrets.voters[vid]
        except KeyError:
            raise FaultError(f"needs the signing key of voter {vid}") from None

    # --- lookups --------------------------------------------------------------------------------------------

    def _fingerprint(self) -> bytes:
        return spec.fingerprint(self.manifest, self.key_doc)

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

    def station(self, vid: str) -> str:
        """The polling station of a voter the registry registers (`station_of` for a voter known to be there)."""
        station = self.station_of(vid)
        if station is None:
            raise FaultError(f"voter {vid} is not registered")
        return station

    @cached_property
    def _units_of(self):
        return units_of_station(self.manifest)

    def units_of(self, station: str) -> list[tuple[str, str]]:
        return self._units_of(station)

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

    # --- publishing (each actor's pipeline is a mixin beside this module) ---------------------------------

    def publish(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        write_document(out / spec.MANIFEST, self.manifest)
        write_document(out / spec.ELECTION_KEY, self.key_doc)
        write_lines(out / spec.REGISTRY, self.registry)
        with open(out / spec.BALLOT_BOX, "wb") as f:
            for e in self.box:
                f.write(e.line_bytes() + b"\n")
        write_document(out / spec.BALLOT_BOX_HEAD, self.head)
        write_lines(out / spec.CANCELLATIONS, self.cancellations)
        write_lines(out / spec.BALLOT_DECISIONS, self.decisions)
        write_document(out / spec.TALLY, self.tally)
        write_document(out / spec.RESULTS, self.results)


def _where(check: str, **fields) -> dict:
    return {"check": check, **{k: v for k, v in fields.items() if v is not None}}


# The Forger reads only what the honest simulator wrote: plain JSON suffices (the verifier's strict reader is the
# verifier's, and the simulator shares none of its code).

def _document(root: Path, name: str) -> dict:
    return json.loads((root / name).read_bytes())


def _lines(root: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (root / name).read_bytes().splitlines()]
