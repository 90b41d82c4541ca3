"""The findings ledger every check writes into: what counts as a failed item, what is kept, how worker results merge,
and which steps the verdict treats as not checked. Its counts are the report's "checked / failed" figures, and
`verified` is the verdict, so each rule here is held directly rather than only through whole-record runs."""
import pytest

from verifier.checks import findings as findings_module
from verifier.checks.findings import Findings, Location

A = Location(file="ballot-box.jsonl", line=3, ballot_id="b-3")
B = Location(file="ballot-box.jsonl", line=4, ballot_id="b-4")


def test_checked_counts_one_item_unless_told_more() -> None:
    f = Findings()
    f.checked("V3.2")
    f.checked("V3.2")
    f.checked("V3.2", 5)
    assert f.steps["V3.2"].checked == 7


def test_consecutive_findings_of_one_item_are_one_failed_item() -> None:
    f = Findings()
    f.fail("V3.3", A, "wrong election id")
    f.fail("V3.3", A, "wrong contest")  # the same place, so the same item by default
    f.fail("V3.3", B, "wrong election id")
    f.fail("V3.3", B, "other", item=("ballot", "b-9"))  # an explicit item overrides the place
    f.fail("V3.3", B, "named three at once", item="group", items=3)
    s = f.steps["V3.3"]
    assert s.failed == 1 + 1 + 1 + 3
    assert [x.message for x in s.findings] == ["wrong election id", "wrong contest", "wrong election id", "other",
                                               "named three at once"]
    assert s.status == "failed" and not f.verified


def test_check_counts_every_failing_call_as_its_own_item() -> None:
    f = Findings()
    assert f.check("V3.2", False, A, "bad signature") is False
    assert f.check("V3.2", False, A, "bad signature") is False  # a second ballot reported at the same place
    assert f.check("V3.2", True, B, "bad signature") is True
    s = f.steps["V3.2"]
    assert (s.checked, s.failed, len(s.findings)) == (3, 2, 2)
    # with an item given, consecutive failures of that item are one
    f.check("V3.4", False, A, "x", item="voter-1")
    f.check("V3.4", False, A, "y", item="voter-1")
    assert (f.steps["V3.4"].checked, f.steps["V3.4"].failed) == (2, 1)


def test_a_finding_keeps_the_values_it_compared() -> None:
    f = Findings()
    f.check("V7.1", False, A, "count differs", expected=12, found=13)
    f.fail("V7.3", B, "turnout differs", expected="50.00", found="51.00")
    [one], [two] = f.steps["V7.1"].findings, f.steps["V7.3"].findings
    assert (one.expected, one.found, two.expected, two.found) == (12, 13, "50.00", "51.00")


def test_findings_beyond_the_cap_are_counted_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(findings_module, "MAX_KEPT_PER_CHECK", 3)
    f = Findings()
    for i in range(5):
        f.check("V4.2", False, Location(line=i + 1), "proof fails")
    s = f.steps["V4.2"]
    assert [x.location.line for x in s.findings] == [1, 2, 3]
    assert (s.unlisted, s.failed, s.checked) == (2, 5, 5)


def test_merge_adds_counts_and_keeps_at_most_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(findings_module, "MAX_KEPT_PER_CHECK", 3)
    mine, theirs = Findings(), Findings()
    mine.check("V4.2", False, Location(line=1), "x")
    mine.check("V4.2", False, Location(line=2), "x")
    mine.checked("V4.2", 10)
    for i in range(3, 6):
        theirs.check("V4.2", False, Location(line=i), "x")
    theirs.steps["V4.2"].unlisted = 4  # theirs had already dropped four
    theirs.steps["V4.2"].failed += 4
    mine.merge(theirs)
    s = mine.steps["V4.2"]
    assert [x.location.line for x in s.findings] == [1, 2, 3]
    assert s.checked == 12 + 3
    assert s.failed == 2 + 3 + 4
    assert s.unlisted == 4 + 2  # theirs' own four, and lines 4 and 5 that found no room


def test_merge_carries_the_last_failed_item_across_chunks() -> None:
    """A chunk's results merged, the next finding about the same item does not count it twice."""
    mine, theirs = Findings(), Findings()
    theirs.fail("V5.3", A, "superseded ballot counted", item="voter-7")
    mine.merge(theirs)
    mine.fail("V5.3", B, "and its receipt", item="voter-7")
    assert mine.steps["V5.3"].failed == 1
    clean = Findings()  # a chunk with no failure leaves the last item as it was
    mine.merge(clean)
    mine.fail("V5.3", B, "again", item="voter-7")
    assert mine.steps["V5.3"].failed == 1


def test_merge_keeps_the_first_reason_a_step_was_not_run() -> None:
    mine, theirs = Findings(), Findings()
    theirs.not_run("V3.10", "no receipts given", optional=True)
    mine.merge(theirs)
    assert (mine.steps["V3.10"].not_run, mine.steps["V3.10"].optional) == ("no receipts given", True)
    other = Findings()
    other.not_run("V3.10", "receipts unreadable", optional=False)
    mine.merge(other)
    assert (mine.steps["V3.10"].not_run, mine.steps["V3.10"].optional) == ("no receipts given", True)
    mine.merge(Findings())  # a step that ran in the other chunk does not clear the reason
    assert mine.steps["V3.10"].not_run == "no receipts given"


def test_not_checked_lists_only_optional_steps_that_did_not_fail() -> None:
    f = Findings()
    f.not_run("V3.10", "no receipts", optional=True)
    f.not_run("V1.9", "no documents", optional=True)
    f.fail("V1.9", A, "a failure is never hidden behind not run")
    f.not_run("V6.1", "the box did not verify")  # not optional: blocks the verdict
    assert [s.check for s in f.not_checked()] == ["V3.10"]
    assert not f.verified
    g = Findings()
    g.not_run("V3.10", "no receipts", optional=True)
    assert g.verified and [s.check for s in g.not_checked()] == ["V3.10"]


def test_a_location_reads_in_a_fixed_order() -> None:
    full = Location(file="results.json", line=7, ballot_id="b", voter_id="v", polling_station="ps", level="district",
                    unit="D1", contest="c", option="o", trustee=2)
    assert full.describe() == ("results.json:7, ballot id b, voter id v, polling station ps, level district, unit D1, "
                               "contest c, option o, trustee 2")
    assert Location(file="tally.json").describe() == "tally.json"
    assert Location(contest="c", option="o").describe() == "contest c, option o"
    assert Location().describe() == ""
