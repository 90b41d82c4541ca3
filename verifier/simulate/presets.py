"""Named election shapes for `tally-verifier simulate --preset NAME`.

kz-2023: the Kazakhstan elections of 19 March 2023 (../shared/design/elections.md), mapped onto the record's
territorial hierarchy without any change to the record format:

* nation → 20 regions (17 oblasts and the cities of republican significance Astana, Almaty, Shymkent) →
  29 districts, one per Mazhilis single-member district (SMD), each the unit of one district election commission →
  polling stations (about 1,175 registered voters each, as in 2023: 12.0 million voters, 10,223 stations; at
  least two per district).
* contests, and the level up to which each is announced (its scope):
  - ``mazhilis-list``: the Mazhilis party list, 69 seats, 5% threshold over parties + "against all"; nation.
  - ``mazhilis-smd-NN``: the Mazhilis SMD No. NN, plurality; district (the district commission declares it).
  - ``oblast-maslikhat-list-REGION``: the party-list half of the maslikhat of an oblast or a city of republican
    significance, 5% threshold, same rule; region (the oblast/city commission runs that maslikhat).
  - ``oblast-maslikhat-smd-NN``: one SMD of that maslikhat, plurality; district.
  - ``district-maslikhat-smd-NN``: one SMD of a district (or city-of-oblast-significance) maslikhat, plurality;
    district. Only in oblasts: the districts of Astana, Almaty and Shymkent elect no maslikhat of their own.
* ballot styles: one per district, so a voter gets five ballots in an oblast (Mazhilis list and SMD, oblast
  maslikhat list and SMD, district maslikhat SMD) and four in the three cities.

Simplifications, said where they matter: a maslikhat SMD is modelled as one contest per Mazhilis district (real
maslikhat SMDs are smaller and more numerous; the hierarchy has one district level); maslikhat sizes are
invented; every district has the same number of polling stations and voters (SMDs are drawn to be of similar
size); voting abroad is not modelled. Vote weights follow the 2023 national shares with a fixed, deterministic
regional variation; they are not the official results.
"""
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from verifier.simulate.shape import Shape

# (id, name, Mazhilis SMDs, city of republican significance), in the order of the CEC's 2023 SMD numbering:
# the three cities first, then the oblasts; SMD No. 1-2 are Astana's, 3-5 Almaty's, 6-7 Shymkent's, and so on.
KZ_REGIONS = (
    ("astana", "Astana", 2, True),
    ("almaty", "Almaty", 3, True),
    ("shymkent", "Shymkent", 2, True),
    ("abai", "Abai Region", 1, False),
    ("akmola", "Akmola Region", 1, False),
    ("aktobe", "Aktobe Region", 1, False),
    ("almaty-region", "Almaty Region", 2, False),
    ("atyrau", "Atyrau Region", 1, False),
    ("west-kazakhstan", "West Kazakhstan Region", 1, False),
    ("jambyl", "Jambyl Region", 2, False),
    ("jetisu", "Jetisu Region", 1, False),
    ("karaganda", "Karaganda Region", 2, False),
    ("kostanay", "Kostanay Region", 1, False),
    ("kyzylorda", "Kyzylorda Region", 1, False),
    ("mangystau", "Mangystau Region", 1, False),
    ("pavlodar", "Pavlodar Region", 1, False),
    ("north-kazakhstan", "North Kazakhstan Region", 1, False),
    ("turkistan", "Turkistan Region", 3, False),
    ("ulytau", "Ulytau Region", 1, False),
    ("east-kazakhstan", "East Kazakhstan Region", 1, False),
)
# the seven parties in the CEC's registration order (a remainder tie goes to the earlier one), and "against all"
KZ_PARTIES = (("amanat", "AMANAT"), ("auyl", "Auyl"), ("respublica", "Respublica"), ("ak-zhol", "Ak Zhol"),
              ("ppk", "People's Party of Kazakhstan"), ("osdp", "OSDP (National Social Democratic Party)"),
              ("baytaq", "Baytaq"))
AGAINST_ALL = ("against-all", "Against all")
# per mille of the list votes, roughly the 2023 national shares: AMANAT 54, Auyl 11, Respublica 9, Ak Zhol 8.4,
# People's Party 6.8, OSDP 5.2, Baytaq 2.3, against all 3 (invalid ballots do not exist in an e-vote)
KZ_LIST_WEIGHTS = (540, 110, 90, 84, 68, 52, 23, 30)
MAZHILIS_LIST_SEATS = 69
THRESHOLD_PERCENT = "5"
SMD_CANDIDATES_FULL = 15  # about 15 registered candidates per Mazhilis SMD in 2023
OBLAST_MASLIKHAT_SMD_CANDIDATES = 4
DISTRICT_MASLIKHAT_SMD_CANDIDATES = 3
VOTERS_PER_STATION = 1175  # 12.0 million registered voters / 10,223 polling stations
MIN_STATIONS_PER_DISTRICT = 2
# a Mazhilis SMD candidate is nominated by a party or self-nominated; the first is usually AMANAT's
NOMINATORS = tuple(name for _, name in KZ_PARTIES) + ("self-nominated",)
# leader first: a clear winner (as most 2023 SMD winners were), so that small records rarely tie
SMD_WEIGHTS = (450, 180, 90, 60, 45, 35, 28, 22, 18, 15, 12, 10, 8, 6, 5)
SMD_AGAINST_ALL_WEIGHT = 40
# in 2023, 7 of the 29 Mazhilis SMDs elected a self-nominated candidate (No. 11 and 12 among them); here, in these
# 7 a self-nominated candidate leads (in the Mazhilis and the district maslikhat SMD)
SELF_NOMINATED_LEAD = (4, 11, 12, 14, 20, 24, 27)


def _unit(key: str) -> float:
    """A fixed number in [0, 1) for a key: the deterministic 'regional variation' of the preset."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") / 2**32


def _varied(weights, key: str, spread: float = 0.3) -> list[int]:
    """Each weight times a factor in [1 - spread/2, 1 + spread/2), fixed per (key, option); never below 1."""
    return [max(1, round(w * (1 - spread / 2 + spread * _unit(f"{key}/{i}")))) for i, w in enumerate(weights)]


def smd_candidates(voters: int) -> int:
    """Candidates per Mazhilis SMD: 15 from 3,000 voters up, fewer below (at least 3) to keep small records small."""
    return max(3, min(SMD_CANDIDATES_FULL, voters // 200))


def stations_per_district(voters: int, districts: int = 29) -> int:
    return max(MIN_STATIONS_PER_DISTRICT, round(voters / VOTERS_PER_STATION / districts))


def maslikhat_list_seats(smds: int) -> int:
    """Invented, plausible: half of a maslikhat of 30 + 4 seats per Mazhilis SMD of the region (17 to 21)."""
    return (30 + 4 * smds) // 2


def _list_contest(cid: str, title: str, scope: dict, seats: int) -> dict:
    options = [{"id": pid, "name": name, "kind": "party"} for pid, name in KZ_PARTIES]
    options.append({"id": AGAINST_ALL[0], "name": AGAINST_ALL[1], "kind": "against_all"})
    return {"id": cid, "title": title, "scope": scope, "options": options,
            "seat_rule": {"method": "largest_remainder", "seats": seats, "threshold_percent": THRESHOLD_PERCENT,
                          "threshold_base": "parties_and_against_all"}}


def _smd_contest(cid: str, title: str, district: str, candidates: int, nominators) -> dict:
    options = [{"id": f"{cid}-c{i:02d}", "name": f"Candidate {i} ({nominator})", "kind": "candidate"}
               for i, nominator in enumerate(nominators[:candidates], start=1)]
    options.append({"id": f"{cid}-{AGAINST_ALL[0]}", "name": AGAINST_ALL[1], "kind": "against_all"})
    return {"id": cid, "title": title, "scope": {"level": "district", "unit": district}, "options": options,
            "seat_rule": {"method": "plurality", "seats": 1}}


def _smd_weights(cid: str, candidates: int, self_nominated_leads: bool) -> list[int]:
    w = list(SMD_WEIGHTS[:candidates])
    if self_nominated_leads and candidates > 1:
        w[0], w[1] = w[1], w[0]  # candidate 2, self-nominated, leads
    return [*_varied(w, cid), _varied([SMD_AGAINST_ALL_WEIGHT], cid + "/against-all")[0]]


def _nominators(number: int, candidates: int, self_nominated_second: bool) -> list[str]:
    """Candidate 1 is AMANAT's; the others cycle through the other parties and self-nominated candidates;
    candidate 2 is self-nominated where the preset makes a self-nominated candidate lead."""
    others = NOMINATORS[1:]
    names = ["AMANAT"] + [others[(number + i) % len(others)] for i in range(candidates - 1)]
    if self_nominated_second and candidates > 1:
        names[1] = "self-nominated"
    return names


def kz2023_shape(voters: int, candidates: int | None = None) -> Shape:
    """The territory, contests, ballot styles and vote weights of the kz-2023 preset (see the module docstring)."""
    candidates = smd_candidates(voters) if candidates is None else candidates
    if not 1 <= candidates <= SMD_CANDIDATES_FULL:
        raise ValueError(f"candidates per Mazhilis SMD must be 1 to {SMD_CANDIDATES_FULL}, not {candidates}")
    per_district = stations_per_district(voters)
    regions, districts, stations, styles, weights = [], [], [], [], {}
    contests = [_list_contest("mazhilis-list", "Mazhilis, party lists (one nationwide constituency)",
                              {"level": "nation"}, MAZHILIS_LIST_SEATS)]
    weights["mazhilis-list"] = list(KZ_LIST_WEIGHTS)
    number = 0
    for rid, rname, smds, city in KZ_REGIONS:
        regions.append({"id": rid, "name": rname})
        region_list = f"oblast-maslikhat-list-{rid}"
        maslikhat = f"Maslikhat of {rname}" if not city else f"Maslikhat of the city of {rname}"
        contests.append(_list_contest(region_list, f"{maslikhat}, party lists", {"level": "region", "unit": rid},
                                      maslikhat_list_seats(smds)))
        weights[region_list] = _varied(KZ_LIST_WEIGHTS, region_list, 0.5)
        for _ in range(smds):
            number += 1
            did = f"smd-{number:02d}"
            dname = f"Mazhilis district No. {number} ({rname})"
            districts.append({"id": did, "name": dname, "region": rid})
            mazhilis_smd = f"mazhilis-smd-{number:02d}"
            independent = number in SELF_NOMINATED_LEAD
            contests.append(_smd_contest(mazhilis_smd, f"Mazhilis, single-member district No. {number} ({rname})",
                                         did, candidates, _nominators(number, candidates, independent)))
            weights[mazhilis_smd] = _smd_weights(mazhilis_smd, candidates, independent)
            style_contests = ["mazhilis-list", mazhilis_smd, region_list]
            oblast_smd = f"oblast-maslikhat-smd-{number:02d}"
            contests.append(_smd_contest(oblast_smd, f"{maslikhat}, single-member district in {dname}", did,
                                         OBLAST_MASLIKHAT_SMD_CANDIDATES,
                                         _nominators(number + 3, OBLAST_MASLIKHAT_SMD_CANDIDATES, False)))
            weights[oblast_smd] = _smd_weights(oblast_smd, OBLAST_MASLIKHAT_SMD_CANDIDATES, False)
            style_contests.append(oblast_smd)
            if not city:
                district_smd = f"district-maslikhat-smd-{number:02d}"
                contests.append(_smd_contest(district_smd, f"District maslikhat, single-member district in {dname}",
                                             did, DISTRICT_MASLIKHAT_SMD_CANDIDATES,
                                             _nominators(number + 5, DISTRICT_MASLIKHAT_SMD_CANDIDATES, independent)))
                weights[district_smd] = _smd_weights(district_smd, DISTRICT_MASLIKHAT_SMD_CANDIDATES, independent)
                style_contests.append(district_smd)
            style = f"BS-{did}"
            styles.append({"id": style, "contests": style_contests})
            for i in range(1, per_district + 1):
                stations.append({"id": f"ps-{number:02d}-{i:03d}", "name": f"Polling station {i} of {dname}",
                                 "district": did, "ballot_style": style})
    assert number == 29
    return Shape(regions, districts, stations, contests, styles, weights)


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    shape: Callable[[int], Shape]  # voters → shape
    election_id: str
    turnout: float  # share of registered voters who e-vote
    revote_rate: float  # chance, three times over, that a voter votes again (only the last e-vote counts)
    paper_rate: float  # share of e-voters who also vote on paper on election day (cancels their e-votes)


PRESETS = {
    "kz-2023": Preset(
        name="kz-2023",
        description="Kazakhstan, 19 March 2023: Mazhilis (69 list seats, 29 SMDs) and maslikhats, 20 regions",
        shape=kz2023_shape,
        election_id="kz-2023",
        turnout=0.54,  # the 2023 turnout
        revote_rate=0.03,  # about 3% of e-voters vote more than once (Estonia 2023: 10,787 of 313,514)
        paper_rate=0.01,
    ),
}


def max_contest_options(shape: Shape) -> int:
    return max(len(c["options"]) for c in shape.contests)
