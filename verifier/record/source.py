"""Where a record's files come from: a directory, a .zip or a .tar.gz. Archives are untrusted: members with
paths outside the record, links, devices and archives that expand enormously are refused (exit status 2)."""
import os
import tarfile
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from verifier.errors import RecordError

MAX_EXPANDED_BYTES = 64 << 30  # a national record is a few tens of GB at most
MAX_EXPANSION_RATIO = 200  # compressed JSON of hex numbers shrinks about 2:1; 200:1 is a bomb
MAX_MEMBERS = 1000


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
    if not (name.endswith(".zip") or name.endswith(".tar.gz") or name.endswith(".tgz")):
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


def _safe_name(archive: Path, name: str) -> PurePosixPath:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\\" in name or not pure.parts or len(pure.parts) > 2:
        raise RecordError(str(archive), None, f"archive member {name[:80]!r} has a path outside the record")
    return pure


def _copy_bounded(src, dst_path: Path, archive: Path, budget: list[int]) -> None:
    dst_path.parent.mkdir(parents=True, exist_ok=True)
    with open(dst_path, "wb") as dst:
        while chunk := src.read(1 << 20):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise RecordError(str(archive), None, "archive expands beyond the allowed size (a compression bomb?)")
            dst.write(chunk)


def _unzip(archive: Path, out: Path, budget: int) -> None:
    left = [budget]
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise RecordError(str(archive), None, f"more than {MAX_MEMBERS} archive members")
            for info in members:
                rel = _safe_name(archive, info.filename)
                if info.is_dir():
                    continue
                if (info.external_attr >> 16) & 0o170000 not in (0, 0o100000):
                    raise RecordError(str(archive), None, f"archive member {info.filename!r} is not a regular file")
                with z.open(info) as src:
                    _copy_bounded(src, out.joinpath(*rel.parts), archive, left)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError) as e:
        raise RecordError(str(archive), None, f"unreadable zip archive: {e}") from None


def _untar(archive: Path, out: Path, budget: int) -> None:
    left = [budget]
    try:
        with tarfile.open(archive, "r:gz") as t:
            count = 0
            for info in t:
                count += 1
                if count > MAX_MEMBERS:
                    raise RecordError(str(archive), None, f"more than {MAX_MEMBERS} archive members")
                rel = _safe_name(archive, info.name.removeprefix("./") or ".")
                if info.isdir():
                    continue
                if not info.isfile():
                    raise RecordError(str(archive), None, f"archive member {info.name!r} is not a regular file")
                src = t.extractfile(info)
                _copy_bounded(src, out.joinpath(*rel.parts), archive, left)
    except (tarfile.TarError, EOFError, OSError) as e:
        if isinstance(e, RecordError):
            raise
        raise RecordError(str(archive), None, f"unreadable tar.gz archive: {e}") from None


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
