"""The click group and the one place where unreadable input becomes a one-line message and exit status 2."""
import os
import sys

import click

from verifier.errors import RecordError, one_line
from verifier.record.files import check_regular

EXIT_VERIFIED, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2


class _Group(click.Group):
    def main(self, *args, **kwargs):
        # click's own usage errors already exit 2; make sure every other way out of an unreadable input does too.
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            sys.exit(EXIT_UNREADABLE)
        except click.ClickException as e:
            e.show()
            sys.exit(EXIT_UNREADABLE)
        except RecordError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_UNREADABLE)
        except OSError as e:
            name = getattr(e, "filename", None)
            click.echo(f"error: {name}: {e.strerror or e}" if name else f"error: {e}", err=True)
            sys.exit(EXIT_UNREADABLE)
        except (MemoryError, RecursionError) as e:
            click.echo(f"error: the input needs more {'memory' if isinstance(e, MemoryError) else 'nesting'} than "
                       f"this machine allows", err=True)
            sys.exit(EXIT_UNREADABLE)
        except Exception as e:  # a bug: still one line and no verdict; TALLY_VERIFIER_TRACEBACK=1 shows where
            if os.environ.get("TALLY_VERIFIER_TRACEBACK"):
                raise
            click.echo(f"error: internal error ({type(e).__name__}: {one_line(str(e), 200)}); no verdict. Please "
                       f"report it (TALLY_VERIFIER_TRACEBACK=1 shows where)", err=True)
            sys.exit(EXIT_UNREADABLE)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tally-verifier")
def main() -> None:
    """Independent verifier of published e-voting election records."""


class InputFile(click.ParamType):
    """A file the command reads: a regular file, not a link, FIFO, device or directory (verifier.record.files), checked
    as the command line is read, so that a FIFO is refused at once instead of blocking the run for ever. The readers
    open it again the same way, so a file swapped in between is refused too. Refusal: one line, exit 2."""

    name = "FILE"

    def __init__(self, path_type: type = str):
        self.path_type = path_type

    def convert(self, value, param, ctx):
        check_regular(value)  # RecordError -> `error: FILE: is a FIFO, not a regular file`, exit 2 (_Group.main)
        return self.path_type(value)


def exit_with(status: int) -> None:
    """Commands return their status through here so that tests using CliRunner see it too."""
    sys.exit(status)
