"""`tally-verifier tamper`: a copy of a valid simulated record with exactly one fault of a chosen kind, so that
auditors and trainers can see for themselves what the verifier catches, and where it says it is."""
import sys
from pathlib import Path

import click

from verifier.cli.common import EXIT_UNREADABLE, InputFile, main
from verifier.errors import one_line


@main.command("tamper")
@click.argument("record", required=False, type=click.Path(exists=True, path_type=Path))
@click.argument("out", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--fault", "kind", metavar="KIND", help="The kind of fault (see --list).")
@click.option("--secrets", "secrets_path", type=InputFile(Path),
              help="The private keys written by `simulate --secrets`: the dishonest authority re-signs with them.")
@click.option("--seed", default="tamper", show_default=True,
              help="Chooses the ballot, voter or unit the fault hits: same seed, same fault.")
@click.option("--receipts-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="For faults only the voters' kept receipts show: where to write them (default: next to OUT, "
                   "named OUT.receipts.jsonl).")
@click.option("--snapshot-out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="For faults only an earlier snapshot of the box shows: where to write that snapshot (default: "
                   "next to OUT, named OUT.earlier).")
@click.option("--list", "list_kinds", is_flag=True, help="List the fault kinds and the checks that catch each.")
@click.option("--markdown", is_flag=True, help="With --list: the fault matrix of SPEC.md §9 as Markdown.")
def tamper(record: Path | None, out: Path | None, kind: str | None, secrets_path: Path | None, seed: str,
           receipts_out: Path | None, snapshot_out: Path | None, list_kinds: bool, markdown: bool) -> None:
    """Write to OUT a copy of RECORD with exactly one fault of KIND, re-signed wherever a dishonest authority
    could re-sign with its own keys, and say which checks must fail and where.

    RECORD is a record written by `simulate`: a directory (the files at its top or in one folder) or a .zip,
    .tar.gz or .tgz of one. The simulator reads it with its own small reader, which trusts it (it is honest
    simulator output); the verifier's strict reader is not used.

    \b
    Example:
      tally-verifier tamper demo demo-bad --fault KIND --secrets demo-secrets.json   (--list: the kinds)"""
    from verifier.checks.findings import Location
    from verifier.simulate import (
        faults,  # here, not above: verifying never loads the simulator
    )

    if list_kinds:
        if markdown:
            click.echo(faults.spec_table(), nl=False)
            return
        width = max(len(f.kind) for f in faults.FAULTS)
        for f in faults.FAULTS:
            checks = ", ".join(f.checks) + (" (warning)" if f.noted else "")
            click.echo(f"{f.kind:<{width}}  {checks:<28} {f.actor}: {f.title}")
        return
    if record is None or out is None or kind is None:
        raise click.UsageError("give RECORD, OUT and --fault KIND (or --list)")
    if kind not in faults.BY_KIND:
        raise click.UsageError(f"unknown fault kind {kind!r}; `tally-verifier tamper --list` lists them")
    fault = faults.BY_KIND[kind]
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise click.UsageError(f"{out} exists and is not an empty directory")
    try:
        secrets = faults.load_secrets(secrets_path) if secrets_path else None
        if missing := faults.missing_secrets(fault, secrets):
            hint = "pass --secrets FILE, as written by `tally-verifier simulate --secrets FILE`" if secrets is None \
                else f"{secrets_path} lacks them"
            raise faults.FaultError(f"needs {' and '.join(faults.SECRET_PARTS[m] for m in missing)}: {hint}")
        # a fault that needs no secrets is injected without them
        injected = faults.inject(record, out, kind, secrets, seed)
    except faults.FaultError as e:
        click.echo(f"error: {one_line(f'{kind}: {e}', 1000)}", err=True)  # may quote a path
        sys.exit(EXIT_UNREADABLE)
    click.echo(f"injected {kind} into {out}: {injected.description}")
    receipts_name = _write_what_shows_it(out, injected, receipts_out, snapshot_out)
    verb = "fails" if len(fault.checks) == 1 else "fail"
    if fault.noted:  # a bad share with w valid ones left: no check fails, the report's warnings name it
        click.echo(f"expected: the record verifies; {', '.join(fault.checks)} names it among the report's warnings, "
                   f"{len(injected.expected)} place(s):")
    else:
        click.echo(f"expected: {', '.join(fault.checks)} {verb}, and no other check; {len(injected.expected)} "
                   f"finding(s):")
    for finding in injected.expected:
        fields = {k: v for k, v in finding.items() if k != "check"}
        if receipts_name and fields.get("file") == faults.HELD_RECEIPTS:
            fields["file"] = receipts_name
        click.echo(f"  {finding['check']} {Location(**fields).describe()}")
    if fault.why:
        click.echo(f"note: {fault.why}")


def _write_what_shows_it(out: Path, injected, receipts_out: Path | None, snapshot_out: Path | None) -> str | None:
    """For a record consistent in itself: write what shows the fault next to OUT (the receipts voters kept, an
    earlier snapshot of the box) and say how to check it. Returns the receipts file's name, if written."""
    receipts_name = None
    if injected.held_receipts:
        path = receipts_out or out.with_name(out.name + ".receipts.jsonl")
        path.write_bytes(b"".join(line + b"\n" for line in injected.held_receipts))
        receipts_name = path.name
        click.echo(f"the record alone is consistent: the receipts the voters kept are in {path} "
                   f"(check V3.10: verify with --receipts {path})")
    if injected.earlier_box:
        from verifier.simulate.faults.snapshots import write_earlier_snapshot

        earlier = snapshot_out or out.with_name(out.name + ".earlier")
        write_earlier_snapshot(out, injected, earlier)
        click.echo(f"the record alone is consistent: the snapshot the collector published earlier is in {earlier} "
                   f"(check V3.7: tally-verifier diff {earlier} {out})")
    if injected.published_fingerprint:
        click.echo(f"the record alone is consistent: the fingerprint published before the vote was "
                   f"{injected.published_fingerprint} (check V1.9: verify with --expect-fingerprint "
                   f"{injected.published_fingerprint})")
    return receipts_name
