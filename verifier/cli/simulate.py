"""`tally-verifier simulate`: the authority's side, for fixtures, tests, demos and benchmarks."""
import json
from pathlib import Path

import click

from verifier.cli.common import main


@main.command("simulate")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--voters", type=click.IntRange(1, 50_000_000), default=300, show_default=True)
@click.option("--seed", type=str, default=None, help="Same seed, same record (default: fresh randomness).")
@click.option("--key-bits", type=click.IntRange(528, 8192), default=2048, show_default=True,
              help="Paillier modulus size; below 2048 the record is marked as a test record.")
@click.option("--seats", type=click.IntRange(1, 1000), default=20, show_default=True, help="Party-list seats.")
@click.option("--secrets", "secrets_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the private keys (authority's and voters') to this file, outside the record: "
                   "what `tamper` needs to act as a dishonest authority or voter.")
def simulate(out: Path, voters: int, seed: str | None, key_bits: int, seats: int, secrets_path: Path | None) -> None:
    """Write a complete, valid election record to OUT (simulated authority and voters)."""
    from verifier.simulate.authority import Options, simulate as run
    from verifier.simulate.shape import small_shape

    if out.exists() and any(out.iterdir()):
        raise click.UsageError(f"{out} exists and is not empty")
    secrets = run(out, Options(voters=voters, seed=seed, key_bits=key_bits, shape=small_shape(voters, seats)))
    if secrets_path:
        secrets_path.write_text(json.dumps(secrets.to_json(), indent=1))
    click.echo(f"wrote {out} ({voters} voters, {key_bits}-bit key)")
