"""Command line: arguments in, exit status out. No logic lives here.

Exit status: 0 verified, 1 a check failed, 2 the input could not be read (usage, missing file, malformed data).
"""
# the group; the commands register themselves on it as their modules are imported
from verifier.cli import diff as _diff  # noqa: F401
from verifier.cli import protocols as _protocols  # noqa: F401
from verifier.cli import receipt as _receipt  # noqa: F401
from verifier.cli import schemas as _schemas  # noqa: F401
from verifier.cli import seats as _seats  # noqa: F401
from verifier.cli import simulate as _simulate  # noqa: F401
from verifier.cli import tamper as _tamper  # noqa: F401
from verifier.cli import verify as _verify  # noqa: F401
from verifier.cli.common import main

__all__ = ["main"]
