"""`tally-verifier simulate`: the authority's side, for fixtures, tests, demos and benchmarks."""
import json
from pathlib import Path

import click
from click.core import ParameterSource

from verifier.cli.common import main
from verifier.engine.progress import for_terminal

PRESET_NAMES = ("kz-2023",)  # verifier.simulate.presets.PRESETS; listed here so that --help needs no import


@main.command("simulate")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--voters", type=click.IntRange(1, 50_000_000), default=300, show_default=True)
@click.option("--seed", type=str, default=None, help="Same seed, same record (default: fresh randomness).")
@click.option("--key-bits", type=click.IntRange(528, 8192), default=2048, show_default=True,
              help="Paillier modulus size; below 2048 the record is marked as a test record.")
@click.option("--seats", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Party-list seats (the default shape only; a preset fixes its own).")
@click.option("--preset", type=click.Choice(PRESET_NAMES), default=None,
              help="A named election shape instead of the small default one. kz-2023: Kazakhstan, 19 March "
                   "2023: Mazhilis list (69 seats, 5%) and 29 SMDs, oblast and district maslikhats, 20 regions, "
                   "polling stations scaled to --voters, the 2023 turnout and vote shares.")
@click.option("--secrets", "secrets_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the private keys (authority's and voters', and with --trustees the trustees' key "
                   "shares) to this file, outside the record: what `tamper` needs to act as a dishonest "
                   "authority, trustee or voter.")
@click.option("--trustees", type=click.IntRange(1, 64), default=None,
              help="Share the key among this many trustees (safe primes; threshold decryption, SPEC §3.9).")
@click.option("--threshold", type=click.IntRange(1, 64), default=None,
              help="How many trustees must cooperate to decrypt (with --trustees; default: a majority).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (there is none when stderr is not a terminal).")
@click.pass_context
def simulate(ctx: click.Context, out: Path, voters: int, seed: str | None, key_bits: int, seats: int,
             preset: str | None, secrets_path: Path | None, trustees: int | None, threshold: int | None,
             quiet: bool) -> None:
    """Write a complete, valid election record to OUT (simulated authority and voters).

    \b
    Example:
      tally-verifier simulate demo --voters 300 --seed demo --secrets demo-secrets.json"""
    from verifier.crypto.paillier import SLOT_BITS
    from verifier.simulate.authority import Options
    from verifier.simulate.authority import simulate as run
    from verifier.simulate.presets import PRESETS, max_contest_options
    from verifier.simulate.shape import small_shape

    if out.exists() and any(out.iterdir()):
        raise click.UsageError(f"{out} exists and is not empty")
    if preset is None:
        shape = small_shape(voters, seats)
        opts = Options(voters=voters, seed=seed, key_bits=key_bits, shape=shape)
    else:
        if ctx.get_parameter_source("seats") != ParameterSource.DEFAULT:
            raise click.UsageError(f"--seats does not apply to --preset {preset}: the preset fixes its seats")
        p = PRESETS[preset]
        shape = p.shape(voters)
        opts = Options(voters=voters, seed=seed, key_bits=key_bits, election_id=p.election_id, turnout=p.turnout,
                       revote_rate=p.revote_rate, paper_rate=p.paper_rate, shape=shape)
    if threshold is not None and trustees is None:
        raise click.UsageError("--threshold needs --trustees")
    if trustees is not None:
        opts.threshold = threshold if threshold is not None else trustees // 2 + 1
        if opts.threshold > trustees:
            raise click.UsageError(f"--threshold {opts.threshold} is more than the {trustees} trustees")
        opts.trustees = trustees
    widest = max_contest_options(shape)
    if SLOT_BITS * widest >= key_bits:
        raise click.UsageError(f"a contest has {widest} options: the key needs more than {SLOT_BITS * widest} bits")
    secrets = run(out, opts, progress=for_terminal(quiet))  # a bar per stage on a terminal
    if secrets_path:
        secrets_path.write_text(json.dumps(secrets.to_json(), indent=1))
    what = f", preset {preset}: {len(shape.stations)} polling stations, {len(shape.contests)} contests" \
        if preset else ""
    shared = f", key shared {opts.threshold} of {opts.trustees}" if opts.trustees else ""
    click.echo(f"wrote {out} ({voters} voters, {key_bits}-bit key{what}{shared})")
