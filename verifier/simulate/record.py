"""Where `tamper` finds the files of a record it was given: the simulator's own small reader (SPEC.md §2).

It reads only records the honest simulator wrote, so it trusts them: a directory holding the files at its top or
inside exactly one folder, or a .zip / .tar.gz / .tgz of one, unpacked into a temporary directory. The verifier's
reader, with every limit of §10, is the verifier's; the simulator shares none of its code.
"""
import tarfile
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

from verifier.simulate import spec


class NotARecord(Exception):
    pass


def _files_dir(root: Path) -> Path:
    if (root / spec.MANIFEST).is_file():
        return root
    folders = [p for p in root.iterdir() if p.is_dir()]
    if len(folders) == 1 and (folders[0] / spec.MANIFEST).is_file():
        return folders[0]
    raise NotARecord(f"{root}: no {spec.MANIFEST} at the top or in exactly one folder")


@contextmanager
def open_record(path):
    """Yields the directory that holds the record's files."""
    p = Path(path)
    if p.is_dir():
        yield _files_dir(p)
        return
    name = p.name.lower()
    with tempfile.TemporaryDirectory(prefix="tamper-") as tmp:
        if name.endswith(".zip"):
            with zipfile.ZipFile(p) as z:
                z.extractall(tmp)
        elif name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(p, "r:gz") as t:
                t.extractall(tmp, filter="data")  # no links out, no absolute paths
        else:
            raise NotARecord(f"{p}: not a directory, .zip, .tar.gz or .tgz")
        yield _files_dir(Path(tmp))
