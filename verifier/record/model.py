"""Typed, frozen record objects. Built by the readers in this package; judged only by verifier.checks.

Big integers are plain ints here (hex on the wire); every object keeps the file and line it came from so that
a finding can name its place. The objects made once per line (voters, box entries and what they hold,
cancellations, decisions) have slots: no per-object dict, for millions of them in flight.
"""
from dataclasses import dataclass, field
from fractions import Fraction

from verifier.crypto.modulus_proof import ModulusProof  # noqa: F401  (a record type: Π^mod as ints)

LEVELS = ("polling_station", "district", "region", "nation")  # lowest first
OPTION_KINDS = ("party", "candidate", "against_all")


@dataclass(frozen=True)
class Option:
    id: str
    name: str
    kind: str  # one of OPTION_KINDS


@dataclass(frozen=True)
class ListSeatRule:
    """Party-list proportional: quota from the votes of the parties over the threshold, largest remainders,
    remainder ties to the list registered earlier (manifest order); "against all" never seated."""

    seats: int
    threshold_percent: Fraction  # a party passes with votes * 100 >= threshold_percent * base
    base_includes_against_all: bool


@dataclass(frozen=True)
class PluralitySeatRule:
    """Single-member plurality: most votes wins; a tie for first is undecided, never broken silently."""

    seats: int = 1


SeatRule = ListSeatRule | PluralitySeatRule


@dataclass(frozen=True)
class Contest:
    id: str
    title: str
    scope_level: str  # "nation", "region" or "district"
    scope_unit: str | None  # None for the nation
    options: tuple[Option, ...]
    seat_rule: SeatRule | None

    def option_index(self, option_id: str) -> int:
        for i, o in enumerate(self.options):
            if o.id == option_id:
                return i
        raise KeyError(option_id)


@dataclass(frozen=True)
class Region:
    id: str
    name: str


@dataclass(frozen=True)
class District:
    id: str
    name: str
    region: str


@dataclass(frozen=True)
class PollingStation:
    id: str
    name: str
    district: str
    ballot_style: str


@dataclass(frozen=True)
class BallotStyle:
    id: str
    contests: tuple[str, ...]


@dataclass(frozen=True)
class AuthorityKey:
    role: str  # registrar, collector, commission
    algorithm: str
    public_key: bytes


@dataclass(frozen=True)
class Manifest:
    spec_version: str
    election_id: str
    title: str
    test_record: bool
    voting_start: str  # RFC 3339 UTC, "YYYY-MM-DDTHH:MM:SSZ": e-voting opens
    voting_end: str  # e-voting closes
    election_day: str  # "YYYY-MM-DD": paper voting, which cancels the voter's e-votes
    max_receipt_delay: int  # seconds: the collector receives an envelope at most this long after it was cast
    regions: tuple[Region, ...]
    districts: tuple[District, ...]
    polling_stations: tuple[PollingStation, ...]
    contests: tuple[Contest, ...]
    ballot_styles: tuple[BallotStyle, ...]
    authorities: tuple[AuthorityKey, ...]
    registry_voters: int
    registry_sha256: bytes

    def authority(self, role: str) -> AuthorityKey:
        return next(a for a in self.authorities if a.role == role)


@dataclass(frozen=True)
class ThresholdKeyData:
    """The shared key's public data (SPEC §2.2, §3.9): ℓ trustees, threshold w, v and v_1..v_ℓ."""

    trustees: int
    threshold: int
    v: int
    verification_keys: tuple[int, ...]


@dataclass(frozen=True)
class ElectionKey:
    n: int
    g: int
    key_proof: tuple[int, ...]  # sigma_1..sigma_11 of SPEC §3.6.1 (tier 1)
    modulus_proof: ModulusProof  # Π^mod of SPEC §3.6.2
    threshold: ThresholdKeyData | None = None  # present when the key is shared among trustees


@dataclass(frozen=True, slots=True)  # one per line
class Voter:
    line: int
    voter_id: str
    polling_station: str
    algorithm: str
    public_key: bytes
    registrar_signature: bytes
    signed_bytes: bytes  # the exact bytes the registrar signed


@dataclass(frozen=True, slots=True)  # one per line
class Proof:
    """A 1-out-of-k membership proof: (a_j, e_j, z_j) for j = 0..k-1 in manifest option order."""

    a: tuple[int, ...]
    e: tuple[int, ...]
    z: tuple[int, ...]


@dataclass(frozen=True, slots=True)  # one per line
class ContestBallot:
    contest: str
    ciphertext: int
    proof: Proof


@dataclass(frozen=True, slots=True)  # one per line
class Envelope:
    ballot_id: bytes  # 16 random bytes
    election_id: str
    election_fingerprint: bytes
    voter_id: str
    key_fingerprint: bytes
    cast_at: str  # the voter's signed time of casting: a collector that reorders the box cannot move it
    contests: tuple[ContestBallot, ...]
    signature: bytes
    signed_bytes: bytes  # the exact bytes the voter signed


@dataclass(frozen=True, slots=True)  # one per line
class Receipt:
    sequence: int
    received_at: str
    envelope_hash: bytes
    previous_hash: bytes
    collector_signature: bytes
    signed_bytes: bytes


@dataclass(frozen=True, slots=True)  # one per line
class BoxEntry:
    """One line of the ballot box: the voter's envelope and the collector's receipt for it."""

    line: int
    envelope: Envelope
    receipt: Receipt
    envelope_bytes: bytes  # canonical bytes of the envelope object (hashed into the receipt)
    entry_hash: bytes  # SHA-256 of the whole line: the next entry's previous_hash


@dataclass(frozen=True, slots=True)  # one per line
class HeldReceipt:
    """A box line as a voter's client received it (envelope and the collector's receipt), kept by the voter and
    handed to the verifier: evidence of what the box held when the receipt was issued."""

    file: str
    line: int
    ballot_id: bytes
    voter_id: str
    receipt: Receipt
    envelope_hash: bytes  # SHA-256 of the canonical envelope it holds
    entry_hash: bytes  # SHA-256 of the whole line: equal to the box line's hash iff the box holds it unchanged


@dataclass(frozen=True)
class BoxHead:
    entries: int
    head_hash: bytes
    closed_at: str
    collector_signature: bytes
    signed_bytes: bytes
    snapshot_bytes: bytes = b""  # the same fields under the snapshot tag (SPEC.md §12): what a snapshot head signs


@dataclass(frozen=True, slots=True)  # one per line
class Cancellation:
    line: int
    voter_id: str
    polling_station: str
    paper_voted_at: str
    voter_signature: bytes  # the voter's signature in the electronic poll book on taking a paper ballot
    voter_signed_bytes: bytes
    commission_signature: bytes
    commission_signed_bytes: bytes


@dataclass(frozen=True, slots=True)  # one per line
class BallotDecision:
    """The authority's statement about one ballot in the box: counted, or excluded with a reason."""

    line: int
    ballot_id: bytes
    status: str  # "counted" or "excluded"
    reason: str | None


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    """Trustee i's share C_i of an aggregate and its proof of equality of discrete logs (SPEC §3.9)."""

    trustee: int
    share: int
    a: int
    b: int
    e: int
    z: int


@dataclass(frozen=True, slots=True)  # one per line
class DecryptionProof:
    method: str  # "randomness_reveal" (SPEC §4.6) or "threshold" (SPEC §3.9)
    r: int | None  # randomness_reveal: R
    shares: tuple[DecryptionShare, ...] = ()  # threshold: the published shares


@dataclass(frozen=True, slots=True)  # one per line
class Aggregate:
    """One contest at one polling station: the product of the counted ciphertexts and its decryption."""

    index: int  # position in tally.json's aggregates list
    contest: str
    polling_station: str
    ballots: int
    ciphertext: int
    plaintext: int
    counts: tuple[tuple[str, int], ...]  # (option id, votes) in manifest order
    proof: DecryptionProof


@dataclass(frozen=True)
class Tally:
    election_fingerprint: bytes
    aggregates: tuple[Aggregate, ...]
    commission_signature: bytes
    signed_bytes: bytes


@dataclass(frozen=True)
class ContestResult:
    contest: str
    ballots: int
    votes: tuple[tuple[str, int], ...]  # (option id, votes) in manifest order


@dataclass(frozen=True)
class Protocol:
    """An announced result protocol for one territorial unit at one level."""

    index: int  # position in results.json's protocols list
    level: str
    unit: str
    registered_voters: int
    voters_voted: int
    turnout_percent: str  # two decimals, rounded half up
    contests: tuple[ContestResult, ...]


@dataclass(frozen=True)
class AnnouncedSeats:
    contest: str
    seats: tuple[tuple[str, int], ...]  # (option id, seats); for plurality, the winner with 1


@dataclass(frozen=True)
class Results:
    election_fingerprint: bytes
    protocols: tuple[Protocol, ...]
    seats: tuple[AnnouncedSeats, ...]
    commission_signature: bytes
    signed_bytes: bytes


@dataclass(frozen=True)
class InputFile:
    name: str
    sha256: bytes
    size: int


@dataclass
class RecordFiles:
    """What was read besides the streamed files: the SHA-256 of every input, for the report."""

    files: list[InputFile] = field(default_factory=list)
