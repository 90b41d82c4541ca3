"""Rules SPEC.md settles that an implementer had to guess before: the box head's closing time (V3.8), the shape of
an announced seat list (V8.1), contests no ballot style holds (V1.5), and the check table the CLI prints.

Each test changes one thing in a copy of the simulated record, re-signs it with the authority's own key where the
authority is the one at fault, and requires exactly the check named, at exactly the place named."""
import json
import re

from conftest import cli, edit_document, failing, run_verify
from test_results import resign_results

from verifier.checks.ballot_box import BoxSequence, EntrySummary
from verifier.checks.findings import Findings
from verifier.record import layout, reader
from verifier.record.model import BoxHead
from verifier.simulate.publish import box_head

SPEC = __import__("pathlib").Path(__file__).resolve().parent.parent / "SPEC.md"


def only(verdict, check: str) -> list:
    got = failing(verdict)
    assert set(got) == {check}, {k: [f.message for f in v] for k, v in got.items()}
    return got[check]


# --- V3.8: the box head's closing time --------------------------------------------------------------------------

def _reclose(record, secrets, closed_at: str) -> None:
    """The collector signs its head again with another closing time (entries and head hash unchanged)."""
    head = json.loads((record / layout.BALLOT_BOX_HEAD).read_bytes())
    eid = json.loads((record / layout.MANIFEST).read_bytes())["election_id"]
    new = box_head(secrets.authorities["collector"], eid, head["entries"], bytes.fromhex(head["head_hash"]), closed_at)
    edit_document(record / layout.BALLOT_BOX_HEAD, lambda h: h.update(new))


def _period(record) -> tuple[str, str]:
    m = json.loads((record / layout.MANIFEST).read_bytes())
    return m["voting_period"]["end"], m["election_day"]


def test_head_closed_before_the_voting_period_ends(record, secrets):
    end, _ = _period(record)
    assert end == "2023-03-18T18:00:00Z"
    _reclose(record, secrets, "2023-03-18T17:59:59Z")
    [f] = only(run_verify(record), "V3.8")
    assert f.location.file == layout.BALLOT_BOX_HEAD and f.location.line is None
    assert "before the voting period ends" in f.message


def test_head_closed_on_election_day(record, secrets):
    _, day = _period(record)
    _reclose(record, secrets, f"{day}T00:00:00Z")
    [f] = only(run_verify(record), "V3.8")
    assert f.location.file == layout.BALLOT_BOX_HEAD and "not before election day" in f.message


def test_head_closed_at_the_last_second_before_election_day_passes(record, secrets):
    _reclose(record, secrets, "2023-03-18T23:59:59Z")
    assert failing(run_verify(record)) == {}


def test_head_closed_before_the_last_receipt(record):
    """closed_at ≥ the latest received_at in the box, even where both lie after the period's end (the late
    envelope itself fails V3.5 on its own line; the head is a second, separate false statement)."""
    manifest, _ = reader.read_manifest(record)

    def run(closed_at: str) -> list:
        seq = BoxSequence(b"\0" * 32)
        f = Findings()
        seq.feed(EntrySummary(1, 1, b"\1" * 16, "v1", "2023-03-18T19:00:00Z", b"\2" * 32, b"\0" * 32, True), f)
        # signature and hashes are beside the point here: only the time findings are looked at
        seq.finish(BoxHead(1, b"\2" * 32, closed_at, b"\0" * 64, b""), manifest, f)
        return [x.message for x in f.steps["V3.8"].findings if "closed at" in x.message]

    assert run("2023-03-18T19:00:00Z") == []
    [message] = run("2023-03-18T18:30:00Z")
    assert "before the last envelope was received (2023-03-18T19:00:00Z)" in message


# --- V8.1: a seat list names every option of its contest once, in manifest order --------------------------------

def _seat_list(results: dict, contest: str) -> list:
    [s] = [s for s in results["seats"] if s["contest"] == contest]
    return s["seats"]


def _places(findings) -> set[tuple]:
    return {(f.location.file, f.location.contest, f.location.option) for f in findings}


def test_seat_list_without_an_unseated_option(record, secrets):
    def change(r):
        seats = _seat_list(r, "national-list")
        [aa] = [e for e in seats if e["option"] == "against-all"]
        assert aa["seats"] == 0  # dropping it changes no seat count: only the list's shape is wrong
        seats.remove(aa)

    resign_results(record, secrets, change)
    [f] = only(run_verify(record), "V8.1")
    assert _places([f]) == {(layout.RESULTS, "national-list", "against-all")} and "missing" in f.message


def test_seat_list_without_a_seated_option_is_named_once(record, secrets):
    def change(r):
        seats = _seat_list(r, "national-list")
        [p1] = [e for e in seats if e["option"] == "p1"]
        assert p1["seats"] > 0
        seats.remove(p1)

    resign_results(record, secrets, change)
    [f] = only(run_verify(record), "V8.1")
    assert _places([f]) == {(layout.RESULTS, "national-list", "p1")} and "missing" in f.message


def test_seat_list_with_an_unknown_option_is_named_once(record, secrets):
    resign_results(record, secrets, lambda r: _seat_list(r, "smd-D1").append({"option": "nobody", "seats": 0}))
    [f] = only(run_verify(record), "V8.1")
    assert _places([f]) == {(layout.RESULTS, "smd-D1", "nobody")}


def test_seat_list_out_of_manifest_order(record, secrets):
    def change(r):
        seats = _seat_list(r, "national-list")
        seats[1], seats[2] = seats[2], seats[1]

    resign_results(record, secrets, change)
    manifest = json.loads((record / layout.MANIFEST).read_bytes())
    [contest] = [c for c in manifest["contests"] if c["id"] == "national-list"]
    second, third = contest["options"][1]["id"], contest["options"][2]["id"]
    [f] = only(run_verify(record), "V8.1")
    assert _places([f]) == {(layout.RESULTS, "national-list", third)}
    assert f"position 2 is {second}'s" in f.message


def test_seats_for_an_unknown_contest_or_twice_still_fail_as_before(record, secrets):
    def change(r):
        r["seats"].append({"contest": "no-such-contest", "seats": []})
        r["seats"].append(json.loads(json.dumps(r["seats"][0])))

    resign_results(record, secrets, change)
    got = only(run_verify(record), "V8.1")
    first = json.loads((record / layout.RESULTS).read_bytes())["seats"][0]["contest"]
    assert _places(got) == {(layout.RESULTS, "no-such-contest", None), (layout.RESULTS, first, None)}
    assert all("without a seat rule, or announced twice" in f.message for f in got)


# --- V1.5: every contest is held by some polling station's ballot style -----------------------------------------

def _add_orphan_contest(record, in_unused_style: bool) -> None:
    def change(m):
        m["contests"].append({"id": "orphan", "title": "Held by no station", "scope": {"level": "nation"},
                              "options": [{"id": "o1", "kind": "candidate", "name": "O1"}], "seat_rule": None})
        if in_unused_style:  # a style no polling station uses gives the contest to no voter either
            m["ballot_styles"].append({"id": "unused-style", "contests": ["orphan"]})

    edit_document(record / layout.MANIFEST, change)


def test_contest_no_ballot_style_holds_is_refused(record):
    _add_orphan_contest(record, in_unused_style=False)
    [f] = only(run_verify(record), "V1.5")
    assert (f.location.file, f.location.contest) == (layout.MANIFEST, "orphan")
    assert "no polling station's ballot style holds this contest" in f.message


def test_contest_only_an_unused_ballot_style_holds_is_refused(record):
    _add_orphan_contest(record, in_unused_style=True)
    [f] = only(run_verify(record), "V1.5")
    assert (f.location.file, f.location.contest) == (layout.MANIFEST, "orphan")


# --- the CLI prints SPEC.md's check table, and SPEC.md's tag table is the verifier's -------------------------------

def test_checks_markdown_prints_the_spec_table():
    text = SPEC.read_text()
    begin, end = "<!-- checks:begin -->\n", "\n<!-- checks:end -->"
    table = text[text.index(begin) + len(begin):text.index(end)]
    result = cli("checks", "--markdown")
    assert result.exit_code == 0
    assert result.output == table + "\n"


def test_spec_tag_table_is_the_verifiers():
    """§3.8 writes every domain tag out in full; each is the verifier's constant of that name."""
    from verifier.crypto import keycheck, membership, threshold
    from verifier.crypto.batch import COEFFICIENT_TAG

    text = SPEC.read_text()
    section = text[text.index("### 3.8 "):text.index("## 4. ")]
    rows = re.findall(r"^\| `(tally-verifier/[^`]+)` \|", section, re.M)
    tags = {getattr(layout, name) for name in dir(layout) if name.endswith("_TAG")}
    tags |= {membership.TAG, keycheck.KEY_PROOF_TAG, threshold.SHARE_TAG, threshold.V_TAG}
    assert sorted(rows) == sorted(tags)
    assert COEFFICIENT_TAG.decode() not in rows  # the verifier's private stream: not part of the format


# --- entries of tally.json, results.json and cancellations.jsonl may come in any order ---------------------------

def test_any_order_of_aggregates_protocols_contests_seat_entries_and_cancellations(record, secrets):
    from test_results import resign_tally

    resign_tally(record, secrets, lambda t: t["aggregates"].reverse())

    def shuffle(r):
        r["protocols"].reverse()
        for p in r["protocols"]:
            p["contests"].reverse()
        r["seats"].reverse()

    resign_results(record, secrets, shuffle)
    path = record / layout.CANCELLATIONS
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) > 1
    path.write_bytes(b"".join(reversed(lines)))
    assert failing(run_verify(record)) == {}


# --- V3.5: the voting period and the receipt delay include their bounds ------------------------------------------

def test_ballots_at_the_bounds_of_the_voting_period_and_the_receipt_delay_are_valid(simulated, tmp_path):
    """SPEC §4.3: voting_start ≤ cast_at, received_at ≤ voting_end and 0 ≤ delay ≤ max_receipt_delay_seconds, bounds
    included: a ballot cast at the first second, and one received at the last second the maximum delay after it
    was cast, both count."""
    from datetime import timedelta

    from verifier.simulate import tamper
    from verifier.simulate.publish import parse_time

    w = tamper.Forger(simulated[0], simulated[1])
    start, end = (parse_time(w.manifest["voting_period"][k]) for k in ("start", "end"))
    delay = timedelta(seconds=w.manifest["max_receipt_delay_seconds"])
    w.cast(w.never_voted(), received=start, cast_at=start)
    w.cast(w.never_voted(), received=end, cast_at=end - delay)
    w.rechain()
    w.recount()
    w.publish(tmp_path / "bounds")
    v = run_verify(tmp_path / "bounds")
    assert failing(v) == {}
    assert v.counts["ballots counted"] == run_verify(simulated[0]).counts["ballots counted"] + 2
