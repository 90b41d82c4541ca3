"""Where a record's files come from: a directory, a .zip or a .tar.gz.

Archives are untrusted. Members with paths outside the record (absolute, `..`, backslashes, deeper than one
folder), links, devices, names given twice and archives that expand beyond MAX_EXPANSION_RATIO times their size
(at least 1 MB, at most MAX_EXPANDED_BYTES) are refused with exit status 2; the sizes the archive declares are
checked before anything is expanded, and the bytes actually expanded are counted as they are written. Only the
record's own files (layout.ALL_FILES) are expanded; anything else in the archive is skipped unread.

.tar.gz is read by a small reader of its own rather than `tarfile`, which reads a pax or GNU long-name header
into memory whole: a few MB of gzip can declare a header of many GB. Here such headers may hold at most
MAX_TAR_HEADER bytes.
"""
import gzip
import os
import tarfile
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from verifier.errors import RecordError
from verifier.record.layout import ALL_FILES

MAX_EXPANDED_BYTES = 64 << 30  # a national record is a few tens of GB at most
MAX_EXPANSION_RATIO = 200  # compressed JSON of hex numbers shrinks about 2:1; 200:1 is a bomb
MAX_MEMBERS = 1000
MAX_TAR_HEADER = 64 << 10  # a pax or GNU long-name header: a path and a few numbers
BLOCK = 512


@contextmanager
def open_record(path: str | os.PathLike):
    """Yields the directory that holds the record's files (archives are expanded safely into a temporary one)."""
    p = Path(path)
    if p.is_dir():
        yield p
        return
    if not p.exists():
        raise RecordError(str(p), None, "no such file or directory")
    name = p.name.lower()
    if not (name.endswith(".zip") or name.endswith(".tar.gz") or name.endswith(".tgz")) or not p.is_file():
        raise RecordError(str(p), None, "a record is a directory, a .zip or a .tar.gz")
    with tempfile.TemporaryDirectory(prefix="tally-verifier-") as tmp:
        budget = min(MAX_EXPANDED_BYTES, max(1 << 20, p.stat().st_size * MAX_EXPANSION_RATIO))
        if name.endswith(".zip"):
            _unzip(p, Path(tmp), budget)
        else:
            _untar(p, Path(tmp), budget)
        yield _record_root(Path(tmp))


def _record_root(tmp: Path) -> Path:
    """A record archive may hold its files at the top or inside one folder."""
    entries = list(tmp.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return tmp


def _safe_name(archive: Path, name: str) -> PurePosixPath | None:
    """The member's path inside the record, or None for a member to skip (a folder, or not a record file)."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\\" in name or not pure.parts or len(pure.parts) > 2 \
            or any(ord(ch) < 0x20 for ch in name):
        raise RecordError(str(archive), None, f"archive member {name[:80]!r} has a path outside the record")
    return pure if pure.name in ALL_FILES else None


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


def _unzip(archive: Path, out: Path, total: int) -> None:
    budget = _Budget(archive, total)
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise RecordError(str(archive), None, f"more than {MAX_MEMBERS} archive members")
            wanted = []
            for info in members:
                rel = _safe_name(archive, info.filename)
                if (info.external_attr >> 16) & 0o170000 not in (0, 0o100000, 0o040000):
                    raise RecordError(str(archive), None,
                                      f"archive member {info.filename[:80]!r} is not a regular file")
                if rel is None or info.is_dir():
                    continue
                budget.claim(rel)
                wanted.append((info, rel))
            if sum(info.file_size for info, _ in wanted) > budget.left:  # what the archive itself declares
                raise RecordError(str(archive), None, "archive declares more than the allowed size (a compression "
                                                      "bomb?)")
            for info, rel in wanted:
                with z.open(info) as src:
                    _copy_bounded(src.read, None, out.joinpath(*rel.parts), budget)
    except RecordError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, ValueError,
            zlib.error, OSError) as e:
        raise RecordError(str(archive), None, f"unreadable zip archive: {e}") from None


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


def _untar(archive: Path, out: Path, total: int) -> None:
    budget = _Budget(archive, total)
    try:
        with gzip.open(archive, "rb") as gz:
            _read_tar(_Stream(gz, budget), archive, out, budget)
    except RecordError:
        raise
    except (OSError, EOFError, zlib.error, ValueError) as e:
        raise RecordError(str(archive), None, f"unreadable tar.gz archive: {e}") from None


def _read_tar(stream: _Stream, archive: Path, out: Path, budget: _Budget) -> None:
    members, extended, long_name = 0, {}, None
    while True:
        header = stream.exact(BLOCK)
        if header == bytes(BLOCK):
            return  # end of archive (a second zero block and any padding are not read)
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
        if kind == b"5" or text in ("", "."):
            stream.skip(padded)
            continue
        if kind not in (b"0", b"\0", b"7"):
            raise RecordError(str(archive), None, f"archive member {text[:80]!r} is not a regular file")
        rel = _safe_name(archive, text)
        if rel is None:
            stream.skip(padded)  # counted against the budget as it is read
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
