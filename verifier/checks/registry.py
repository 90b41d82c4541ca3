"""V2.x: the voter registry — commitment, registrar signatures, one registration per voter and per key.

Two parts, so that the costly one runs on every core: `check_voter` judges one line on its own (V2.2, V2.5: a
signature verification and a key validation each, in any order, in the workers); `RegistryIndex` is fed the lines
in registry order and runs what depends on the lines before (V2.3, V2.4), builds the index, and ends with V2.1.

A line registers its voter only if it passes V2.2 and V2.5 and neither its voter id nor its key was on an earlier
line (SPEC.md §4.2): a line that fails registers nobody, so a voter id registered by nobody is not registered.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from verifier.checks.findings import Findings, Location
from verifier.checks.voters import CompactVoters
from verifier.crypto import signatures
from verifier.record import layout
from verifier.record.model import AuthorityKey, Manifest, Voter


@dataclass(frozen=True)
class RegistryContext:
    """What `check_voter` needs of the manifest (small enough to ship to every worker)."""
    election_id: str
    registrar: AuthorityKey
    stations: frozenset[str]


def registry_context(manifest: Manifest) -> RegistryContext:
    return RegistryContext(manifest.election_id, manifest.authority("registrar"),
                           frozenset(p.id for p in manifest.polling_stations))


class Registration(NamedTuple):
    """What the sequential checks and the index need of one registry line."""
    line: int
    voter_id: str
    polling_station: str
    algorithm: str
    public_key: bytes
    valid: bool  # passed V2.2 and V2.5


def _where(line: int, voter_id: str, polling_station: str) -> Location:
    return Location(file=layout.REGISTRY, line=line, voter_id=voter_id, polling_station=polling_station)


def check_voter(rctx: RegistryContext, v: Voter, f: Findings) -> Registration:
    """V2.2 and V2.5 for one line; the registration says whether the line passed both."""
    registrar = rctx.registrar
    where = _where(v.line, v.voter_id, v.polling_station)
    valid = f.check("V2.2", signatures.verify(registrar.algorithm, registrar.public_key, v.signed_bytes,
                                              v.registrar_signature), where, "registrar signature is invalid")
    f.checked("V2.5")
    if v.polling_station not in rctx.stations:
        f.fail("V2.5", where, f"unknown polling station {v.polling_station}")
        valid = False
    if not signatures.valid_public_key(v.algorithm, v.public_key):
        # a small-order Ed25519 key lets anyone sign; a mixed-order one is a second key of whoever holds another
        f.fail("V2.5", where, f"public key is not a valid {v.algorithm} key"
               + (" (of small order, outside the prime-order subgroup or not canonically encoded)"
                  if v.algorithm == "ed25519" else " (not a compressed point of the curve)"))
        valid = False
    return Registration(v.line, v.voter_id, v.polling_station, v.algorithm, v.public_key, valid)


class RegistryIndex:
    """Fed every line's `Registration` in registry order: V2.3 and V2.4 against every earlier line, and the index
    of registered voters by id (only lines that pass V2.2 to V2.5); `finish` runs V2.1."""

    def __init__(self) -> None:
        self.voters = CompactVoters()
        self._key_owner: dict[bytes, str] = {}
        self._unindexed: dict[str, int] = {}  # voter id → first line, for ids on lines that registered nobody
        self.lines = 0

    def feed(self, r: Registration, f: Findings) -> None:
        self.lines += 1
        where = _where(r.line, r.voter_id, r.polling_station)
        f.checked("V2.3")
        row = self.voters.row(r.voter_id)
        earlier = self.voters[r.voter_id].line if row is not None else self._unindexed.get(r.voter_id)
        if earlier is not None:
            f.fail("V2.3", where, f"voter id already on line {earlier}")
        owner = self._key_owner.get(r.public_key)
        f.checked("V2.4")
        if owner is None:
            self._key_owner[r.public_key] = r.voter_id
        else:
            f.fail("V2.4", where, f"signing key already on an earlier line (voter {owner})")
        if r.valid and earlier is None and owner is None:
            self.voters.add(r.voter_id, r.polling_station, r.algorithm, r.public_key, r.line)
        elif earlier is None:
            self._unindexed[r.voter_id] = r.line

    def finish(self, manifest: Manifest, registry_sha256: bytes, f: Findings) -> CompactVoters:
        self._key_owner.clear()
        self._unindexed.clear()
        where = Location(file=layout.REGISTRY)
        f.checked("V2.1")  # one item, the commitment: its hash and its number of lines
        if registry_sha256 != manifest.registry_sha256:
            f.fail("V2.1", where, "SHA-256 of the registry differs from the manifest's commitment (voters added, "
                                  "removed or changed)", expected=manifest.registry_sha256.hex(),
                   found=registry_sha256.hex())
        if self.lines != manifest.registry_voters:
            f.fail("V2.1", where, f"{self.lines} registry lines; the manifest commits to {manifest.registry_voters}",
                   expected=manifest.registry_voters, found=self.lines)
        return self.voters


def check_registry(manifest: Manifest, voters: Iterable[Voter], registry_sha256: bytes,
                   f: Findings) -> CompactVoters:
    """The whole registry check in this process."""
    rctx = registry_context(manifest)
    index = RegistryIndex()
    for v in voters:
        index.feed(check_voter(rctx, v, f), f)
    return index.finish(manifest, registry_sha256, f)
