"""V6.x: the authority's tally against the recomputed aggregates, its decryption proofs and the decoded counts."""
from collections.abc import Callable

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.crypto import signatures
from verifier.crypto.decryption import randomness_reveal_problem
from verifier.crypto.paillier import SLOT, decode_counts
from verifier.record import layout
from verifier.record.model import Aggregate, Tally

Key = tuple[str, str]  # (contest, polling station)


def reveal_problems(ctx: ElectionContext, aggregates: list[Aggregate]) -> list[str | None]:
    """V6.3's equation for some aggregates, in order: what is wrong with each decryption proof, None if nothing.
    A power mod n² each, independent of each other: the run has its engine check them on every core."""
    return [randomness_reveal_problem(ctx.key, a.ciphertext, a.plaintext, a.proof.r) for a in aggregates]


def check_tally(ctx: ElectionContext, tally: Tally, recomputed: dict[Key, tuple[int, int]], f: Findings,
                reveal: Callable[[list[Aggregate]], list[str | None]]) -> dict[Key, tuple[int, tuple[int, ...]]]:
    """Returns the verified (ballots, counts) of every aggregate whose V6.2–V6.4 all hold. `reveal(aggregates)`
    gives what `reveal_problems` finds for each of them (the run has its engine compute it)."""
    commission = ctx.manifest.authority("commission")
    top = Location(file=layout.TALLY)
    f.checked("V6.1")  # one item, the tally document: its fingerprint and its signature
    if tally.election_fingerprint != ctx.fingerprint:
        f.fail("V6.1", top, "election fingerprint of another election")
    if not signatures.verify(commission.algorithm, commission.public_key, tally.signed_bytes,
                             tally.commission_signature):
        f.fail("V6.1", top, "commission signature is invalid")
    expected = {(cid, station) for station, contests in ctx.station_contests.items() for cid in contests}
    verified: dict[Key, tuple[int, tuple[int, ...]]] = {}
    seen: set[Key] = set()
    # the item of V6.2 and V6.4 is the aggregate, by its place in the file: a second aggregate for one contest and
    # station has the same location as the first, and V6.4's findings name options
    mine: list[tuple[int, Aggregate]] = []  # this election's aggregates, once each: only their proofs cost a power
    for i, a in enumerate(tally.aggregates):
        k = (a.contest, a.polling_station)
        f.checked("V6.2")
        if k not in expected:
            f.fail("V6.2", _where(a), "no ballot style gives this contest at this polling station", item=i)
        elif k in seen:
            f.fail("V6.2", _where(a), "second aggregate for this contest and polling station", item=i)
        else:
            seen.add(k)
            mine.append((i, a))
    for (i, a), problem in zip(mine, reveal([a for _, a in mine]), strict=True):
        k = (a.contest, a.polling_station)
        loc = _where(a)
        ballots, product = recomputed.get(k, (0, 1))
        ok = True
        if a.ciphertext != product:
            f.fail("V6.2", loc, "aggregate is not the product of the counted ballots' ciphertexts", item=i)
            ok = False
        if a.ballots != ballots:
            f.fail("V6.2", loc, f"says {a.ballots} ballots; {ballots} ballots count here", item=i)
            ok = False
        ok &= f.check("V6.3", problem is None, loc, problem or "")
        contest = ctx.contests[a.contest]
        f.checked("V6.4")
        counts = decode_counts(a.plaintext, len(contest.options))
        option_ids = [o.id for o in contest.options]
        if counts is None:
            f.fail("V6.4", loc, f"plaintext does not fit {len(option_ids)} slots of 2^24 (T >= M^k)", item=i)
            ok = False
        else:
            if ballots >= SLOT or sum(counts) != a.ballots:
                f.fail("V6.4", loc, f"counts sum to {sum(counts)}, not to the {a.ballots} ballots", item=i)
                ok = False
            if [o for o, _ in a.counts] != option_ids:
                f.fail("V6.4", loc, "published counts do not list the contest's options in manifest order", item=i)
                ok = False
            else:
                for (option, published), decoded in zip(a.counts, counts):
                    if published != decoded:
                        f.fail("V6.4", Location(file=layout.TALLY, contest=a.contest, polling_station=a.polling_station,
                                                option=option), f"published {published}, decrypted {decoded}", item=i)
                        ok = False
        if ok:
            verified[k] = (a.ballots, tuple(counts))
    for cid, station in sorted(expected - seen):
        f.check("V6.2", False, Location(file=layout.TALLY, contest=cid, polling_station=station), "aggregate missing")
    return verified


def _where(a: Aggregate) -> Location:
    return Location(file=layout.TALLY, contest=a.contest, polling_station=a.polling_station)
