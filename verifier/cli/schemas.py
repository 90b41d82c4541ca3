"""`tally-verifier schemas DIR`: write the JSON Schemas of the record files and of the JSON report to DIR.

The repository's schemas/ is this command's output (tests/test_schemas.py keeps it so)."""
import json
from pathlib import Path

import click

from verifier.cli.common import main
from verifier.record.schema import record_schemas
from verifier.report.schema import report_schema


def all_schemas() -> dict[str, str]:
    """File name -> text, as written."""
    docs = {**record_schemas(), "report.schema.json": report_schema()}
    return {name: json.dumps(doc, indent=2, ensure_ascii=False) + "\n" for name, doc in docs.items()}


@main.command("schemas")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
def schemas(directory: Path) -> None:
    """Write the JSON Schemas of every record file and of the JSON report (of verify, seats and protocols) into DIR
    (created if missing).

    \b
    Example:
      tally-verifier schemas schemas"""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in all_schemas().items():
        (directory / name).write_text(text, encoding="utf-8")
        click.echo(str(directory / name))
