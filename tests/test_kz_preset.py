"""The kz-2023 preset: its shape (20 regions, 29 SMDs, maslikhats, ballot styles), a simulated record that verifies
end to end, and faults in its protocols and seats named by check and place."""
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import TEST_KEY_BITS, cli, failing, run_verify
from test_results import add_votes, contest_result, only_failing, places, protocol, resign_results, seats_of

from verifier.crypto.paillier import max_options
from verifier.record import layout
from verifier.record.reader import contest_from_dict
from verifier.simulate.authority import Options, simulate
from verifier.simulate.presets import KZ_REGIONS, PRESETS, kz2023_shape, smd_candidates, stations_per_district

VOTERS = 300
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "kz-2023-small"

SMDS_PER_REGION = {"almaty": 3, "turkistan": 3, "astana": 2, "shymkent": 2, "almaty-region": 2, "jambyl": 2,
                   "karaganda": 2}
CITIES = {"astana", "almaty", "shymkent"}
PARTIES = ["amanat", "auyl", "respublica", "ak-zhol", "ppk", "osdp", "baytaq"]


@pytest.fixture(scope="module")
def kz(tmp_path_factory):
    """A small kz-2023 record (640-bit test key) and its secrets. Copy it before changing it (`kz_record`)."""
    out = tmp_path_factory.mktemp("kz") / "record"
    p = PRESETS["kz-2023"]
    secrets = simulate(out, Options(voters=VOTERS, seed="kz-tests", key_bits=TEST_KEY_BITS, election_id=p.election_id,
                                    turnout=p.turnout, revote_rate=p.revote_rate, paper_rate=p.paper_rate,
                                    shape=p.shape(VOTERS)))
    return out, secrets


@pytest.fixture
def kz_record(kz, tmp_path):
    dst = tmp_path / "record"
    shutil.copytree(kz[0], dst)
    return dst


def results_of(record) -> dict:
    return json.loads((record / layout.RESULTS).read_bytes())


# --- the shape --------------------------------------------------------------------------------------------------

def test_territory_20_regions_29_smds():
    shape = kz2023_shape(3000)
    assert len(shape.regions) == 20 and len(shape.districts) == 29
    names = {r["name"] for r in shape.regions}
    for expected in ("Abai Region", "Akmola Region", "Aktobe Region", "Almaty Region", "Atyrau Region",
                     "East Kazakhstan Region", "Jambyl Region", "Jetisu Region", "Karaganda Region", "Kostanay Region",
                     "Kyzylorda Region", "Mangystau Region", "North Kazakhstan Region", "Pavlodar Region",
                     "Turkistan Region", "Ulytau Region", "West Kazakhstan Region", "Astana", "Almaty", "Shymkent"):
        assert expected in names
    per_region = Counter(d["region"] for d in shape.districts)
    assert per_region == {r["id"]: SMDS_PER_REGION.get(r["id"], 1) for r in shape.regions}
    assert sum(1 for r in shape.regions if per_region[r["id"]] == 1) == 13
    assert [d["id"] for d in shape.districts] == [f"smd-{i:02d}" for i in range(1, 30)]
    # the CEC's numbering: No. 1-2 Astana, 3-5 Almaty, 6-7 Shymkent, 11-12 Almaty Region, 17 Jetisu, 28 Ulytau
    region_of = {d["id"]: d["region"] for d in shape.districts}
    assert [region_of[f"smd-{i:02d}"] for i in (1, 2, 3, 5, 6, 7, 11, 12, 17, 28)] == \
        ["astana", "astana", "almaty", "almaty", "shymkent", "shymkent", "almaty-region", "almaty-region", "jetisu",
         "ulytau"]


def test_contests_scopes_and_seat_rules():
    shape = kz2023_shape(3000)
    contests = {c["id"]: c for c in shape.contests}
    for c in shape.contests:
        contest_from_dict(c)  # every contest reads as the verifier's own reader reads it
    m = contests["mazhilis-list"]
    assert m["scope"] == {"level": "nation"}
    assert [o["id"] for o in m["options"]] == [*PARTIES, "against-all"]
    assert [o["name"] for o in m["options"]][:7] == ["AMANAT", "Auyl", "Respublica", "Ak Zhol",
                                                      "People's Party of Kazakhstan",
                                                      "OSDP (National Social Democratic Party)", "Baytaq"]
    assert m["options"][-1]["kind"] == "against_all"
    assert m["seat_rule"] == {"method": "largest_remainder", "seats": 69, "threshold_percent": "5",
                              "threshold_base": "parties_and_against_all"}
    for rid, _, _, _ in KZ_REGIONS:
        c = contests[f"oblast-maslikhat-list-{rid}"]
        assert c["scope"] == {"level": "region", "unit": rid}
        assert c["seat_rule"]["threshold_percent"] == "5" and c["seat_rule"]["method"] == "largest_remainder"
        assert 15 <= c["seat_rule"]["seats"] <= 25
    for d in shape.districts:
        n = d["id"][4:]
        for kind in ("mazhilis-smd", "oblast-maslikhat-smd", "district-maslikhat-smd"):
            c = contests.get(f"{kind}-{n}")
            if kind == "district-maslikhat-smd" and d["region"] in CITIES:
                assert c is None  # the districts of Astana, Almaty and Shymkent have no maslikhat of their own
                continue
            assert c["scope"] == {"level": "district", "unit": d["id"]}
            assert c["seat_rule"] == {"method": "plurality", "seats": 1}
            assert [o["kind"] for o in c["options"]][-1] == "against_all"
            assert sum(o["kind"] == "candidate" for o in c["options"]) >= 3
    assert sum(1 for c in shape.contests if c["id"].startswith("mazhilis-smd-")) == 29
    assert len(shape.contests) == 1 + 20 + 29 + 29 + (29 - 7)
    assert max(len(c["options"]) for c in shape.contests) == 16 <= max_options(2 ** 639)


def test_ballot_styles_give_up_to_five_ballots():
    shape = kz2023_shape(3000)
    region_of = {d["id"]: d["region"] for d in shape.districts}
    styles = {s["id"]: s["contests"] for s in shape.styles}
    for st in shape.stations:
        contests = styles[st["ballot_style"]]
        n = st["district"][4:]
        expected = ["mazhilis-list", f"mazhilis-smd-{n}", f"oblast-maslikhat-list-{region_of[st['district']]}",
                    f"oblast-maslikhat-smd-{n}"]
        if region_of[st["district"]] not in CITIES:
            expected.append(f"district-maslikhat-smd-{n}")
        assert contests == expected


def test_scaling_with_voters():
    assert smd_candidates(3000) == 15 and smd_candidates(10**6) == 15
    assert smd_candidates(300) == 3 and smd_candidates(1) == 3 and smd_candidates(2000) == 10
    assert stations_per_district(300) == 2
    assert stations_per_district(12_000_000) == 352  # about 10,200 stations, as in 2023
    shape = kz2023_shape(300)
    assert len(shape.stations) == 58
    assert all(len(w) == len(c["options"]) for c in shape.contests for w in [shape.weights[c["id"]]])
    smd = next(c for c in shape.contests if c["id"] == "mazhilis-smd-01")
    assert len(smd["options"]) == 4  # 3 candidates and against all
    assert len(next(c for c in kz2023_shape(3000).contests if c["id"] == "mazhilis-smd-01")["options"]) == 16
    assert kz2023_shape(300) == kz2023_shape(300)  # deterministic


def test_weights_give_a_multi_party_mazhilis():
    from fractions import Fraction

    from verifier.record.model import ListSeatRule, Option
    from verifier.tally.seats import allocate_list

    shape = kz2023_shape(3000)
    c = next(c for c in shape.contests if c["id"] == "mazhilis-list")
    votes = [(Option(o["id"], o["name"], o["kind"]), w)
             for o, w in zip(c["options"], shape.weights["mazhilis-list"], strict=True)]
    a = allocate_list(votes, ListSeatRule(69, Fraction(5), True))
    seats = a.seats_by_option()
    assert [p for p, n in seats.items() if n] == ["amanat", "auyl", "respublica", "ak-zhol", "ppk", "osdp"]
    assert seats["baytaq"] == 0 and sum(seats.values()) == 69


# --- the simulated record ---------------------------------------------------------------------------------------

def test_simulated_kz_record_verifies(kz):
    v = run_verify(kz[0])
    assert v.findings.verified, failing(v)
    assert v.counts["registered voters"] == VOTERS
    assert v.findings.steps["V8.1"].checked == 101
    assert v.findings.steps["V5.3"].checked > 0 and v.findings.steps["V5.4"].checked > 0  # re-votes, paper votes


def test_protocols_stop_at_each_contests_level(kz):
    r = results_of(kz[0])
    manifest = json.loads((kz[0] / layout.MANIFEST).read_bytes())
    by_level = Counter(p["level"] for p in r["protocols"])
    assert by_level == {"polling_station": 58, "district": 29, "region": 20, "nation": 1}
    nation = protocol(r, "nation", "nation")
    assert [c["contest"] for c in nation["contests"]] == ["mazhilis-list"]
    for reg in manifest["regions"]:
        p = protocol(r, "region", reg["id"])
        assert [c["contest"] for c in p["contests"]] == ["mazhilis-list", f"oblast-maslikhat-list-{reg['id']}"]
    for d in manifest["districts"]:
        p = protocol(r, "district", d["id"])
        n = d["id"][4:]
        expected = {"mazhilis-list", f"mazhilis-smd-{n}", f"oblast-maslikhat-list-{d['region']}",
                    f"oblast-maslikhat-smd-{n}"} | ({f"district-maslikhat-smd-{n}"} if d["region"] not in CITIES
                                                    else set())
        assert {c["contest"] for c in p["contests"]} == expected
    assert len(r["seats"]) == 101


def test_cli_simulate_preset_and_verify(tmp_path):
    out = tmp_path / "kz"
    result = cli("simulate", out, "--preset", "kz-2023", "--voters", 60, "--seed", "cli", "--key-bits", 528)
    assert result.exit_code == 0, result.output
    assert "preset kz-2023: 58 polling stations, 101 contests" in result.output
    manifest = json.loads((out / layout.MANIFEST).read_bytes())
    assert manifest["election_id"] == "kz-2023" and manifest["test_record"] is True
    result = cli("verify", out, "--workers", 1)
    assert result.exit_code == 0, result.output


def test_cli_preset_with_seats_is_a_usage_error(tmp_path):
    result = cli("simulate", tmp_path / "kz", "--preset", "kz-2023", "--seats", 10)
    assert result.exit_code == 2 and "--seats" in result.output


# --- faults in a kz record --------------------------------------------------------------------------------------

def test_maslikhat_list_region_protocol_that_does_not_sum(kz_record, kz):
    cid = "oblast-maslikhat-list-karaganda"
    resign_results(kz_record, kz[1], lambda r: add_votes(r, "region", "karaganda", cid, "osdp", 2))
    got = only_failing(run_verify(kz_record), "V7.4")
    assert places(got["V7.4"]) == {("region", "karaganda", cid, None), ("region", "karaganda", cid, "osdp")}
    f = next(f for f in got["V7.4"] if f.location.option == "osdp")
    assert "verified" in f.message and "the protocols of its 2 children sum to" in f.message


def test_maslikhat_list_announced_at_the_nation(kz_record, kz):
    """A maslikhat's results stop at the commission that runs it: a regional list in the CEC's protocol is wrong."""
    def change(r):
        c = contest_result(protocol(r, "region", "abai"), "oblast-maslikhat-list-abai")
        protocol(r, "nation", "nation")["contests"].append(json.loads(json.dumps(c)))

    resign_results(kz_record, kz[1], change)
    got = only_failing(run_verify(kz_record), "V7.2")
    assert places(got["V7.2"]) == {("nation", "nation", "oblast-maslikhat-list-abai", None)}


def test_district_maslikhat_smd_at_the_region_and_in_another_district(kz_record, kz):
    def change(r):
        c = contest_result(protocol(r, "district", "smd-08"), "district-maslikhat-smd-08")
        protocol(r, "region", "abai")["contests"].append(json.loads(json.dumps(c)))
        protocol(r, "district", "smd-09")["contests"].append(json.loads(json.dumps(c)))

    resign_results(kz_record, kz[1], change)
    got = only_failing(run_verify(kz_record), "V7.2")
    assert places(got["V7.2"]) == {("region", "abai", "district-maslikhat-smd-08", None),
                                   ("district", "smd-09", "district-maslikhat-smd-08", None)}


def test_smd_station_count_carried_to_the_district(kz_record, kz):
    cid, option = "mazhilis-smd-25", "mazhilis-smd-25-c02"

    def change(r):
        add_votes(r, "polling_station", "ps-25-002", cid, option, 1)
        add_votes(r, "district", "smd-25", cid, option, 1)

    resign_results(kz_record, kz[1], change)
    got = only_failing(run_verify(kz_record), "V7.3", "V7.4")
    assert places(got["V7.3"]) == {("polling_station", "ps-25-002", cid, o) for o in (None, option)}
    assert places(got["V7.4"]) == {("district", "smd-25", cid, o) for o in (None, option)}


def test_wrong_mazhilis_list_seats(kz_record, kz):
    r = results_of(kz_record)
    seats = seats_of(r, "mazhilis-list")
    assert sum(e["seats"] for e in seats.values()) == 69
    seated = [p for p in PARTIES if seats[p]["seats"] > 0]
    assert len(seated) >= 4  # a multi-party Mazhilis
    unseated = next(p for p in reversed(PARTIES) if seats[p]["seats"] == 0)

    def change(r):
        s = seats_of(r, "mazhilis-list")
        s["amanat"]["seats"] -= 1
        s[unseated]["seats"] += 1

    resign_results(kz_record, kz[1], change)
    got = only_failing(run_verify(kz_record), "V8.1")
    assert places(got["V8.1"]) == {(None, None, "mazhilis-list", "amanat"), (None, None, "mazhilis-list", unseated)}


def test_wrong_maslikhat_smd_winner(kz_record, kz):
    r = results_of(kz_record)
    cid = next(s["contest"] for s in r["seats"] if s["contest"].startswith("oblast-maslikhat-smd-")
               and sum(e["seats"] for e in s["seats"]) == 1)

    def change(r):
        s = seats_of(r, cid)
        winner = next(o for o, e in s.items() if e["seats"] == 1)
        other = next(o for o, e in s.items() if e["seats"] == 0 and not o.endswith("against-all"))
        s[winner]["seats"], s[other]["seats"] = 0, 1

    resign_results(kz_record, kz[1], change)
    got = only_failing(run_verify(kz_record), "V8.1")
    assert {f.location.contest for f in got["V8.1"]} == {cid} and len(got["V8.1"]) == 2


# --- the committed fixture --------------------------------------------------------------------------------------

@pytest.mark.skipif(not (FIXTURE / layout.MANIFEST).is_file(), reason="fixtures/kz-2023-small not present")
def test_fixture_is_a_kz_2023_test_record():
    manifest = json.loads((FIXTURE / layout.MANIFEST).read_bytes())
    assert manifest["election_id"] == "kz-2023" and manifest["test_record"] is True
    assert len(manifest["regions"]) == 20 and len(manifest["districts"]) == 29
    assert sum(p.stat().st_size for p in FIXTURE.rglob("*") if p.is_file()) < 16_000_000


@pytest.mark.skipif(not (FIXTURE / layout.MANIFEST).is_file(), reason="fixtures/kz-2023-small not present")
def test_fixture_verifies():
    result = cli("verify", FIXTURE)
    assert result.exit_code == 0, result.output
    assert "TEST RECORD" in result.output and "VERIFIED" in result.output


def test_cli_lists_every_preset():
    from verifier.cli.simulate import PRESET_NAMES

    assert PRESET_NAMES == tuple(PRESETS)
