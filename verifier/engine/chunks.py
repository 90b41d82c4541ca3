"""The per-chunk functions of the map-reduce: for the registry, the ballot box (two), the cancellations and the
counting decisions.
Pure: (context, job) → partial result, so that local processes and Dask workers run exactly the same code, and the
reduce (in file order) gives the same report whatever the engine or the number of workers.

The registry (`check_registry_chunk`) and the paper-vote cancellations (`check_cancellation_chunk`): each line's
own checks (V2.2, V2.5; V5.1); the run feeds the results to the sequential ones (V2.3, V2.4, the index; V5.2) in
file order. The authority's counting decisions (`read_decision_chunk`) are only parsed.

The ballot box, pass 1 (`check_chunk`), runs every per-ballot check and also multiplies the ciphertexts of the
ballots that passed them, per contest and polling station. Which of those ballots count is known only after the
whole box (re-votes, paper cancellations), so pass 2 (`aggregate_chunk`) reads only the ballots that passed but do
not count (superseded, cancelled, repeated ballot ids) and multiplies them too; the run divides the second product
out of the first (the arithmetic is verifier/tally/aggregates.py; what "passed" means, checks/validity.py).
"""
from dataclasses import dataclass

from verifier.checks.ballot_box import EntrySummary
from verifier.checks.context import ElectionContext
from verifier.checks.counting import check_cancellation
from verifier.checks.findings import Findings
from verifier.checks.registry import Registration, RegistryContext, check_voter
from verifier.checks.validity import check_ballots
from verifier.crypto.batch import CoefficientStream
from verifier.crypto.encoding import sha256
from verifier.errors import RecordError
from verifier.record import canonical, layout
from verifier.record.model import BallotDecision, Cancellation
from verifier.record.reader import (
    read_box_entry,
    read_cancellation,
    read_decision,
    read_voter,
)
from verifier.tally.aggregates import Aggregates, multiply

Lines = list[tuple[int, bytes]]


def check_registry_chunk(rctx: RegistryContext, lines: Lines) -> tuple[Findings, list[Registration]]:
    f = Findings()
    return f, [check_voter(rctx, read_voter(n, raw, rctx.election_id), f) for n, raw in lines]


def check_cancellation_chunk(ctx: ElectionContext, lines: Lines) -> tuple[Findings, list[tuple[Cancellation, bool]]]:
    f = Findings()
    cancellations = [read_cancellation(n, raw, ctx.manifest.election_id) for n, raw in lines]
    return f, [(c, check_cancellation(ctx, c, f)) for c in cancellations]


def read_decision_chunk(ctx: ElectionContext, lines: Lines) -> tuple[Findings, list[BallotDecision]]:
    """Only parsing (the counting rules judge the decisions in box order), but that is most of their cost."""
    return Findings(), [read_decision(n, raw) for n, raw in lines]


@dataclass
class ChunkResult:
    findings: Findings
    summaries: list[EntrySummary]
    aggregates: Aggregates  # of the entries whose summary is valid


def check_chunk(ctx: ElectionContext, lines: Lines, batch: bool, coefficients: CoefficientStream | None = None
                ) -> ChunkResult:
    f = Findings()
    entries = [read_box_entry(n, raw, ctx.key, ctx.manifest.election_id) for n, raw in lines]
    summaries = check_ballots(ctx, entries, f, batch, coefficients)
    aggregates: Aggregates = {}
    n2 = ctx.key.n2
    for entry, s in zip(entries, summaries, strict=True):  # check_ballots: one summary per entry
        if s.valid:
            station = ctx.voters[entry.envelope.voter_id].polling_station
            for cb in entry.envelope.contests:
                multiply(aggregates, (cb.contest, station), cb.ciphertext, n2)
    return ChunkResult(f, summaries, aggregates)


def aggregate_chunk(ctx: ElectionContext, lines: list[tuple[int, bytes, bytes]]) -> Aggregates:
    """Multiply the ciphertexts of `lines` (line number, bytes, SHA-256 of the line in pass 1) per contest and
    polling station.

    Only lines that pass 1 read, checked and found valid come here, and only byte for byte the same (their hash is
    compared with pass 1's), so plain JSON parsing of the two fields needed is enough."""
    out: Aggregates = {}
    n2 = ctx.key.n2
    for n, raw, entry_hash in lines:
        if sha256(raw) != entry_hash:
            raise RecordError(layout.BALLOT_BOX, n, "changed while it was being verified")
        envelope = canonical.parse(raw, layout.BALLOT_BOX, n, require_canonical=False)["envelope"]
        station = ctx.voters[envelope["voter_id"]].polling_station
        for cb in envelope["contests"]:
            multiply(out, (cb["contest"], station), int(cb["ciphertext"], 16), n2)
    return out
