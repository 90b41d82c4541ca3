"""Report files (`verify --json`, and any later output): made usable before the run, written whole at its end.

Why: a verdict must never be followed by an error (exit 2 after "VERIFIED" would leave a reader with both). So the
output is created before the run starts — an unwritable path is an error before any work — as a temporary file next
to the target (same directory, so the final rename is atomic and never crosses a file system); the report is
written and flushed to disk there, and only then renamed over the target and the verdict printed. A failure while
writing (a full disk) names the target file and leaves no half-written report under its name.
"""
import errno
import os
import stat
import tempfile
from pathlib import Path


class OutputFile:
    """A report file under construction: `write(text)` then `commit()`; `discard()` (always safe to call) removes
    what `commit` did not rename. Every OSError it raises names the target path."""

    def __init__(self, path):
        self.path = Path(path)
        self._temporary: Path | None = None
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            info = None
        except OSError as e:
            raise self._named(e) from None
        if info is not None and not stat.S_ISREG(info.st_mode):
            # a directory, a device (/dev/full, /dev/null), a FIFO: renaming over it is wrong (or impossible)
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise OSError(errno.EISDIR if stat.S_ISDIR(info.st_mode) else errno.EINVAL, kind, str(self.path))
        if info is not None and not os.access(self.path, os.W_OK):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(self.path))
        try:
            fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                        dir=self.path.parent if str(self.path.parent) else ".")
        except OSError as e:  # no such directory, not writable, no space left for even an empty file
            raise self._named(e) from None
        self._temporary = Path(name)
        # the permissions a plain open() would give (mkstemp makes the file private): the target's own if it exists
        try:
            os.fchmod(fd, stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask())
        finally:
            os.close(fd)

    def _named(self, e: OSError) -> OSError:
        return OSError(e.errno, e.strerror or str(e), str(self.path))

    def _pending(self) -> Path:
        if self._temporary is None:
            raise ValueError(f"{self.path}: the report file was already committed or discarded")
        return self._temporary

    def write(self, text: str) -> None:
        """The whole report, written and forced to disk (so that a full disk shows here, not after the verdict)."""
        try:
            with open(self._pending(), "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as e:
            raise self._named(e) from None

    def commit(self) -> None:
        try:
            os.replace(self._pending(), self.path)
        except OSError as e:
            raise self._named(e) from None
        self._temporary = None

    def discard(self) -> None:
        if self._temporary is not None:
            try:
                self._temporary.unlink()
            except OSError:
                pass
            self._temporary = None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
