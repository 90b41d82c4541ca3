"""The fast box-line reader (verifier/record/box_line.py, issue 15) against the general one (reader.parse_box_entry
over canonical.parse): on every honest line it gives the equal entry, and on damaged lines it either gives the
entry the general reader gives or leaves the line to it (None) — it never accepts what the general reader refuses."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.crypto.paillier import PublicKey
from verifier.errors import RecordError
from verifier.record import box_line, canonical, layout, reader
from verifier.record.canonical import dumps


@pytest.fixture(scope="module")
def box(simulated):
    root = simulated[0]
    key = PublicKey.from_n(reader.read_election_key(root)[0].n)
    eid = json.loads((root / layout.MANIFEST).read_bytes())["election_id"]
    lines = list(reader.iter_file_lines(root, layout.BALLOT_BOX))
    return key, eid, lines


def _general(line, raw, key, eid):
    try:
        return reader.parse_box_entry(line, raw, canonical.parse(raw, layout.BALLOT_BOX, line), key, eid)
    except RecordError as e:
        return e


def test_honest_lines_read_alike(box):
    key, eid, lines = box
    for n, raw in lines:
        fast = box_line.read(n, raw, key, eid)
        assert fast is not None and fast == _general(n, raw, key, eid)


# changes a hostile box may carry: a value replaced (type, case, length, range, identifier, time), a key added,
# dropped or repeated, bytes spliced
_replacements: st.SearchStrategy[object] = st.sampled_from([
    0, -1, 2**53, True, None, 1.5, "", "x", "A" * 64, "2026-02-30T10:00:00Z", "2026-01-01T24:00:00Z",
    "2026-01-01T10:00:00z", "bad id", "a\u0000b", [], {}])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_lines_are_never_accepted_by_the_fast_path_alone(box, data):
    key, eid, lines = box
    n, raw = lines[data.draw(st.integers(0, len(lines) - 1))]
    value = json.loads(raw)
    paths = []

    def walk(v, path):
        paths.append(path)
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, (*path, k))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, (*path, i))

    walk(value, ())
    path = data.draw(st.sampled_from(paths[1:]))
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["replace", "upper", "extend", "add key", "drop", "splice"]))
    last = path[-1]
    if action == "replace":
        parent[last] = data.draw(_replacements)
    elif action == "upper" and isinstance(parent[last], str):
        parent[last] = parent[last].upper()
    elif action == "extend" and isinstance(parent[last], str):
        parent[last] += data.draw(st.sampled_from(["0", "00", " ", "\n"]))
    elif action == "add key" and isinstance(parent, dict):
        parent["zz" if data.draw(st.booleans()) else "aa"] = 1
    elif action == "drop":
        del parent[last]
    damaged = dumps(value)
    if action == "splice":
        at = data.draw(st.integers(0, len(damaged)))
        damaged = damaged[:at] + data.draw(st.sampled_from([b" ", b'"a":1,', b"\\u0030", b"0", b","])) + damaged[at:]
    fast = box_line.read(n, damaged, key, eid)
    if fast is not None:
        assert fast == _general(n, damaged, key, eid)


@pytest.mark.parametrize("fixture", sorted((Path(__file__).parent.parent / "fixtures").glob("*-*/")),
                         ids=lambda p: p.name)
def test_fixture_boxes_read_alike(fixture):
    if not (fixture / layout.BALLOT_BOX).exists():
        pytest.skip("no ballot box")
    key = PublicKey.from_n(reader.read_election_key(fixture)[0].n)
    eid = json.loads((fixture / layout.MANIFEST).read_bytes())["election_id"]
    for n, raw in reader.iter_file_lines(fixture, layout.BALLOT_BOX):
        fast = box_line.read(n, raw, key, eid)
        assert fast is not None and fast == _general(n, raw, key, eid)
