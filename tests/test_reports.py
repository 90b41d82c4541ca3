"""Reports people read (issue 12): the verified result as data, the text, HTML and JSON reports of an honest and of a
tampered record, exit statuses and console encodings."""
import json
import os
import re
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest
from conftest import cli, edit_document, run_verify

from verifier.checks.catalog import CHECKS
from verifier.record import layout
from verifier.report import html, json_report, text
from verifier.report.svg import BAR_HEIGHT
from verifier.simulate import faults

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def honest(simulated):
    return run_verify(simulated[0])


@pytest.fixture(scope="module")
def station_fault(simulated, tmp_path_factory):
    """A polling station's announced count changed (V7.3): the place the injector names, and the verdict."""
    out = tmp_path_factory.mktemp("faulty") / "station-count-wrong"
    injected = faults.inject(simulated[0], out, "station-count-wrong", simulated[1], "tamper")
    return run_verify(out), injected


def _manifest(record: Path) -> dict:
    return json.loads((record / layout.MANIFEST).read_bytes())


def test_verified_result_is_the_recomputed_one(simulated, honest):
    r = honest.result
    m = _manifest(simulated[0])
    assert r["title"] == m["title"] and [c["id"] for c in r["contests"]] == [c["id"] for c in m["contests"]]
    results = json.loads((simulated[0] / layout.RESULTS).read_bytes())
    nation = next(p for p in results["protocols"] if p["level"] == "nation")
    for c in r["contests"]:
        assert c["verified"]
        assert [o["name"] for o in c["options"]] == [o["name"] for o in next(
            x for x in m["contests"] if x["id"] == c["id"])["options"]]
        assert sum(o["votes"] for o in c["options"]) == c["total_votes"]
        if c["scope"] == "nation":  # the honest record's announcement equals the verified counts
            announced = next(x for x in nation["contests"] if x["contest"] == c["id"])
            assert c["turnout"]["voted"] == announced["ballots"] == c["total_votes"]
            assert c["turnout"]["registered"] == nation["registered_voters"]
            assert [o["votes"] for o in c["options"]] == [x["votes"] for x in announced["votes"]]
        scope = next(x for x in m["contests"] if x["id"] == c["id"])["scope"]
        if scope["level"] == "district":  # every station of the district has the contest: its registered voters
            district = next(p for p in results["protocols"] if (p["level"], p["unit"]) == ("district", scope["unit"]))
            assert c["turnout"]["registered"] == district["registered_voters"]
        if c.get("rule") == "list":
            assert sum(o["seats"] for o in c["options"]) == c["seats_total"]
            announced = {x["option"]: x["seats"] for x in next(s for s in results["seats"]
                                                               if s["contest"] == c["id"])["seats"]}
            assert {o["id"]: o["seats"] for o in c["options"]} == announced
        elif c.get("rule") == "plurality" and c["winner"]:
            top = max(o["votes"] for o in c["options"] if o["kind"] != "against_all")
            assert next(o for o in c["options"] if o["name"] == c["winner"])["votes"] == top
    t = r["turnout"]
    assert t["registered"] == honest.counts["registered voters"] == nation["registered_voters"]
    assert t["voted"] == nation["voters_voted"] and t["percent"] == nation["turnout_percent"]
    a = r["accounting"]
    assert a["in_box"] == honest.counts["ballots in the box"] and a["counted"] == honest.counts["ballots counted"]
    assert a["in_box"] == a["counted"] + sum(a["excluded"].values()) and a["balanced"]
    decisions = [json.loads(line) for line in (simulated[0] / layout.BALLOT_DECISIONS).read_bytes().splitlines()]
    for reason in ("superseded", "cancelled", "invalid"):  # honest: the authority's list agrees with the rules
        assert a["excluded"][reason] == sum(d.get("reason") == reason for d in decisions)


def test_text_report_of_an_honest_record(honest):
    out = text.render(honest)
    lines = out.splitlines()
    assert lines[2] == f"Election: {honest.result['title']}"
    assert lines[3] == f"Verdict: {honest.verdict_line()}" and lines[-2] == honest.verdict_line()
    assert honest.fingerprint in lines[4] and "NOT ANCHORED" in lines[1]
    assert text.NOT_PROVEN in out and "cast-as-intended" in out and text.CHECKED in out
    for c in honest.result["contests"]:
        assert f"{c['title']} ({c['scope']})" in out
        ct = c["turnout"]
        assert f"  turnout: {ct['voted']} of {ct['registered']} registered voters ({ct['percent']}%)" in out
        for o in c["options"]:
            assert re.search(rf"^  {re.escape(o['name'])} +{o['votes']} votes +{o['share']}%", out, re.MULTILINE), o
    t = honest.result["turnout"]
    assert f"Turnout: {t['voted']} of {t['registered']} registered voters ({t['percent']}%)" in out
    a = honest.result["accounting"]
    assert (f"Ballots: {a['in_box']} in the box = {a['counted']} counted + {a['excluded']['superseded']} superseded "
            f"by a later e-vote + {a['excluded']['cancelled']} cancelled by a paper vote") in out
    for c in CHECKS:
        assert re.search(rf"^  {re.escape(c.id)} +{re.escape(c.name)} ", out, re.MULTILINE)
    assert "Failures:" not in out


def test_reports_of_a_tampered_record_name_the_place(station_fault, simulated):
    verdict, injected = station_fault
    assert not verdict.verified
    (e,) = injected.expected
    m = _manifest(simulated[0])
    station_name = next(p["name"] for p in m["polling_stations"] if p["id"] == e["unit"])
    out = text.render(verdict)
    assert " V7.3 " + next(c.title for c in CHECKS if c.id == "V7.3") + ":" in out
    line = next(line for line in out.splitlines() if line.startswith("  V7.3 results.json"))
    assert f"unit {e['unit']} ({station_name})" in line and f"contest {e['contest']}" in line
    report = json_report.as_dict(verdict)
    (failure,) = [f for f in report["findings"] if f["code"] == "V7.3"]
    assert failure["location"]["unit"] == e["unit"]
    assert f"({station_name})" in failure["place"]
    assert f"announced {failure['found']}" in failure["detail"]
    assert f"verified {failure['expected']}" in failure["detail"]
    assert failure["found"] != failure["expected"]
    page = html.render(verdict)
    assert 'href="#failures-V7.3"' in page and 'id="failures-V7.3"' in page
    assert f"{station_name} <code>{e['unit']}</code>" in page
    row = re.search(rf'<tr class="failed"><td>{re.escape(station_name)} <code>{re.escape(e["unit"])}</code>', page)
    assert row, "the mismatched station is highlighted in the drill-down"
    assert 'class="verdict bad"' in page


def test_html_report_of_an_honest_record(honest):
    page = html.render(honest)
    assert 'class="verdict ok"' in page and html.NOT_PROVEN.replace("'", "&#39;") in page
    assert f'id="fingerprint">{honest.fingerprint}<' in page
    for name, digest in honest.inputs.items():
        assert f"<code>{name}</code></th><td class=\"hash\">sha256 {digest}" in page
    for c in CHECKS:
        assert f'data-check="{c.id}"' in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched
    assert "https://" not in page and "<script" not in page
    for c in honest.result["contests"]:
        top = max(o["votes"] for o in c["options"])
        for o in c["options"]:  # every bar: its option, votes and share, and a height proportional to the votes
            bar = re.search(rf'<rect [^>]*height="([0-9.]+)"[^>]*data-option="{re.escape(o["id"])}" '
                            rf'data-votes="{o["votes"]}" data-share="{o["share"]}"', page)
            assert bar, o
            assert abs(float(bar.group(1)) - BAR_HEIGHT * o["votes"] / max(top, c.get("threshold_votes") or 0)) < 0.01
        if c.get("rule") == "list":
            assert f'data-votes="{c["threshold_votes"]}"' in page  # the threshold line
            for o in c["options"]:  # one seat per circle, in the option's name (one list contest here)
                assert page.count(f'data-party="{escape(o["name"])}"') == o["seats"]
            assert f'data-seats="{c["seats_total"]}"' in page
    t = honest.result["turnout"]
    assert f"{t['voted']} of {t['registered']} registered voters voted: <strong>{t['percent']}%</strong>" in page


def test_html_escapes_record_text(honest):
    import copy

    v = copy.copy(honest)
    v.result = copy.deepcopy(honest.result)
    v.result["title"] = "<script>alert(1)</script>"
    v.result["contests"][0]["options"][0]["name"] = '<img src=x onerror="y">'
    page = html.render(v)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_root_cause_when_the_manifest_changed_after_the_voters_signed(record):
    edit_document(record / layout.MANIFEST, lambda m: m.update(title=m["title"] + " (amended)"))
    verdict = run_verify(record)
    step = verdict.findings.steps["V3.3"]
    assert step.failed == step.checked > 1
    out = text.render(verdict)
    cause = "the manifest is not the one the voters signed"
    lines = out.splitlines()
    at = lines.index("Failures:")
    assert cause in lines[at + 1] and "ROOT CAUSE" in lines[at + 1]
    v33 = [line for line in lines if line.startswith("  V3.3 ballot_box.jsonl:")]
    assert len(v33) == text.MAX_LISTED  # capped in the text …
    assert f"  V3.3: {step.failed - text.MAX_LISTED} more failures not listed" in out
    report = json_report.as_dict(verdict)  # … all in the JSON
    assert len([f for f in report["findings"] if f["code"] == "V3.3"]) == step.failed
    assert any(cause in c for c in report["verify"]["root_causes"])
    page = html.render(verdict)
    assert f"Root cause: {cause}" in page
    assert re.search(rf'<a href="#failures-V3.3">V3.3</a> [^<]*</td><td class="n">{step.failed}</td>', page)


def test_exit_status_verified_and_json_to_stdout(simulated):
    result = cli("verify", simulated[0], "--workers", "1", "--json", "-")
    assert result.exit_code == 0
    report = json.loads(result.output)  # the JSON alone: no text report mixed in
    assert report["ok"] and report["verify"]["result"]["turnout"]["registered"] > 0


def test_exit_status_failed_and_html_file(station_fault, simulated, tmp_path):
    out = tmp_path / "report.html"
    record = tmp_path / "faulty"
    faults.inject(simulated[0], record, "station-count-wrong", simulated[1], "tamper")
    result = cli("verify", record, "--workers", "1", "--html", out)
    assert result.exit_code == 1 and result.output.splitlines()[-2].startswith("NOT VERIFIED")
    assert 'class="verdict bad"' in out.read_text(encoding="utf-8")


def test_exit_status_unreadable_lists_the_record_files(tmp_path):
    (tmp_path / "rec").mkdir()
    result = cli("verify", tmp_path / "rec")
    assert result.exit_code == 2
    assert all(name in result.output for name in layout.ALL_FILES)


def test_exit_status_internal_error(simulated, monkeypatch):
    from verifier.report import text as text_module

    def broken(v):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(text_module, "render", broken)
    monkeypatch.delenv("TALLY_VERIFIER_TRACEBACK", raising=False)
    result = cli("verify", simulated[0], "--workers", "1", "--no-color")
    assert result.exit_code == 3
    assert "internal error: a bug in tally-verifier" in result.output and "Please report it" in result.output


def test_exit_status_interrupted(simulated, monkeypatch):
    import verifier.cli.verify as verify_cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(verify_cli, "verify_record", interrupted)
    result = cli("verify", simulated[0], "--workers", "1")
    assert result.exit_code == 130 and result.output.strip() == "error: interrupted"


@pytest.mark.parametrize("encoding", ["cp1252", "cp1251", "ascii"])
def test_console_encoding_never_fails_a_valid_record(simulated, encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "verifier", "verify", str(simulated[0]), "--workers", "1", "-q"],
                         capture_output=True, env=env, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    assert b"VERIFIED" in run.stdout and b"internal error" not in run.stderr


def test_every_help_has_an_example():
    for command in ("verify", "checks", "simulate", "tamper", "seats", "protocols"):
        result = cli(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.output, command
    assert "40x slower" in cli("verify", "--help").output


def test_terminal_report_has_the_verdict_and_a_table_of_checks(honest, station_fault):
    from rich.console import Console

    for verdict in (honest, station_fault[0]):
        console = Console(record=True, force_terminal=True, width=160, color_system="truecolor")
        text.print_rich(verdict, console)
        shown = console.export_text(clear=False)
        assert f"Verdict: {verdict.verdict_line()}"[:80] in shown.replace("\n", " ")
        for c in CHECKS:
            assert re.search(rf"│ {re.escape(c.id)} +│ {re.escape(c.name)} ", shown), c.id
        assert "\x1b[" in console.export_text(styles=True)  # coloured
    assert "ROOT CAUSE" not in shown and "V7.3 results.json" in shown


def test_a_tie_for_first_is_undecided_not_a_winner(simulated):
    from collections import Counter
    from types import SimpleNamespace

    from verifier.checks.summary import verified_result
    from verifier.record import reader

    manifest, _ = reader.read_manifest(simulated[0])
    smd = next(c for c in manifest.contests if c.seat_rule is not None and c.scope_level == "district")
    votes = tuple([7, 7] + [1] * (len(smd.options) - 2))  # the first two candidates tie
    ctx = SimpleNamespace(manifest=manifest, voters=SimpleNamespace(station_counts=dict))
    r = verified_result(ctx, {smd.id: votes}, Counter(), None)
    c = next(c for c in r["contests"] if c["id"] == smd.id)
    assert c["winner"] is None
    assert c["undecided"] == f"undecided: tie between {smd.options[0].name}, {smd.options[1].name}"
    assert [o["seats"] for o in c["options"][:2]] == [None, None]
    assert f"  {c['undecided']}" in text.result_lines(r)
    assert not next(x for x in r["contests"] if x["id"] != smd.id)["verified"]  # no totals: no numbers


def test_ctrl_c_during_a_run_is_one_line_and_130_without_worker_tracebacks():
    import signal
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen([sys.executable, "-m", "verifier", "verify", str(ROOT / "fixtures" / "demo-2023"),
                            "--workers", "2", "-q", "--no-batch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, start_new_session=True)
    # every proof checked on its own: the 2048-bit demo record then takes about a minute, so the workers are
    # surely busy when the interrupt comes, however fast the machine is
    time.sleep(4)
    os.killpg(run.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert err.decode().strip() == "error: interrupted" and b"Traceback" not in err and b"VERIFIED" not in out
