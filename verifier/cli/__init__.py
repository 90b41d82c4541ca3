"""Command line: arguments in, exit status out. No logic lives here.

Exit status: 0 verified, 1 a check failed, 2 the input could not be read (usage, missing file, malformed data).
"""
from verifier.cli.common import main  # noqa: F401  (the group; commands register themselves below)
from verifier.cli import verify as _verify  # noqa: F401,E402
from verifier.cli import seats as _seats  # noqa: F401,E402
from verifier.cli import protocols as _protocols  # noqa: F401,E402
from verifier.cli import simulate as _simulate  # noqa: F401,E402
from verifier.cli import tamper as _tamper  # noqa: F401,E402
from verifier.cli import receipt as _receipt  # noqa: F401,E402
from verifier.cli import diff as _diff  # noqa: F401,E402
