"""The click group and the one place where unreadable input becomes a one-line message and exit status 2, a bug
exit status 3 and Ctrl-C exit status 130."""
import os
import re
import sys

import click

from verifier.errors import RecordError, one_line
from verifier.record.files import check_regular

EXIT_VERIFIED, EXIT_FAILED, EXIT_UNREADABLE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
MAX_NAME = 300  # characters of a file name quoted in an error (as RecordError)
MAX_ERROR = 1000  # characters of the whole line


def _error(message: str, status: int = EXIT_UNREADABLE) -> None:
    """The one way out for input that cannot be used: one line on stderr, escaped as record text (a path may hold
    a newline or a terminal escape: it must neither split the line nor forge a second one), exit status 2."""
    click.echo(f"error: {one_line(message, MAX_ERROR)}", err=True)
    sys.exit(status)


def _tolerant_streams() -> None:
    """A console that cannot encode a name (cp1251, cp1252, a pipe in ASCII) must not turn a verdict into a crash:
    characters it lacks are written as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream already written in an incompatible way: leave it
                pass


class _Group(click.Group):
    def main(self, *args, **kwargs):
        # click's own usage errors already exit 2; make sure every other way out of an unreadable input does too.
        _tolerant_streams()
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except KeyboardInterrupt:  # Ctrl-C: one line, no tracebacks (the workers ignore SIGINT: engine/local.py)
            _error("interrupted", EXIT_INTERRUPTED)
        except click.exceptions.Abort:  # click turns Ctrl-C at a prompt into Abort
            _error("interrupted", EXIT_INTERRUPTED)
        except click.ClickException as e:
            # one line, like every other error: click's own form (usage, hint, "Error: …") spans three, and its
            # message quotes paths and values as given, newlines and terminal escapes included
            hint = ""
            if isinstance(e, click.UsageError) and e.ctx is not None:
                hint = f" (see '{e.ctx.command_path} --help')"
            _error(e.format_message() + hint)
        except RecordError as e:
            _error(str(e))  # already escaped field by field (RecordError.__str__)
        except OSError as e:
            name = getattr(e, "filename", None)
            reason = e.strerror or str(e)
            _error(f"{one_line(str(name), MAX_NAME)}: {reason}" if name is not None else reason)
        except (MemoryError, RecursionError) as e:
            _error(f"the input needs more {'memory' if isinstance(e, MemoryError) else 'nesting'} than this machine "
                   f"allows")
        except Exception as e:  # a bug: still one line and no verdict; TALLY_VERIFIER_TRACEBACK=1 shows where
            if os.environ.get("TALLY_VERIFIER_TRACEBACK"):
                raise
            _error(f"internal error: a bug in tally-verifier, not a fault of the record ({type(e).__name__}: "
                   f"{one_line(str(e), 200)}); no verdict. Please report it with the output of the same command "
                   f"run with TALLY_VERIFIER_TRACEBACK=1 (SECURITY.md for a flaw that could hide a fault)",
                   EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tally-verifier")
def main() -> None:
    """Independent verifier of published e-voting election records.

    \b
    Example:
      tally-verifier verify fixtures/demo-2023 --html report.html"""


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


FINGERPRINT = re.compile(r"[0-9a-f]{64}")


def _fingerprints(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not FINGERPRINT.fullmatch(value):
            raise click.BadParameter(f"{value[:80]!r} is not 64 lowercase hex digits (a SHA-256 fingerprint)")
    return values


def anchor_options(command):
    """`--expect-fingerprint` and `--trusted-keys` (V1.9): what `verify` and `receipt` hold the record to."""
    command = click.option(
        "--trusted-keys", "trusted_keys", type=InputFile(), default=None,
        help="JSON file of the authorities' public keys as published before the vote, shaped like the manifest's "
             "`authorities`: each must equal the manifest's (V1.9).")(command)
    return click.option(
        "--expect-fingerprint", "expect_fingerprints", metavar="HEX", multiple=True, callback=_fingerprints,
        help="The election fingerprint the commission published before the vote (64 lowercase hex digits); the "
             "record's must equal it (V1.9). May be given more than once (each must match).")(command)


def state_option(command):
    """`--state FILE` (SPEC.md §12.4), for `verify` and `receipt`."""
    return click.option(
        "--state", "state_path", type=click.Path(dir_okay=False), default=None,
        help="Incremental verification during the vote: an SQLite file of what earlier runs verified of this "
             "record's ballot box (created if absent). Only the lines added since are verified, the file is "
             "updated; a state of another verifier, another record or a box that forked is refused "
             "(SPEC.md §12.4). With --until box or none.")(command)
