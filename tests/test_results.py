"""V7.x and V8.1 on a simulated record: the announced protocols at every level and the announced seats against the
verified tallies. Each test changes one thing in a copy of results.json (or tally.json) and re-signs it with the
commission's key, as a dishonest commission could: the signature check (V7.1) passes, and the finding must name
the check and the place (level, unit, contest, option)."""
import json

from conftest import edit_document, failing, run_verify

from verifier.record import canonical, layout
from verifier.record.reader import read_manifest
from verifier.simulate.publish import sign_object
from verifier.tally.hierarchy import Hierarchy, announced_at, turnout_percent

# --- helpers, shared with test_kz_preset.py ---------------------------------------------------------------------

def _resign(record, secrets, name: str, tag: str, change) -> dict:
    path = record / name
    obj = json.loads(path.read_bytes())
    change(obj)
    eid = json.loads((record / layout.MANIFEST).read_bytes())["election_id"]
    obj = sign_object(secrets.authorities["commission"], tag, eid, obj, "commission_signature")
    path.write_bytes(canonical.dumps(obj) + b"\n")
    return obj


def resign_results(record, secrets, change) -> dict:
    """Apply change(results) and sign the result with the commission key, as the commission would."""
    return _resign(record, secrets, layout.RESULTS, layout.RESULTS_TAG, change)


def resign_tally(record, secrets, change) -> dict:
    return _resign(record, secrets, layout.TALLY, layout.TALLY_TAG, change)


def protocol(results: dict, level: str, unit: str) -> dict:
    [p] = [p for p in results["protocols"] if p["level"] == level and p["unit"] == unit]
    return p


def contest_result(p: dict, contest: str) -> dict:
    [r] = [r for r in p["contests"] if r["contest"] == contest]
    return r


def add_votes(results: dict, level: str, unit: str, contest: str, option: str, delta: int) -> None:
    """Add delta votes (and ballots) for option in one protocol."""
    r = contest_result(protocol(results, level, unit), contest)
    r["ballots"] += delta
    [v] = [v for v in r["votes"] if v["option"] == option]
    v["votes"] += delta


def chain(record, station: str) -> list[tuple[str, str]]:
    """(level, unit) of the station and every unit above it."""
    manifest, _ = read_manifest(record)
    return list(Hierarchy(manifest).units_of(station))


def places(findings) -> set[tuple]:
    return {(f.location.level, f.location.unit, f.location.contest, f.location.option) for f in findings}


def only_failing(verdict, *checks: str) -> dict:
    got = failing(verdict)
    assert set(got) == set(checks), {k: [f.message for f in v] for k, v in got.items()}
    return got


def seats_of(results: dict, contest: str) -> dict:
    [s] = [s for s in results["seats"] if s["contest"] == contest]
    return {e["option"]: e for e in s["seats"]}


# --- the small default shape: national-list (nation), smd-D1..D3 (district) -------------------------------------

STATION, DISTRICT, REGION = "PS-D1-001", "D1", "R1"


def _first_votes(record, level, unit, contest) -> list[dict]:
    results = json.loads((record / layout.RESULTS).read_bytes())
    return contest_result(protocol(results, level, unit), contest)["votes"]


def test_unchanged_resigned_record_verifies(record, secrets):
    resign_results(record, secrets, lambda r: None)
    assert run_verify(record).findings.verified


def test_station_protocol_changed_alone_names_the_station(record, secrets):
    option = _first_votes(record, "polling_station", STATION, "national-list")[1]["option"]
    resign_results(record, secrets, lambda r: add_votes(r, "polling_station", STATION, "national-list", option, 1))
    got = only_failing(run_verify(record), "V7.3")
    # ballots and the option: two findings, both at the station; the district above is still right
    assert places(got["V7.3"]) == {("polling_station", STATION, "national-list", None),
                                   ("polling_station", STATION, "national-list", option)}
    msgs = sorted(f.message for f in got["V7.3"])
    assert any("ballots" in m for m in msgs) and all("verified" in m for m in msgs)


def test_change_carried_up_names_every_level(record, secrets):
    option = _first_votes(record, "polling_station", STATION, "national-list")[0]["option"]

    def change(r):
        for level, unit in chain(record, STATION):
            add_votes(r, level, unit, "national-list", option, 3)

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V7.3", "V7.4")
    assert places(got["V7.3"]) == {("polling_station", STATION, "national-list", o) for o in (None, option)}
    assert places(got["V7.4"]) == {(lvl, unit, "national-list", o)
                                   for lvl, unit in [("district", DISTRICT), ("region", REGION), ("nation", "nation")]
                                   for o in (None, option)}
    # each protocol above the station equals the sum of its children: the error came from below
    district = next(f for f in got["V7.4"] if f.location.level == "district" and f.location.option == option)
    announced = int(district.message.split()[1].rstrip(";"))
    assert f"children sum to {announced}" in district.message


def test_nation_protocol_that_does_not_sum(record, secrets):
    option = _first_votes(record, "nation", "nation", "national-list")[2]["option"]
    resign_results(record, secrets, lambda r: add_votes(r, "nation", "nation", "national-list", option, -2))
    got = only_failing(run_verify(record), "V7.4")
    assert places(got["V7.4"]) == {("nation", "nation", "national-list", o) for o in (None, option)}
    f = next(f for f in got["V7.4"] if f.location.option == option)
    # announced differs from both the verified sum and the sum of the two region protocols
    assert "verified" in f.message and "the protocols of its 2 children sum to" in f.message


def test_smd_results_stop_at_the_district(record, secrets):
    """An SMD is declared by the district commission: announcing it at the region is a coverage failure."""
    def change(r):
        d = contest_result(protocol(r, "district", DISTRICT), f"smd-{DISTRICT}")
        protocol(r, "region", REGION)["contests"].append(json.loads(json.dumps(d)))

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V7.2")
    assert places(got["V7.2"]) == {("region", REGION, f"smd-{DISTRICT}", None)}
    assert "not announced at this unit" in got["V7.2"][0].message


def test_contest_missing_from_a_protocol(record, secrets):
    def change(r):
        p = protocol(r, "district", DISTRICT)
        p["contests"] = [c for c in p["contests"] if c["contest"] != f"smd-{DISTRICT}"]

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V7.2")
    assert places(got["V7.2"]) == {("district", DISTRICT, f"smd-{DISTRICT}", None)}
    assert "missing" in got["V7.2"][0].message


def test_turnout_wrong(record, secrets):
    def change(r):
        p = protocol(r, "region", REGION)
        p["voters_voted"] += 1
        p["turnout_percent"] = turnout_percent(p["voters_voted"], p["registered_voters"])

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V7.5")
    assert places(got["V7.5"]) == {("region", REGION, None, None)}
    assert "voters who voted" in got["V7.5"][0].message


def test_unsigned_change_fails_the_signature(record):
    def break_signature(obj):
        signature = obj["commission_signature"]
        obj["commission_signature"] = signature[:-2] + ("00" if signature[-2:] != "00" else "01")

    edit_document(record / layout.RESULTS, break_signature)
    got = only_failing(run_verify(record), "V7.1")
    assert "signature" in got["V7.1"][0].message


def _move_one_station_vote(tally):
    """One vote moved between two options in STATION's published counts: its tally no longer verifies (V6.4)."""
    a = next(a for a in tally["aggregates"] if a["polling_station"] == STATION and a["contest"] == "national-list")
    a["counts"][0]["votes"] += 1
    a["counts"][1]["votes"] -= 1


def test_where_a_tally_did_not_verify_the_levels_above_are_still_checked(record, secrets):
    """A station whose tally fails V6.4 cannot be checked itself; above it, its announced figures stand in for the
    tally, so a district protocol that does not add up is still named, and only the district: the region above,
    which sums the true figures, is not."""
    resign_tally(record, secrets, _move_one_station_vote)
    assert set(failing(run_verify(record))) == {"V6.4"}  # the protocols agree with one another: nothing else
    option = _first_votes(record, "district", DISTRICT, "national-list")[3]["option"]
    resign_results(record, secrets, lambda r: add_votes(r, "district", DISTRICT, "national-list", option, 4))
    got = only_failing(run_verify(record), "V6.4", "V7.4")
    assert places(got["V7.4"]) == {("district", DISTRICT, "national-list", o) for o in (None, option)}
    f = next(f for f in got["V7.4"] if f.location.option == option)
    assert "with the announced figures of 1 protocol(s) below whose tallies did not verify" in f.message
    assert "the protocols of its 2 children sum to" in f.message


def test_with_neither_tally_nor_protocol_the_district_stands_in(record, secrets):
    """A station with no verified tally and no protocol of the contest leaves its district nothing to compare
    with; in the region above, the district's announced figures stand in, so a wrong region is still named (and
    the nation, which sums the true figures, is not)."""
    resign_tally(record, secrets, _move_one_station_vote)
    option = _first_votes(record, "region", REGION, "national-list")[0]["option"]

    def change(r):
        p = protocol(r, "polling_station", STATION)
        p["contests"] = [c for c in p["contests"] if c["contest"] != "national-list"]
        add_votes(r, "region", REGION, "national-list", option, 1)

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V6.4", "V7.2", "V7.4")
    assert places(got["V7.2"]) == {("polling_station", STATION, "national-list", None)}
    assert places(got["V7.4"]) == {("region", REGION, "national-list", o) for o in (None, option)}
    f = next(f for f in got["V7.4"] if f.location.option == option)
    assert "with the announced figures of 1 protocol(s) below" in f.message and "its 2 children sum to" in f.message


# --- V8.1 -------------------------------------------------------------------------------------------------------

def test_seat_moved_between_parties_names_contest_and_both_parties(record, secrets):
    def change(r):
        s = seats_of(r, "national-list")
        s["p1"]["seats"] -= 1
        s["p7"]["seats"] += 1

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V8.1")
    assert places(got["V8.1"]) == {(None, None, "national-list", "p1"), (None, None, "national-list", "p7")}
    assert all("expected" in f.message and "announced" in f.message for f in got["V8.1"])


def test_wrong_smd_winner(record, secrets):
    def change(r):
        s = seats_of(r, "smd-D1")
        winner = next(o for o, e in s.items() if e["seats"] == 1)
        loser = next(o for o, e in s.items() if e["seats"] == 0 and not o.endswith("against-all"))
        s[winner]["seats"], s[loser]["seats"] = 0, 1

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V8.1")
    assert {f.location.contest for f in got["V8.1"]} == {"smd-D1"} and len(got["V8.1"]) == 2


def test_against_all_seated(record, secrets):
    def change(r):
        seats_of(r, "national-list")["against-all"]["seats"] = 1
        seats_of(r, "national-list")["p1"]["seats"] -= 1

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V8.1")
    assert places(got["V8.1"]) == {(None, None, "national-list", "against-all"), (None, None, "national-list", "p1")}


def test_seats_missing_for_a_contest(record, secrets):
    def change(r):
        r["seats"] = [s for s in r["seats"] if s["contest"] != "smd-D2"]

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V8.1")
    assert places(got["V8.1"]) == {(None, None, "smd-D2", None)}


# --- the hierarchy helpers --------------------------------------------------------------------------------------

def test_hierarchy_parents_and_children(record):
    manifest, _ = read_manifest(record)
    h = Hierarchy(manifest)
    assert h.parent[("polling_station", STATION)] == ("district", DISTRICT)
    assert h.parent[("district", DISTRICT)] == ("region", REGION)
    assert h.parent[("region", REGION)] == ("nation", "nation")
    assert sorted(h.children[("region", REGION)]) == [("district", "D1"), ("district", "D2")]
    assert [u for _, u in h.children[("nation", "nation")]] == ["R1", "R2"]
    smd = next(c for c in manifest.contests if c.id == "smd-D1")
    assert [announced_at(smd, lvl) for lvl in ("polling_station", "district", "region", "nation")] == \
        [True, True, False, False]


def test_option_listed_twice_in_the_seats(record, secrets):
    def change(r):
        [s] = [s for s in r["seats"] if s["contest"] == "national-list"]
        p1 = next(e for e in s["seats"] if e["option"] == "p1")
        s["seats"].insert(0, {"option": "p1", "seats": 0})  # the later entry is the right one
        assert p1["seats"] > 0

    resign_results(record, secrets, change)
    got = only_failing(run_verify(record), "V8.1")
    assert places(got["V8.1"]) == {(None, None, "national-list", "p1")}
    assert "twice" in got["V8.1"][0].message
