"""Every input is untrusted: each malformed record gets one line `error: FILE[:LINE]: message` and exit status 2, in
bounded time and memory — never a traceback, never a verdict."""
import gzip
import hashlib
import io
import json
import re
import tarfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from conftest import cli, edit_document, edit_line

from verifier.record import layout


def assert_unreadable(result, file: str, line: int | None = None, message: str = "") -> str:
    out = result.output.strip()
    assert result.exit_code == 2, out
    assert "Traceback" not in out and "internal error" not in out and "VERIFIED" not in out, out
    assert len(out.splitlines()) == 1, out
    assert out.startswith(f"error: {file}:{line}: " if line else f"error: {file}"), out
    assert message in out, out
    return out


def verify(path):
    return cli("verify", path, "--workers", "1")


def edit_raw_line(path: Path, n: int, change) -> None:
    """Replace line n (1-based) of a JSON Lines file by change(old line bytes)."""
    lines = path.read_bytes().split(b"\n")
    lines[n - 1] = change(lines[n - 1])
    path.write_bytes(b"\n".join(lines))


def replace(path: Path, pattern: bytes, new: bytes) -> None:
    data = path.read_bytes()
    changed = re.sub(pattern, new, data, count=1)
    assert changed != data, pattern
    path.write_bytes(changed)


def _del(obj: dict, *keys):
    for k in keys[:-1]:
        obj = obj[k]
    del obj[keys[-1]]


def _set(obj: dict, value, *keys):
    for k in keys[:-1]:
        obj = obj[k]
    obj[keys[-1]] = value


# (name, file, line, message fragment, how to break the record)
CASES = [
    ("truncated box", layout.BALLOT_BOX, None, "last line has no newline (truncated file?)",
     lambda r: (r / layout.BALLOT_BOX).write_bytes((r / layout.BALLOT_BOX).read_bytes()[:-700])),
    ("truncated manifest", layout.MANIFEST, 1, "invalid JSON",
     lambda r: (r / layout.MANIFEST).write_bytes((r / layout.MANIFEST).read_bytes()[:1000])),
    ("truncated tally", layout.TALLY, 1, "invalid JSON",
     lambda r: (r / layout.TALLY).write_bytes((r / layout.TALLY).read_bytes()[:-40])),
    ("invalid JSON", layout.REGISTRY, 3, "invalid JSON",
     lambda r: edit_raw_line(r / layout.REGISTRY, 3, lambda b: b[:-1])),
    ("NUL byte", layout.REGISTRY, 2, "invalid JSON: Invalid control character at column",
     lambda r: edit_raw_line(r / layout.REGISTRY, 2, lambda b: b[:9] + b"\0" + b[9:])),
    ("not UTF-8", layout.CANCELLATIONS, 1, "not UTF-8",
     lambda r: edit_raw_line(r / layout.CANCELLATIONS, 1, lambda b: b[:9] + b"\xc3\x28" + b[9:])),
    ("byte-order mark", layout.MANIFEST, 1, "byte-order mark",
     lambda r: (r / layout.MANIFEST).write_bytes(b"\xef\xbb\xbf" + (r / layout.MANIFEST).read_bytes())),
    ("CRLF line ends", layout.REGISTRY, 1, "not in canonical form",
     lambda r: (r / layout.REGISTRY).write_bytes((r / layout.REGISTRY).read_bytes().replace(b"\n", b"\r\n"))),
    ("whitespace", layout.BALLOT_BOX_HEAD, 1, "not in canonical form",
     lambda r: (r / layout.BALLOT_BOX_HEAD).write_bytes(
         (r / layout.BALLOT_BOX_HEAD).read_bytes().replace(b",", b", "))),
    ("duplicate key", layout.TALLY, 1, "duplicate key 'aggregates'",
     lambda r: (r / layout.TALLY).write_bytes(b'{"aggregates":[],' + (r / layout.TALLY).read_bytes()[1:])),
    ("duplicate key in a line", layout.BALLOT_BOX, 2, "duplicate key 'receipt'",
     lambda r: edit_raw_line(r / layout.BALLOT_BOX, 2, lambda b: b[:-1] + b',"receipt":{}}')),
    ("huge duplicate key", layout.REGISTRY, 2, "duplicate key 'kkkkkkkk",
     lambda r: edit_raw_line(r / layout.REGISTRY, 2,
                             lambda b: b[:-1] + b',"' + b"k" * 100000 + b'":1,"' + b"k" * 100000 + b'":2}')),
    ("wrong type", layout.REGISTRY, 2, "polling_station: expected a string, found an integer",
     lambda r: edit_line(r / layout.REGISTRY, 2, lambda o: _set(o, 5, "polling_station"))),
    ("boolean for an integer", layout.RESULTS, 1, "expected an integer, found a boolean",
     lambda r: edit_document(r / layout.RESULTS, lambda o: _set(o["protocols"][0], True, "voters_voted"))),
    ("array for an object", layout.BALLOT_BOX, 3, "envelope: expected an object, found an array",
     lambda r: edit_line(r / layout.BALLOT_BOX, 3, lambda o: _set(o, [], "envelope"))),
    ("missing field", layout.BALLOT_BOX, 2, "receipt: missing field 'sequence'",
     lambda r: edit_line(r / layout.BALLOT_BOX, 2, lambda o: _del(o, "receipt", "sequence"))),
    ("extra field", layout.CANCELLATIONS, 1, "unknown field 'zzz'",
     lambda r: edit_line(r / layout.CANCELLATIONS, 1, lambda o: _set(o, 1, "zzz"))),
    ("extra field in the manifest", layout.MANIFEST, 1, "voting_period: unknown field 'zone'",
     lambda r: edit_document(r / layout.MANIFEST, lambda o: _set(o, "UTC", "voting_period", "zone"))),
    # in the manifest: a results.json or tally.json this much longer is refused by its size first (SPEC.md §10)
    ("a million digits", layout.MANIFEST, 1, "integer with 1000000 digits",
     lambda r: replace(r / layout.MANIFEST, rb'"voters":[0-9]+', b'"voters":' + b"9" * 1_000_000)),
    ("integer beyond 2^53", layout.BALLOT_BOX, 4, "beyond 2^53",
     lambda r: edit_raw_line(r / layout.BALLOT_BOX, 4,
                             lambda b: re.sub(rb'"sequence":[0-9]+', b'"sequence":9007199254740993', b))),
    ("float", layout.RESULTS, 1, "non-integer number '1.0'",
     lambda r: replace(r / layout.RESULTS, rb'"registered_voters":[0-9]+', b'"registered_voters":1.0')),
    ("exponent", layout.RESULTS, 1, "non-integer number '1e3'",
     lambda r: replace(r / layout.RESULTS, rb'"registered_voters":[0-9]+', b'"registered_voters":1e3')),
    ("NaN", layout.RESULTS, 1, "NaN is not JSON",
     lambda r: replace(r / layout.RESULTS, rb'"registered_voters":[0-9]+', b'"registered_voters":NaN')),
    ("negative integer", layout.BALLOT_BOX, 2, "receipt.sequence: -1 is outside 1..",
     lambda r: edit_line(r / layout.BALLOT_BOX, 2, lambda o: _set(o, -1, "receipt", "sequence"))),
    ("negative count", layout.TALLY, 1, "votes: -1 is outside 0..",
     lambda r: edit_document(r / layout.TALLY, lambda o: _set(o["aggregates"][0]["counts"][0], -1, "votes"))),
    ("out of range", layout.MANIFEST, 1, "max_receipt_delay_seconds: 1000000000 is outside 0..86400",
     lambda r: edit_document(r / layout.MANIFEST, lambda o: _set(o, 10**9, "max_receipt_delay_seconds"))),
    ("non-ASCII id", layout.REGISTRY, 2, "voter_id: 'V00000д2' is not of the form",
     lambda r: edit_line(r / layout.REGISTRY, 2, lambda o: _set(o, "V00000д2", "voter_id"))),
    ("full-width digits in an id", layout.BALLOT_BOX, 1, "voter_id: ",
     lambda r: edit_line(r / layout.BALLOT_BOX, 1, lambda o: _set(o, "V０００１", "envelope", "voter_id"))),
    ("control character in an id", layout.REGISTRY, 2, "voter_id: contains a control character",
     lambda r: edit_line(r / layout.REGISTRY, 2, lambda o: _set(o, "V0\x07", "voter_id"))),
    ("terminal escape in a name", layout.MANIFEST, 1, "title: contains a control character",
     lambda r: edit_document(r / layout.MANIFEST, lambda o: _set(o, "x\x1b[2J", "title"))),
    ("full-width digits in a time", layout.BALLOT_BOX, 2, "received_at: '２０２３",
     lambda r: edit_line(r / layout.BALLOT_BOX, 2,
                         lambda o: _set(o, "２０２３-03-13T11:10:30Z", "receipt", "received_at"))),
    ("impossible date", layout.MANIFEST, 1, "'2023-02-30' is not a valid date",
     lambda r: edit_document(r / layout.MANIFEST, lambda o: _set(o, "2023-02-30", "election_day"))),
    ("unpaired surrogate", layout.REGISTRY, 2, "unpaired surrogate",
     lambda r: edit_raw_line(r / layout.REGISTRY, 2,
                             lambda b: re.sub(rb'"voter_id":"[^"]*"', rb'"voter_id":"V\\ud800"', b))),
    ("unpaired surrogate in a name", layout.MANIFEST, 1, "unpaired surrogate",
     lambda r: replace(r / layout.MANIFEST, rb'"title":"', rb'"title":"\\udc00')),
    ("uppercase hex", layout.BALLOT_BOX, 5, "not lowercase hex",
     lambda r: edit_line(r / layout.BALLOT_BOX, 5,
                         lambda o: _set(o, o["envelope"]["ballot_id"].upper(), "envelope", "ballot_id"))),
    ("hex of the wrong length", layout.TALLY, 1, "expected",
     lambda r: edit_document(r / layout.TALLY, lambda o: _set(o["aggregates"][0],
                                                              "00" + o["aggregates"][0]["ciphertext"], "ciphertext"))),
    ("a huge hex number", layout.ELECTION_KEY, 1, "n: longer than 2048 characters",
     lambda r: edit_document(r / layout.ELECTION_KEY, lambda o: _set(o, "f" * 100_000, "n"))),
    ("deep nesting", layout.MANIFEST, 1, "nested too deeply",
     lambda r: (r / layout.MANIFEST).write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n")),
    ("tally beyond what the manifest can need", layout.TALLY, None, "the most the manifest's polling stations",
     lambda r: (r / layout.TALLY).write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n")),
    ("not an object", layout.RESULTS, 1, "expected an object, found an array",
     lambda r: (r / layout.RESULTS).write_bytes(b"[]\n")),
    ("empty manifest", layout.MANIFEST, 1, "empty", lambda r: (r / layout.MANIFEST).write_bytes(b"")),
    ("empty key", layout.ELECTION_KEY, 1, "empty", lambda r: (r / layout.ELECTION_KEY).write_bytes(b"")),
    ("empty head", layout.BALLOT_BOX_HEAD, 1, "empty", lambda r: (r / layout.BALLOT_BOX_HEAD).write_bytes(b"\n")),
    ("empty tally", layout.TALLY, 1, "empty", lambda r: (r / layout.TALLY).write_bytes(b"")),
    ("empty results", layout.RESULTS, 1, "empty", lambda r: (r / layout.RESULTS).write_bytes(b"")),
    ("empty line", layout.BALLOT_BOX, 3, "empty", lambda r: edit_raw_line(r / layout.BALLOT_BOX, 3, lambda b: b"")),
    ("missing file", layout.CANCELLATIONS, None, "missing from the record",
     lambda r: (r / layout.CANCELLATIONS).unlink()),
    ("a folder for a file", layout.RESULTS, None, "not a regular file",
     lambda r: ((r / layout.RESULTS).unlink(), (r / layout.RESULTS).mkdir())),
    ("manifest beyond its limit", layout.MANIFEST, None, "larger than 33554432 bytes",
     lambda r: (r / layout.MANIFEST).write_bytes(b" " * (40 << 20))),
]


@pytest.mark.parametrize("name,file,line,message,breaker", CASES, ids=[c[0] for c in CASES])
def test_malformed_record_is_one_clear_line(record, name, file, line, message, breaker):
    breaker(record)
    start = time.perf_counter()
    result = verify(record)
    assert time.perf_counter() - start < 20
    assert_unreadable(result, file, line, message)


def _huge_line(path: Path, size: int = 50 << 20) -> None:
    with open(path, "wb") as f:
        f.write(b'{"a":"')
        chunk = b"x" * (1 << 20)
        for _ in range(size >> 20):
            f.write(chunk)
        f.write(b'"}\n')


@pytest.mark.parametrize("name", [layout.BALLOT_BOX, layout.REGISTRY, layout.MANIFEST])
def test_a_50_mb_line_is_refused_unread_in_bounded_time_and_memory(record, name):
    _huge_line(record / name)
    verify(record)  # warm: imports, the small-prime table
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = verify(record)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 10
    assert peak < 24 << 20, f"peak {peak >> 20} MB"
    if name == layout.MANIFEST:
        assert_unreadable(result, name, None, "larger than")
    else:
        assert_unreadable(result, name, 1, "line longer than 4194304 bytes")


def test_reading_documents_does_not_reserve_their_limits(simulated):
    """Reading a 20 KB tally must not reserve the 256 MB a tally may have (read(limit + 1) would)."""
    from verifier.crypto.paillier import PublicKey
    from verifier.record import reader

    root = simulated[0]
    key = PublicKey.from_n(reader.read_election_key(root)[0].n)
    tracemalloc.start()
    try:
        reader.read_manifest(root)
        reader.read_tally(root, key, "demo-2023")
        reader.read_results(root, "demo-2023")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"peak {peak >> 20} MB"


# --- empty and zero-ballot records ---------------------------------------------------------------------------------

def test_a_record_with_no_ballots_verifies_when_everything_says_zero(tmp_path):
    """An empty ballot box is a legal record: the tally has one aggregate per (contest, station) with 0 ballots,
    ciphertext 1, plaintext 0 and R = 1, and the results say zero everywhere."""
    from verifier.simulate.authority import Options, simulate
    from verifier.simulate.shape import small_shape

    simulate(tmp_path / "empty", Options(voters=20, seed="empty", key_bits=640, turnout=0.0,
                                         shape=small_shape(20, 5), workers=1))
    assert (tmp_path / "empty" / layout.BALLOT_BOX).read_bytes() == b""
    result = verify(tmp_path / "empty")
    assert result.exit_code == 0, result.output
    assert "ballots in the box: 0" in result.output


def test_an_empty_json_lines_file_is_zero_entries_not_an_error(record):
    """registry.jsonl with no line is readable: zero voters, which the manifest's commitment contradicts."""
    (record / layout.REGISTRY).write_bytes(b"")
    result = verify(record)
    assert result.exit_code == 1
    assert "V2.1" in result.output and "NOT VERIFIED" in result.output


# --- archives -----------------------------------------------------------------------------------------------------

def _zip(path: Path, members: dict[str, bytes], attrs: dict[str, int] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if attrs and name in attrs:
                info.external_attr = attrs[name] << 16
            z.writestr(info, data)
    return path


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as t:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                t.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                t.addfile(info, io.BytesIO(m[1]))
    return path


def _record_files(src: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(src.iterdir())}


def _link(name: str, kind=tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = "/etc/passwd"
    return info


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_archived_record_in_a_folder_verifies(simulated, tmp_path, suffix):
    files = {f"record/{k}": v for k, v in _record_files(simulated[0]).items()}
    path = tmp_path / f"r{suffix}"
    _zip(path, files) if suffix == ".zip" else _tar(path, list(files.items()))
    result = verify(path)
    assert result.exit_code == 0, result.output


ARCHIVES = [
    ("zip ../", lambda p, files: _zip(p.with_suffix(".zip"), {**files, "../manifest.json": b"x"}),
     "outside the record"),
    ("zip absolute", lambda p, files: _zip(p.with_suffix(".zip"), {"/etc/manifest.json": b"x"}), "outside the record"),
    ("zip backslash", lambda p, files: _zip(p.with_suffix(".zip"), {"..\\manifest.json": b"x"}), "outside the record"),
    ("zip too deep", lambda p, files: _zip(p.with_suffix(".zip"), {"a/b/manifest.json": b"x"}), "outside the record"),
    ("zip symlink", lambda p, files: _zip(p.with_suffix(".zip"), {"manifest.json": b"/etc/passwd"},
                                          {"manifest.json": 0o120777}), "is not a regular file"),
    ("zip twice", lambda p, files: _zip(p.with_suffix(".zip"), {"manifest.json": b"x", "./manifest.json": b"y"}),
     "appears twice"),
    ("zip bomb", lambda p, files: _zip(p.with_suffix(".zip"), {"manifest.json": bytes(20 << 20)}),
     "more than the allowed size"),
    ("not a zip",
     lambda p, files: (p.with_suffix(".zip").write_bytes(b"PK\x03\x04" + bytes(100)), p.with_suffix(".zip"))[1],
     "unreadable zip archive"),
    ("tar ../", lambda p, files: _tar(p.with_suffix(".tar.gz"), [("../manifest.json", b"x")]), "outside the record"),
    ("tar absolute", lambda p, files: _tar(p.with_suffix(".tar.gz"), [("/tmp/manifest.json", b"x")]),
     "outside the record"),
    ("tar symlink", lambda p, files: _tar(p.with_suffix(".tar.gz"), [_link("manifest.json")]), "not a regular file"),
    ("tar hard link", lambda p, files: _tar(p.with_suffix(".tar.gz"), [_link("tally.json", tarfile.LNKTYPE)]),
     "not a regular file"),
    ("tar device", lambda p, files: _tar(p.with_suffix(".tar.gz"), [_link("results.json", tarfile.CHRTYPE)]),
     "not a regular file"),
    ("tar twice", lambda p, files: _tar(p.with_suffix(".tar.gz"), [("tally.json", b"1"), ("./tally.json", b"2")]),
     "appears twice"),
    ("tar bomb", lambda p, files: _tar(p.with_suffix(".tar.gz"), [("manifest.json", bytes(20 << 20))]),
     "more than the allowed size"),
    ("tar bomb after its end", lambda p, files: (p.with_suffix(".tar.gz").write_bytes(
        gzip.compress(_tar_bytes([("tally.json", b"{}")]) + bytes(20 << 20))), p.with_suffix(".tar.gz"))[1],
     "expands beyond the allowed size"),
    ("not a tar", lambda p, files: (p.with_suffix(".tar.gz").write_bytes(gzip.compress(bytes(range(256)) * 4)),
                                    p.with_suffix(".tar.gz"))[1], "not a tar archive"),
    ("not gzip", lambda p, files: (p.with_suffix(".tar.gz").write_bytes(b"\x1f\x8b" + bytes(50)),
                                   p.with_suffix(".tar.gz"))[1], "unreadable tar.gz archive"),
    ("truncated tar", lambda p, files: (p.with_suffix(".tar.gz").write_bytes(
        gzip.compress(_tar_bytes([("manifest.json", bytes(5000))])[:3000])), p.with_suffix(".tar.gz"))[1], "ends"),
]


def _tar_bytes(members) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("name,make,message", ARCHIVES, ids=[a[0] for a in ARCHIVES])
def test_hostile_archive_is_refused(simulated, tmp_path, name, make, message):
    path = make(tmp_path / "record", _record_files(simulated[0]))
    start = time.perf_counter()
    result = verify(path)
    assert time.perf_counter() - start < 10
    assert_unreadable(result, str(path), None, message)


def test_pax_header_bomb_is_refused_before_it_is_read(tmp_path):
    """tarfile would read a pax header whole; a 1 GB one costs a few MB of gzip."""
    path = tmp_path / "pax.tar.gz"
    info = tarfile.TarInfo("././@PaxHeader")
    info.type = tarfile.XHDTYPE
    info.size = 1 << 30
    with gzip.open(path, "wb") as g:
        g.write(info.tobuf(tarfile.USTAR_FORMAT))
        g.write(bytes(1 << 20))
    tracemalloc.start()
    try:
        result = verify(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_unreadable(result, str(path), None, "extended header of 1073741824 bytes")
    assert peak < 16 << 20


def test_gnu_long_name_is_read(simulated, tmp_path):
    """A GNU tar long name ('L' header) for a record file is followed, and a pax path too."""
    path = tmp_path / "gnu.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as t:
        for f in sorted(simulated[0].iterdir()):
            t.add(f, f"{'r' * 120}/{f.name}")
    assert verify(path).exit_code == 0
    pax = tmp_path / "pax.tar.gz"
    with tarfile.open(pax, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for f in sorted(simulated[0].iterdir()):
            t.add(f, f"{'р' * 10}/{f.name}")  # a non-ASCII folder name travels in a pax header
    assert verify(pax).exit_code == 0


# --- the other commands read untrusted files too ------------------------------------------------------------------

def test_seats_with_a_million_digit_count(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("option,votes\np1," + "9" * 1_000_000 + "\np2,5\n")
    result = cli("seats", path, "--seats", "3")
    assert_unreadable(result, str(path), 2)


def test_receipts_file_is_read_strictly(simulated, tmp_path):
    from verifier.crypto.paillier import PublicKey
    from verifier.errors import RecordError
    from verifier.record import reader

    path = tmp_path / "kept.jsonl"
    path.write_bytes((simulated[0] / layout.BALLOT_BOX).read_bytes().splitlines()[0] + b"\n{}\n")
    key = json.loads((simulated[0] / layout.ELECTION_KEY).read_bytes())
    with pytest.raises(RecordError, match=r"^kept.jsonl:2: missing field 'envelope' \(SPEC.md §2.4\)$"):
        reader.read_held_receipts(path, PublicKey.from_n(int(key["n"], 16)), "demo-2023")


# --- the bytes the report names are the bytes verified (SPEC.md §10.2) -------------------------------------------

def _swap_after_hashing(monkeypatch, path: Path, verified: bytes) -> None:
    """When the run has hashed the record's files for the report, `path` is given other bytes: `verified`, the
    honest ones. A record served this way (a network file system, a second process) would otherwise be reported
    VERIFIED under the digest of bytes that were never verified."""
    from verifier.engine import run

    hash_files = run.check_files

    def then_swap(r):
        hash_files(r)
        path.write_bytes(verified)

    monkeypatch.setattr(run, "check_files", then_swap)


@pytest.mark.parametrize("name", [layout.MANIFEST, layout.ELECTION_KEY, layout.BALLOT_BOX_HEAD, layout.TALLY,
                                  layout.RESULTS])
def test_a_document_changed_after_it_was_hashed_is_an_error(record, monkeypatch, name):
    path = record / name
    honest = path.read_bytes()
    path.write_bytes(honest[:-2] + b" }\n")  # what the report's digest would name: not the honest file
    _swap_after_hashing(monkeypatch, path, honest)
    out = assert_unreadable(verify(record), name, None, "changed while it was being verified")
    assert hashlib.sha256(honest).hexdigest() in out  # the digest of what was read, beside the run's first one


def test_kept_receipts_changed_after_they_were_hashed_is_an_error(record, tmp_path, monkeypatch):
    kept = tmp_path / "kept.jsonl"
    lines = [line + b"\n" for line in (record / layout.BALLOT_BOX).read_bytes().splitlines()[:3]]
    kept.write_bytes(b"".join(lines))
    _swap_after_hashing(monkeypatch, kept, b"".join(lines[:2]))  # two receipts where three were hashed
    result = cli("verify", record, "--workers", "1", "--receipts", kept)
    assert_unreadable(result, "kept.jsonl", None, "changed while it was being verified")
