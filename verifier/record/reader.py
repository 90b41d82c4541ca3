"""Readers: one function per record file, from bytes to the frozen objects of model.py.

They judge nothing: anything that parses into well-typed objects is returned for the checks to judge; anything
that does not raises RecordError with file and line. Signed objects carry the exact bytes their signature covers.
"""
import hashlib
import io
import os
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

from verifier.crypto import threshold as threshold_crypto
from verifier.crypto.encoding import sha256, signed_message
from verifier.crypto.paillier import PublicKey
from verifier.crypto.signatures import ALGORITHMS, KEY_LENGTHS
from verifier.errors import RecordError, reading
from verifier.record import box_line, canonical, layout
from verifier.record.fields import Obj, _kind
from verifier.record.files import open_regular
from verifier.record.model import (
    LEVELS,
    OPTION_KINDS,
    Aggregate,
    AnnouncedSeats,
    AuthorityKey,
    BallotDecision,
    BallotStyle,
    BoxEntry,
    BoxHead,
    Cancellation,
    Contest,
    ContestBallot,
    ContestResult,
    DecryptionProof,
    DecryptionShare,
    District,
    ElectionKey,
    Envelope,
    HeldReceipt,
    ListSeatRule,
    Manifest,
    ModulusProof,
    Option,
    PluralitySeatRule,
    PollingStation,
    Proof,
    Protocol,
    Receipt,
    Region,
    Results,
    Tally,
    ThresholdKeyData,
    Voter,
)

HASH = 32
BALLOT_ID = 16
SIGNATURE = 64
PERCENT = re.compile(r"(0|[1-9][0-9]{0,2})(\.[0-9]{1,4})?")
TURNOUT = re.compile(r"(100|[1-9]?[0-9])\.[0-9][0-9]")
# documents are parsed whole: each is refused unread beyond its limit (a national record's manifest is a few MB,
# its tally ~200 MB at 3072 bits: 10,000 stations × 5 contests; results ~30 MB). Parsed, results.json takes about
# 15 times its size (small objects), a tally about 6 times (long hex strings): hence 64 MiB for results
DOCUMENT_LIMITS = {layout.MANIFEST: 32 << 20, layout.ELECTION_KEY: 1 << 20, layout.BALLOT_BOX_HEAD: 64 << 10,
                   layout.TALLY: canonical.MAX_DOCUMENT_BYTES, layout.RESULTS: 64 << 20}


# (polling station, contest) pairs a manifest may declare: each needs a tally aggregate of at least ~2.5 KB at
# 2048 bits, so a 256 MiB tally holds about 100,000; a national record has ~50,000 (10,000 stations × 5 contests)
MAX_STATION_CONTESTS = 250_000


def check_size(root: Path, name: str) -> None:
    """A whole-file document is refused by its size on disk (``larger than N bytes``), before it is hashed."""
    limit = DOCUMENT_LIMITS[name]
    if (root / name).stat().st_size > limit:
        raise RecordError(name, None, f"larger than {limit} bytes")


def file_digest(path: Path) -> tuple[bytes, int]:
    h, size = hashlib.sha256(), 0
    with open_regular(path, path.name, "missing from the record") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.digest(), size


def open_file(root: Path, name: str):
    """A record file: a regular file, not reached through a link (source.open_record has checked the directory; the
    descriptor is checked again here, so a file swapped for a link or a FIFO since then is refused too)."""
    return open_regular(root / name, name, f"missing from the record, which holds {', '.join(layout.ALL_FILES)}")


def iter_file_lines(root: Path, name: str) -> Iterator[tuple[int, bytes]]:
    """A JSON Lines file as (line number, exact bytes), in bounded memory: the registry, the box, the
    cancellations and the counting decisions are parsed in the workers, line by line."""
    with open_file(root, name) as f:
        yield from canonical.iter_raw_lines(f, name)


def _document(root: Path, name: str, max_bytes: int | None = None, *, with_bytes: bool = True,
              expect: str | None = None) -> tuple[dict, bytes]:
    """The parsed document, and its canonical bytes when asked (the tally's and the results' are not needed: their
    signed bytes leave the signature out, and writing 256 MiB back once more costs seconds). `expect`: the SHA-256
    (hex) the run took of the file when it began, for the report; the bytes read must be those (`changed_since`)."""
    with open_file(root, name) as f:
        limit = DOCUMENT_LIMITS[name] if max_bytes is None else min(max_bytes, DOCUMENT_LIMITS[name])
        if limit < DOCUMENT_LIMITS[name] and os.fstat(f.fileno()).st_size > limit:
            raise RecordError(name, None, f"larger than {limit} bytes, the most the manifest's polling stations, "
                                          f"contests and options can need (SPEC.md §10)")
        data = canonical.read_bounded(f, name, limit)
    if expect is not None:
        changed_since(name, expect, hashlib.sha256(data).hexdigest())
    value = canonical.parse_document(data, name)
    return value, canonical.dumps(value) if with_bytes else b""


def changed_since(name: str, expect: str, found: str) -> None:
    """A file hashed when the run began (the report's digest) and read again later must be read as it was hashed:
    else the report would name bytes that were not the ones verified (SPEC.md §10.2)."""
    if found != expect:
        raise RecordError(name, None, f"changed while it was being verified: SHA-256 {expect} when the run began, "
                                      f"{found} when read")


def _without(value: dict, key: str) -> bytes:
    return canonical.dumps({k: v for k, v in value.items() if k != key})


# --- manifest and key -------------------------------------------------------------------------------------------

def read_manifest(root: Path, expect: str | None = None) -> tuple[Manifest, bytes]:
    value, data = _document(root, layout.MANIFEST, expect=expect)
    f = layout.MANIFEST
    m = Obj(value, f, 1, "", {"spec_version", "election_id", "title", "test_record", "voting_period", "election_day",
                              "regions", "districts", "polling_stations", "contests", "ballot_styles", "authorities",
                              "max_receipt_delay_seconds", "registry"})
    period = m.obj("voting_period", {"start", "end"})
    registry = m.obj("registry", {"voters", "sha256"})
    manifest = Manifest(
        spec_version=m.text("spec_version", max_len=16),
        election_id=m.ident("election_id"),
        title=m.text("title"),
        test_record=m.boolean("test_record"),
        voting_start=period.timestamp("start"),
        voting_end=period.timestamp("end"),
        election_day=m.date("election_day"),
        max_receipt_delay=m.integer("max_receipt_delay_seconds", 0, 86400),
        regions=tuple(Region(o.ident("id"), o.text("name")) for o in m.objs("regions", {"id", "name"}, min_len=1)),
        districts=tuple(District(o.ident("id"), o.text("name"), o.ident("region"))
                        for o in m.objs("districts", {"id", "name", "region"}, min_len=1)),
        polling_stations=tuple(
            PollingStation(o.ident("id"), o.text("name"), o.ident("district"), o.ident("ballot_style"))
            for o in m.objs("polling_stations", {"id", "name", "district", "ballot_style"}, min_len=1)),
        contests=tuple(_contest(o)
                       for o in m.objs("contests", {"id", "title", "scope", "options", "seat_rule"}, min_len=1)),
        ballot_styles=tuple(BallotStyle(o.ident("id"), tuple(_idents(o, "contests")))
                            for o in m.objs("ballot_styles", {"id", "contests"}, min_len=1)),
        authorities=tuple(_authority(m.obj("authorities", {"registrar", "collector", "commission"}), role)
                          for role in ("registrar", "collector", "commission")),
        registry_voters=registry.integer("voters"),
        registry_sha256=registry.hex_bytes("sha256", HASH),
    )
    # every (polling station, contest) pair its ballot style gives needs an aggregate in the tally, a protocol at
    # every level and a sum: a few hundred KB of manifest must not declare more of them than a tally can hold
    per_style = {s.id: len(s.contests) for s in manifest.ballot_styles}
    pairs = sum(per_style.get(p.ballot_style, 0) for p in manifest.polling_stations)
    if pairs > MAX_STATION_CONTESTS:
        raise RecordError(f, None, f"the ballot styles give {pairs} (polling station, contest) pairs; at most "
                                   f"{MAX_STATION_CONTESTS} (SPEC.md §10)")
    return manifest, data


def _idents(o: Obj, key: str) -> list[str]:
    values = o.array(key)
    for i, v in enumerate(values):
        Obj({"id": v}, o.file, o.line, f"{o.path}.{key}[{i}]").ident("id")
    return values


def _authority(o: Obj, role: str) -> AuthorityKey:
    a = o.obj(role, {"algorithm", "public_key"})
    algorithm = a.choice("algorithm", ALGORITHMS)
    return AuthorityKey(role, algorithm, a.hex_bytes("public_key", KEY_LENGTHS[algorithm]))


def _contest(o: Obj) -> Contest:
    scope = o.obj("scope", {"level"}, {"unit"})
    level = scope.choice("level", ("nation", "region", "district"))
    unit = None if level == "nation" else scope.ident("unit")
    if level == "nation" and scope.has("unit"):
        scope.fail("the nation has no unit", "unit")
    options = tuple(Option(p.ident("id"), p.text("name"), p.choice("kind", OPTION_KINDS))
                    for p in o.objs("options", {"id", "name", "kind"}, min_len=1))
    rule: PluralitySeatRule | ListSeatRule | None = None
    if o.value["seat_rule"] is not None:
        r = o.obj("seat_rule", {"method", "seats"}, {"threshold_percent", "threshold_base"})
        method = r.choice("method", ("largest_remainder", "plurality"))
        seats = r.integer("seats", 1, 100000)
        if method == "plurality":
            if seats != 1 or r.has("threshold_percent") or r.has("threshold_base"):
                r.fail("a plurality rule has exactly 1 seat and no threshold")
            rule = PluralitySeatRule(seats)
        else:
            percent = Fraction(r.text("threshold_percent", PERCENT))
            if percent > 100:
                r.fail("above 100", "threshold_percent")
            base = r.choice("threshold_base", ("parties", "parties_and_against_all"))
            rule = ListSeatRule(seats, percent, base == "parties_and_against_all")
    return Contest(o.ident("id"), o.text("title"), level, unit, options, rule)




def contest_from_dict(value: dict) -> Contest:
    """One manifest contest object, read alone (the simulator builds its seat announcements with it)."""
    return _contest(Obj(value, layout.MANIFEST, 1, "contest", {"id", "title", "scope", "options", "seat_rule"}))


def read_election_key(root: Path, expect: str | None = None) -> tuple[ElectionKey, bytes]:
    value, data = _document(root, layout.ELECTION_KEY, expect=expect)
    o = Obj(value, layout.ELECTION_KEY, 1, "", {"n", "g", "key_proof", "modulus_proof"}, optional={"threshold"})
    n_hex = o.text("n", max_len=2048)
    if not n_hex or len(n_hex) % 2 or n_hex.startswith("00"):
        o.fail("n must be minimal-length lowercase hex (whole bytes, no leading zero byte)", "n")
    n = o.hex_int("n", len(n_hex) // 2)
    if n < 3:
        o.fail("n is too small to be a key", "n")
    width = len(n_hex) // 2
    width2 = ((n * n).bit_length() + 7) // 8
    proof = o.obj("key_proof", {"sigma"})
    mod = o.obj("modulus_proof", {"w", "x", "a", "b", "z"})
    # counts and ranges mod n are judged by V1.7 (a finding, not a read error); here only the encoding
    modulus = ModulusProof(mod.hex_int("w", width), mod.hex_ints("x", width), _bits(mod, "a"), _bits(mod, "b"),
                           mod.hex_ints("z", width))
    shared = None
    if o.has("threshold"):  # the key is shared among trustees (SPEC §2.2, §3.9); its checks are V1.10
        t = o.obj("threshold", {"trustees", "threshold", "v", "verification_keys"})
        trustees = t.integer("trustees", 1, threshold_crypto.MAX_TRUSTEES)
        shared = ThresholdKeyData(trustees, t.integer("threshold", 1, threshold_crypto.MAX_TRUSTEES),
                                  t.hex_int("v", width2), t.hex_ints("verification_keys", width2, trustees))
    return ElectionKey(n, o.hex_int("g", width2), proof.hex_ints("sigma", width), modulus, shared), data


def _bits(o: Obj, key: str) -> tuple[int, ...]:
    """An array of the integers 0 and 1."""
    values = o.array(key, max_len=1000)
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int) or v not in (0, 1):
            o.fail(f"expected 0 or 1, found {v if type(v) is int else _kind(v)}", f"{key}[{i}]")
    return tuple(values)


def fingerprint(manifest_bytes: bytes, key_bytes: bytes) -> bytes:
    """The election fingerprint: bound into every envelope, proof and authority signature."""
    return sha256(layout.FINGERPRINT_TAG.encode() + b"\n" + manifest_bytes + b"\n" + key_bytes)


# --- registry ---------------------------------------------------------------------------------------------------

def read_voter(line: int, raw: bytes, election_id: str) -> Voter:
    value = canonical.parse(raw, layout.REGISTRY, line)
    o = Obj(value, layout.REGISTRY, line, "",
            {"voter_id", "polling_station", "algorithm", "public_key", "registrar_signature"})
    algorithm = o.choice("algorithm", ALGORITHMS)
    return Voter(line, o.ident("voter_id"), o.ident("polling_station"), algorithm,
                 o.hex_bytes("public_key", KEY_LENGTHS[algorithm]), o.hex_bytes("registrar_signature", SIGNATURE),
                 signed_message(layout.REGISTRY_TAG, election_id, _without(value, "registrar_signature")))


def iter_registry(root: Path, election_id: str) -> Iterator[Voter]:
    for line, raw in iter_file_lines(root, layout.REGISTRY):
        yield read_voter(line, raw, election_id)


# --- ballot box -------------------------------------------------------------------------------------------------

# what the voter signs: these fields of the envelope plus inner_hash = SHA-256(canonical(contests))
ENVELOPE_SIGNED_FIELDS = ("ballot_id", "cast_at", "election_fingerprint", "election_id", "key_fingerprint", "voter_id")


def parse_box_entry(line: int, raw: bytes, value, key: PublicKey, election_id: str,
                    f: str = layout.BALLOT_BOX) -> BoxEntry:
    """One box line (`f`: the file it is in, the box or a file of receipts voters kept)."""
    o = Obj(value, f, line, "", {"envelope", "receipt"})
    env = o.obj("envelope", {"ballot_id", "election_id", "election_fingerprint", "voter_id", "key_fingerprint",
                             "cast_at", "contests", "signature"})
    contests = []
    for c in env.objs("contests", {"contest", "ciphertext", "proof"}, min_len=1):
        p = c.obj("proof", {"a", "e", "z"})
        k = len(p.array("a", 1, 1000))
        contests.append(ContestBallot(c.ident("contest"), c.hex_int("ciphertext", key.width2),
                                      Proof(p.hex_ints("a", key.width2), p.hex_ints("e", HASH, k),
                                            p.hex_ints("z", key.width, k))))
    envelope_value = value["envelope"]
    body = {k: envelope_value[k] for k in ENVELOPE_SIGNED_FIELDS}
    body["inner_hash"] = sha256(canonical.dumps(envelope_value["contests"])).hex()
    envelope = Envelope(
        ballot_id=env.hex_bytes("ballot_id", BALLOT_ID),
        election_id=env.ident("election_id"),
        election_fingerprint=env.hex_bytes("election_fingerprint", HASH),
        voter_id=env.ident("voter_id"),
        key_fingerprint=env.hex_bytes("key_fingerprint", HASH),
        cast_at=env.timestamp("cast_at"),
        contests=tuple(contests),
        signature=env.hex_bytes("signature", SIGNATURE),
        signed_bytes=signed_message(layout.ENVELOPE_TAG, election_id, canonical.dumps(body)),
    )
    rec = o.obj("receipt", {"sequence", "received_at", "envelope_hash", "previous_hash", "collector_signature"})
    receipt = Receipt(
        sequence=rec.integer("sequence", 1),
        received_at=rec.timestamp("received_at"),
        envelope_hash=rec.hex_bytes("envelope_hash", HASH),
        previous_hash=rec.hex_bytes("previous_hash", HASH),
        collector_signature=rec.hex_bytes("collector_signature", SIGNATURE),
        signed_bytes=signed_message(layout.RECEIPT_TAG, election_id, _without(value["receipt"], "collector_signature")),
    )
    return BoxEntry(line, envelope, receipt, canonical.dumps(envelope_value), sha256(raw))


def read_box_entry(line: int, raw: bytes, key: PublicKey, election_id: str) -> BoxEntry:
    """A box line: by box_line.read at C speed when it can vouch for it, else by the general reader (which
    refuses the line with its exact message, or reads it)."""
    entry = box_line.read(line, raw, key, election_id)
    if entry is not None:
        return entry
    return parse_box_entry(line, raw, canonical.parse(raw, layout.BALLOT_BOX, line), key, election_id)


MAX_HELD_RECEIPTS = 1_000_000


def read_held_receipts(path: Path, key: PublicKey, election_id: str, expect: str | None = None) -> list[HeldReceipt]:
    """Receipts voters kept: JSON Lines, each a box line as the voter's client received it (`verify --receipts`).
    `expect`: the file's SHA-256 (hex) when the run began (`changed_since`)."""
    name = path.name
    out = []
    digest = hashlib.sha256()
    with reading("receipts"), open_regular(path, name) as f:
        for line, raw, value in canonical.iter_lines(f, name):
            digest.update(raw + b"\n")  # every line ends in one: the lines are the file
            if line > MAX_HELD_RECEIPTS:
                raise RecordError(name, line, f"more than {MAX_HELD_RECEIPTS} receipts")
            e = parse_box_entry(line, raw, value, key, election_id, name)
            out.append(HeldReceipt(name, line, e.envelope.ballot_id, e.envelope.voter_id, e.receipt,
                                   sha256(e.envelope_bytes), e.entry_hash))
    if expect is not None:
        changed_since(name, expect, digest.hexdigest())
    return out


def genesis_hash(fingerprint_: bytes) -> bytes:
    return sha256(layout.GENESIS_TAG.encode() + b"\n" + fingerprint_.hex().encode())


def read_box_head(root: Path, election_id: str, expect: str | None = None) -> BoxHead:
    value, _ = _document(root, layout.BALLOT_BOX_HEAD, with_bytes=False, expect=expect)
    o = Obj(value, layout.BALLOT_BOX_HEAD, 1, "", {"entries", "head_hash", "closed_at", "collector_signature"})
    return BoxHead(o.integer("entries"), o.hex_bytes("head_hash", HASH), o.timestamp("closed_at"),
                   o.hex_bytes("collector_signature", SIGNATURE),
                   signed_message(layout.HEAD_TAG, election_id, _without(value, "collector_signature")),
                   signed_message(layout.SNAPSHOT_TAG, election_id, _without(value, "collector_signature")))


# --- cancellations and the authority's decisions ---------------------------------------------------------------

def read_cancellation(line: int, raw: bytes, election_id: str) -> Cancellation:
    value = canonical.parse(raw, layout.CANCELLATIONS, line)
    o = Obj(value, layout.CANCELLATIONS, line, "",
            {"voter_id", "polling_station", "paper_voted_at", "voter_signature", "commission_signature"})
    ack = {k: value[k] for k in ("voter_id", "polling_station", "paper_voted_at")}
    return Cancellation(
        line, o.ident("voter_id"), o.ident("polling_station"), o.timestamp("paper_voted_at"),
        o.hex_bytes("voter_signature", SIGNATURE),
        signed_message(layout.PAPER_BALLOT_TAG, election_id, canonical.dumps(ack)),
        o.hex_bytes("commission_signature", SIGNATURE),
        signed_message(layout.CANCELLATION_TAG, election_id, _without(value, "commission_signature")),
    )


def iter_cancellations(root: Path, election_id: str) -> Iterator[Cancellation]:
    for line, raw in iter_file_lines(root, layout.CANCELLATIONS):
        yield read_cancellation(line, raw, election_id)


DECISION_REASONS = ("invalid", "superseded", "cancelled")


def read_decision(line: int, raw: bytes) -> BallotDecision:
    o = Obj(canonical.parse(raw, layout.BALLOT_DECISIONS, line), layout.BALLOT_DECISIONS, line, "",
            {"ballot_id", "status"}, {"reason"})
    status = o.choice("status", ("counted", "excluded"))
    reason = o.choice("reason", DECISION_REASONS) if status == "excluded" else None
    if status == "counted" and o.has("reason"):
        o.fail("a counted ballot has no reason", "reason")
    return BallotDecision(line, o.hex_bytes("ballot_id", BALLOT_ID), status, reason)


def iter_decisions(root: Path) -> Iterator[BallotDecision]:
    for line, raw in iter_file_lines(root, layout.BALLOT_DECISIONS):
        yield read_decision(line, raw)


# --- tally and results ------------------------------------------------------------------------------------------

# The most bytes an honest entry can take: identifiers have at most 64 characters, integers at most 16 digits
_VOTE = 110  # {"option":"…","votes":N},
_CONTEST_RESULT = 120  # {"ballots":N,"contest":"…","votes":[…]},
_PROTOCOL = 250  # {"contests":[…],"level":"polling_station","registered_voters":N,…,"voters_voted":N},
_SEATS = 100  # {"contest":"…","seats":[…]},
_AGGREGATE = 300  # {"ballots":N,…,"decryption_proof":{"method":"randomness_reveal","r":…},…} without the hex
_SHARE = 100  # {"proof":{"a":…,"b":…,"e":…,"z":…},"share":…,"trustee":N}, without the hex
_TOP = 1024  # the signature, the fingerprint, the keys and brackets of the top object


def size_limits(m: Manifest, key: PublicKey, trustees: int = 0) -> dict[str, int]:
    """The largest tally.json and results.json this manifest can need (each at most its DOCUMENT_LIMITS): the
    sum over what they must hold of the most bytes each entry can take. A bigger file is refused by its size on
    disk, unread, so their reading costs what the manifest justifies, not what the absolute limit allows."""
    options = {c.id: len(c.options) for c in m.contests}
    scope = {c.id: c.scope_level for c in m.contests}
    styles = {s.id: [c for c in s.contests if c in options] for s in m.ballot_styles}
    region_of = {d.id: d.region for d in m.districts}
    pairs = pair_options = 0
    above: set[tuple[str, str, str]] = set()  # (level, unit above a station, contest) announced there
    for p in m.polling_stations:
        for cid in styles.get(p.ballot_style, ()):
            pairs += 1
            pair_options += options[cid]
            if scope[cid] in ("district", "region", "nation"):
                above.add(("district", p.district, cid))
            if scope[cid] in ("region", "nation"):
                above.add(("region", region_of.get(p.district, ""), cid))
            if scope[cid] == "nation":
                above.add(("nation", "", cid))
    units = len(m.polling_stations) + len(m.districts) + len(m.regions) + 1
    results = (_TOP + units * _PROTOCOL + pairs * _CONTEST_RESULT + pair_options * _VOTE
               + sum(_CONTEST_RESULT + options[cid] * _VOTE for _, _, cid in above)
               + sum(_SEATS + len(c.options) * _VOTE for c in m.contests if c.seat_rule is not None))
    tally = _TOP + pairs * (_AGGREGATE + 2 * key.width2 + 4 * key.width) + pair_options * _VOTE
    if trustees:  # threshold decryption: per aggregate up to ℓ shares {"proof":{a,b,e,z},"share","trustee"}
        share = _SHARE + 2 * (3 * key.width2 + 32 + threshold_crypto.z_width(key, trustees))
        tally += pairs * trustees * share
    return {layout.TALLY: min(tally, DOCUMENT_LIMITS[layout.TALLY]),
            layout.RESULTS: min(results, DOCUMENT_LIMITS[layout.RESULTS])}


def read_tally(root: Path, key: PublicKey, election_id: str, max_bytes: int | None = None,
               trustees: int = 0, expect: str | None = None) -> Tally:
    value, _ = _document(root, layout.TALLY, max_bytes, with_bytes=False, expect=expect)
    o = Obj(value, layout.TALLY, 1, "", {"election_fingerprint", "aggregates", "commission_signature"})
    aggregates = []
    for i, a in enumerate(o.objs("aggregates", {"contest", "polling_station", "ballots", "ciphertext", "plaintext",
                                                "counts", "decryption_proof"})):
        aggregates.append(Aggregate(i, a.ident("contest"), a.ident("polling_station"), a.integer("ballots"),
                                    a.hex_int("ciphertext", key.width2), a.hex_int("plaintext", key.width),
                                    _counts(a, "counts"), _decryption_proof(a, key, trustees)))
    return Tally(o.hex_bytes("election_fingerprint", HASH), tuple(aggregates),
                 o.hex_bytes("commission_signature", SIGNATURE),
                 signed_message(layout.TALLY_TAG, election_id, _without(value, "commission_signature")))


def _decryption_proof(a: Obj, key: PublicKey, trustees: int) -> DecryptionProof:
    """{"method": "randomness_reveal", "r": HEX_W1} or, for a shared key only, {"method": "threshold", "shares":
    [{"trustee": i, "share": HEX_W2, "proof": {"a": HEX_W2, "b": HEX_W2, "e": HEX32, "z": HEX_Z}}, ...]}: at most ℓ
    shares, trustees strictly increasing, z of exactly z_width(n, ℓ) bytes (SPEC §3.9)."""
    # one object for both kinds (the published schema describes it so): "method", then exactly the field it needs
    proof = a.obj("decryption_proof", {"method"}, {"r", "shares"})
    method = proof.choice("method", ("randomness_reveal", "threshold"))
    needed, other = ("r", "shares") if method == "randomness_reveal" else ("shares", "r")
    if not proof.has(needed):
        proof.fail(f"missing field {needed!r}")
    if proof.has(other):
        proof.fail(f"unknown field {other!r}")
    if method == "randomness_reveal":
        return DecryptionProof(method, proof.hex_int("r", key.width))
    if not trustees:
        proof.fail("threshold decryption, but election_key.json has no threshold data", "method")
    zw = threshold_crypto.z_width(key, trustees)
    shares: list[DecryptionShare] = []
    for s in proof.objs("shares", {"trustee", "share", "proof"}):
        t = s.integer("trustee", 1, trustees)
        if shares and t <= shares[-1].trustee:
            s.fail("trustees must be listed in strictly increasing order", "trustee")
        p = s.obj("proof", {"a", "b", "e", "z"})
        shares.append(DecryptionShare(t, s.hex_int("share", key.width2), p.hex_int("a", key.width2),
                                      p.hex_int("b", key.width2), p.hex_int("e", HASH), p.hex_int("z", zw)))
    return DecryptionProof(method, None, tuple(shares))


def _counts(o: Obj, key: str) -> tuple[tuple[str, int], ...]:
    """An array of {"option": id, "votes": n} in manifest order (order matters, so not an object)."""
    return tuple((c.ident("option"), c.integer("votes")) for c in o.objs(key, {"option", "votes"}))


def read_results(root: Path, election_id: str, max_bytes: int | None = None, expect: str | None = None) -> Results:
    value, _ = _document(root, layout.RESULTS, max_bytes, with_bytes=False, expect=expect)
    o = Obj(value, layout.RESULTS, 1, "", {"election_fingerprint", "protocols", "seats", "commission_signature"})
    protocols = []
    for i, p in enumerate(o.objs("protocols", {"level", "unit", "registered_voters", "voters_voted", "turnout_percent",
                                               "contests"})):
        level = p.choice("level", LEVELS)
        unit = p.ident("unit")
        contests = tuple(ContestResult(c.ident("contest"), c.integer("ballots"), _counts(c, "votes"))
                         for c in p.objs("contests", {"contest", "ballots", "votes"}))
        protocols.append(Protocol(i, level, unit, p.integer("registered_voters"), p.integer("voters_voted"),
                                  p.text("turnout_percent", TURNOUT, 6), contests))
    seats = tuple(AnnouncedSeats(s.ident("contest"), _seat_counts(s)) for s in o.objs("seats", {"contest", "seats"}))
    return Results(o.hex_bytes("election_fingerprint", HASH), tuple(protocols), seats,
                   o.hex_bytes("commission_signature", SIGNATURE),
                   signed_message(layout.RESULTS_TAG, election_id, _without(value, "commission_signature")))


def _seat_counts(o: Obj) -> tuple[tuple[str, int], ...]:
    return tuple((c.ident("option"), c.integer("seats")) for c in o.objs("seats", {"option", "seats"}))




# --- what the auditor brings (verify --trusted-keys) -------------------------------------------------------------

MAX_TRUSTED_KEYS_BYTES = 64 << 10  # three keys; anything bigger is not such a file


def read_trusted_keys(path: Path) -> tuple[dict[str, AuthorityKey], str]:
    """The authorities' public keys as published before the vote (`verify --trusted-keys`): a JSON object shaped
    like the manifest's `authorities`, parsed as strictly as the record (any formatting: the auditor may have typed
    it). Returns the keys by role and the SHA-256 hex of the file's bytes."""
    name = str(path)
    with reading("trusted keys"):
        with open_regular(path, name) as f:
            data = canonical.read_bounded(f, name, MAX_TRUSTED_KEYS_BYTES)
        value = canonical.read_document(io.BytesIO(data), name, require_canonical=False,
                                        max_bytes=MAX_TRUSTED_KEYS_BYTES)
        a = Obj(value, name, 1, "", {"registrar", "collector", "commission"})
        return {role: _authority(a, role) for role in ("registrar", "collector", "commission")}, sha256(data).hex()
