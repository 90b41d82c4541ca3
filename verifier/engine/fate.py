"""What became of one ballot (`tally-verifier receipt`, SPEC.md §12.2), by the verifier's own rules: the record
is verified (up to the stage asked) and the ballot looked up in the run's ballot log and counting bits."""
from collections.abc import Sequence
from dataclasses import dataclass, field

from verifier.checks.verdict import Verdict
from verifier.engine.phases.box import BallotLog
from verifier.engine.run import verify_record
from verifier.errors import RecordError
from verifier.record import layout
from verifier.record.source import open_record
from verifier.record.tracking import find_in_box

COUNTED, SUPERSEDED, CANCELLED, EXCLUDED, VALID_SO_FAR = "counted", "superseded", "cancelled", "excluded", "valid"


@dataclass
class Fate:
    line: int  # position in the box (1-based line)
    ballot_id: str
    code: str
    voter_id: str = ""
    status: str = ""  # one of the constants above
    later_line: int | None = None  # superseded: the box line of the voter's last valid e-vote
    reasons: list[str] = field(default_factory=list)  # excluded: the checks that failed for its line


@dataclass
class Lookup:
    query: str
    fates: list[Fate]  # every box line with this code or ballot id (normally one; none: not in the box)
    verdict: Verdict | None  # None when the ballot is not in the box (nothing else is then asked)


def look_up(path, kind: str, value: str, engine=None, until: str | None = None, progress=None,
            expect_fingerprints: Sequence[str] = (), trusted_keys=None, state=None) -> Lookup:
    """`kind`, `value`: tracking.parse_query's. The box is scanned once for the code; only if it is there is the
    record verified (the counting rules need the whole box), with the anchors and the state as `verify_record`
    takes them."""
    with open_record(path) as root:
        found = find_in_box(root, kind, value)
    fates = [Fate(line, ballot_id, code) for line, ballot_id, code, _ in found]
    found_hashes = {line: line_hash for line, _, _, line_hash in found}
    if not fates:
        return Lookup(value, [], None)
    by_line = {f.line: f for f in fates}

    def inspect(box, counted) -> None:
        seen = set()
        for line, _, voter_id, flags, _, _, line_hash in box.log.replay():
            fate = by_line.get(line)
            if fate is None:
                continue
            # the box is read twice (the scan for the code, then the verification): the fate told must be that of
            # the very line the scan found, not of whatever another read put at its position
            if line_hash != found_hashes[line]:
                raise RecordError(layout.BALLOT_BOX, line, "changed while it was being verified")
            seen.add(line)
            fate.voter_id = voter_id
            valid = bool(flags & BallotLog.VALID and flags & BallotLog.UNIQUE)
            last = box.last.last.get(voter_id)
            # the rules of checks/counting.expected_decision, in their order: invalid, superseded, cancelled
            if not valid:
                fate.status = EXCLUDED
            elif last != line:
                fate.status, fate.later_line = SUPERSEDED, last
            elif counted is None:
                fate.status = VALID_SO_FAR
            elif counted.bits[line >> 3] >> (line & 7) & 1:
                fate.status = COUNTED
            else:
                fate.status = CANCELLED  # valid and the voter's last e-vote, yet not counted: a paper vote
        missing = by_line.keys() - seen
        if missing:  # the box the verification read is shorter than the one scanned
            raise RecordError(layout.BALLOT_BOX, min(missing), "changed while it was being verified")

    verdict = verify_record(path, engine, progress=progress, until=until, inspect=inspect,
                            expect_fingerprints=expect_fingerprints, trusted_keys=trusted_keys, state=state)
    for fate in fates:
        if fate.status == EXCLUDED:
            fate.reasons = [f"{f.check}: {f.message}" for f in verdict.findings.failures()
                            if f.location.file == layout.BALLOT_BOX and f.location.line == fate.line]
    return Lookup(value, fates, verdict)
