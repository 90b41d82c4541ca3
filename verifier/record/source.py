"""Where a record's files come from: a directory, a .zip or a .tar.gz.

Everything here is untrusted, and every source has one reading (SPEC.md §2, §10.3):

- One record, exactly its files: at the top, or all in exactly one folder; never both, never two folders, never a
  file that is not a record file (a second manifest.json, a README) anywhere. A directory record is listed without
  following links: a record file that is a symbolic link, FIFO, device or folder is refused (and reader.open_file
  checks the opened descriptor again).
- Archives: members with paths outside the record (absolute, `..`, backslashes, deeper than one folder), links,
  devices, names given twice and archives that expand beyond MAX_EXPANSION_RATIO times their size (at least 1 MB,
  at most MAX_EXPANDED_BYTES) are refused; the sizes the archive declares are checked before anything is expanded,
  and the bytes actually expanded are counted as they are written.
- A zip's structure is checked before `zipfile` reads it (_check_zip): the end record ends the file (no comment, no
  trailing data), the member count and the central directory's size are bounded from the end record alone, and the
  local entries are exactly the central directory's, in order and contiguous from byte 0 to the directory: no
  prepended data, no hidden entry a streaming reader would see and `zipfile` would not.
- .tar.gz is read by a small reader of its own rather than `tarfile`, which reads a pax or GNU long-name header
  into memory whole: a few MB of gzip can declare a header of many GB. Here such headers may hold at most
  MAX_TAR_HEADER bytes; after the end-of-archive block only zero bytes may follow (no second archive appended).

All refusals are RecordError (exit status 2) naming the record's path.
"""
import gzip
import os
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import NoReturn

from verifier.errors import RecordError
from verifier.record.files import kind_of, open_regular
from verifier.record.layout import ALL_FILES

MAX_EXPANDED_BYTES = 64 << 30  # a national record is a few tens of GB at most
MAX_EXPANSION_RATIO = 200  # compressed JSON of hex numbers shrinks about 2:1; 200:1 is a bomb
MAX_MEMBERS = 1000
MAX_CENTRAL_DIRECTORY = 1 << 20  # a record's ~10 entries take ~1 KB; 1000 entries with long names fit
MAX_TAR_HEADER = 64 << 10  # a pax or GNU long-name header: a path and a few numbers
BLOCK = 512
SPEC_FILES = "a record holds exactly the files of SPEC.md §2"


@contextmanager
def open_record(path: str | os.PathLike):
    """Yields the directory that holds the record's files (archives are expanded safely into a temporary one)."""
    p = Path(path)
    try:
        kind = kind_of(os.lstat(p).st_mode)
    except FileNotFoundError:
        raise RecordError(str(p), None, "no such file or directory") from None
    except OSError as e:
        raise RecordError(str(p), None, e.strerror or str(e)) from None
    if kind == "a directory":
        yield _record_dir(p)
        return
    name = p.name.lower()
    if kind is not None or not (name.endswith(".zip") or name.endswith(".tar.gz") or name.endswith(".tgz")):
        raise RecordError(str(p), None, f"{f'is {kind}: ' if kind else ''}a record is a directory, a .zip or a "
                                        f".tar.gz (a regular file, not a link to one)")
    with open_regular(p) as f, tempfile.TemporaryDirectory(prefix="tally-verifier-") as tmp:
        size = os.fstat(f.fileno()).st_size
        budget = min(MAX_EXPANDED_BYTES, max(1 << 20, size * MAX_EXPANSION_RATIO))
        if name.endswith(".zip"):
            folder = _unzip(p, f, size, Path(tmp), budget)
        else:
            folder = _untar(p, f, Path(tmp), budget)
        root = Path(tmp) if folder is None else Path(tmp) / folder
        root.mkdir(exist_ok=True)
        yield root


def _one_record(source: Path, what: str, entries: list[tuple[PurePosixPath, bool]]) -> str | None:
    """The folder that holds the record (None: its files are at the top), from every entry of the archive or
    directory: (path of one or two parts, is a folder). Refuses anything but one record's files."""

    def fail(message: str) -> NoReturn:
        raise RecordError(str(source), None, message)

    member = "archive member " if what == "archive" else ""
    for rel, is_dir in entries:
        if is_dir and len(rel.parts) > 1:
            fail(f"{member}'{str(rel)[:80]}/' is a folder inside the record's folder: {SPEC_FILES}")
        if not is_dir and rel.name not in ALL_FILES:
            fail(f"{member}{str(rel)[:80]!r} is not a record file: {SPEC_FILES}, nothing else")
    folders = sorted({rel.parts[0] for rel, is_dir in entries if is_dir or len(rel.parts) > 1})
    top = sorted(str(rel) for rel, is_dir in entries if not is_dir and len(rel.parts) == 1)
    if len(folders) > 1:
        shown = ", ".join(f"'{f[:40]}/'" for f in folders[:3]) + (", …" if len(folders) > 3 else "")
        fail(f"holds {len(folders)} folders ({shown}): one record per {what}, its files at the top or all in one "
             f"folder")
    if folders and top:
        inner = sorted(str(rel) for rel, is_dir in entries if not is_dir and len(rel.parts) > 1)
        if inner:
            fail(f"{member}{inner[0][:80]!r} is a second {PurePosixPath(inner[0]).name} besides the record's "
                 f"files at the top: one record per {what}")
        fail(f"holds a folder '{folders[0][:40]}/' besides the record's files at the top: {SPEC_FILES}")
    return folders[0] if folders else None


def _record_dir(p: Path) -> Path:
    """A directory record: its entries listed without following links; the directory that holds its files."""

    def listing(d: Path, prefix: PurePosixPath) -> list[tuple[PurePosixPath, bool]]:
        out: list[tuple[PurePosixPath, bool]] = []
        with os.scandir(d) as it:
            for entry in it:
                if len(out) >= MAX_MEMBERS:
                    raise RecordError(str(p), None, f"more than {MAX_MEMBERS} entries")
                kind = kind_of(entry.stat(follow_symlinks=False).st_mode)
                # named as the readers name a record's files: by their path inside the record
                if kind not in (None, "a directory") or (kind and entry.name in ALL_FILES):
                    raise RecordError(str(prefix / entry.name), None, f"is {kind}, not a regular file")
                out.append((prefix / entry.name, kind == "a directory"))
        return sorted(out)

    try:
        entries = listing(p, PurePosixPath())
        folders = [rel for rel, is_dir in entries if is_dir]
        if len(folders) == 1:
            entries += listing(p / folders[0], folders[0])
    except OSError as e:
        raise RecordError(str(p), None, e.strerror or str(e)) from None
    folder = _one_record(p, "directory", entries)
    return p if folder is None else p / folder


def _safe_name(archive: Path, name: str) -> PurePosixPath:
    """The member's path inside the archive (one or two parts), or RecordError."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\\" in name or not pure.parts or len(pure.parts) > 2 \
            or any(ord(ch) < 0x20 for ch in name):
        raise RecordError(str(archive), None, f"archive member {name[:80]!r} has a path outside the record")
    return pure


class _Budget:
    """Bytes the archive may still expand to; shared by every member."""

    def __init__(self, archive: Path, total: int):
        self.archive, self.left = archive, total
        self.names: set[PurePosixPath] = set()

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise RecordError(str(self.archive), None, "archive expands beyond the allowed size (a compression bomb?)")

    def claim(self, rel: PurePosixPath) -> None:
        if rel in self.names:
            raise RecordError(str(self.archive), None, f"archive member {str(rel)[:80]!r} appears twice")
        self.names.add(rel)


def _copy_bounded(read, size: int | None, dst_path: Path, budget: _Budget) -> None:
    """Copy from read(n) to dst_path: `size` bytes exactly, or to the end when size is None."""
    dst_path.parent.mkdir(parents=True, exist_ok=True)
    with open(dst_path, "wb") as dst:
        left = size
        while left is None or left > 0:
            chunk = read(1 << 20 if left is None else min(1 << 20, left))
            if not chunk:
                if left:
                    raise RecordError(str(budget.archive), None, "archive ends inside a member (truncated?)")
                return
            budget.spend(len(chunk))
            dst.write(chunk)
            if left is not None:
                left -= len(chunk)


def _unzip(archive: Path, f, size: int, out: Path, total: int) -> str | None:
    budget = _Budget(archive, total)
    try:
        _check_zip(archive, f, size)  # before zipfile reads the central directory whole
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise RecordError(str(archive), None, f"more than {MAX_MEMBERS} archive members")
            entries, wanted = [], []
            for info in members:
                rel = _safe_name(archive, info.filename)
                if (info.external_attr >> 16) & 0o170000 not in (0, 0o100000, 0o040000):
                    raise RecordError(str(archive), None,
                                      f"archive member {info.filename[:80]!r} is not a regular file")
                entries.append((rel, info.is_dir()))
                if info.is_dir():
                    if info.file_size or info.compress_size > 2:  # data in a folder entry: bytes nobody checks
                        raise RecordError(str(archive), None, f"archive member {info.filename[:80]!r} is a folder "
                                                              f"with content")
                    continue
                budget.claim(rel)
                wanted.append((info, rel))
            folder = _one_record(archive, "archive", entries)
            if sum(info.file_size for info, _ in wanted) > budget.left:  # what the archive itself declares
                raise RecordError(str(archive), None, "archive declares more than the allowed size (a compression "
                                                      "bomb?)")
            for info, rel in wanted:
                with z.open(info) as src:
                    _copy_bounded(src.read, None, out.joinpath(*rel.parts), budget)
            return folder
    except RecordError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, ValueError,
            zlib.error, OSError) as e:
        raise RecordError(str(archive), None, f"unreadable zip archive: {e}") from None


_EOCD = struct.Struct("<4s4H2LH")  # signature, disk, directory's disk, entries here, entries, size, offset, comment
_LOCATOR64 = struct.Struct("<4sLQL")  # signature, disk of the zip64 end record, its offset, disks
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # signature, record size, versions, disks, entries here, entries, size, offset
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # signature, versions, flags, method, time, date, crc, sizes, lengths, offset
_LOCAL = struct.Struct("<4s5H3L2H")  # signature, version, flags, method, time, date, crc, sizes, name and extra lengths
_FULL16, _FULL32 = 0xFFFF, 0xFFFFFFFF  # "see the zip64 record"


# noqa C901: one pass over the zip's structures in file order, each branch one refusal of an archive with more
# than one reading; kept in one piece so that the order of the checks is the order of the bytes
def _check_zip(archive: Path, f, size: int) -> None:  # noqa: C901
    """The zip has one reading: the end record ends the file; counts and sizes are bounded from it before the
    central directory is read; the local entries are exactly the directory's, in order, contiguous from byte 0 to
    the directory (names, flags, methods, CRCs and sizes agree; only data descriptors between them)."""

    def fail(message: str) -> NoReturn:
        raise RecordError(str(archive), None, message)

    def read_at(offset: int, n: int) -> bytes:
        if offset < 0 or offset + n > size:  # offsets are the archive's own 64-bit numbers
            fail("unreadable zip archive: an offset or size points past its end (truncated?)")
        f.seek(offset)
        data = f.read(n)
        if len(data) != n:
            fail("unreadable zip archive: it ends early (truncated?)")
        return data

    if size < _EOCD.size:
        fail("unreadable zip archive: too short to be one")
    end = size - _EOCD.size
    sig, disk, cd_disk, here, count, cd_size, cd_offset, comment = _EOCD.unpack(read_at(end, _EOCD.size))
    if sig != b"PK\x05\x06" or comment:
        if b"PK\x05\x06" in read_at(max(0, size - (1 << 16) - _EOCD.size), min(size, (1 << 16) + _EOCD.size)):
            fail("the zip has a comment or bytes after its end record: refused (a record archive ends with its "
                 "end-of-central-directory record)")
        fail("unreadable zip archive: no end-of-central-directory record at its end")
    cd_end = end
    if end >= _LOCATOR64.size and read_at(end - _LOCATOR64.size, 4) == b"PK\x06\x07":
        _, disk64, offset64, disks = _LOCATOR64.unpack(read_at(end - _LOCATOR64.size, _LOCATOR64.size))
        cd_end = end - _LOCATOR64.size - _EOCD64.size
        # zipfile reads the zip64 end record just before its locator, other tools where the locator says: the same
        if disk64 != 0 or disks not in (0, 1) or offset64 != cd_end or cd_end < 0:
            fail("the zip64 end record is not where its locator says (or the archive spans several disks)")
        sig, record, _, _, *wide = _EOCD64.unpack(read_at(cd_end, _EOCD64.size))
        if sig != b"PK\x06\x06" or record != _EOCD64.size - 12:
            fail("unreadable zip archive: damaged zip64 end record")
        # each field of the classic end record is the zip64 one or "see zip64": no two readings of the directory
        classic = (disk, cd_disk, here, count, cd_size, cd_offset)
        fulls = (_FULL16, _FULL16, _FULL16, _FULL16, _FULL32, _FULL32)
        if any(c not in (w, full) for c, w, full in zip(classic, wide, fulls, strict=True)):
            fail("the zip's end record and zip64 end record disagree")
        disk, cd_disk, here, count, cd_size, cd_offset = wide
    if disk or cd_disk or here != count:
        fail("the zip spans several disks")
    if count > MAX_MEMBERS:
        fail(f"more than {MAX_MEMBERS} archive members (its end record declares {count})")
    if cd_size > MAX_CENTRAL_DIRECTORY:
        fail(f"the zip's central directory declares {cd_size} bytes (at most {MAX_CENTRAL_DIRECTORY})")
    if cd_offset + cd_size != cd_end:
        fail(f"{cd_end - cd_offset - cd_size} bytes before the zip's entries or after its central directory that no "
             f"entry holds (prepended data?)" if cd_offset + cd_size < cd_end else
             "unreadable zip archive: the central directory does not end where the end record starts")
    directory = read_at(cd_offset, cd_size)
    entries, pos = [], 0
    for _ in range(count):
        if pos + _CENTRAL.size > len(directory):
            fail("unreadable zip archive: the central directory holds fewer entries than its end record counts")
        (sig, _, _, flags, method, _, _, crc, csize, usize, name_len, extra_len, comment_len, start, _, _,
         offset) = _CENTRAL.unpack_from(directory, pos)
        name = directory[pos + _CENTRAL.size:pos + _CENTRAL.size + name_len]
        extra = directory[pos + _CENTRAL.size + name_len:pos + _CENTRAL.size + name_len + extra_len]
        pos += _CENTRAL.size + name_len + extra_len + comment_len
        if sig != b"PK\x01\x02" or pos > len(directory):
            fail("unreadable zip archive: damaged central directory")
        z64 = _zip64_extra(extra, fail)
        usize, csize, offset = _widen(z64, (usize, csize, offset), fail)  # zipfile's order
        if start != 0:
            fail("the zip spans several disks")
        entries.append((name, flags, method, crc, csize, usize, offset))
    if pos != len(directory):
        fail("the zip's central directory holds more than the entries its end record counts")
    pos = 0
    for i, (name, flags, method, crc, csize, usize, offset) in enumerate(entries):
        shown = name.decode("utf-8", "replace")[:80]
        if offset != pos:
            fail(f"bytes {pos}..{offset} of the zip, before member {shown!r}, are no member of its central "
                 f"directory (a hidden entry, or prepended data?)" if offset > pos else
                 f"zip member {shown!r} overlaps the one before it or is out of order")
        sig, _, lflags, lmethod, _, _, lcrc, lcsize, lusize, name_len, extra_len = _LOCAL.unpack(
            read_at(pos, _LOCAL.size))
        lname = read_at(pos + _LOCAL.size, name_len)
        lextra = read_at(pos + _LOCAL.size + name_len, extra_len)
        if sig != b"PK\x03\x04" or lname != name or lflags != flags or lmethod != method:
            fail(f"zip member {shown!r}: its local header and the central directory disagree")
        data_end = pos + _LOCAL.size + name_len + extra_len + csize
        following = entries[i + 1][6] if i + 1 < len(entries) else cd_offset
        if flags & 0x08:  # sizes and CRC in a data descriptor after the data
            if method == zipfile.ZIP_STORED:  # a streaming reader would look for the end inside the data
                fail(f"zip member {shown!r} is stored with a data descriptor (its end is ambiguous)")
            gap = following - data_end
            forms = {12: (False, "<3L"), 16: (True, "<3L"), 20: (False, "<LQQ"), 24: (True, "<LQQ")}
            if gap not in forms:
                fail(f"zip member {shown!r}: {gap} bytes after its data that are no data descriptor (a hidden entry?)")
            signed, fmt = forms[gap]
            desc = read_at(data_end, gap)
            if (signed and desc[:4] != b"PK\x07\x08") or struct.unpack(fmt, desc[4 * signed:]) != (crc, csize, usize):
                fail(f"zip member {shown!r}: its data descriptor and the central directory disagree")
            pos = following
        else:
            lusize, lcsize = _widen(_zip64_extra(lextra, fail), (lusize, lcsize), fail)
            if (lcrc, lcsize, lusize) != (crc, csize, usize):
                fail(f"zip member {shown!r}: its local header and the central directory disagree on its size")
            pos = data_end
    if pos != cd_offset:
        fail(f"bytes {pos}..{cd_offset} of the zip, after its last member, are no member of its central directory "
             f"(a hidden entry?)" if pos < cd_offset else "unreadable zip archive: its last member overlaps the "
                                                           "central directory")


def _zip64_extra(extra: bytes, fail) -> bytes | None:
    """The zip64 extended information (header 0x0001) among a zip entry's extra fields."""
    found, i = None, 0
    while i + 4 <= len(extra):  # like zipfile: fewer than 4 bytes left are padding
        kind, length = struct.unpack_from("<HH", extra, i)
        if i + 4 + length > len(extra):
            fail("unreadable zip archive: damaged extra field")
        if kind == 1:
            if found is not None:
                fail("a zip entry has two zip64 extra fields")
            found = extra[i + 4:i + 4 + length]
        i += 4 + length
    return found


def _widen(z64: bytes | None, values: tuple[int, ...], fail: Callable[[str], NoReturn]) -> tuple[int, ...]:
    """The 32-bit fields that say "see zip64" replaced, in order, by the 64-bit values of the zip64 extra field."""
    out, i = [], 0
    for v in values:
        if v == _FULL32:
            if z64 is None or i + 8 > len(z64):
                fail("unreadable zip archive: a zip64 size or offset is missing")
            v = struct.unpack_from("<Q", z64, i)[0]
            i += 8
        out.append(v)
    return tuple(out)


class _Stream:
    """The decompressed tar stream: exact reads, every byte counted against the budget."""

    def __init__(self, raw, budget: _Budget):
        self.raw, self.budget = raw, budget

    def read(self, n: int) -> bytes:
        data = self.raw.read(n)
        self.budget.spend(len(data))
        return data

    def exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.read(min(1 << 20, n - len(data)))
            if not chunk:
                raise RecordError(str(self.budget.archive), None, "tar archive ends early (truncated?)")
            data += chunk
        return data

    def skip(self, n: int) -> None:
        while n > 0:
            chunk = self.read(min(1 << 20, n))
            if not chunk:
                raise RecordError(str(self.budget.archive), None, "tar archive ends early (truncated?)")
            n -= len(chunk)


def _tar_number(field: bytes, archive: Path) -> int:
    if field and field[0] & 0x80:  # GNU base-256: 0x80 then a big-endian number (0xff would be negative)
        if field[0] != 0x80:
            raise RecordError(str(archive), None, "tar header holds a negative number")
        return int.from_bytes(field[1:], "big")
    text = field.replace(b"\0", b" ").strip()
    if not text:
        return 0
    if not all(48 <= c <= 55 for c in text):
        raise RecordError(str(archive), None, "not a tar archive (a header field is not a number)")
    return int(text, 8)


def _pax(data: bytes, archive: Path) -> dict[bytes, bytes]:
    """Pax records "LEN key=value\\n"."""
    out, i = {}, 0
    while i < len(data):
        space = data.find(b" ", i)
        if space < 0 or not data[i:space].isdigit():
            raise RecordError(str(archive), None, "malformed pax header")
        length = int(data[i:space])
        record = data[space + 1:i + length]
        if length <= space - i or i + length > len(data) or not record.endswith(b"\n") or b"=" not in record:
            raise RecordError(str(archive), None, "malformed pax header")
        key, value = record[:-1].split(b"=", 1)
        out[key] = value
        i += length
    return out


def _untar(archive: Path, f, out: Path, total: int) -> str | None:
    budget = _Budget(archive, total)
    try:
        with gzip.GzipFile(fileobj=f, mode="rb") as gz:
            return _read_tar(_Stream(gz, budget), archive, out, budget)
    except RecordError:
        raise
    except (OSError, EOFError, zlib.error, ValueError) as e:
        raise RecordError(str(archive), None, f"unreadable tar.gz archive: {e}") from None


# noqa C901: one loop over the tar headers, each branch one kind of member refused or one extended header; as
# _check_zip, the checks read in the order of the bytes
def _read_tar(stream: _Stream, archive: Path, out: Path, budget: _Budget) -> str | None:  # noqa: C901
    members, extended, long_name = 0, {}, None
    entries: list[tuple[PurePosixPath, bool]] = []
    while True:
        header = stream.exact(BLOCK)
        if header == bytes(BLOCK):
            # end of archive: only zeros may follow (the second zero block, padding), not a second archive that
            # `tar --ignore-zeros` would read; read to the end, counted against the budget
            while chunk := stream.read(1 << 20):
                if chunk.count(0) != len(chunk):
                    raise RecordError(str(archive), None, "data after the end of the tar archive (a second archive "
                                                          "appended?)")
            return _one_record(archive, "archive", entries)
        try:
            stored = _tar_number(header[148:156], archive)
        except RecordError:
            stored = -1
        blank = header[:148] + b" " * 8 + header[156:]
        if stored not in (sum(blank), sum(b - 256 if b > 127 else b for b in blank)):
            raise RecordError(str(archive), None, "not a tar archive (header checksum does not match)")
        kind = header[156:157]
        size = _tar_number(header[124:136], archive)
        padded = -(-size // BLOCK) * BLOCK
        if kind in (b"x", b"g", b"L"):  # pax header (per member or global), GNU long name
            if size > MAX_TAR_HEADER:
                raise RecordError(str(archive), None, f"tar extended header of {size} bytes (at most {MAX_TAR_HEADER})")
            data = stream.exact(padded)[:size]
            if kind == b"x":
                extended = _pax(data, archive)
            elif kind == b"L":
                long_name = data.split(b"\0", 1)[0]
            continue
        members += 1
        if members > MAX_MEMBERS:
            raise RecordError(str(archive), None, f"more than {MAX_MEMBERS} archive members")
        name = header[:100].split(b"\0", 1)[0]
        if header[257:262] == b"ustar" and (prefix := header[345:500].split(b"\0", 1)[0]):
            name = prefix + b"/" + name
        name = extended.get(b"path", long_name or name)
        if b"size" in extended:
            if not extended[b"size"].isdigit():
                raise RecordError(str(archive), None, "malformed pax header")
            size = int(extended[b"size"])
            padded = -(-size // BLOCK) * BLOCK
        extended, long_name = {}, None
        try:
            text = name.decode("utf-8")
        except UnicodeDecodeError:
            raise RecordError(str(archive), None, f"archive member name {name[:80]!r} is not UTF-8") from None
        text = text.removeprefix("./")
        if text in ("", ".") and kind == b"5":
            stream.skip(padded)
            continue
        if kind not in (b"0", b"\0", b"7", b"5"):
            raise RecordError(str(archive), None, f"archive member {text[:80]!r} is not a regular file")
        rel = _safe_name(archive, text)
        entries.append((rel, kind == b"5"))
        _one_record(archive, "archive", entries[-1:])  # a member that is no record file is refused unread
        if kind == b"5":
            if size:
                raise RecordError(str(archive), None, f"archive member {text[:80]!r} is a folder with content")
            continue
        budget.claim(rel)
        if size > budget.left:  # what the header declares: refused before a byte is expanded
            raise RecordError(str(archive), None, "archive declares more than the allowed size (a compression bomb?)")
        _copy_bounded(stream.raw.read, size, out.joinpath(*rel.parts), budget)
        stream.skip(padded - size)


def pack(directory: Path, archive: Path) -> None:
    """Pack a record directory (used by the simulator and tests)."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(directory.iterdir()):
                z.write(f, f.name)
    else:
        with tarfile.open(archive, "w:gz") as t:
            for f in sorted(directory.iterdir()):
                t.add(f, f.name)


__all__ = ["open_record", "pack"]
