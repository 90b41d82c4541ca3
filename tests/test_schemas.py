"""The published JSON Schemas (schemas/): generated from the one description, true of both committed fixtures and
of their reports, strict enough to refuse malformed documents, and a faithful transcript of the readers."""
import copy
import inspect
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import edit_document

from verifier.cli import main
from verifier.cli.schemas import all_schemas
from verifier.crypto.paillier import PublicKey
from verifier.crypto.signatures import KEY_LENGTHS
from verifier.record import canonical, fields, layout, reader
from verifier.record.schema import FILES, F, Shape, schema_name

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
FIXTURES = [ROOT / "fixtures" / "demo-2023", ROOT / "fixtures" / "kz-2023-small", ROOT / "fixtures" / "threshold-small"]


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def documents(path: Path) -> list:
    text = path.read_text()
    return [json.loads(line) for line in text.splitlines()] if path.suffix == ".jsonl" else [json.loads(text)]


def test_committed_schemas_are_the_generated_ones(tmp_path):
    """schemas/ is exactly what `tally-verifier schemas DIR` writes: no file missing, stale or extra."""
    assert sorted(p.name for p in SCHEMAS.iterdir()) == sorted(all_schemas())
    for name, text in all_schemas().items():
        assert (SCHEMAS / name).read_text() == text, f"regenerate with: tally-verifier schemas schemas ({name})"
    result = CliRunner().invoke(main, ["schemas", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert {p.name: p.read_text() for p in (tmp_path / "out").iterdir()} == all_schemas()


def test_every_record_file_has_a_schema():
    assert set(FILES) == set(layout.ALL_FILES)
    assert {schema_name(f) for f in layout.ALL_FILES} | {"report.schema.json"} == set(all_schemas())


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_fixture_files_validate(fixture):
    for file in layout.ALL_FILES:
        v = validator(schema_name(file))
        docs = documents(fixture / file)
        assert docs, file
        for i, doc in enumerate(docs, 1):
            errors = [e.message for e in v.iter_errors(doc)]
            assert errors == [], f"{file}:{i}: {errors[:1]}"


def _report_errors(report: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator("report.schema.json").iter_errors(report)]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_fixture_report_validates(fixture, tmp_path):
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["verify", str(fixture), "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert (report["kind"], report["status"], report["ok"]) == ("verify", "verified", True)
    assert _report_errors(report) == []


SEATS = ROOT / "fixtures" / "seats"
PROTOCOLS = ROOT / "fixtures" / "protocols" / "example"


def _json_stdout(*args) -> tuple[int, dict]:
    """Run a command with `--json -`: standard output is the JSON report alone."""
    result = CliRunner().invoke(main, [*map(str, args), "--json", "-"])
    return result.exit_code, json.loads(result.stdout)


def _wrong_seats(tmp_path) -> Path:
    announced = (SEATS / "mazhilis-2023-announced.csv").read_text().splitlines()
    option, seats = announced[1].split(",")
    announced[1] = f"{option},{int(seats) + 1}"
    out = tmp_path / "wrong.csv"
    out.write_text("\n".join(announced) + "\n")
    return out


@pytest.mark.parametrize("case", ["verify-faulty", "seats", "seats-announced", "seats-wrong", "seats-plurality",
                                  "protocols", "protocols-faulty"])
def test_every_command_report_validates(case, tmp_path):
    """The real output of each command, honest and faulty, in the one schema: its kind, status and findings."""
    counts = SEATS / "mazhilis-2023-counts.csv"
    if case == "verify-faulty":
        record = tmp_path / "record"
        shutil.copytree(FIXTURES[0], record)
        # V7.5 (and the signature, V7.1)
        edit_document(record / layout.RESULTS, lambda r: r["protocols"][0].update(
            registered_voters=r["protocols"][0]["registered_voters"] + 1))
        status, report = _json_stdout("verify", record, "-q")
        want = ("verify", "not verified", 1)
    elif case.startswith("seats"):
        extra = {"seats": [], "seats-announced": ["--announced", SEATS / "mazhilis-2023-announced.csv"],
                 "seats-wrong": ["--announced", _wrong_seats(tmp_path)], "seats-plurality": ["--plurality"]}[case]
        if case == "seats-plurality":
            smd = tmp_path / "smd.csv"
            smd.write_text("option,votes,kind\nX,400,candidate\nY,350,candidate\nnone,100,against_all\n")
            status, report = _json_stdout("seats", smd, *extra)
        else:
            status, report = _json_stdout("seats", counts, "--seats", 69, *extra)
        want = ("seats", {"seats-announced": "matches", "seats-wrong": "differs"}.get(case, "computed"),
                1 if case == "seats-wrong" else 0)
    else:
        directory = PROTOCOLS
        if case == "protocols-faulty":
            directory = tmp_path / "protocols"
            shutil.copytree(PROTOCOLS, directory)
            lines = (directory / "polling_station.jsonl").read_text().splitlines()
            first = json.loads(lines[0])
            first["valid"] += 1
            lines[0] = json.dumps(first)
            (directory / "polling_station.jsonl").write_text("\n".join(lines) + "\n")
        status, report = _json_stdout("protocols", directory)
        want = ("protocols", "inconsistent" if case == "protocols-faulty" else "consistent",
                1 if case == "protocols-faulty" else 0)
    assert (report["kind"], report["status"], status) == want
    assert report["ok"] is (status == 0)
    assert _report_errors(report) == []
    assert all(len(i["sha256"]) == 64 for i in report["inputs"]) and report["inputs"]
    assert bool(report["findings"]) is (status == 1)
    for f in report["findings"]:  # a code, a place as fields and in words; expected and found where compared
        assert f["code"] and f["location"].get("file") and f["place"]
    if case in ("verify-faulty", "seats-wrong", "protocols-faulty"):
        assert any("expected" in f and "found" in f and f["expected"] != f["found"] for f in report["findings"])


def _demo(file: str):
    return documents(FIXTURES[0] / file)[0]


def _set(doc, path, value):
    *parents, last = path
    for p in parents:
        doc = doc[p]
    if value is _DELETE:
        del doc[last]
    else:
        doc[last] = value


_DELETE = object()


@pytest.mark.parametrize("file, path, value", [
    (layout.MANIFEST, ["title"], _DELETE),  # a missing field
    (layout.MANIFEST, ["turnout"], "55"),  # an unknown field
    (layout.MANIFEST, ["test_record"], 0),  # an integer is not a boolean
    (layout.MANIFEST, ["max_receipt_delay_seconds"], True),  # a boolean is not an integer
    (layout.MANIFEST, ["election_id"], "bad id with spaces"),
    (layout.MANIFEST, ["voting_period", "start"], "2023-03-19 08:00:00"),
    (layout.MANIFEST, ["contests", 0, "options", 0, "kind"], "independent"),
    (layout.MANIFEST, ["registry", "sha256"], "AB" * 32),  # upper-case hex
    (layout.ELECTION_KEY, ["n"], "00ff"),  # a leading zero byte
    (layout.ELECTION_KEY, ["g"], "abc"),  # odd number of digits
    (layout.BALLOT_BOX, ["receipt", "sequence"], 0),
    (layout.BALLOT_BOX, ["envelope", "ballot_id"], "00" * 17),  # 17 bytes, not 16
    (layout.BALLOT_DECISIONS, ["status"], "kept"),
    (layout.RESULTS, ["protocols", 0, "turnout_percent"], "55.5"),
    (layout.CANCELLATIONS, ["voter_signature"], "00" * 63),
])
def test_malformed_documents_fail(file, path, value):
    doc = copy.deepcopy(_demo(file))
    v = validator(schema_name(file))
    assert list(v.iter_errors(doc)) == []  # the unchanged document passes: the change is what fails
    _set(doc, path, value)
    assert list(v.iter_errors(doc)) != []


def test_malformed_report_fails(tmp_path):
    out = tmp_path / "report.json"
    CliRunner().invoke(main, ["verify", str(FIXTURES[0]), "--json", str(out)])
    report = json.loads(out.read_text())
    v = validator("report.schema.json")
    assert _report_errors(report) == []
    for change in (lambda r: r.update(schema_version=1),
                   lambda r: r["verify"]["steps"][0].update(status="ok"),
                   lambda r: r["verify"]["steps"].pop(),
                   lambda r: r.update(extra=1),
                   lambda r: r.update(status="consistent"),  # another command's status
                   lambda r: r.update(ok=False),  # ok and status disagree
                   lambda r: r.update(protocols=r.pop("verify")),  # the body under another command's name
                   lambda r: r["findings"].append({"code": "V9.9", "location": {}, "place": "", "detail": ""})):
        bad = copy.deepcopy(report)
        change(bad)
        assert list(v.iter_errors(bad)) != []


# --- the description is the readers' transcript ------------------------------------------------------------------

ACCESSORS = ("ident", "text", "integer", "boolean", "hex_bytes", "hex_int", "hex_ints", "timestamp", "date",
             "choice", "obj", "objs", "array")


def _trace(monkeypatch) -> list:
    """Every Obj construction and outermost accessor call, while the readers run."""
    calls, depth = [], [0]
    init = fields.Obj.__init__

    def traced_init(self, value, file, line, path="", keys=None, optional=frozenset()):
        if keys is not None:
            calls.append(("new", file, path, None, (set(keys), set(optional))))
        init(self, value, file, line, path, keys, optional)

    monkeypatch.setattr(fields.Obj, "__init__", traced_init)
    for name in ACCESSORS:
        method = getattr(fields.Obj, name)
        sig = inspect.signature(method)

        def traced(self, *args, _m=method, _n=name, _s=sig, **kwargs):
            if depth[0] == 0:
                bound = _s.bind(self, *args, **kwargs)
                bound.apply_defaults()
                rest = tuple(bound.arguments.values())[2:]
                calls.append(("get", self.file, self.path, bound.arguments["key"], (_n, rest)))
            depth[0] += 1
            try:
                return _m(self, *args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(fields.Obj, name, traced)
    return calls


def _resolve(file: str, path: str) -> Shape | F:
    node: Shape | F | None = FILES[file]
    for part in filter(None, path.split(".")):
        assert isinstance(node, Shape), f"{file} {path}: {part!r} is not a key of an object"
        name = re.sub(r"\[[0-9]+\]$", "", part)
        f = {**node.required, **node.optional}[name]
        if part == name or f.via == "objs":
            node = f.obj
        else:
            node = f.items
    assert node is not None, f"{file} {path}: no such field"
    return node


def _agrees(f: F, method: str, args: tuple, key: PublicKey) -> bool:
    widths = {"n": key.width, "n2": key.width2}
    if f.via == "bits":
        return (method, args) == ("array", f.args)
    if f.via == "hex_ints" and method == "array":
        return f.note == "k" and args == (1, 1000)
    if f.note == "n" and method == "hex_int":  # n: read as text for its width, then as hex of that width
        return args == (key.width,)
    if method != f.via:
        return False
    if f.note == "trustees":  # a trustee index: 1..ℓ, ℓ the record's (at most 64)
        return args[0] == 1 and 1 <= args[1] <= f.args[1]
    if method == "hex_int" and f.args[0] == "z":  # the share proof's z: a width that depends on n and ℓ (§3.9)
        return args[0] > 0
    if method == "choice":
        return tuple(args[0]) == f.args[0]
    if method == "hex_bytes":
        return args[0] in KEY_LENGTHS.values() if f.args[0] == "algorithm" else args == f.args
    if method in ("hex_int", "hex_ints"):
        return args[0] == widths.get(f.args[0], f.args[0])
    if method == "objs":
        return args[2] == f.args[0]
    if method == "obj":
        return True  # its fields: checked at the construction
    return args == f.args


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_readers_read_what_the_schema_describes(fixture, monkeypatch):
    """Each Obj the readers build has the described fields, and each field is read by the described accessor with
    the described arguments; and every described field is read somewhere (so the description holds nothing the
    readers do not)."""
    calls = _trace(monkeypatch)
    manifest, _ = reader.read_manifest(fixture)
    election_key, _ = reader.read_election_key(fixture)
    key = PublicKey.from_n(election_key.n)
    eid = manifest.election_id
    list(reader.iter_registry(fixture, eid))
    for line, raw in reader.iter_file_lines(fixture, layout.BALLOT_BOX):
        # the general reader, whose Obj calls are traced (box_line.read, the fast path, gives the same entries or
        # leaves the line to it: tests/test_box_line.py)
        reader.parse_box_entry(line, raw, canonical.parse(raw, layout.BALLOT_BOX, line), key, eid)
    reader.read_box_head(fixture, eid)
    list(reader.iter_cancellations(fixture, eid))
    list(reader.iter_decisions(fixture))
    reader.read_tally(fixture, key, eid, trustees=election_key.threshold.trustees if election_key.threshold else 0)
    reader.read_results(fixture, eid)

    seen = set()
    for kind, file, path, name, detail in calls:
        node = _resolve(file, path)
        if kind == "new":
            assert isinstance(node, Shape), (file, path)
            assert detail == (node.keys, set(node.optional)), (file, path)
            continue
        f = node if isinstance(node, F) else {**node.required, **node.optional}[name]
        assert _agrees(f, *detail, key), (file, path, name, detail, f)
        seen.add((file, re.sub(r"\[[0-9]+\]", "[]", path), name))
    described = set()

    def walk(file, shape, path):
        for k, f in {**shape.required, **shape.optional}.items():
            described.add((file, path, k))
            if f.obj is not None:
                walk(file, f.obj, f"{path}.{k}[]" if f.via == "objs" and path else
                     f"{k}[]" if f.via == "objs" else f"{path}.{k}" if path else k)

    for file, shape in FILES.items():
        walk(file, shape, "")
    unread = {d for d in described if d not in seen}
    # optional fields a fixture may not hold, and the nation's unit that only a non-nation scope has
    # and the two decryption kinds: a record holds one of them (threshold-small the shared key's, the others "r")
    assert all(k in ("unit", "threshold_percent", "threshold_base", "reason", "r", "threshold", "shares")
               or path.startswith(("threshold", "aggregates[].decryption_proof.shares")) for _, path, k in unread), \
        unread
