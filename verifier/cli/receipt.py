"""`tally-verifier receipt RECORD CODE`: is my ballot in the box, and what became of it (SPEC.md §12.2)."""
import click

from verifier.cli.common import EXIT_FAILED, EXIT_VERIFIED, anchor_options, exit_with, main, state_option
from verifier.engine.fate import (
    CANCELLED,
    COUNTED,
    EXCLUDED,
    SUPERSEDED,
    VALID_SO_FAR,
    Fate,
    look_up,
)
from verifier.engine.local import LocalEngine
from verifier.engine.progress import for_terminal
from verifier.record.tracking import parse_query


def _describe(f: Fate) -> str:
    where = f"position {f.line} of the ballot box"
    if f.status == COUNTED:
        return f"counted: at {where}, the voter's last valid e-vote, not cancelled by a paper vote"
    if f.status == SUPERSEDED:
        return f"not counted: at {where}, superseded by the voter's later e-vote at position {f.later_line}"
    if f.status == CANCELLED:
        return f"not counted: at {where}, cancelled by the voter's paper vote on election day"
    if f.status == VALID_SO_FAR:
        return f"valid so far: at {where}, the voter's last e-vote in the box so far"
    if f.status == EXCLUDED:
        why = "; ".join(f.reasons[:5]) or "its ballot id repeats an earlier line or a check failed for it"
        return f"excluded as invalid: at {where}; failed: {why}"
    return f"at {where}: not looked up (the verification stopped before the ballot box)"


@main.command("receipt")
@click.argument("record", type=click.Path(exists=True, dir_okay=True, file_okay=True))
@click.argument("code")
@click.option("--until", type=click.Choice(["box"]), default=None,
              help="The record is published up to the ballot box (during the vote): say where the ballot is and "
                   "whether it is valid and the voter's last e-vote so far.")
@anchor_options
@state_option
@click.option("--workers", type=click.IntRange(1, 1024), default=None, help="Local worker processes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def receipt(record: str, code: str, until: str | None, expect_fingerprints: tuple[str, ...],
            trusted_keys: str | None, state_path: str | None, workers: int | None, quiet: bool) -> None:
    """Look up the ballot with tracking CODE (as the voting app showed it, e.g. YIRG-Z7LF-X62A-MNI6) or ballot id
    (32 hex digits) in RECORD: is it in the ballot box, at which position, and was it counted, superseded by a
    later e-vote, cancelled by a paper vote or excluded (and why). Exit 0 found and the record verified, 1 not in
    the box or the record not verified, 2 unreadable. The record is verified as `verify` does, with the same anchors
    (--expect-fingerprint, --trusted-keys: without them the record could be another election's) and --state.

    \b
    Example:
      tally-verifier receipt fixtures/demo-2023 WOKC-IZ3A-QDUX-JT2R --expect-fingerprint HEX"""
    try:
        kind, value = parse_query(code)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="CODE") from None
    result = look_up(record, kind, value, LocalEngine(workers), until=until, progress=for_terminal(quiet),
                     expect_fingerprints=expect_fingerprints, trusted_keys=trusted_keys, state=state_path)
    what = "tracking code" if kind == "code" else "ballot id"
    if not result.fates:
        click.echo(f"NOT IN THE BALLOT BOX: no ballot with {what} {value} is in the ballot box of {record}. If your "
                   f"voting app showed you this code after you voted, your ballot is missing: take the code (and "
                   f"your receipt, if you kept it) to the election commission.")
        exit_with(EXIT_FAILED)
    for f in result.fates:
        click.echo(f"{what} {value}: ballot {f.ballot_id} (tracking code {f.code}) of voter {f.voter_id}")
        click.echo(f"  {_describe(f)}")
    if len(result.fates) > 1:
        click.echo(f"  the box holds this ballot {len(result.fates)} times (V3.9)")
    verdict = result.verdict
    assert verdict is not None  # the ballot is in the box: the record was verified (engine/fate.py)
    click.echo(verdict.verdict_line())
    if verdict.fingerprint:
        click.echo(f"election fingerprint {verdict.fingerprint}")
    exit_with(EXIT_VERIFIED if verdict.verified else EXIT_FAILED)
