"""V1.x on a simulated record's manifest and key changed one rule at a time (checks/setup.py): the key-size bounds
at their exact values, the shared key's step and warning, V1.5's manifest rules at their bounds (one failed item,
the manifest, however many findings), and V1.9's anchors."""
import secrets
from dataclasses import replace

import gmpy2
import pytest

from verifier.checks.findings import Findings, Location
from verifier.checks.setup import UNPROVEN_SAFE_PRIMES, check_anchor, check_key, check_manifest, check_threshold_key
from verifier.crypto import keycheck
from verifier.crypto.paillier import max_options
from verifier.record import layout, reader
from verifier.record.model import Option


@pytest.fixture(scope="module")
def record(simulated):
    root = simulated[0]
    manifest, _ = reader.read_manifest(root)
    key, _ = reader.read_election_key(root)
    return manifest, key


def _modulus(bits: int) -> int:
    """A product of two random primes with exactly `bits` bits (no other tier-0 problem)."""
    while True:
        p = int(gmpy2.next_prime(secrets.randbits(bits // 2) | 1 << (bits // 2 - 1)))
        q = int(gmpy2.next_prime(secrets.randbits(bits - bits // 2) | 1 << (bits - bits // 2 - 1)))
        if p != q and (p * q).bit_length() == bits:
            return p * q


def _v12(manifest, key, n: int, test_record: bool) -> list[str]:
    f = Findings()
    check_key(replace(manifest, test_record=test_record), replace(key, n=n, g=n + 1), f)
    return [x.message for x in f.steps["V1.2"].findings]


@pytest.mark.parametrize("bits, test_record, problem", [
    (keycheck.MIN_BITS, False, None),
    (keycheck.MIN_BITS - 1, False, f"n has {keycheck.MIN_BITS - 1} bits; at least {keycheck.MIN_BITS} are required"),
    (2 * 256 + 8, True, None),
    (2 * 256 + 7, True, "n has 519 bits: too small for 256-bit challenges"),
])
def test_key_size_bounds(record, bits, test_record, problem):
    """At least 2048 bits unless the record declares itself a test record; never below 520 (both primes must
    exceed the 2^256 challenges)."""
    found = _v12(*record, _modulus(bits), test_record)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(problem)


def test_a_shared_key_is_checked_only_on_a_valid_modulus_and_its_assumption_said(simulated_threshold, record):
    manifest = record[0]
    key, _ = reader.read_election_key(simulated_threshold[0])
    f = Findings()
    warnings = check_key(manifest, key, f)
    assert f.steps["V1.10"].checked == 1 and UNPROVEN_SAFE_PRIMES in warnings
    f = Findings()
    warnings = check_key(manifest, record[1], f)  # a single holder: no V1.10 item, no trustee assumption
    assert f.steps["V1.10"].checked == 0 and UNPROVEN_SAFE_PRIMES not in warnings
    broken = Findings()
    check_key(manifest, replace(key, n=key.n + 1, g=key.n + 2), broken)  # even: not a valid modulus
    assert broken.steps["V1.2"].failed and broken.steps["V1.10"].not_run == \
        "the election key is not a valid modulus (V1.2)"
    alone = Findings()
    check_threshold_key(key, alone, broken=True)
    assert alone.steps["V1.10"].checked == 0 and alone.steps["V1.10"].not_run is not None


def _v15(manifest, n: int) -> tuple[bool, int, list[tuple[Location, str]]]:
    f = Findings()
    ok = check_manifest(manifest, n, f)
    s = f.steps["V1.5"]
    return ok, s.failed, [(x.location, x.message) for x in s.findings]


def test_the_voting_period_must_last(record):
    manifest, key = record
    ok, failed, found = _v15(replace(manifest, voting_end=manifest.voting_start), key.n)
    assert (ok, failed, found) == (False, 1, [(Location(file=layout.MANIFEST),
                                               "the voting period ends before it starts")])


def test_a_contest_may_have_as_many_options_as_the_key_has_slots(record):
    manifest, key = record
    slots = max_options(key.n)
    c = manifest.contests[0]

    def with_options(k):
        options = tuple(Option(f"o{i}", f"Option {i}", "party") for i in range(k))
        return replace(manifest, contests=(replace(c, options=options, seat_rule=None), *manifest.contests[1:]))

    assert _v15(with_options(slots), key.n)[0]
    ok, failed, found = _v15(with_options(slots + 1), key.n)
    assert (ok, failed) == (False, 1)
    assert found == [(Location(file=layout.MANIFEST, contest=c.id),
                      f"{slots + 1} options do not fit the key's {slots} slots")]


def test_every_station_is_judged_and_the_manifest_is_one_item(record):
    manifest, key = record
    first, second, *rest = manifest.polling_stations
    stations = (replace(first, district="no-such-district"), replace(second, district="no-such-district"), *rest)
    ok, failed, found = _v15(replace(manifest, polling_stations=stations), key.n)
    assert (ok, failed) == (False, 1)
    assert found == [(Location(file=layout.MANIFEST, polling_station=p.id),
                      "polling station names unknown district no-such-district") for p in (first, second)]
    stations = (replace(first, ballot_style="no-such-style"), replace(second, ballot_style="no-such-style"), *rest)
    ok, failed, found = _v15(replace(manifest, polling_stations=stations), key.n)
    assert (ok, failed) == (False, 1)
    assert found == [(Location(file=layout.MANIFEST, polling_station=p.id),
                      "polling station names unknown ballot style no-such-style") for p in (first, second)]


def test_anchors(record):
    manifest, _ = record
    fp = "ab" * 32
    f = Findings()
    check_anchor(manifest, fp, [fp], {r: manifest.authority(r) for r in ("registrar", "collector", "commission")},
                 "keys.json", f)
    assert f.steps["V1.9"].checked == 4 and f.failures() == []
    other = replace(manifest.authority("collector"), public_key=bytes(32))
    f = Findings()
    check_anchor(manifest, fp, ["cd" * 32, "ef" * 32],
                 {"registrar": manifest.authority("registrar"), "collector": other,
                  "commission": manifest.authority("commission")}, "keys.json", f)
    s = f.steps["V1.9"]
    assert (s.checked, s.failed) == (5, 3)
    assert [x.expected for x in s.findings] == ["cd" * 32, "ef" * 32, f"{other.algorithm} {bytes(32).hex()}"]
    f = Findings()
    check_anchor(manifest, fp, [], None, None, f)
    assert f.steps["V1.9"].optional and f.steps["V1.9"].not_run is not None
