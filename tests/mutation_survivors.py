"""mutmut's surviving mutants by class (tests/MUTATION.md), from the repository root after `mutmut run`:

    python tests/mutation_survivors.py [PREFIX]            # classify
    python tests/mutation_survivors.py --recheck [--jobs=N] [PREFIX]  # and run each other survivor against the
                                                           # wider tests (N at a time)
    python tests/mutation_survivors.py --recheck --untested [PREFIX]  # also the mutants no selected test reaches

A survivor whose only change is the wording of a failure message (a string literal with a space in it, or an
f-string, replaced by another string) cannot change a verdict: the fault matrix asserts every failing check id and
place, never the words. Every other survivor is run again (`--recheck`) with the tests of its module that mutmut's
fast selection leaves out (RECHECK), and printed with its diff and the outcome, for a test or a written reason."""
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import tokenize
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHECK_ID = re.compile(r"""^[rbf]*["']V\d""")


def _tokens(code: str) -> list[tuple[int, str]]:
    """The tokens of a diff's lines: a fragment of a statement (an unclosed bracket) keeps the tokens read."""
    out: list[tuple[int, str]] = []
    try:
        for t in tokenize.generate_tokens(io.StringIO(code).readline):
            if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT,
                              tokenize.ENDMARKER):
                out.append((t.type, t.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def _is_message(s: str) -> bool:
    return (s.startswith(("f'", 'f"')) or " " in s) and not CHECK_ID.match(s)


def _sides(diff: str) -> tuple[str, str]:
    old = "\n".join(line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---"))
    new = "\n".join(line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++"))
    return old.strip(), new.strip()


def message_only(diff: str) -> bool:
    """The mutant changes only message strings (no check id, no value a rule compares)."""
    a, b = (_tokens(side) for side in _sides(diff))
    if not a or len(a) != len(b):
        return False
    changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return bool(changed) and all(x[0] == tokenize.STRING and _is_message(x[1]) and y[0] == tokenize.STRING
                                 for x, y in changed)


DETAIL = re.compile(r"\b(expected|found)=(None|[\w.]+(\(\))?)")


def detail_only(diff: str) -> bool:
    """The mutant changes only the expected/found values a finding carries for the JSON report (never read by the
    verdict; `test_compared_values_are_fields_of_the_json_report` holds one per comparing check)."""
    old, new = _sides(diff)
    def rest(side: str) -> list[tuple[int, str]]:  # the call without those arguments (and without commas)
        return [t for t in _tokens(DETAIL.sub("", side)) if t != (tokenize.OP, ",")]
    return old != new and rest(old) == rest(new)


def survivors(prefix: str, status: str = "survived") -> list[str]:
    """The mutants of `status` ("survived", or "no tests": no test of mutmut's selection calls the function)."""
    out = subprocess.run(["mutmut", "results"], capture_output=True, text=True, check=True).stdout
    return [line.split(":")[0].strip() for line in out.splitlines()
            if line.strip().endswith(f": {status}") and line.strip().startswith(prefix)]


# module → the tests mutmut's selection (pyproject.toml) leaves out that exercise it; the rest get DEFAULT
RECHECK = {
    "verifier.checks.counting": ["tests/test_properties.py", "tests/test_verdict.py"],
    "verifier.checks.catalog": ["tests/test_spec.py", "tests/test_reports.py"],
    "verifier.checks.seats": ["tests/test_seats_rules.py", "tests/test_settled.py", "tests/test_results.py",
                              "tests/test_kz_preset.py", "tests/test_cli_seats.py"],
    "verifier.checks.protocols": ["tests/test_protocols.py"],
    "verifier.checks.findings": ["tests/test_findings.py", "tests/test_verdict.py", "tests/test_reports.py"],
    "verifier.checks.tally": ["tests/test_tally_rules.py", "tests/test_threshold.py"],
    "verifier.checks.voters": ["tests/test_voters_index.py", "tests/test_state.py"],
    "verifier.checks.verdict": ["tests/test_verdict.py", "tests/test_reports.py"],
    "verifier.checks.summary": ["tests/test_reports.py", "tests/test_golden.py"],
    "verifier.checks.setup": ["tests/test_setup_rules.py", "tests/test_keyproofs.py", "tests/test_settled.py",
                              "tests/test_kz_preset.py", "tests/test_verdict.py"],
    "verifier.checks.results": ["tests/test_results_rules.py", "tests/test_results.py", "tests/test_settled.py"],
    "verifier.checks.proofs": ["tests/test_faults.py::test_proof_faults_are_caught_alike_without_batching",
                               "tests/test_hostile_box.py", "tests/test_verify.py"],
    "verifier.crypto.batch": ["tests/test_hostile_box.py", "tests/test_batch.py", "tests/test_crypto.py"],
}
DEFAULT = ["tests/test_verdict.py", "tests/test_results.py", "tests/test_settled.py", "tests/test_golden.py",
           "tests/test_hostile_box.py", "tests/test_threshold.py", "tests/test_during_vote.py"]


# "name sha256(diff)" → killed, so that a later run re-checks only new survivors (delete it after adding tests).
# v2: the re-checks of 2 December before 06:40 UTC ran with mutmut's TALLY_TEST_VOTERS=48, at which some of the wider
# tests fail whatever the mutant (-x then stopped at that failure and called the mutant killed); their file is not read
RECHECKED = Path("mutants/rechecked-v2.json")
_lock = threading.Lock()
_baseline: dict[str, bool] = {}  # test list → it passes without a mutant


def _passes(tests: list[str], mutant: str | None = None) -> bool:
    """The tests in mutants/ as mutmut runs them, but in the suite's own configuration (TALLY_TEST_VOTERS dropped)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TALLY_TEST_VOTERS", "MUTANT_UNDER_TEST")}
    env["PYTHONPATH"] = "."
    if mutant:
        env["MUTANT_UNDER_TEST"] = mutant
    run = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "", *tests],
                         cwd=Path("mutants"), env=env, capture_output=True)
    return run.returncode == 0


def recheck(name: str, diff: str) -> bool:
    """Whether the wider tests kill the mutant (run in mutants/, as mutmut does; remembered in RECHECKED). Only a
    failure the same tests do not have without the mutant counts: they are run once without it first."""
    key = f"{name} {hashlib.sha256(diff.encode()).hexdigest()[:16]}"
    with _lock:
        done = json.loads(RECHECKED.read_text()) if RECHECKED.exists() else {}
    if key not in done:
        tests = RECHECK.get(name.split(".x")[0], DEFAULT)
        with _lock:
            if " ".join(tests) not in _baseline:
                _baseline[" ".join(tests)] = _passes(tests)
        if not _baseline[" ".join(tests)]:
            raise SystemExit(f"{' '.join(tests)} fail without a mutant: mend them before re-checking")
        killed = not _passes(tests, name)
        with _lock:
            done = json.loads(RECHECKED.read_text()) if RECHECKED.exists() else {}  # another thread may have written
            done[key] = killed
            RECHECKED.write_text(json.dumps(done, indent=0, sort_keys=True))
    return bool(done[key])


def main(*args: str) -> None:
    wider = "--recheck" in args
    jobs = next((int(a.split("=", 1)[1]) for a in args if a.startswith("--jobs=")), 1)
    prefix = next((a for a in args if not a.startswith("--")), "verifier.")
    messages: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for name in survivors(prefix) + (survivors(prefix, "no tests") if "--untested" in args else []):
        diff = subprocess.run(["mutmut", "show", name], capture_output=True, text=True).stdout
        # the catalog's words are SPEC.md's check table (test_spec), not a failure message
        words = (message_only(diff) or detail_only(diff)) and not name.startswith("verifier.checks.catalog.")
        (messages if words else others).append((name, diff))
    print(f"# {len(messages)} survivors that change only a message or the expected/found detail (no verdict can "
          "change)")
    for name, _ in messages:
        print(name)
    print(f"\n# {len(others)} other survivors")
    with ThreadPoolExecutor(jobs) as pool:  # each re-check is a pytest process of its own
        outcomes = list(pool.map(lambda o: recheck(*o) if wider else None, others))
    for (_, diff), killed in zip(others, outcomes, strict=True):
        outcome = "" if killed is None else " — killed by the wider tests" if killed else " — SURVIVES the wider tests"
        print("\n" + "\n".join(line + outcome if line.startswith("#") else line
                                for line in diff.splitlines() if line.startswith(("#", "-", "+"))), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
