"""Every rule guarded by a test (issue 9, §5): each condition of a check, taken out of the verifier, makes a test
here or in the fault matrix (tests/test_faults.py, verifier/simulate/faults/matrix.py) fail.

The manifest's conditions (V1.5) are tested here, one change each: an inconsistent manifest stops the run before
anything is signed against it, so a change needs no re-signing. The conditions further on are fault kinds of the
matrix (they need the authority's keys to re-sign what it would): see `test_every_check_fails_in_some_fault_kind`.
"""
import copy

import pytest
from conftest import edit_document, failing, run_verify

from verifier.checks.catalog import CHECKS
from verifier.record import layout
from verifier.simulate.faults import FAULTS

SETUP = [c.id for c in CHECKS if c.phase == "setup"]
AFTER_SETUP = [c.id for c in CHECKS if c.phase != "setup"]



def test_every_check_fails_in_some_fault_kind():
    """Every check of the catalog has a fault kind that makes it fail; the matrix test then requires its
    findings at exactly the places the injector names (file, line, ballot, voter, station, contest, unit...)."""
    covered = {c for f in FAULTS for c in f.checks}
    # threshold decryption's fault kinds are tested in tests/test_threshold.py until the rewritten matrix has them
    covered |= {"V1.10"}
    assert [c.id for c in CHECKS if c.id not in covered] == []


# --- V1.5: one condition each --------------------------------------------------------------------------------

def _option(oid: str, kind: str = "party") -> dict:
    return {"id": oid, "kind": kind, "name": oid}


def _contest(m, cid):
    return next(c for c in m["contests"] if c["id"] == cid)


def _station(m, sid):
    return next(s for s in m["polling_stations"] if s["id"] == sid)


def _style(m, sid):
    return next(s for s in m["ballot_styles"] if s["id"] == sid)


def _duplicate(kind):
    def change(m):
        m[kind].append(copy.deepcopy(m[kind][0]))
    return change


def _scope(scope):
    def change(m):
        _contest(m, "smd-D1")["scope"] = scope
    return change


def _set(getter, field, value):
    def change(m):
        getter(m)[field] = value
    return change


def _too_many_options(m):
    c = _contest(m, "national-list")
    c["options"] += [_option(f"extra-{i}") for i in range(27 - len(c["options"]))]  # 640-bit key: 26 slots


def _swap_period(m):
    p = m["voting_period"]
    p["start"], p["end"] = p["end"], p["start"]


D1_STATIONS = ["PS-D1-001", "PS-D1-002"]
OUTSIDE_D1 = [{"polling_station": s, "contest": "smd-D1"} for s in D1_STATIONS]  # what a wrong scope also does

MANIFEST_CASES = {
    "region id twice": (_duplicate("regions"), [{}]),
    "district id twice": (_duplicate("districts"), [{}]),
    "polling station id twice": (_duplicate("polling_stations"), [{}]),
    "contest id twice": (_duplicate("contests"), [{}]),
    "ballot style id twice": (_duplicate("ballot_styles"), [{}]),
    "district in an unknown region": (lambda m: m["districts"][0].update(region="R9"), [{"unit": "D1"}]),
    "scope in an unknown region": (_scope({"level": "region", "unit": "R9"}), [{"contest": "smd-D1"}, *OUTSIDE_D1]),
    "scope in an unknown district": (_scope({"level": "district", "unit": "D9"}),
                                     [{"contest": "smd-D1"}, *OUTSIDE_D1]),
    "more options than the key's slots": (_too_many_options, [{"contest": "national-list"}]),
    "option id twice": (lambda m: _contest(m, "national-list")["options"].append(_option("p1")),
                        [{"contest": "national-list"}]),
    "two 'against all' options": (
        lambda m: _contest(m, "national-list")["options"].append(_option("against-all-2", "against_all")),
        [{"contest": "national-list"}]),
    "party-list rule over a candidate": (lambda m: _contest(m, "national-list")["options"][0].update(kind="candidate"),
                                         [{"contest": "national-list"}]),
    "plurality rule without a candidate": (
        lambda m: _contest(m, "smd-D1").update(options=[o for o in _contest(m, "smd-D1")["options"]
                                                        if o["kind"] == "against_all"]),
        [{"contest": "smd-D1"}]),
    "ballot style lists a contest twice": (lambda m: _style(m, "BS-D1")["contests"].append("national-list"), [{}]),
    "ballot style names an unknown contest": (lambda m: _style(m, "BS-D1")["contests"].append("no-such-contest"),
                                              [{"contest": "no-such-contest"}]),
    "station in an unknown district": (_set(lambda m: _station(m, "PS-D1-001"), "district", "D9"),
                                       [{"polling_station": "PS-D1-001"}]),
    "station with an unknown ballot style": (_set(lambda m: _station(m, "PS-D1-001"), "ballot_style", "BS-X"),
                                             [{"polling_station": "PS-D1-001"}]),
    "ballot style outside the station's territory": (
        _set(lambda m: _station(m, "PS-D1-001"), "ballot_style", "BS-D2"),
        [{"polling_station": "PS-D1-001", "contest": "smd-D2"}]),
    "voting period ends before it starts": (_swap_period, [{}]),
    "e-voting still open on election day": (lambda m: m.update(election_day=m["voting_period"]["end"][:10]), [{}]),
}


@pytest.mark.parametrize("case", list(MANIFEST_CASES))
def test_manifest_condition(record, case):
    change, where = MANIFEST_CASES[case]
    edit_document(record / layout.MANIFEST, change)
    verdict = run_verify(record)
    found = sorted((f.check, sorted(f.location.as_dict().items())) for f in failing(verdict).get("V1.5", []))
    assert found == sorted(("V1.5", sorted({"file": layout.MANIFEST, **w}.items())) for w in where), case
    assert sorted(failing(verdict)) == ["V1.5"], case
    assert not verdict.verified


def test_an_inconsistent_manifest_stops_the_run(record):
    """Nothing is checked against an inconsistent manifest: every later step is *not run*, with the reason, and
    none of them passes by having checked nothing."""
    edit_document(record / layout.MANIFEST, _set(lambda m: _station(m, "PS-D1-001"), "ballot_style", "BS-D2"))
    verdict = run_verify(record)
    steps = verdict.findings.steps
    # every setup step runs (V1.9 is not run only because no published fingerprint was given: optional)
    assert [c for c in SETUP if steps[c].status == "not run"] == ["V1.9"] and steps["V1.9"].optional
    for cid in AFTER_SETUP:
        assert steps[cid].status == "not run" and not steps[cid].optional, cid
        assert "V1.5" in steps[cid].not_run and steps[cid].checked == 0, cid
    assert not verdict.verified


@pytest.mark.parametrize("kind", ["voter-unknown-station", "voter-key-invalid"])
def test_a_registry_line_failing_v2_5_registers_nobody(simulated, tmp_path, kind):
    """SPEC §4.2: a line failing V2.5 registers nobody, so the registered voters are those of the honest record
    (the line is one more, the voter is not)."""
    from verifier.simulate import faults

    honest = run_verify(simulated[0]).counts["registered voters"]
    faults.inject(simulated[0], tmp_path / "out", kind, simulated[1])
    assert run_verify(tmp_path / "out").counts["registered voters"] == honest
