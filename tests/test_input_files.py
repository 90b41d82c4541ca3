"""Nothing is read outside the record, and every record has one reading (SPEC.md §2, §10.2, §10.3).

A record file that is a link, FIFO, device or folder; a file named on the command line that is one; a directory or
archive with more than one record's files, or anything besides them; a zip whose local entries are not exactly
its central directory's: each is exit status 2 with one line `error: FILE: message`, at once (a FIFO must not
block the run: those cases run in a subprocess with a timeout)."""
import gzip
import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from conftest import cli
from test_hostile import assert_unreadable

from verifier.errors import RecordError
from verifier.record import layout
from verifier.record.files import open_regular
from verifier.record.source import open_record, pack

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def verify(path, *more):
    return cli("verify", path, "--workers", "1", *more)


def run(*args, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line in a subprocess: a FIFO that blocked the run would fail the test, not hang the suite."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "verifier", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def assert_refused(proc: subprocess.CompletedProcess, file, message: str) -> None:
    err = proc.stderr.strip()
    assert proc.returncode == 2, (proc.stdout, err)
    assert proc.stdout == "" and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: {file}: ") and message in err, err


# --- directory records: nothing but regular files, opened without following links ---------------------------------

@pytest.mark.parametrize("target", ["copy", "/etc/passwd"])
def test_symlinked_record_file_is_refused(record, tmp_path, target):
    """Today's hole: a link to a valid copy outside verified with nothing in the report; a link to /etc/passwd was
    opened and parsed (and quoted in the error), with the verifier perhaps running as root."""
    manifest = record / layout.MANIFEST
    if target == "copy":
        outside = tmp_path / "elsewhere.json"
        shutil.copy(manifest, outside)
        target = outside
    manifest.unlink()
    manifest.symlink_to(target)
    out = assert_unreadable(verify(record), layout.MANIFEST, None, "is a symbolic link, not a regular file")
    assert "root:" not in out


def test_fifo_record_file_is_refused_without_blocking(record):
    box = record / layout.BALLOT_BOX
    box.unlink()
    os.mkfifo(box)
    assert_refused(run("verify", record, "--workers", "1"), layout.BALLOT_BOX, "is a FIFO, not a regular file")


def test_folder_in_place_of_a_record_file_is_refused(record):
    (record / layout.TALLY).unlink()
    (record / layout.TALLY).mkdir()
    assert_unreadable(verify(record), layout.TALLY, None, "is a directory, not a regular file")


def test_folder_besides_the_record_files_is_refused(record):
    (record / "extra").mkdir()
    assert_unreadable(verify(record), str(record), None, "holds a folder 'extra/' besides the record's files at the "
                                                         "top")


def test_link_inside_the_record_folder_is_refused(record):
    folder = _into_folder(record, "published")
    (folder / layout.TALLY).unlink()
    (folder / layout.TALLY).symlink_to("/etc/passwd")
    assert_unreadable(verify(record), f"published/{layout.TALLY}", None, "is a symbolic link, not a regular file")


def test_record_path_that_is_a_link_is_refused(record, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(record)
    assert_unreadable(verify(link), str(link), None, "is a symbolic link")


def test_file_swapped_for_a_link_after_the_listing_is_refused(record):
    """open_file checks the opened descriptor, not what the directory listing saw."""
    from verifier.record import reader

    with open_record(record) as root:
        (root / layout.RESULTS).unlink()
        (root / layout.RESULTS).symlink_to(record / layout.TALLY)
        with pytest.raises(RecordError,
                           match=r"^results.json: is a symbolic link, not a regular file \(SPEC.md §2.9\)$"):
            reader.open_file(root, layout.RESULTS)


def test_open_regular_does_not_block_on_a_fifo(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(RecordError, match="is a FIFO"):
        open_regular(fifo)
    assert time.perf_counter() - start < 5


# --- one record per directory, exactly its files ------------------------------------------------------------------

def _into_folder(record: Path, folder: str) -> Path:
    (record / folder).mkdir()
    for f in layout.ALL_FILES:
        (record / f).rename(record / folder / f)
    return record / folder


def test_record_in_one_folder_of_a_directory_verifies(record):
    _into_folder(record, "published")
    assert verify(record).exit_code == 0


def test_extra_file_in_a_record_directory_is_refused(record):
    (record / "README.md").write_text("about this record")
    assert_unreadable(verify(record), str(record), None, "'README.md' is not a record file")


def test_two_record_folders_are_refused(record, tmp_path):
    _into_folder(record, "a")
    shutil.copytree(record / "a", record / "b")
    assert_unreadable(verify(record), str(record), None, "holds 2 folders ('a/', 'b/'): one record per directory")


def test_record_at_the_top_and_in_a_folder_is_refused(record, simulated):
    shutil.copytree(simulated[0], record / "other")
    assert_unreadable(verify(record), str(record), None, "is a second ballot_box.jsonl besides the record's files "
                                                         "at the top")


def test_second_manifest_in_a_folder_is_refused(record):
    (record / "old").mkdir()
    shutil.copy(record / layout.MANIFEST, record / "old" / layout.MANIFEST)
    assert_unreadable(verify(record), str(record), None, "'old/manifest.json' is a second manifest.json")


# --- files named on the command line -------------------------------------------------------------------------------

def _specials(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to("/etc/passwd")
    return {"fifo": (fifo, "is a FIFO"), "dir": (tmp_path, "is a directory"), "device": (Path("/dev/zero"),
            "is a device"), "link": (link, "is a symbolic link")}


@pytest.mark.parametrize("kind", ["fifo", "dir", "device", "link"])
def test_special_files_on_the_command_line_are_refused(simulated, tmp_path, kind):
    path, message = _specials(tmp_path)[kind]
    counts = FIXTURES / "seats" / "mazhilis-2023-counts.csv"
    for args in (("verify", simulated[0], "--workers", "1", "--receipts", path),
                 ("verify", simulated[0], "--workers", "1", "--trusted-keys", path),
                 ("seats", path, "--seats", "3"),
                 ("seats", counts, "--seats", "69", "--announced", path)):
        start = time.perf_counter()
        assert_refused(run(*args), path, message)
        assert time.perf_counter() - start < 30


def test_protocol_directory_file_that_is_a_link_is_refused(tmp_path):
    protocols = tmp_path / "p"
    shutil.copytree(FIXTURES / "protocols" / "example", protocols)
    (protocols / "units.jsonl").unlink()
    (protocols / "units.jsonl").symlink_to("/etc/passwd")
    result = cli("protocols", protocols)
    assert_unreadable(result, str(protocols / "units.jsonl"), None, "is a symbolic link")
    link = tmp_path / "link"
    link.symlink_to(FIXTURES / "protocols" / "example")
    assert_unreadable(cli("protocols", link), str(link), None, "is a symbolic link, not a directory")


# --- archives: exactly the record's files -----------------------------------------------------------------------

def _files(src: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(src.iterdir())}


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return path


def _layouts(files: dict[str, bytes]) -> list[tuple[str, dict[str, bytes], str]]:
    return [
        ("extra file", {**files, "README.md": b"hello"}, "'README.md' is not a record file"),
        ("extra file in the folder", {**{f"r/{k}": v for k, v in files.items()}, "r/notes.txt": b"x"},
         "'r/notes.txt' is not a record file"),
        ("two folders", {**{f"a/{k}": v for k, v in files.items()}, **{f"b/{k}": v for k, v in files.items()}},
         "holds 2 folders ('a/', 'b/'): one record per archive"),
        ("top and folder", {**files, **{f"x/{k}": v for k, v in files.items()}},
         "'x/ballot_box.jsonl' is a second ballot_box.jsonl besides the record's files at the top"),
        ("second manifest", {**files, "old/manifest.json": files[layout.MANIFEST]},
         "'old/manifest.json' is a second manifest.json"),
    ]


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
@pytest.mark.parametrize("case", range(5), ids=["extra", "extra-in-folder", "two-folders", "top-and-folder",
                                                "second-manifest"])
def test_archive_with_more_than_one_record_file_set_is_refused(simulated, tmp_path, suffix, case):
    _, members, message = _layouts(_files(simulated[0]))[case]
    path = tmp_path / f"r{suffix}"
    path.write_bytes(_zip_bytes(members)) if suffix == ".zip" else _tar_gz(path, members)
    assert_unreadable(verify(path), str(path), None, message)


def test_tar_with_a_second_archive_appended_is_refused(simulated, tmp_path):
    honest, other = io.BytesIO(), io.BytesIO()
    for buf, members in ((honest, _files(simulated[0])), (other, {layout.MANIFEST: b"{}"})):
        with tarfile.open(fileobj=buf, mode="w") as t:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    path = tmp_path / "r.tar.gz"
    path.write_bytes(gzip.compress(honest.getvalue() + other.getvalue()))  # `tar -i` would read the second
    assert_unreadable(verify(path), str(path), None, "data after the end of the tar archive")


# --- zip: one reading ------------------------------------------------------------------------------------------------

EOCD = struct.Struct("<4s4H2LH")


def _split(data: bytes) -> tuple[bytes, bytes, int]:
    """An honest zip (no comment) as its local entries, its central directory and its number of entries."""
    _, _, _, _, count, size, offset, _ = EOCD.unpack(data[-22:])
    return data[:offset], data[offset:offset + size], count


def _eocd(count: int, size: int, offset: int, comment: bytes = b"") -> bytes:
    return EOCD.pack(b"PK\x05\x06", 0, 0, count, count, size, offset, len(comment)) + comment


def _shift(directory: bytes, by: int) -> bytes:
    """The central directory with every local header offset moved by `by` (as a forger who patches it would)."""
    out, pos = bytearray(directory), 0
    while pos < len(out):
        n, e, c = struct.unpack_from("<3H", out, pos + 28)
        struct.pack_into("<L", out, pos + 42, struct.unpack_from("<L", out, pos + 42)[0] + by)
        pos += 46 + n + e + c
    return bytes(out)


@pytest.fixture
def honest_zip(simulated) -> bytes:
    return _zip_bytes(_files(simulated[0]))


def _forged_manifest(simulated) -> bytes:
    return _files(simulated[0])[layout.MANIFEST].replace(b'"title":"', b'"title":"X', 1)


def test_hidden_local_entry_after_the_listed_ones_is_refused(simulated, tmp_path, honest_zip):
    """A streaming reader (unzip from a pipe, Java's ZipInputStream) would see the second manifest.json; zipfile, by
    the central directory, would not: two readings of one archive."""
    entries, directory, count = _split(honest_zip)
    hidden = _split(_zip_bytes({layout.MANIFEST: _forged_manifest(simulated)}))[0]
    path = tmp_path / "r.zip"
    path.write_bytes(entries + hidden + directory + _eocd(count, len(directory), len(entries) + len(hidden)))
    with zipfile.ZipFile(path) as z:  # what zipfile alone would make of it: the honest record
        assert len(z.infolist()) == count
    assert_unreadable(verify(path), str(path), None, "after its last member, are no member of its central directory")


def test_hidden_local_entry_before_a_patched_central_directory_is_refused(simulated, tmp_path, honest_zip):
    entries, directory, count = _split(honest_zip)
    hidden = _split(_zip_bytes({layout.MANIFEST: _forged_manifest(simulated)}))[0]
    moved = _shift(directory, len(hidden))
    path = tmp_path / "r.zip"
    path.write_bytes(hidden + entries + moved + _eocd(count, len(moved), len(hidden) + len(entries)))
    assert_unreadable(verify(path), str(path), None, f"bytes 0..{len(hidden)} of the zip")


def test_prepended_data_is_refused(tmp_path, honest_zip):
    """zipfile reads an archive with bytes before it (a self-extractor) by shifting every offset; refused."""
    path = tmp_path / "r.zip"
    path.write_bytes(b"#!/bin/sh\nexit 0\n" + honest_zip)
    assert_unreadable(verify(path), str(path), None, "prepended data?")


@pytest.mark.parametrize("tail", [b"comment", b""], ids=["comment", "trailing"])
def test_comment_or_trailing_bytes_are_refused(tmp_path, honest_zip, tail):
    entries, directory, count = _split(honest_zip)
    data = entries + directory + (_eocd(count, len(directory), len(entries), tail) if tail else
                                  _eocd(count, len(directory), len(entries)) + b"PK\x03\x04 more")
    path = tmp_path / "r.zip"
    path.write_bytes(data)
    assert_unreadable(verify(path), str(path), None, "has a comment or bytes after its end record")


def test_local_header_that_disagrees_with_the_directory_is_refused(tmp_path, honest_zip):
    entries, directory, count = _split(honest_zip)
    first = directory[46:46 + struct.unpack_from("<H", directory, 28)[0]]
    assert entries[30:30 + len(first)] == first
    forged = entries[:30] + first.upper() + entries[30 + len(first):]  # the local header names another file
    path = tmp_path / "r.zip"
    path.write_bytes(forged + directory + _eocd(count, len(directory), len(entries)))
    assert_unreadable(verify(path), str(path), None, "its local header and the central directory disagree")


def _zip64(entries: bytes, directory: bytes, count: int, classic_count: int = 0xFFFF) -> bytes:
    offset = len(entries)
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, offset + len(directory), 1)
    end = EOCD.pack(b"PK\x05\x06", 0, 0, classic_count, classic_count, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return entries + directory + record + locator + end


def test_zip64_end_records_are_read(tmp_path, honest_zip):
    path = tmp_path / "r.zip"
    path.write_bytes(_zip64(*_split(honest_zip)))
    assert verify(path).exit_code == 0


def test_zip64_end_record_that_disagrees_is_refused(tmp_path, honest_zip):
    """zipfile reads the zip64 record, other tools the classic one: they must say the same."""
    entries, directory, count = _split(honest_zip)
    path = tmp_path / "r.zip"
    path.write_bytes(_zip64(entries, directory, count, classic_count=count - 1))
    assert_unreadable(verify(path), str(path), None, "end record and zip64 end record disagree")


def test_streamed_zip_with_data_descriptors_verifies(simulated, tmp_path):
    """A zip written to a pipe has its sizes in data descriptors after the data: accepted, checked against the
    central directory."""

    class Pipe(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += b
            return len(b)

    pipe = Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in _files(simulated[0]).items():
            with z.open(name, "w") as w:
                w.write(data)
    path = tmp_path / "r.zip"
    path.write_bytes(bytes(pipe.data))
    assert struct.unpack_from("<H", path.read_bytes(), 6)[0] & 0x08  # really has data descriptors
    assert verify(path).exit_code == 0


def test_zip_declaring_millions_of_members_is_refused_from_its_end_record(tmp_path):
    """2.5 million listed entries took 1.2 GB in zipfile before "more than 1000 archive members"; the end record
    alone says how many there are."""
    path = tmp_path / "r.zip"
    n = 2_500_000
    path.write_bytes(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, 46 * n, 0)
                     + struct.pack("<4sLQL", b"PK\x06\x07", 0, 0, 1)
                     + EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    assert path.stat().st_size == 98
    start = time.perf_counter()
    assert_unreadable(verify(path), str(path), None, "more than 1000 archive members (its end record declares "
                                                     "2500000)")
    assert time.perf_counter() - start < 5


def test_zip_with_many_members_is_refused_before_its_directory_is_read(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(25_000):
            z.writestr(f"{i}", b"")
    path = tmp_path / "r.zip"
    path.write_bytes(buf.getvalue())
    assert len(_split(buf.getvalue())[1]) > 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(RecordError, match=r"more than 1000 archive members \(its end record declares 25000\)"):
            with open_record(path):
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 256 << 10  # the directory (over 1 MB) was never read


# --- the committed fixtures, and archives of them, still verify ------------------------------------------------------

@pytest.mark.parametrize("name", ["demo-2023", "kz-2023-small"])
def test_committed_fixtures_hold_exactly_the_record_files(name):
    assert sorted(p.name for p in (FIXTURES / name).iterdir()) == sorted(layout.ALL_FILES)


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_committed_fixture_verifies_as_an_archive(tmp_path, suffix):
    path = tmp_path / f"demo-2023{suffix}"
    pack(FIXTURES / "demo-2023", path)
    result = verify(path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_special_file_as_the_record_is_refused(tmp_path, kind):
    path, message = _specials(tmp_path)[kind]
    if kind == "link":
        (tmp_path / "elsewhere.zip").write_bytes(_zip_bytes({layout.MANIFEST: b"{}"}))
        path = tmp_path / "r.zip"
        path.symlink_to(tmp_path / "elsewhere.zip")
    assert_refused(run("verify", path), path, f"{message}: a record is a directory, a .zip or a .tar.gz")
