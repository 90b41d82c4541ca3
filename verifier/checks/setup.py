"""V1.x: the spec version, the election key (crypto.md §5) and the manifest's consistency."""
from verifier.checks.findings import Findings, Location
from verifier.crypto import keycheck
from verifier.crypto.paillier import max_options
from verifier.record import layout
from verifier.record.model import ElectionKey, ListSeatRule, Manifest, PluralitySeatRule

KEY = Location(file=layout.ELECTION_KEY)
MANIFEST = Location(file=layout.MANIFEST)


def check_key(manifest: Manifest, key: ElectionKey, f: Findings) -> list[str]:
    """Runs V1.1–V1.4. Returns warnings for the report (a test record's small key is said loudly)."""
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
    return warnings


def check_manifest(m: Manifest, n: int, f: Findings) -> bool:
    """V1.5. Returns whether the manifest is consistent enough for any later step to run."""
    before = f.steps["V1.5"].failed

    def fail(message: str, **where) -> None:
        f.fail("V1.5", Location(file=layout.MANIFEST, **where), message)

    f.checked("V1.5")
    for kind, items in (("region", m.regions), ("district", m.districts), ("polling station", m.polling_stations),
                        ("contest", m.contests), ("ballot style", m.ballot_styles)):
        seen = set()
        for item in items:
            if item.id in seen:
                fail(f"{kind} id {item.id} is used twice")
            seen.add(item.id)
    regions = {r.id for r in m.regions}
    districts = {d.id: d for d in m.districts}
    styles = {s.id: s for s in m.ballot_styles}
    contests = {c.id: c for c in m.contests}
    for d in m.districts:
        if d.region not in regions:
            fail(f"district {d.id} names unknown region {d.region}", unit=d.id)
    for c in m.contests:
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
    for s in m.ballot_styles:
        if len(set(s.contests)) != len(s.contests):
            fail(f"ballot style {s.id} lists a contest twice")
        for cid in s.contests:
            if cid not in contests:
                fail(f"ballot style {s.id} names unknown contest {cid}", contest=cid)
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
    if not m.voting_start < m.voting_end:
        fail("the voting period ends before it starts")
    if not m.voting_end[:10] < m.election_day:
        fail("e-voting must close before election day (paper votes cancel e-votes)")
    return f.steps["V1.5"].failed == before


def _in_scope(level: str, unit: str | None, district: str, region: str) -> bool:
    return level == "nation" or (level == "region" and unit == region) or (level == "district" and unit == district)
