"""The territory, contests and ballot styles of a simulated election (the manifest minus keys and registry)."""
from dataclasses import dataclass

PARTIES = (("p1", "Party of Progress"), ("p2", "Rural Union"), ("p3", "Republic"), ("p4", "Bright Path"),
           ("p5", "People's Party"), ("p6", "Social Democrats"), ("p7", "Homeland"))
PARTY_WEIGHTS = (52, 11, 9, 8, 7, 5, 4)
AGAINST_ALL = ("against-all", "Against all")


@dataclass(frozen=True)
class Shape:
    regions: list[dict]
    districts: list[dict]
    stations: list[dict]
    contests: list[dict]
    styles: list[dict]
    weights: dict[str, list[int]]  # contest id → relative vote weight per option, in option order


def small_shape(voters: int, seats: int = 20) -> Shape:
    """Two regions, three districts, ~50 voters per polling station (at least two per district); a national
    party-list contest and one single-member district contest per district."""
    regions = [{"id": "R1", "name": "North Region"}, {"id": "R2", "name": "South Region"}]
    districts = [{"id": "D1", "name": "North-East District", "region": "R1"},
                 {"id": "D2", "name": "North-West District", "region": "R1"},
                 {"id": "D3", "name": "South District", "region": "R2"}]
    per_district = max(2, voters // (50 * len(districts)))
    stations, styles, contests, weights = [], [], [], {}
    list_options = [{"id": pid, "name": name, "kind": "party"} for pid, name in PARTIES]
    list_options.append({"id": AGAINST_ALL[0], "name": AGAINST_ALL[1], "kind": "against_all"})
    contests.append({"id": "national-list", "title": "National assembly, party lists", "scope": {"level": "nation"},
                     "options": list_options,
                     "seat_rule": {"method": "largest_remainder", "seats": seats, "threshold_percent": "5",
                                   "threshold_base": "parties_and_against_all"}})
    weights["national-list"] = [*PARTY_WEIGHTS, 6]
    for d in districts:
        smd = f"smd-{d['id']}"
        options = [{"id": f"{smd}-c{i}", "name": f"Candidate {i} ({d['id']})", "kind": "candidate"}
                   for i in range(1, 5)]
        options.append({"id": f"{smd}-{AGAINST_ALL[0]}", "name": AGAINST_ALL[1], "kind": "against_all"})
        contests.append({"id": smd, "title": f"Single-member district {d['name']}",
                         "scope": {"level": "district", "unit": d["id"]}, "options": options,
                         "seat_rule": {"method": "plurality", "seats": 1}})
        weights[smd] = [40, 25, 15, 10, 5]
        style = f"BS-{d['id']}"
        styles.append({"id": style, "contests": ["national-list", smd]})
        for i in range(1, per_district + 1):
            stations.append({"id": f"PS-{d['id']}-{i:03d}", "name": f"Polling station {i} of {d['name']}",
                             "district": d["id"], "ballot_style": style})
    return Shape(regions, districts, stations, contests, styles, weights)
