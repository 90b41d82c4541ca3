"""Fuzzing: mutated record files through every reader, and mutated records through the whole verification.

The only way out of a reader is a value or a RecordError (file, line, one-line message); the only way out of a
verification is a verdict or a RecordError; and a record that is not byte for byte the valid one never verifies.

Inputs are valid record files changed by 1–3 mutations: byte-level (bit flips, inserted JSON punctuation and
escapes, deleted, repeated or spliced ranges, truncation) or JSON-aware (one node of the parsed object replaced,
deleted, added, duplicated or retyped, then written back in canonical form so that it gets past the parser and
reaches the schema layer and the checks). Hypothesis draws the seeds; a failure prints the target and seed.

Default run: FUZZ_QUICK inputs through the readers and FUZZ_QUICK_DEEP whole verifications. The long run
(`pytest -m slow tests/test_fuzz.py -s`) takes FUZZ_INPUTS (default 100,000) and FUZZ_DEEP (default 2,000) from
the environment and prints the figures.
"""
import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from verifier.crypto.paillier import PublicKey
from verifier.engine.local import LocalEngine
from verifier.engine.run import verify_record
from verifier.errors import RecordError
from verifier.record import canonical, layout, reader, seat_input
from verifier.record.paper_protocols import read_contests, read_protocols, read_units
from verifier.record.source import open_record, pack

FUZZ_QUICK = 3000
FUZZ_QUICK_DEEP = 60

# ------------------------------------------------------------------------------------------------------ mutations

PUNCTUATION = [b'"', b"{", b"}", b"[", b"]", b",", b":", b"\\", b"\\u", b"\\ud800", b"\\u0000", b"\x00", b"\xff",
               b"\xc3", b"\xef\xbb\xbf", b"-", b"0", b"9" * 20, b"1e5", b"1.0", b"NaN", b"null", b"true", b" ", b"\n",
               b"\r", b"\t", b"\xd0\xb4", b"\x1b[2J"]
VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2**53 - 1, 2**53, -(2**53), 10**30, 1.5, "", "x", "x" * 70, "V\u0007", "д",
    "２０２３-03-13T06:00:00Z", "\ud800", "\U0001F600", [], {}, [[]], {"a": 1}, "0" * 64, "f" * 64, "F" * 64,
    "0" * 65, "nation", "polling_station", "counted", "excluded", "ed25519", "ecdsa-p256",
    "2023-03-13T06:00:00Z", "2023-02-30", "1.0", "100.00", "5"
]


def _nodes(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:50]):
            yield from _nodes(v, (*path, i))


def _set(root, path, value):
    if not path:
        return value
    node = root
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return root


def _dump(value, r: random.Random) -> bytes:
    try:
        if r.random() < 0.9:
            return canonical.dumps(value)
        return json.dumps(value, separators=(", ", ": ") if r.random() < 0.5 else (",", ":")).encode()
    except (UnicodeEncodeError, ValueError, TypeError):
        return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode()


HEX = set("0123456789abcdef")


def _subtle(r: random.Random, node, nodes):
    """A change the schema still accepts, so that it reaches the checks: one hex digit, an integer by one, a string
    swapped for another of the same document."""
    if isinstance(node, str) and node and set(node) <= HEX:
        i = r.randrange(len(node))
        return node[:i] + r.choice(sorted(HEX - {node[i]})) + node[i + 1:]
    if isinstance(node, bool):
        return not node
    if isinstance(node, int):
        return max(0, node + r.choice([-1, 1, 2]))
    if isinstance(node, str):
        others = [v for _, v in nodes if isinstance(v, str) and v != node]
        return r.choice(others) if others else node + "x"
    if isinstance(node, list) and len(node) > 1:
        i = r.randrange(len(node) - 1)
        return node[:i] + [node[i + 1], node[i]] + node[i + 2:]
    return None


# one branch per kind of mutation: a table of cases, read top to bottom
def _json_mutation(r: random.Random, text: bytes, donors: list[bytes], subtle: float = 0.3) -> bytes:  # noqa: C901
    """One node of the parsed text changed (the change always applies to the node it picks)."""
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _byte_mutation(r, text, donors)
    nodes = list(_nodes(value))
    path, node = r.choice(nodes)
    ops = ["value", "wrap", "duplicate-key"]
    if path:
        ops.append("other-node")
    if donors:
        ops.append("donor")
    if isinstance(node, dict):
        ops += ["add-key"] + (["delete-key"] if node else [])
    if isinstance(node, str):
        ops.append("string")
    if isinstance(node, int) and not isinstance(node, bool):
        ops.append("int")
    if isinstance(node, list):
        ops.append("list")
    op = "subtle" if r.random() < subtle and _subtle(r, node, nodes) is not None else r.choice(ops)
    if op == "subtle":
        value = _set(value, path, _subtle(r, node, nodes))
    elif op == "value":
        value = _set(value, path, json.loads(json.dumps(r.choice([v for v in VALUES if v != node]))))
    elif op == "delete-key":
        del node[r.choice(list(node))]
    elif op == "add-key":
        node[r.choice(["zzz", "a", "", "Sequence", "ballot_id ", *list(node)]) + "x"] = r.choice(VALUES[:12])
    elif op == "string":
        variants = [node.upper(), node + node[-1:], node[:-1], node[:-2], node + "\u0000", "a" + node[1:],
                    node.replace("0", "g", 1), node * 3, node[::-1], node + "д"]
        value = _set(value, path, r.choice([v for v in variants if v != node] or ["x"]))
    elif op == "int":
        value = _set(value, path, r.choice([node + 1, node - 1, -node - 1, node * 2**40 + 1, 2**53 - 1, 2**53]))
    elif op == "list":
        if node:
            i = r.randrange(len(node))
            r.choice([lambda: node.insert(i, node[i]), lambda: node.pop(i), lambda: node.append(node[0])])()
        else:
            node.append(r.choice(VALUES))
    elif op == "other-node":  # the right shape in the wrong place
        _, other = r.choice(nodes)
        value = _set(value, path, json.loads(json.dumps(other)))
    elif op == "wrap":
        value = _set(value, path, r.choice([[node], {"value": node}]))
    elif op == "donor":
        try:
            donor = json.loads(r.choice(donors).split(b"\n")[0])
            value = _set(value, path, r.choice([v for _, v in _nodes(donor)]))
        except (ValueError, UnicodeDecodeError):
            return _byte_mutation(r, text, donors)
    else:  # a duplicate key, written by hand (a dict cannot hold one)
        out = _dump(value, r)
        brace = out.find(b"{", r.randrange(max(1, len(out))))
        brace = brace if brace >= 0 else out.find(b"{")
        return out[:brace + 1] + b'"k":1,"k":2,' + out[brace + 1:] if brace >= 0 else out + b"{"
    return _dump(value, r)


def _byte_mutation(r: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    if not data:
        return r.choice(PUNCTUATION)
    i = r.randrange(len(data))
    j = min(len(data), i + r.choice([1, 2, 8, 64, 1000]))
    op = r.randrange(7)
    if op == 0:
        b = bytearray(data)
        for _ in range(r.randint(1, 8)):
            k = r.randrange(len(b))
            b[k] ^= 1 << r.randrange(8)
        return bytes(b)
    if op == 1:
        return data[:i] + r.choice(PUNCTUATION) + data[i:]
    if op == 2:
        return data[:i] + data[j:]
    if op == 3:
        return data[:j] + data[i:j] * r.choice([1, 2, 50]) + data[j:]
    if op == 4:
        return data[:i]
    if op == 5 and donors:
        d = r.choice(donors)
        k = r.randrange(len(d)) if d else 0
        return data[:i] + d[k:k + r.choice([10, 100, 5000])] + data[j:]
    return data[:i] + bytes(r.randrange(256) for _ in range(r.randint(1, 16))) + data[j:]


def mutate(r: random.Random, data: bytes, donors: list[bytes], subtle: float = 0.3) -> bytes:
    """1–3 mutations; never the input itself."""
    original = data
    while data == original:
        lines = data.split(b"\n")
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            if r.random() < 0.6:
                if len(lines) > 2 and r.random() < 0.9:  # one line of a JSON Lines file
                    k = r.randrange(len(lines) - 1)
                    lines[k] = _json_mutation(r, lines[k], donors, subtle)
                else:
                    lines = _json_mutation(r, b"\n".join(lines).rstrip(b"\n"), donors, subtle).split(b"\n") + [b""]
            else:
                lines = _byte_mutation(r, b"\n".join(lines), donors).split(b"\n")
        data = b"\n".join(lines)
    return data


# ------------------------------------------------------------------------------------------------------ targets

class Harness:
    """Every reader, fed bytes: file readers through a scratch folder."""

    def __init__(self, record: Path, scratch: Path, protocols: Path):
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        key = json.loads((record / layout.ELECTION_KEY).read_bytes())
        self.key = PublicKey.from_n(int(key["n"], 16))
        self.eid = json.loads((record / layout.MANIFEST).read_bytes())["election_id"]

        def first(name: str, n: int) -> bytes:
            return b"".join(line + b"\n" for line in (record / name).read_bytes().splitlines()[:n])

        self.contests = read_contests((protocols / "contests.json").read_bytes(), "contests.json")
        by_id = {c.id: c for c in self.contests}
        self.seeds: dict[str, tuple[bytes, Callable[[Path], object]]] = {
            "manifest": ((record / layout.MANIFEST).read_bytes(), lambda d: reader.read_manifest(d)),
            "election_key": ((record / layout.ELECTION_KEY).read_bytes(), lambda d: reader.read_election_key(d)),
            "registry": (first(layout.REGISTRY, 4), lambda d: list(reader.iter_registry(d, self.eid))),
            "ballot_box": (first(layout.BALLOT_BOX, 2), self._box),
            "ballot_box_head": ((record / layout.BALLOT_BOX_HEAD).read_bytes(),
                                lambda d: reader.read_box_head(d, self.eid)),
            "cancellations": (first(layout.CANCELLATIONS, 3), lambda d: list(reader.iter_cancellations(d, self.eid))),
            "tally_ballots": (first(layout.BALLOT_DECISIONS, 6), lambda d: list(reader.iter_decisions(d))),
            "tally": ((record / layout.TALLY).read_bytes(), lambda d: reader.read_tally(d, self.key, self.eid)),
            "results": ((record / layout.RESULTS).read_bytes(), lambda d: reader.read_results(d, self.eid)),
            "receipts": (first(layout.BALLOT_BOX, 1),
                         self._via_file("kept.jsonl", lambda p: reader.read_held_receipts(p, self.key, self.eid))),
            "counts.csv": (b"option,votes,kind\np1,100,party\np2,50,\naa,7,against_all\n",
                           self._via_file("counts.csv", seat_input.read_counts)),
            "counts.json": (b'{"options":[{"option":"p1","votes":100},{"option":"p2","votes":50,"kind":"party"}]}',
                            self._via_file("counts.json", seat_input.read_counts)),
            "announced.csv": (b"option,seats\np1,3\np2,1\n",
                              self._via_file("announced.csv", seat_input.read_announced)),
            "announced.json": (b'{"seats":{"p1":3,"p2":1}}',
                               self._via_file("announced.json", seat_input.read_announced)),
            "contests.json": ((protocols / "contests.json").read_bytes(),
                              lambda d: read_contests(self._bytes(d), "contests.json")),
            "units.jsonl": ((protocols / "units.jsonl").read_bytes(),
                            lambda d: read_units(self._bytes(d), "units.jsonl")),
            "polling_station.jsonl": ((protocols / "polling_station.jsonl").read_bytes(),
                                      lambda d: read_protocols(self._bytes(d), "polling_station.jsonl",
                                                               "polling_station", by_id)),
        }
        self.files = {"manifest": layout.MANIFEST, "election_key": layout.ELECTION_KEY, "registry": layout.REGISTRY,
                      "ballot_box_head": layout.BALLOT_BOX_HEAD, "cancellations": layout.CANCELLATIONS,
                      "tally_ballots": layout.BALLOT_DECISIONS, "tally": layout.TALLY, "results": layout.RESULTS}
        self.donors = [seed for seed, _ in self.seeds.values()]
        self._data = b""

    def _bytes(self, _):
        return self._data

    def _box(self, _):
        """As the engine reads the box: lines in bounded memory, each parsed (in a worker) on its own."""
        (self.scratch / layout.BALLOT_BOX).write_bytes(self._data)
        return [reader.read_box_entry(n, raw, self.key, self.eid)
                for n, raw in reader.iter_file_lines(self.scratch, layout.BALLOT_BOX)]

    def _via_file(self, name, read):
        """A reader of a file given on the command line: the input written to `name`, then `read(path)`."""
        def run(_):
            path = self.scratch / name
            path.write_bytes(self._data)
            return read(path)
        return run

    def run(self, target: str, data: bytes):
        self._data = data
        if target in self.files:
            (self.scratch / self.files[target]).write_bytes(data)
        return self.seeds[target][1](self.scratch)


@pytest.fixture(scope="module")
def harness(simulated, tmp_path_factory) -> Harness:
    protocols = Path(__file__).resolve().parent.parent / "fixtures" / "protocols" / "example"
    return Harness(simulated[0], tmp_path_factory.mktemp("fuzz"), protocols)


def _fuzz_readers(harness: Harness, inputs: int, derandomize: bool) -> dict:
    tally = {"inputs": 0, "accepted": Counter(), "rejected": Counter()}
    targets = sorted(harness.seeds)

    @settings(max_examples=inputs, deadline=None, database=None, derandomize=derandomize, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(targets), st.integers(0, 2**63))
    def one(target, seed):
        r = random.Random(seed)
        data = mutate(r, harness.seeds[target][0], harness.donors)
        tally["inputs"] += 1
        try:
            harness.run(target, data)
            tally["accepted"][target] += 1
        except RecordError as e:
            message = str(e)
            assert "\n" not in message and len(message) < 400, message
            tally["rejected"][target] += 1
        except Exception as e:  # the point: nothing else may come out
            path = harness.scratch.parent / f"crash-{target}-{seed}.bin"
            path.write_bytes(data)
            raise AssertionError(f"{target} (seed {seed}, input saved to {path}): {type(e).__name__}: {e}") from e

    one()
    return tally


def test_fuzz_readers_quick(harness):
    tally = _fuzz_readers(harness, FUZZ_QUICK, derandomize=True)
    assert tally["inputs"] >= FUZZ_QUICK * 0.95  # hypothesis may skip a few duplicate draws
    assert sum(tally["accepted"].values()) > 0 and sum(tally["rejected"].values()) > 0


@pytest.mark.slow
def test_fuzz_readers_long(harness):
    inputs = int(os.environ.get("FUZZ_INPUTS", "100000"))
    start = time.perf_counter()
    tally = _fuzz_readers(harness, inputs, derandomize=False)
    seconds = time.perf_counter() - start
    print(f"\nfuzz (readers): {tally['inputs']} inputs in {seconds:.0f} s, 0 crashes; "
          f"accepted {sum(tally['accepted'].values())}, rejected with RecordError {sum(tally['rejected'].values())}")
    for target in sorted(harness.seeds):
        print(f"  {target:22} accepted {tally['accepted'][target]:6}  rejected {tally['rejected'][target]:6}")
    assert tally["inputs"] >= inputs * 0.95


# ------------------------------------------------------------------------------------------ whole verifications

@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    from verifier.simulate.authority import Options, simulate
    from verifier.simulate.shape import small_shape

    out = tmp_path_factory.mktemp("tiny") / "record"
    simulate(out, Options(voters=12, seed="fuzz", key_bits=528, shape=small_shape(12, 3), workers=1))
    return out


def _fuzz_records(tiny: Path, scratch: Path, inputs: int, derandomize: bool) -> Counter:
    originals = {name: (tiny / name).read_bytes() for name in layout.ALL_FILES}
    donors = list(originals.values())
    outcomes: Counter = Counter()
    record = scratch / "record"
    shutil.copytree(tiny, record)

    @settings(max_examples=inputs, deadline=None, database=None, derandomize=derandomize, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(sorted(layout.ALL_FILES)), st.integers(0, 2**63))
    def one(name, seed):
        r = random.Random(seed)
        data = mutate(r, originals[name], donors, subtle=0.7)
        (record / name).write_bytes(data)
        try:
            verdict = verify_record(record, LocalEngine(1))
            assert not verdict.verified, f"{name} (seed {seed}) changed and still verified"
            outcomes["verified" if verdict.verified else "not verified"] += 1
        except RecordError:
            outcomes["unreadable"] += 1
        except AssertionError:
            raise
        except Exception as e:
            path = scratch / f"crash-{name}-{seed}.bin"
            path.write_bytes(data)
            raise AssertionError(f"{name} (seed {seed}, saved to {path}): {type(e).__name__}: {e}") from e
        finally:
            (record / name).write_bytes(originals[name])

    one()
    return outcomes


def test_fuzz_whole_records_quick(tiny, tmp_path):
    outcomes = _fuzz_records(tiny, tmp_path, FUZZ_QUICK_DEEP, derandomize=True)
    assert outcomes["not verified"] + outcomes["unreadable"] > 0


@pytest.mark.slow
def test_fuzz_whole_records_long(tiny, tmp_path):
    inputs = int(os.environ.get("FUZZ_DEEP", "2000"))
    start = time.perf_counter()
    outcomes = _fuzz_records(tiny, tmp_path, inputs, derandomize=False)
    print(f"\nfuzz (whole records): {sum(outcomes.values())} records in {time.perf_counter() - start:.0f} s, "
          f"0 crashes: {dict(outcomes)}")


def test_fuzz_archives(tiny, tmp_path):
    """Mutated .zip and .tar.gz records: a record, or one line naming the archive."""
    pack(tiny, tmp_path / "r.zip")
    pack(tiny, tmp_path / "r.tar.gz")
    originals = {s: (tmp_path / f"r{s}").read_bytes() for s in (".zip", ".tar.gz")}
    r = random.Random(7)
    for i in range(120):
        suffix = r.choice(list(originals))
        path = tmp_path / f"m{i}{suffix}"
        path.write_bytes(_byte_mutation(r, originals[suffix], []))
        try:
            with open_record(path) as root:
                list(Path(root).iterdir())
        except RecordError as e:
            assert str(e).startswith(str(path)) and "\n" not in str(e)
