"""`tally-verifier seats`: exit statuses, output and JSON, through click's CliRunner."""
import json
from pathlib import Path

from click.testing import CliRunner

from verifier.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "seats"
COUNTS = FIXTURES / "mazhilis-2023-counts.csv"
ANNOUNCED = FIXTURES / "mazhilis-2023-announced.csv"


def invoke(*args):
    return CliRunner().invoke(main, ["seats", *map(str, args)])


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_fixture_allocation_exit_0():
    # The fixture: 69 seats, base with against all = 6,367,056, threshold 318,352.8; Baytaq (146,442) fails.
    # Quota 5,972,313 / 69; integer seats 39, 8, 6, 6, 5, 3 = 67; the 2 left go to OSDP (0.825) and AMANAT (0.650).
    r = invoke(COUNTS, "--seats", 69)
    assert r.exit_code == 0, r.output
    assert "base: 6367056 votes" in r.output
    assert "318352.800000 votes" in r.output and "at least 318353 votes" in r.output
    assert "quota: 86555.260869 (1990771/23)" in r.output
    rows = {line.split("  ")[0].strip(): line.split() for line in r.output.splitlines()}
    assert rows["AMANAT"][-1] == "40" and rows["OSDP"][-1] == "4" and rows["Baytaq"][-1] == "0"
    assert "allocated: 69 seat(s), 2 of them by largest remainders" in r.output


def test_fixture_announced_matches_exit_0():
    r = invoke(COUNTS, "--seats", 69, "--announced", ANNOUNCED)
    assert r.exit_code == 0, r.output
    assert "result: the announced allocation matches" in r.output
    assert "mismatch:" not in r.output


def test_announced_mismatch_exit_1_names_the_party(tmp_path):
    wrong = ANNOUNCED.read_text().replace("AMANAT,40", "AMANAT,41").replace("OSDP,4", "OSDP,3")
    r = invoke(COUNTS, "--seats", 69, "--announced", write(tmp_path, "wrong.csv", wrong))
    assert r.exit_code == 1, r.output
    mismatches = [line for line in r.output.splitlines() if line.startswith("mismatch:")]
    assert mismatches == [
        "mismatch: AMANAT: expected 40 seat(s), announced 41",
        "mismatch: OSDP: expected 4 seat(s), announced 3",
    ]


def test_announced_unknown_party_exit_1(tmp_path):
    announced = write(tmp_path, "a.json", json.dumps({"seats": {"AMANAT": 40, "Auyl": 8, "Respublica": 6,
                                                                "Ak Zhol": 6, "People's Party of Kazakhstan": 5,
                                                                "OSDP": 4, "Ghost Party": 0}}))
    r = invoke(COUNTS, "--seats", 69, "--announced", announced)
    assert r.exit_code == 1
    assert "mismatch: Ghost Party: announced 0 seat(s) for an option that is not in the count" in r.output


def test_malformed_csv_exit_2_one_line_with_file_and_line(tmp_path):
    counts = write(tmp_path, "bad.csv", "option,votes\nA,100\nB,12x\n")
    r = invoke(counts, "--seats", 5)
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {counts}:3: ") and "votes" in lines[0]


def test_malformed_announced_exit_2(tmp_path):
    announced = write(tmp_path, "a.csv", "option,seats\nAMANAT,40\nAMANAT,1\n")
    r = invoke(COUNTS, "--seats", 69, "--announced", announced)
    assert r.exit_code == 2
    assert f"{announced}:3: duplicate option 'AMANAT'" in r.output


def test_usage_errors_exit_2(tmp_path):
    assert invoke(COUNTS).exit_code == 2  # --seats missing
    assert invoke(COUNTS, "--seats", 0).exit_code == 2
    assert invoke(COUNTS, "--seats", 69, "--threshold", "5%").exit_code == 2
    assert invoke(COUNTS, "--seats", 69, "--threshold", "101").exit_code == 2
    assert invoke(COUNTS, "--seats", 69, "--base", "everything").exit_code == 2
    assert invoke(tmp_path / "missing.csv", "--seats", 69).exit_code == 2
    assert invoke(COUNTS, "--plurality", "--seats", 2).exit_code == 2
    assert invoke(COUNTS, "--plurality", "--threshold", "7").exit_code == 2


def test_base_option_changes_who_passes(tmp_path):
    # Same votes as test_seats.test_against_all_in_the_base_changes_who_passes: C passes only without against all.
    counts = write(tmp_path, "c.csv",
                   "option,votes,kind\nA,5200,party\nB,4300,party\nC,500,party\nX,1000,against_all\n")
    with_aa = write(tmp_path, "with.csv", "option,seats\nA,5\nB,5\nC,0\n")
    without_aa = write(tmp_path, "without.csv", "option,seats\nA,5\nB,4\nC,1\n")
    assert invoke(counts, "--seats", 10, "--announced", with_aa).exit_code == 0
    assert invoke(counts, "--seats", 10, "--base", "parties", "--announced", without_aa).exit_code == 0
    assert invoke(counts, "--seats", 10, "--announced", without_aa).exit_code == 1


def test_no_party_passes_exit_0_says_so(tmp_path):
    counts = write(tmp_path, "c.csv", "option,votes,kind\nA,200,party\nB,200,party\nX,9600,against_all\n")
    r = invoke(counts, "--seats", 5)
    assert r.exit_code == 0
    assert "no allocation: no party reached the threshold" in r.output


def test_json_output(tmp_path):
    out = tmp_path / "out.json"
    r = invoke(COUNTS, "--seats", 69, "--announced", ANNOUNCED, "--json", out)
    assert r.exit_code == 0, r.output
    report = json.loads(out.read_text())
    assert (report["kind"], report["status"], report["findings"]) == ("seats", "matches", [])
    doc = report["seats"]
    assert doc["mode"] == "list" and doc["allocated"] is True and doc["total_seats"] == 69
    assert doc["quota"] == {"fraction": "1990771/23", "decimal": "86555.260869"}
    assert doc["threshold_votes"] == {"fraction": "1591764/5", "decimal": "318352.800000"}
    amanat = doc["options"][0]
    assert amanat["option"] == "AMANAT" and amanat["seats"] == 39 and amanat["total"] == 40
    assert amanat["remainder_seat"] is True
    against = doc["options"][-1]
    assert against["kind"] == "against_all" and against["total"] == 0 and against["passed"] is None
    assert doc["announced"]["seats"]["AMANAT"] == 40


def test_plurality_win_and_tie(tmp_path):
    win = write(tmp_path, "smd.csv", "option,votes,kind\nX,400,candidate\nY,350,candidate\nnone,100,against_all\n")
    r = invoke(win, "--plurality")
    assert r.exit_code == 0 and "winner: X with 400 votes" in r.output
    tie = write(tmp_path, "tie.csv", "option,votes,kind\nX,400,candidate\nY,400,candidate\n")
    out = tmp_path / "tie.json"
    r = invoke(tie, "--plurality", "--json", out)
    assert r.exit_code == 0
    assert "undecided: tie for first between X, Y with 400 votes each" in r.output
    doc = json.loads(out.read_text())["seats"]
    assert doc["undecided"] is True and doc["winner"] is None and doc["tied"] == ["X", "Y"]
    announced = write(tmp_path, "a.csv", "option,seats\nY,1\n")
    r = invoke(tie, "--plurality", "--announced", announced)
    assert r.exit_code == 1 and "mismatch: Y: announced 1 seat(s), but the count is a tie for first" in r.output


def test_candidate_rows_need_plurality(tmp_path):
    counts = write(tmp_path, "c.csv", "option,votes,kind\nA,10,party\nX,400,candidate\n")
    r = invoke(counts, "--seats", 3)
    assert r.exit_code == 2 and f"{counts}:3: option 'X' has kind candidate" in r.output


def test_json_counts_input(tmp_path):
    # Same as test_seats.test_simple_case_largest_remainder: A 4700, B 3100, C 2200, 10 seats -> 5, 3, 2.
    counts = write(tmp_path, "c.json", json.dumps({"options": [
        {"option": "A", "votes": 4700}, {"option": "B", "votes": 3100, "kind": "party"},
        {"option": "C", "votes": 2200}, {"option": "none", "votes": 0, "kind": "against_all"}]}))
    announced = write(tmp_path, "a.json", '{"seats": {"A": 5, "B": 3, "C": 2}}')
    r = invoke(counts, "--seats", 10, "--announced", announced)
    assert r.exit_code == 0, r.output
    bad = write(tmp_path, "bad.json", '{"options": [{"option": "A", "votes": 4700.0}]}')
    r = invoke(bad, "--seats", 10)
    assert r.exit_code == 2 and f"error: {bad}: non-integer number" in r.output


def test_json_to_standard_output_and_mismatch_findings(tmp_path):
    """`--json -`: standard output is the JSON report alone (before: a file named "-"); a seat that differs is a
    finding with its code, the announcement's option as its place, the recomputed and the announced seats."""
    wrong = write(tmp_path, "wrong.csv", ANNOUNCED.read_text().replace("AMANAT,40", "AMANAT,41"))
    r = CliRunner().invoke(main, ["seats", str(COUNTS), "--seats", "69", "--announced", str(wrong), "--json", "-"],
                           catch_exceptions=False)
    assert r.exit_code == 1
    report = json.loads(r.stdout)  # nothing but the JSON
    assert not (tmp_path / "-").exists() and not Path("-").exists()
    assert (report["status"], report["ok"]) == ("differs", False)
    (f,) = report["findings"]
    assert (f["code"], f["location"], f["expected"], f["found"]) == (
        "V8.1", {"file": str(wrong), "option": "AMANAT"}, 40, 41)
    assert [i["file"] for i in report["inputs"]] == [str(COUNTS), str(wrong)]
