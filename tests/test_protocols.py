"""`tally-verifier protocols DIR`: the paper protocol checks P1..P13 and the reader's exit-2 errors.

Every negative test copies fixtures/protocols/example into tmp_path, makes one change, and asserts exactly which
checks fail and at which places (file:line, level, unit, contest, figure/option).

Because every figure sums up the hierarchy, changing one figure in one protocol also changes what its parent
should say. Tests of a protocol's own arithmetic therefore apply the same change to the protocol's ancestors
("propagate"), so that the hierarchy still adds up and only the check under test fails; the places asserted
then include the ancestors whose own arithmetic is, rightly, just as wrong.
"""
import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.checks.protocols import CHECK_IDS, CHECKS, consistent, run_checks
from verifier.cli import main
from verifier.record.model import LEVELS
from verifier.record.paper_protocols import FIGURES, read_protocol_dir

EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "protocols" / "example"
BROKEN = EXAMPLE.parent / "broken"
PARTIES = ["amanat", "auyl", "respublica", "ak-zhol", "ppk", "osdp", "baytaq", "against-all"]
ML = "mazhilis-list"
SMD = "smd-almaty-1"


# --------------------------------------------------------------------------------------------------- helpers


def copy_example(tmp_path: Path) -> Path:
    d = tmp_path / "protocols"
    shutil.copytree(EXAMPLE, d)
    return d


def rows(d: Path, level: str) -> list[dict]:
    return [json.loads(line) for line in (d / f"{level}.jsonl").read_text().splitlines()]


def save(d: Path, level: str, items: list[dict]) -> None:
    (d / f"{level}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in items))


def line_of(d: Path, level: str, unit: str, contest: str) -> int:
    for i, r in enumerate(rows(d, level), 1):
        if r["unit"] == unit and r["contest"] == contest:
            return i
    raise KeyError((level, unit, contest))


def register(d: Path) -> dict[str, dict]:
    return {u["id"]: u for u in (json.loads(x) for x in (d / "units.jsonl").read_text().splitlines())}


def change(d: Path, level: str, unit: str, contest: str, deltas: dict[str, int], propagate: bool = False) -> None:
    """Add deltas ("figure" or "votes.option") to one protocol and, with propagate, to every ancestor protocol of
    the same contest (so the hierarchy still adds up)."""
    units = register(d)
    at, cur = LEVELS.index(level), unit
    while True:
        items = rows(d, LEVELS[at])
        r = next(r for r in items if r["unit"] == cur and r["contest"] == contest)
        for key, delta in deltas.items():
            if key.startswith("votes."):
                r["votes"][key[6:]] += delta
            else:
                r[key] += delta
        save(d, LEVELS[at], items)
        if not propagate or at == len(LEVELS) - 1:
            return
        at, cur = at + 1, units[cur]["parent"]
        if not any(r["unit"] == cur and r["contest"] == contest for r in rows(d, LEVELS[at])):
            return


def run(d: Path, tmp_path: Path):
    """Run the command; return (result, parsed JSON report or None)."""
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["protocols", str(d), "--json", str(out)])
    report = json.loads(out.read_text()) if out.exists() else None
    return result, report


def failing(report: dict) -> set[str]:
    return {c["id"] for c in report["protocols"]["checks"] if c["findings"]}


def places(report: dict, check: str) -> list[tuple]:
    """(file name, line, unit, contest, item) of every finding of one check, in report order."""
    return [_place(f) for f in report["findings"] if f["code"] == check]


def _place(f: dict) -> tuple:
    where = f["location"]
    return (Path(where["file"]).name, where.get("line"), where["unit"], where["contest"], where.get("item"))


def finding(report: dict, check: str) -> dict:
    (f,) = [f for f in report["findings"] if f["code"] == check]
    return f


def chain(d: Path, unit: str, contest: str, level: str = "polling_station", item=None) -> list[tuple]:
    """The places of a protocol and all its ancestors of the same contest."""
    units = register(d)
    out, at, cur = [], LEVELS.index(level), unit
    while at < len(LEVELS):
        try:
            out.append((f"{LEVELS[at]}.jsonl", line_of(d, LEVELS[at], cur, contest), cur, contest, item))
        except KeyError:
            break
        cur, at = units[cur]["parent"], at + 1
    return out


# ------------------------------------------------------------------------------------------ the good example


def test_checks_are_data():
    assert CHECK_IDS == tuple(f"P{i}" for i in range(1, 14))
    assert all(c.title and c.identity and c.family in ("protocol", "hierarchy") for c in CHECKS)


def test_example_is_consistent(tmp_path):
    result, report = run(EXAMPLE, tmp_path)
    assert result.exit_code == 0, result.output
    assert report["status"] == "consistent"
    assert report["findings"] == []
    assert report["protocols"]["protocols"] == 15
    lines = result.stdout.splitlines()
    for c in CHECKS:  # every check printed with its title and counts
        assert any(line.startswith(f"{c.id} ") and c.title in line and "checked" in line and "failed      0" in line
                   for line in lines), c.id
    assert lines[-1].startswith("verdict: CONSISTENT")
    # the example is what its README says
    assert {(r["unit"], r["contest"]) for r in rows(EXAMPLE, "nation")} == {("kz", ML)}
    assert {r["contest"] for r in rows(EXAMPLE, "district")} == {ML, SMD}
    assert all(r["contest"] == ML for r in rows(EXAMPLE, "region"))
    assert list(rows(EXAMPLE, "nation")[0]["votes"]) == PARTIES
    assert len({r["unit"] for r in rows(EXAMPLE, "polling_station")}) == 6
    assert [Path(i["file"]).name for i in report["inputs"]] == [
        "contests.json", "units.jsonl", "polling_station.jsonl", "district.jsonl", "region.jsonl", "nation.jsonl"]
    assert all(len(i["sha256"]) == 64 for i in report["inputs"])


def test_example_counts(tmp_path):
    ps = read_protocol_dir(EXAMPLE)
    by_id = {r.check.id: r for r in run_checks(ps)}
    assert by_id["P1"].checked == 15
    assert by_id["P8"].checked == 7  # 4 district, 2 region, 1 nation
    assert by_id["P10"].checked == 13  # everything below its contest's top level
    assert by_id["P11"].checked == 12 + 3  # every registered unit for the list, ps-0101/0102 + district for SMD
    assert by_id["P13"].checked == 2
    assert consistent(by_id.values())


# --------------------------------------------------------------------------------- one protocol's arithmetic


def test_p1_ballot_balance(tmp_path):
    d = copy_example(tmp_path)
    change(d, "polling_station", "ps-0101", ML, {"unused": 1}, propagate=True)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P1"}
    assert places(report, "P1") == chain(d, "ps-0101", ML, item="ballots_received")
    f = report["findings"][0]
    assert (f["expected"], f["found"], f["location"]["level"]) == (1537, 1536, "polling_station")
    assert f"P1 {d}/polling_station.jsonl:1: polling_station ps-0101, contest mazhilis-list, ballots_received: " \
           f"expected 1537, found 1536" in result.stdout


def test_p2_ballot_box(tmp_path):
    d = copy_example(tmp_path)
    change(d, "polling_station", "ps-0101", ML, {"in_box": 1}, propagate=True)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P2"}
    assert places(report, "P2") == chain(d, "ps-0101", ML, item="in_box")


def test_p3_polling_station_valid_not_sum_of_votes(tmp_path):
    d = copy_example(tmp_path)
    change(d, "polling_station", "ps-0201", ML, {"votes.amanat": 5}, propagate=True)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P3"}
    assert places(report, "P3") == [
        ("polling_station.jsonl", 3, "ps-0201", ML, "valid"),
        ("district.jsonl", 2, "almaty-bostandyk", ML, "valid"),
        ("region.jsonl", 1, "almaty-city", ML, "valid"),
        ("nation.jsonl", 1, "kz", ML, "valid"),
    ]
    assert (report["findings"][0]["expected"], report["findings"][0]["found"]) == (1208, 1203)


def test_p3_without_propagation_also_breaks_the_district_sum(tmp_path):
    d = copy_example(tmp_path)
    change(d, "polling_station", "ps-0201", ML, {"votes.amanat": 5})
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P3", "P8"}
    assert places(report, "P3") == [("polling_station.jsonl", 3, "ps-0201", ML, "valid")]
    assert places(report, "P8") == [("district.jsonl", 2, "almaty-bostandyk", ML, "votes[amanat]")]


def test_p4_more_in_the_box_than_issued(tmp_path):
    d = copy_example(tmp_path)
    # ps-0102: every issued ballot was in the box; one more invalid ballot appears in the box
    change(d, "polling_station", "ps-0102", ML, {"in_box": 1, "invalid": 1}, propagate=True)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P4"}
    assert places(report, "P4") == [("polling_station.jsonl", 2, "ps-0102", ML, "in_box")]
    assert (finding(report, "P4")["expected"], finding(report, "P4")["found"]) == ("at most 708", 709)


def test_p5_more_issued_than_on_the_list(tmp_path):
    d = copy_example(tmp_path)
    change(d, "polling_station", "ps-0302", ML, {"voters_on_list": 825 - 960}, propagate=True)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P5"}
    assert places(report, "P5") == [("polling_station.jsonl", 6, "ps-0302", ML, "issued_at_station+issued_at_home")]
    assert (finding(report, "P5")["expected"], finding(report, "P5")["found"]) == ("at most 825", 826)


def test_p6_negative_votes(tmp_path):
    d = copy_example(tmp_path)
    change(d, "polling_station", "ps-0302", ML, {"votes.baytaq": -1, "votes.amanat": 1}, propagate=True)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P6"}
    assert places(report, "P6") == [("polling_station.jsonl", 6, "ps-0302", ML, "votes[baytaq]")]
    assert finding(report, "P6")["found"] == -1


def test_p6_negative_figure(tmp_path):
    d = copy_example(tmp_path)
    change(d, "polling_station", "ps-0302", ML, {"spoiled": -1, "unused": 1}, propagate=True)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P6"}
    assert places(report, "P6") == [("polling_station.jsonl", 6, "ps-0302", ML, "spoiled")]


def test_p7_unknown_option(tmp_path):
    d = copy_example(tmp_path)
    items = rows(d, "polling_station")
    items[0]["votes"]["nur-otan"] = 0
    save(d, "polling_station", items)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P7"}
    assert places(report, "P7") == [("polling_station.jsonl", 1, "ps-0101", ML, "votes[nur-otan]")]
    assert finding(report, "P7")["expected"] == "absent"


def test_p7_missing_option(tmp_path):
    d = copy_example(tmp_path)
    items = rows(d, "polling_station")
    assert items[5]["unit"] == "ps-0302" and items[5]["votes"]["baytaq"] == 0
    del items[5]["votes"]["baytaq"]
    save(d, "polling_station", items)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P7"}
    assert places(report, "P7") == [("polling_station.jsonl", 6, "ps-0302", ML, "votes[baytaq]")]
    assert (finding(report, "P7")["expected"], finding(report, "P7")["found"]) == ("present", "absent")


# ------------------------------------------------------------------------------------------------- hierarchy


def test_p8_district_does_not_sum(tmp_path):
    d = copy_example(tmp_path)
    # the district protocol moves 3 votes from Ak Zhol to PPK; region and nation copy the district's figures
    change(d, "district", "almaty-bostandyk", ML, {"votes.ppk": 3, "votes.ak-zhol": -3}, propagate=True)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P8"}
    assert places(report, "P8") == [
        ("district.jsonl", 2, "almaty-bostandyk", ML, "votes[ak-zhol]"),
        ("district.jsonl", 2, "almaty-bostandyk", ML, "votes[ppk]"),
    ]
    ak, ppk = [f for f in report["findings"]]
    assert (ak["expected"], ak["found"], ppk["expected"], ppk["found"]) == (211, 208, 134, 137)
    assert "P8   level sums" in result.stdout and "FAILED" in result.stdout


def test_p8_region_does_not_sum_a_figure(tmp_path):
    d = copy_example(tmp_path)
    change(d, "region", "turkistan-oblast", ML, {"voters_on_list": 100}, propagate=True)
    result, report = run(d, tmp_path)
    assert failing(report) == {"P8"}
    assert places(report, "P8") == [("region.jsonl", 2, "turkistan-oblast", ML, "voters_on_list")]


def test_p8_smd_district(tmp_path):
    d = copy_example(tmp_path)
    change(d, "district", "almaty-alatau", SMD, {"votes.smd1-bekova": 200, "valid": 200, "in_box": 200,
                                                  "issued_at_station": 200, "unused": -200})
    result, report = run(d, tmp_path)
    assert failing(report) == {"P8"}
    line = line_of(d, "district", "almaty-alatau", SMD)
    assert {p[4] for p in places(report, "P8")} == {"votes[smd1-bekova]", "valid", "in_box", "issued_at_station",
                                                   "unused"}
    assert {p[:4] for p in places(report, "P8")} == {("district.jsonl", line, "almaty-alatau", SMD)}


def test_p9_parent_differs_from_register(tmp_path):
    d = copy_example(tmp_path)
    items = rows(d, "polling_station")
    items[3]["parent"] = "almaty-alatau"  # ps-0202 belongs to almaty-bostandyk
    save(d, "polling_station", items)
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P9"}
    assert places(report, "P9") == [("polling_station.jsonl", 4, "ps-0202", ML, "parent")]
    assert (finding(report, "P9")["expected"], finding(report, "P9")["found"]) == ("almaty-bostandyk",
                                                                                    "almaty-alatau")


def test_p9_unknown_unit(tmp_path):
    d = copy_example(tmp_path)
    items = rows(d, "polling_station")
    ghost = {k: (0 if isinstance(v, int) else v) for k, v in items[0].items()}
    ghost.update(unit="ps-9999", votes={o: 0 for o in PARTIES})
    save(d, "polling_station", items + [ghost])
    result, report = run(d, tmp_path)
    assert failing(report) == {"P9"}
    assert places(report, "P9") == [("polling_station.jsonl", 9, "ps-9999", ML, "unit")]


def test_p10_parent_protocol_missing(tmp_path):
    d = copy_example(tmp_path)
    save(d, "district", [r for r in rows(d, "district") if (r["unit"], r["contest"]) != ("almaty-bostandyk", ML)])
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    # the district is missing (P11) and so both of its stations have no parent protocol (P10)
    assert failing(report) == {"P10", "P11"}
    assert places(report, "P10") == [("polling_station.jsonl", 3, "ps-0201", ML, "parent"),
                                     ("polling_station.jsonl", 4, "ps-0202", ML, "parent")]
    assert places(report, "P11") == [("district.jsonl", None, "almaty-bostandyk", ML, None)]
    (p8,) = [c for c in report["protocols"]["checks"] if c["id"] == "P8"]
    assert len(p8["not_checked"]) == 1 and "almaty-city" in p8["not_checked"][0]


def test_p11_missing_polling_station_protocol(tmp_path):
    d = copy_example(tmp_path)
    save(d, "polling_station", [r for r in rows(d, "polling_station") if (r["unit"], r["contest"]) != ("ps-0102", ML)])
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P11"}
    assert places(report, "P11") == [("polling_station.jsonl", None, "ps-0102", ML, None)]
    assert "units.jsonl:8" in finding(report, "P11")["detail"]
    # the district over an incomplete set of stations is reported as not checked, not as 17 sum failures
    (p8,) = [c for c in report["protocols"]["checks"] if c["id"] == "P8"]
    assert p8["not_checked"] == [f"{d}/district.jsonl:1: district almaty-alatau, contest mazhilis-list: not "
                                 f"compared, no protocol of polling_station ps-0102 (see P11)"]
    assert f"P11 {d}/polling_station.jsonl: polling_station ps-0102, contest mazhilis-list" in result.stdout


def test_p11_missing_smd_station_protocol(tmp_path):
    d = copy_example(tmp_path)
    save(d, "polling_station", [r for r in rows(d, "polling_station") if (r["unit"], r["contest"]) != ("ps-0101", SMD)])
    result, report = run(d, tmp_path)
    assert failing(report) == {"P11"}
    assert places(report, "P11") == [("polling_station.jsonl", None, "ps-0101", SMD, None)]


def test_p12_duplicate(tmp_path):
    d = copy_example(tmp_path)
    items = rows(d, "polling_station")
    save(d, "polling_station", items + [dict(items[5])])  # ps-0302 published twice
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P12"}
    assert places(report, "P12") == [("polling_station.jsonl", 9, "ps-0302", ML, None)]
    assert finding(report, "P12")["detail"] == f"duplicate of {d}/polling_station.jsonl:6"


def test_p12_duplicate_with_other_figures_is_not_summed(tmp_path):
    d = copy_example(tmp_path)
    items = rows(d, "district")
    dup = json.loads(json.dumps(items[0]))
    dup["votes"]["amanat"] += 1000
    dup["valid"] += 1000
    dup["in_box"] += 1000
    dup["issued_at_station"] += 1000
    dup["unused"] -= 1000
    save(d, "district", items + [dup])
    result, report = run(d, tmp_path)
    assert failing(report) == {"P12"}  # the first copy is the one summed; the second is only reported
    assert places(report, "P12") == [("district.jsonl", 5, "almaty-alatau", ML, None)]


def test_p13_top_level_protocol_missing(tmp_path):
    d = copy_example(tmp_path)
    save(d, "nation", [])
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P10", "P11", "P13"}
    assert places(report, "P13") == [("nation.jsonl", None, "kz", ML, None)]
    assert places(report, "P11") == [("nation.jsonl", None, "kz", ML, None)]
    assert [p[2] for p in places(report, "P10")] == ["almaty-city", "turkistan-oblast"]


def test_p13_smd_district_protocol_missing(tmp_path):
    d = copy_example(tmp_path)
    save(d, "district", [r for r in rows(d, "district") if r["contest"] != SMD])
    result, report = run(d, tmp_path)
    assert failing(report) == {"P10", "P11", "P13"}
    assert places(report, "P13") == [("district.jsonl", None, "almaty-alatau", SMD, None)]


def test_p13_contest_above_its_top_level(tmp_path):
    d = copy_example(tmp_path)
    smd = next(r for r in rows(d, "district") if r["contest"] == SMD)
    smd.update(unit="almaty-city", parent="kz")  # an SMD "region protocol": SMDs stop at the district
    save(d, "region", rows(d, "region") + [smd])
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert failing(report) == {"P13"}
    assert places(report, "P13") == [("region.jsonl", 3, "almaty-city", SMD, None)]


def test_p13_protocol_outside_the_contest_area(tmp_path):
    d = copy_example(tmp_path)
    items = rows(d, "polling_station")
    stray = dict(next(r for r in items if r["contest"] == SMD))
    stray.update(unit="ps-0201", parent="almaty-bostandyk")  # a station of another district
    save(d, "polling_station", items + [stray])
    result, report = run(d, tmp_path)
    assert failing(report) == {"P10", "P13"}
    assert places(report, "P13") == [("polling_station.jsonl", 9, "ps-0201", SMD, "unit")]
    assert places(report, "P10") == [("polling_station.jsonl", 9, "ps-0201", SMD, "parent")]


def test_all_failures_reported_not_just_the_first(tmp_path):
    result, report = run(BROKEN, tmp_path)
    assert result.exit_code == 1
    assert report["status"] == "inconsistent"
    assert failing(report) == {"P3", "P8", "P11", "P12"}
    got = [(f["code"], *_place(f)[:2], *_place(f)[2:3], _place(f)[4]) for f in report["findings"]]
    assert got == [
        ("P3", "polling_station.jsonl", 2, "ps-0201", "valid"),
        ("P3", "district.jsonl", 2, "almaty-bostandyk", "valid"),
        ("P3", "region.jsonl", 1, "almaty-city", "valid"),
        ("P3", "nation.jsonl", 1, "kz", "valid"),
        ("P8", "district.jsonl", 3, "turkistan-sairam", "votes[amanat]"),
        ("P8", "district.jsonl", 3, "turkistan-sairam", "votes[osdp]"),
        ("P11", "polling_station.jsonl", None, "ps-0102", None),
        ("P12", "polling_station.jsonl", 8, "ps-0302", None),
    ]
    out = result.stdout.splitlines()
    assert out[-1] == "verdict: INCONSISTENT: 8 finding(s) in P3, P8, P11, P12"
    assert sum(line.startswith("  P") for line in out) == 8 + 1  # 8 findings + 1 not-checked note


_EXAMPLE_SET = read_protocol_dir(EXAMPLE)


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, 7), item=st.sampled_from(FIGURES + tuple(f"votes.{o}" for o in PARTIES[:4])),
       delta=st.integers(-50, 50).filter(bool))
def test_any_single_station_change_is_caught_at_its_parent(index, item, delta):
    """Property: any change of one figure or vote at one polling station, not carried up, makes the parent
    district's P8 name exactly that figure."""
    ps = _EXAMPLE_SET
    p = ps.protocols[index]
    assert p.level == "polling_station"
    if item.startswith("votes."):
        option = item[6:]
        if p.votes_of(option) is None:
            return
        new = dataclasses.replace(p, votes=tuple((o, v + delta if o == option else v) for o, v in p.votes))
        label = f"votes[{option}]"
    else:
        new = dataclasses.replace(p, figures=tuple((n, v + delta if n == item else v) for n, v in p.figures))
        label = item
    changed = dataclasses.replace(ps, protocols=ps.protocols[:index] + (new,) + ps.protocols[index + 1:])
    results = run_checks(changed)
    assert not consistent(results)
    p8 = [f for r in results if r.check.id == "P8" for f in r.findings]
    assert [(f.level, f.unit, f.item) for f in p8] == [("district", p.parent, label)]


# ------------------------------------------------------------------------------------- unreadable: exit 2


def run_bad(d: Path):
    result = CliRunner().invoke(main, ["protocols", str(d)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "verdict" not in result.stdout
    # every read error points to the section on paper protocols; the rest of the line is the reader's
    assert lines[0].endswith(" (SPEC.md §7)"), lines[0]
    return lines[0].removesuffix(" (SPEC.md §7)")


def replace_line(d: Path, level: str, number: int, text: str) -> None:
    lines = (d / f"{level}.jsonl").read_text().splitlines()
    lines[number - 1] = text
    (d / f"{level}.jsonl").write_text("".join(x + "\n" for x in lines))


def edit_field(d: Path, level: str, number: int, fn) -> None:
    r = rows(d, level)[number - 1]
    fn(r)
    replace_line(d, level, number, json.dumps(r))


def test_invalid_json_line(tmp_path):
    d = copy_example(tmp_path)
    replace_line(d, "district", 3, '{"unit": "turkistan-sairam", ')
    msg = run_bad(d)
    assert msg.startswith(f"error: {d}/district.jsonl:3: invalid JSON")


def test_duplicate_key(tmp_path):
    d = copy_example(tmp_path)
    line = (d / "polling_station.jsonl").read_text().splitlines()[1]
    replace_line(d, "polling_station", 2, line.replace('"invalid":', '"valid": 0, "invalid":', 1))
    assert run_bad(d) == f"error: {d}/polling_station.jsonl:2: duplicate key 'valid'"


def test_missing_field(tmp_path):
    d = copy_example(tmp_path)
    edit_field(d, "region", 2, lambda r: r.pop("spoiled"))
    assert run_bad(d) == f"error: {d}/region.jsonl:2: missing field 'spoiled'"


def test_unknown_field(tmp_path):
    d = copy_example(tmp_path)
    edit_field(d, "region", 1, lambda r: r.update(turnout="55.1"))
    assert run_bad(d) == f"error: {d}/region.jsonl:1: unknown field 'turnout'"


def test_string_where_a_number_belongs(tmp_path):
    d = copy_example(tmp_path)
    edit_field(d, "polling_station", 4, lambda r: r.update(valid=str(r["valid"])))
    assert run_bad(d) == f"error: {d}/polling_station.jsonl:4: valid: expected an integer, found a string"


@pytest.mark.parametrize("value", ["12", 12.0, True, None, [12]])
def test_vote_not_an_integer(tmp_path, value):
    d = copy_example(tmp_path)
    edit_field(d, "nation", 1, lambda r: r["votes"].update(auyl=value))
    msg = run_bad(d)
    assert msg.startswith(f"error: {d}/nation.jsonl:1: ")
    assert "integer" in msg


def test_unknown_contest(tmp_path):
    d = copy_example(tmp_path)
    edit_field(d, "polling_station", 7, lambda r: r.update(contest="smd-almaty-9"))
    assert run_bad(d) == f"error: {d}/polling_station.jsonl:7: unknown contest 'smd-almaty-9' (not in contests.json)"


def test_parent_null_below_the_nation(tmp_path):
    d = copy_example(tmp_path)
    edit_field(d, "district", 1, lambda r: r.update(parent=None))
    assert run_bad(d).startswith(f"error: {d}/district.jsonl:1: a district protocol must name its parent")


def test_nation_with_a_parent(tmp_path):
    d = copy_example(tmp_path)
    edit_field(d, "nation", 1, lambda r: r.update(parent="kz"))
    assert run_bad(d).startswith(f"error: {d}/nation.jsonl:1: a nation-level protocol has no parent")


def test_blank_line_and_truncated_file(tmp_path):
    d = copy_example(tmp_path)
    (d / "region.jsonl").write_text((d / "region.jsonl").read_text() + "\n")
    assert run_bad(d) == f"error: {d}/region.jsonl:3: empty"
    shutil.copy(EXAMPLE / "region.jsonl", d / "region.jsonl")
    (d / "region.jsonl").write_text((d / "region.jsonl").read_text().rstrip("\n"))
    assert run_bad(d) == f"error: {d}/region.jsonl:2: last line has no newline (truncated file?)"


def test_float_and_huge_number(tmp_path):
    d = copy_example(tmp_path)
    line = (d / "district.jsonl").read_text().splitlines()[0]
    replace_line(d, "district", 1, line.replace('"invalid": 23', '"invalid": 23.0'))
    assert run_bad(d) == f"error: {d}/district.jsonl:1: non-integer number '23.0'"
    replace_line(d, "district", 1, line.replace('"invalid": 23', '"invalid": 1234567890123456789'))
    assert run_bad(d).startswith(f"error: {d}/district.jsonl:1: integer with 19 digits")


@pytest.mark.parametrize("name", ["contests.json", "units.jsonl", "polling_station.jsonl", "district.jsonl",
                                  "region.jsonl", "nation.jsonl"])
def test_missing_file(tmp_path, name):
    d = copy_example(tmp_path)
    (d / name).unlink()
    assert run_bad(d).startswith(f"error: {d}/{name}: missing")


def test_not_a_directory(tmp_path):
    assert run_bad(tmp_path / "nowhere") == f"error: {tmp_path / 'nowhere'}: not a directory"


def test_contests_file_errors(tmp_path):
    d = copy_example(tmp_path)
    doc = json.loads((d / "contests.json").read_text())
    doc["contests"][1]["top_level"] = "polling_station"
    (d / "contests.json").write_text(json.dumps(doc))
    assert run_bad(d).startswith(f"error: {d}/contests.json:1: contests[1].top_level: 'polling_station' is not one "
                                 f"of district")
    doc["contests"][1]["top_level"] = "region"  # almaty-alatau is a district
    (d / "contests.json").write_text(json.dumps(doc))
    assert run_bad(d) == (f"error: {d}/contests.json:1: contest 'smd-almaty-1': top_unit 'almaty-alatau' is not "
                          f"a region in units.jsonl")
    doc["contests"][1]["id"] = ML
    (d / "contests.json").write_text(json.dumps(doc))
    assert run_bad(d) == f"error: {d}/contests.json:1: contests[1]: duplicate contest id 'mazhilis-list'"


def test_register_errors(tmp_path):
    d = copy_example(tmp_path)
    lines = (d / "units.jsonl").read_text().splitlines()
    bad = lines[:6] + ['{"id": "ps-0101", "level": "polling_station", "parent": "almaty-city"}'] + lines[7:]
    (d / "units.jsonl").write_text("\n".join(bad) + "\n")
    assert run_bad(d) == (f"error: {d}/units.jsonl:7: parent 'almaty-city' of polling_station 'ps-0101' is a "
                          f"region, not a district")
    (d / "units.jsonl").write_text("\n".join(lines + [lines[-1]]) + "\n")
    assert run_bad(d) == f"error: {d}/units.jsonl:13: unit 'ps-0302' listed twice (first at line 12)"


def test_negative_number_is_a_finding_not_a_read_error(tmp_path):
    d = copy_example(tmp_path)
    edit_field(d, "polling_station", 1, lambda r: r.update(issued_at_home=-12, issued_at_station=924))
    result, report = run(d, tmp_path)
    assert result.exit_code == 1
    assert "P6" in failing(report)


# ------------------------------------------------------------------------- a maslikhat: stops at the region

MASLIKHAT = "oblast-maslikhat-list-turkistan"


def add_maslikhat(d: Path) -> None:
    """An oblast maslikhat party list run by the Turkistan oblast commission (top level region): its protocols at
    ps-0301, ps-0302, turkistan-sairam and turkistan-oblast, each the sum of the one below; none at the nation."""
    doc = json.loads((d / "contests.json").read_text())
    doc["contests"].append({"id": MASLIKHAT, "title": "Maslikhat of Turkistan Region, party lists",
                            "options": PARTIES, "top_level": "region", "top_unit": "turkistan-oblast"})
    (d / "contests.json").write_text(json.dumps(doc))
    stations: list[dict[str, Any]] = []
    for unit, votes in (("ps-0301", [700, 120, 50, 40, 60, 30, 10, 20]), ("ps-0302", [500, 90, 40, 20, 30, 12, 3, 9])):
        valid, invalid = sum(votes), 9
        stations.append({"unit": unit, "parent": "turkistan-sairam", "contest": MASLIKHAT, "voters_on_list": 1500,
                         "ballots_received": 1515, "issued_at_station": valid + invalid - 10, "issued_at_home": 10,
                         "unused": 1515 - valid - invalid - 1, "spoiled": 1, "in_box": valid + invalid,
                         "valid": valid, "invalid": invalid, "votes": dict(zip(PARTIES, votes, strict=True))})
    save(d, "polling_station", rows(d, "polling_station") + stations)
    total = {f: sum(s[f] for s in stations) for f in FIGURES}
    total["votes"] = {o: sum(s["votes"][o] for s in stations) for o in PARTIES}
    save(d, "district", rows(d, "district") + [
        {"unit": "turkistan-sairam", "parent": "turkistan-oblast", "contest": MASLIKHAT, **total}])
    save(d, "region", rows(d, "region") + [{"unit": "turkistan-oblast", "parent": "kz", "contest": MASLIKHAT, **total}])


def test_maslikhat_list_stopping_at_the_region_is_consistent(tmp_path):
    d = copy_example(tmp_path)
    add_maslikhat(d)
    result, report = run(d, tmp_path)
    assert result.exit_code == 0, result.output
    assert report["protocols"]["protocols"] == 15 + 4


def test_maslikhat_list_at_the_nation_is_above_its_top_level(tmp_path):
    d = copy_example(tmp_path)
    add_maslikhat(d)
    top = dict(next(r for r in rows(d, "region") if r["contest"] == MASLIKHAT), unit="kz", parent=None)
    save(d, "nation", rows(d, "nation") + [top])
    _, report = run(d, tmp_path)
    assert failing(report) == {"P13"}
    assert places(report, "P13") == [("nation.jsonl", 2, "kz", MASLIKHAT, None)]


def test_maslikhat_region_protocol_that_does_not_sum(tmp_path):
    d = copy_example(tmp_path)
    add_maslikhat(d)
    change(d, "region", "turkistan-oblast", MASLIKHAT, {"votes.osdp": 5, "valid": 5, "in_box": 5,
                                                        "issued_at_station": 5, "unused": -5})
    _, report = run(d, tmp_path)
    assert failing(report) == {"P8"}
    line = line_of(d, "region", "turkistan-oblast", MASLIKHAT)
    assert sorted(p[4] for p in places(report, "P8")) == sorted(
        ["in_box", "issued_at_station", "unused", "valid", "votes[osdp]"])
    assert {p[:4] for p in places(report, "P8")} == {("region.jsonl", line, "turkistan-oblast", MASLIKHAT)}


def test_p_steps_are_in_the_one_catalogue():
    """The runner's checks are the catalogue's PROTOCOL_CHECKS (one Check type for V- and P-steps), and
    `tally-verifier checks` lists both suites; --suite protocols --markdown prints §7's table."""
    from click.testing import CliRunner

    from verifier.checks import catalog

    assert CHECKS is catalog.PROTOCOL_CHECKS
    assert all(type(c) is catalog.Check and c.suite == "protocols" for c in CHECKS)
    assert all(c.suite == "record" for c in catalog.CHECKS)
    out = CliRunner().invoke(main, ["checks"]).output
    assert all(f"  {c.id} " in out for c in (*catalog.CHECKS, *CHECKS))
    assert out.index("  V8.1 ") < out.index("[protocols: protocol]") < out.index("  P1 ")
    only = CliRunner().invoke(main, ["checks", "--suite", "protocols"]).output
    assert "V1.1" not in only and "  P13 " in only
    md = CliRunner().invoke(main, ["checks", "--markdown", "--suite", "protocols"])
    assert md.exit_code == 0 and md.output == catalog.markdown_table("protocols") + "\n"


def test_read_errors_come_from_fields_obj(tmp_path):
    """The protocol reader uses fields.Obj: a vote entry is named votes['option'], an id keeps §7's rule (any text,
    at most 200 characters, no surrounding spaces), a boolean is not a figure."""
    d = copy_example(tmp_path)
    edit_field(d, "nation", 1, lambda r: r["votes"].update(auyl=True))
    assert run_bad(d) == f"error: {d}/nation.jsonl:1: votes['auyl']: expected an integer, found a boolean"
    d = copy_example(tmp_path / "b")
    edit_field(d, "district", 1, lambda r: r.update(unit="x" * 201))
    assert run_bad(d).startswith(f"error: {d}/district.jsonl:1: unit: must be a non-empty string without "
                                 f"surrounding spaces, at most 200 characters")
    d = copy_example(tmp_path / "c")
    edit_field(d, "district", 1, lambda r: r.update(spoiled=False))
    assert run_bad(d) == f"error: {d}/district.jsonl:1: spoiled: expected an integer, found a boolean"
