"""The counting rules (V5.x): the cancellations' signatures (V5.1) in chunks on the engine; the rest (V5.2), and
the authority's list of counted ballots against the rules (V5.3–V5.5), here in box order. Hands on which box
lines count by the recomputed rules, whatever the authority says, and how many ballots count per station."""
import hashlib
from collections import Counter
from typing import NamedTuple

from verifier.checks.counting import check_cancellations, compare_decisions
from verifier.checks.summary import BallotAccounting
from verifier.engine.chunks import check_cancellation_chunk, read_decision_chunk
from verifier.engine.phases.base import Engine, Run, each_line, hashed
from verifier.engine.phases.box import Box
from verifier.engine.phases.registry import Registered
from verifier.record import layout, reader

DECISION_LINES = 4096  # lines per counting-decision job: parsed only (~15 µs each)
CANCELLATION_LINES = 256  # lines per cancellation job: two signature verifications each


class Counted(NamedTuple):
    bits: bytearray  # bit `line` set for every box line that counts (one bit per ballot)
    voted: Counter  # polling station → ballots counted
    accounting: BallotAccounting  # where every ballot in the box went, by the verifier's rules (for the report)


def counting_phase(run: Run, engine: Engine, registered: Registered, box: Box) -> Counted:
    ctx, voters, f = registered.ctx, registered.voters, run.findings
    digests = {name: hashlib.sha256() for name in (layout.CANCELLATIONS, layout.BALLOT_DECISIONS)}
    lines = hashed(reader.iter_file_lines(run.root, layout.CANCELLATIONS), digests[layout.CANCELLATIONS])
    signed = each_line(engine, check_cancellation_chunk, lines, CANCELLATION_LINES, f)
    cancelled = check_cancellations(ctx, (c for part in signed for c in part), f)
    bits = bytearray((box.log.entries >> 3) + 1)
    voted: Counter = Counter()
    counted = 0
    lines = hashed(reader.iter_file_lines(run.root, layout.BALLOT_DECISIONS), digests[layout.BALLOT_DECISIONS])
    parsed = each_line(engine, read_decision_chunk, lines, DECISION_LINES, f)
    decisions = (d for part in parsed for d in part)
    accounting = BallotAccounting()
    for b in compare_decisions(box.log.ballots(), decisions, box.last, cancelled, f, box.ballot_lines, box.repeats,
                               accounting.decided):
        bits[b.line >> 3] |= 1 << (b.line & 7)
        row = voters.row(b.voter_id)
        assert row is not None  # a counted ballot is valid, and a valid ballot's voter is registered (V3.1)
        voted[voters.station(row)] += 1
        counted += 1
    for name, digest in digests.items():
        run.verdict.inputs[name] = digest.hexdigest()
    run.verdict.counts["ballots counted"] = counted
    return Counted(bits, voted, accounting)
