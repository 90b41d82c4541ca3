"""V1.x: the spec version, the election key, the manifest's consistency, its authority keys and the anchor."""
from collections.abc import Sequence
from typing import Protocol

from verifier.checks.findings import Findings, Location
from verifier.crypto import keycheck, modulus_proof, signatures, threshold
from verifier.crypto.paillier import PublicKey, max_options
from verifier.record import layout
from verifier.record.model import (
    AuthorityKey,
    BallotStyle,
    Contest,
    District,
    ElectionKey,
    ListSeatRule,
    Manifest,
    PluralitySeatRule,
    PollingStation,
    Region,
)

KEY = Location(file=layout.ELECTION_KEY)
MANIFEST = Location(file=layout.MANIFEST)


def check_key(manifest: Manifest, key: ElectionKey, f: Findings) -> list[str]:
    """Runs V1.1–V1.4 and V1.7. Returns warnings for the report: a test record's small key is said loudly, and
    every report states the one property of the key no step proves (SPEC §3.6.3)."""
    warnings = []
    f.check("V1.1", manifest.spec_version in layout.SUPPORTED_SPEC_VERSIONS, MANIFEST,
            f"spec version {manifest.spec_version!r} is not one of {', '.join(layout.SUPPORTED_SPEC_VERSIONS)}")
    bits = key.n.bit_length()
    problems = keycheck.tier0_problems(key.n, key.g)
    structural = [p for p in problems if p != "g is not n + 1"]
    if bits < keycheck.MIN_BITS:
        if manifest.test_record:
            warnings.append(f"TEST RECORD: the election key has only {bits} bits; this record proves nothing "
                            f"about a real election")
        else:
            structural.insert(0, f"n has {bits} bits; at least {keycheck.MIN_BITS} are required "
                                 f"(only a record declaring test_record may use a smaller key)")
    if bits < 2 * 256 + 8:
        structural.append(f"n has {bits} bits: too small for 256-bit challenges (needs primes above 2^256)")
    f.checked("V1.2")
    for p in structural:
        f.fail("V1.2", KEY, p)
    f.check("V1.3", key.g == key.n + 1, KEY, "g is not n + 1")
    f.checked("V1.4")
    for p in keycheck.tier1_problems(key.n, key.key_proof):
        f.fail("V1.4", KEY, p)
    f.checked("V1.7")
    for p in modulus_proof.problems(key.n, key.modulus_proof):
        f.fail("V1.7", KEY, p)
    check_threshold_key(key, f, bool(structural))
    if key.threshold is not None:
        warnings.append(UNPROVEN_SAFE_PRIMES)
    warnings.append(UNPROVEN_PRIME_SIZES)
    return warnings


def check_threshold_key(key: ElectionKey, f: Findings, broken: bool) -> None:
    """V1.10: the shared key's public data (SPEC §3.9), one item. A key with a single holder has none: 0 items."""
    if key.threshold is None:
        return
    if broken:
        f.not_run("V1.10", "the election key is not a valid modulus (V1.2)")
        return
    t = key.threshold
    f.checked("V1.10")
    for p in threshold.key_problems(PublicKey.from_n(key.n),
                                    threshold.ThresholdKey(t.trustees, t.threshold, t.v, t.verification_keys)):
        f.fail("V1.10", KEY, p)


# Shoup's share proofs are sound in the squares mod n² only if their order n·p'q' has no small prime factor
UNPROVEN_SAFE_PRIMES = ("ASSUMPTION: the key is shared among trustees; that n's primes are safe primes (p = 2p'+1, "
                        "q = 2q'+1, p' and q' prime) is not proven, and the decryption-share proofs (V6.3) are sound "
                        "only if p'q' has no prime factor below 2^256 (SPEC §3.9)")


# No step proves how large n's two primes are (SPEC §3.6.3); every report says what is assumed.
UNPROVEN_PRIME_SIZES = ("ASSUMPTION: the sizes of the election key's two prime factors are not proven (only that "
                        "each exceeds 2^20 and n has the bits it has); the validity proofs (V4.2) are sound only if "
                        "both exceed 2^256 (SPEC §3.6.3)")


class _Fail(Protocol):
    """Reports one V1.5 finding at the manifest, placed by the Location fields given."""

    def __call__(self, message: str, *, unit: str | None = None, polling_station: str | None = None,
                 contest: str | None = None) -> None: ...


def check_manifest(m: Manifest, n: int, f: Findings) -> bool:
    """V1.5. Returns whether the manifest is consistent enough for any later step to run."""
    before = f.steps["V1.5"].failed

    def fail(message: str, *, unit: str | None = None, polling_station: str | None = None,
             contest: str | None = None) -> None:  # one item, the manifest, however many findings
        f.fail("V1.5", Location(file=layout.MANIFEST, polling_station=polling_station, contest=contest, unit=unit),
               message, item=MANIFEST)

    f.checked("V1.5")
    _check_unique_ids(m, fail)
    regions = {r.id for r in m.regions}
    districts = {d.id: d for d in m.districts}
    styles = {s.id: s for s in m.ballot_styles}
    contests = {c.id: c for c in m.contests}
    for d in m.districts:
        if d.region not in regions:
            fail(f"district {d.id} names unknown region {d.region}", unit=d.id)
    for c in m.contests:
        _check_contest(c, n, regions, districts, fail)
    for s in m.ballot_styles:
        if len(set(s.contests)) != len(s.contests):
            fail(f"ballot style {s.id} lists a contest twice")
        for cid in s.contests:
            if cid not in contests:
                fail(f"ballot style {s.id} names unknown contest {cid}", contest=cid)
    _check_stations(m, districts, styles, contests, fail)
    _check_contests_held(m, styles, fail)
    if not m.voting_start < m.voting_end:
        fail("the voting period ends before it starts")
    if not m.voting_end[:10] < m.election_day:
        fail("e-voting must close before election day (paper votes cancel e-votes)")
    return f.steps["V1.5"].failed == before


def _check_unique_ids(m: Manifest, fail: _Fail) -> None:
    items: tuple[tuple[str, Sequence[Region | District | PollingStation | Contest | BallotStyle]], ...] = (
        ("region", m.regions), ("district", m.districts), ("polling station", m.polling_stations),
        ("contest", m.contests), ("ballot style", m.ballot_styles))
    for kind, of_kind in items:
        seen = set()
        for item in of_kind:
            if item.id in seen:
                fail(f"{kind} id {item.id} is used twice")
            seen.add(item.id)


def _check_contest(c: Contest, n: int, regions: set[str], districts: dict[str, District], fail: _Fail) -> None:
    if c.scope_level == "region" and c.scope_unit not in regions:
        fail(f"scope names unknown region {c.scope_unit}", contest=c.id)
    if c.scope_level == "district" and c.scope_unit not in districts:
        fail(f"scope names unknown district {c.scope_unit}", contest=c.id)
    if len(c.options) > max_options(n):
        fail(f"{len(c.options)} options do not fit the key's {max_options(n)} slots", contest=c.id)
    if len({o.id for o in c.options}) != len(c.options):
        fail("an option id is used twice", contest=c.id)
    if sum(o.kind == "against_all" for o in c.options) > 1:
        fail("more than one 'against all' option", contest=c.id)
    if isinstance(c.seat_rule, ListSeatRule) and any(o.kind == "candidate" for o in c.options):
        fail("a party-list seat rule over candidate options", contest=c.id)
    if isinstance(c.seat_rule, PluralitySeatRule) and all(o.kind == "against_all" for o in c.options):
        fail("a plurality seat rule with no candidate", contest=c.id)


def _check_stations(m: Manifest, districts: dict[str, District], styles: dict[str, BallotStyle],
                    contests: dict[str, Contest], fail: _Fail) -> None:
    """Each station's district and ballot style exist, and its style holds only contests of its territory."""
    outside: dict[tuple[str, str], list[str]] = {}
    for p in m.polling_stations:
        d = districts.get(p.district)
        if d is None:
            fail(f"polling station names unknown district {p.district}", polling_station=p.id)
            continue
        style = styles.get(p.ballot_style)
        if style is None:
            fail(f"polling station names unknown ballot style {p.ballot_style}", polling_station=p.id)
            continue
        key = (style.id, d.id)  # judged once per style and district, not per station
        if key not in outside:
            outside[key] = [cid for cid in style.contests if (c := contests.get(cid))
                            and not _in_scope(c.scope_level, c.scope_unit, d.id, d.region)]
        for cid in outside[key]:
            fail(f"ballot style {style.id} gives the station a contest outside its territory", polling_station=p.id,
                 contest=cid)


def _check_contests_held(m: Manifest, styles: dict[str, BallotStyle], fail: _Fail) -> None:
    # a contest no station's voters receive would have its results announced nowhere (§2.9 lists a contest at the
    # units above the stations whose style holds it), and its seats could never be recomputed
    used = {p.ballot_style for p in m.polling_stations}  # per style, not per station: stays linear
    held = {cid for sid in used if sid in styles for cid in styles[sid].contests}
    if all(p.ballot_style in styles for p in m.polling_stations):  # else the unknown style is the fault, named above
        for c in m.contests:
            if c.id not in held:
                fail("no polling station's ballot style holds this contest: its results would be announced nowhere",
                     contest=c.id)


NOT_ANCHORED = "not anchored: compare the fingerprint below with the one the commission published"
ROLES = ("registrar", "collector", "commission")


def check_anchor(manifest: Manifest, fingerprint: str, expected: Sequence[str],
                 trusted: dict[str, AuthorityKey] | None, trusted_file: str | None, f: Findings) -> None:
    """V1.9: the record is the one the commission published before the vote. Everything else a record proves is
    about itself; only a value published beforehand and kept by the auditor ties it to the real election (someone
    who regenerates a whole record with keys of their own makes every other step pass). Items: each fingerprint
    given, and each authority's key when trusted keys are given. Not run (optional) when neither is given."""
    if not expected and trusted is None:
        f.not_run("V1.9", NOT_ANCHORED, optional=True)
        return
    for i, want in enumerate(expected):
        # the fingerprint is the hash of manifest.json and election_key.json together (§2.2): named at the manifest
        f.check("V1.9", want == fingerprint, Location(file=layout.MANIFEST),
                f"the election fingerprint is {fingerprint}, not {want} as given (--expect-fingerprint): this is not "
                f"the record with the published fingerprint", item=("fingerprint", i), expected=want,
                found=fingerprint)
    if trusted is not None:
        for role in ROLES:
            mine, theirs = manifest.authority(role), trusted[role]
            f.check("V1.9", (mine.algorithm, mine.public_key) == (theirs.algorithm, theirs.public_key), MANIFEST,
                    f"the {role}'s key in the manifest ({mine.algorithm} {mine.public_key.hex()}) is not the one in "
                    f"{trusted_file} ({theirs.algorithm} {theirs.public_key.hex()})", item=("key", role),
                    expected=f"{theirs.algorithm} {theirs.public_key.hex()}",
                    found=f"{mine.algorithm} {mine.public_key.hex()}")


def _in_scope(level: str, unit: str | None, district: str, region: str) -> bool:
    return level == "nation" or (level == "region" and unit == region) or (level == "district" and unit == district)


def check_authority_keys(m: Manifest, f: Findings) -> bool:
    """V1.6: each authority key is a valid key of its algorithm (signatures.valid_public_key). Returns whether all
    are. Nothing is skipped when one is not: no signature verifies under an invalid key, so every document that
    authority signed fails its own signature check too, at its own place."""
    ok = True
    for a in m.authorities:
        ok &= f.check("V1.6", signatures.valid_public_key(a.algorithm, a.public_key), MANIFEST,
                      f"the {a.role}'s public key is not a valid {a.algorithm} key"
                      + (" (of small order, outside the prime-order subgroup or not canonically encoded)"
                         if a.algorithm == "ed25519" else " (not a compressed point of the curve)"))
    return ok
