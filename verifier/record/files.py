"""Opening an untrusted input file: regular files only, never through a symbolic link, never blocking.

Every file the verifier reads (a record's files, an archive, kept receipts, seat and protocol files) is opened here.
An adversary who crafts a record can make a "file" a link to /etc/shadow (read and quoted in error messages, with
the verifier perhaps running as root), a FIFO (the run would wait for ever) or a device (/dev/zero never ends).
The path is looked at first with lstat (so that a device is not even opened: opening some has side effects), then
opened with O_NOFOLLOW | O_NONBLOCK, and the descriptor itself is checked with fstat: what is read is what was
checked, even if the path changes in between.
"""
import errno
import os
import stat

from verifier.errors import RecordError

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _refuse(shown: str, kind: str) -> RecordError:
    return RecordError(shown, None, f"is {kind}, not a regular file")


def open_regular(path: str | os.PathLike, shown: str | None = None, missing: str = "no such file"):
    """`path` opened for reading in binary, if it is a regular file reached without a symbolic link in its last
    component; else RecordError naming `shown` (default: the path)."""
    shown = os.fspath(path) if shown is None else shown
    try:
        kind = kind_of(os.lstat(path).st_mode)
    except FileNotFoundError:
        raise RecordError(shown, None, missing) from None
    except OSError as e:
        raise RecordError(shown, None, e.strerror or str(e)) from None
    if kind is not None:
        raise _refuse(shown, kind)
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise RecordError(shown, None, missing) from None
    except OSError as e:
        if e.errno == errno.ELOOP:  # O_NOFOLLOW: it became a link after the lstat above
            raise _refuse(shown, "a symbolic link") from None
        raise RecordError(shown, None, e.strerror or str(e)) from None
    try:
        kind = kind_of(os.fstat(fd).st_mode)
        if kind is not None:
            raise _refuse(shown, kind)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_regular(path: str | os.PathLike) -> None:
    """RecordError unless `path` is a regular file open_regular can open (command-line inputs are checked at once)."""
    open_regular(path).close()


__all__ = ["check_regular", "kind_of", "open_regular"]
