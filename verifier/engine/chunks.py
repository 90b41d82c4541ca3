"""The two per-chunk functions of the ballot-box map-reduce. Pure: (context, lines) → partial results, so that
local processes and Dask workers run exactly the same code, and the reduce (in box order) gives the same report
whatever the engine or the number of workers."""
from dataclasses import dataclass

import gmpy2

from verifier.checks.ballot_box import EntrySummary, check_entry
from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings
from verifier.checks.proofs import check_proofs
from verifier.record.reader import read_box_entry

Lines = list[tuple[int, bytes]]


@dataclass
class ChunkResult:
    findings: Findings
    summaries: list[EntrySummary]


def check_chunk(ctx: ElectionContext, lines: Lines, batch: bool) -> ChunkResult:
    f = Findings()
    entries = [read_box_entry(n, raw, ctx.key, ctx.manifest.election_id) for n, raw in lines]
    summaries = [check_entry(ctx, e, f) for e in entries]
    bad = check_proofs(ctx, entries, f, batch)
    if bad:
        summaries = [s if s.line not in bad else _invalid(s) for s in summaries]
    return ChunkResult(f, summaries)


def _invalid(s: EntrySummary) -> EntrySummary:
    return EntrySummary(s.line, s.sequence, s.ballot_id, s.voter_id, s.received_at, s.entry_hash, s.previous_hash,
                        False)


Aggregates = dict[tuple[str, str], tuple[int, int]]  # (contest, station) → (ballots, product of ciphertexts)


def aggregate_chunk(ctx: ElectionContext, lines: Lines, counted: frozenset[int]) -> Aggregates:
    """Multiply the ciphertexts of the counted ballots per contest and polling station."""
    out: dict = {}
    n2 = ctx.key.n2
    for n, raw in lines:
        if n not in counted:
            continue
        entry = read_box_entry(n, raw, ctx.key, ctx.manifest.election_id)
        station = ctx.voters[entry.envelope.voter_id].polling_station
        for cb in entry.envelope.contests:
            k = (cb.contest, station)
            count, product = out.get(k, (0, gmpy2.mpz(1)))
            out[k] = (count + 1, product * cb.ciphertext % n2)
    return out


def merge_aggregates(into: Aggregates, part: Aggregates, n2: int) -> None:
    for k, (count, product) in part.items():
        c0, p0 = into.get(k, (0, 1))
        into[k] = (c0 + count, gmpy2.mpz(p0) * product % n2)
