"""V6.x: the authority's tally against the recomputed aggregates, its decryption proofs and the decoded counts."""
from collections.abc import Callable

from verifier.checks.context import ElectionContext
from verifier.checks.documents import check_commission_document
from verifier.checks.findings import Findings, Location
from verifier.crypto import threshold as th
from verifier.crypto.decryption import randomness_reveal_problem
from verifier.crypto.paillier import SLOT, decode_counts
from verifier.record import layout
from verifier.record.model import Aggregate, Option, Tally

Key = tuple[str, str]  # (contest, polling station)
BadShares = tuple[tuple[int, str], ...]  # (trustee, what is wrong with its share, or "no share published")
Outcome = tuple[str | None, BadShares]  # V6.3 for one aggregate: the problem (None: holds) and its bad shares


def reveal_problems(ctx: ElectionContext, aggregates: list[Aggregate]) -> list[Outcome]:
    """V6.3's equation for some aggregates, in order: what is wrong with each decryption proof, None if nothing,
    and for threshold decryption every trustee whose share is missing or fails. Independent of each other: the run
    has its engine check them on every core."""
    out: list[Outcome] = [(None, ())] * len(aggregates)
    threshold = [(k, a) for k, a in enumerate(aggregates) if a.proof.method == "threshold"]
    for k, a in enumerate(aggregates):
        if a.proof.method != "threshold":
            r = a.proof.r
            out[k] = ("no revealed randomness" if r is None
                      else randomness_reveal_problem(ctx.key, a.ciphertext, a.plaintext, r), ())
    if threshold:  # threshold_problems gives one outcome per aggregate it is given
        for k, outcome in zip((k for k, _ in threshold), threshold_problems(ctx, [a for _, a in threshold]),
                              strict=True):
            out[k] = outcome
    return out


def threshold_problems(ctx: ElectionContext, aggregates: list[Aggregate]) -> list[Outcome]:
    """Threshold decryption (SPEC §3.9): each share's ranges, units and challenge on its own, then the equations of
    all the well-formed shares of these aggregates in one batch (th.batch_holds, fresh 128-bit coefficients from
    `secrets`); only if the batch fails, share by share. Then any w valid shares combine to T."""
    key, tk = ctx.key, ctx.threshold
    if tk is None:  # the reader refuses a threshold proof for a key that is not shared
        return [("the election key is not shared", ())] * len(aggregates)
    bad: list[dict[int, str]] = []
    candidates: list[list[th.Share]] = []  # one list per aggregate, as `bad`
    for a in aggregates:
        mine: dict[int, str] = {}
        good: list[th.Share] = []
        for s in a.proof.shares:
            sh = th.Share(s.trustee, s.share, s.a, s.b, s.e, s.z)
            problem = th.share_statement_problem(
                key, tk, th.ShareStatement(ctx.fingerprint, a.contest, a.polling_station, s.trustee, a.ciphertext), sh)
            if problem is None:
                good.append(sh)
            else:
                mine[s.trustee] = problem
        published = {s.trustee for s in a.proof.shares}
        for i in range(1, tk.trustees + 1):
            if i not in published:
                mine[i] = "no share published"
        bad.append(mine)
        candidates.append(good)
    items = [(a.ciphertext, sh) for a, good in zip(aggregates, candidates, strict=True) for sh in good]
    batch_ok = th.batch_holds(key, tk, items)
    out: list[Outcome] = []
    for a, good, mine in zip(aggregates, candidates, bad, strict=True):
        valid = {}
        for sh in good:
            if batch_ok or th.share_equations_hold(key, tk, a.ciphertext, sh):
                valid[sh.trustee] = sh.share
            else:
                mine[sh.trustee] = "share proof equations do not hold"
        listed = tuple(sorted(mine.items()))
        if len(valid) < tk.threshold:
            out.append((f"only {len(valid)} valid decryption shares, {tk.threshold} needed", listed))
            continue
        if not 0 <= a.plaintext < key.n:
            out.append(("plaintext out of range (0 <= T < n)", listed))
            continue
        try:
            t = th.combine(key, tk, valid)
        except ValueError as e:
            out.append((str(e), listed))
            continue
        out.append((None if t == a.plaintext else "the trustees' shares decrypt to another plaintext", listed))
    return out


def check_tally(ctx: ElectionContext, tally: Tally, recomputed: dict[Key, tuple[int, int]], f: Findings,
                reveal: Callable[[list[Aggregate]], list[Outcome]],
                notes: list[str] | None = None) -> dict[Key, tuple[int, tuple[int, ...]]]:
    """Returns the verified (ballots, counts) of every aggregate whose V6.2–V6.4 all hold. `reveal(aggregates)`
    gives what `reveal_problems` finds for each of them (the run has its engine compute it). Threshold decryption:
    with at least w valid shares a bad or missing share does not fail V6.3 but is said in `notes` (the report's
    warnings), naming the trustee; with fewer, V6.3 fails with one finding per bad or missing share (the trustee
    as place) and one for the aggregate."""
    check_commission_document(ctx, "V6.1", layout.TALLY, tally, f)
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
    unused: dict[tuple[int, str], list[Aggregate]] = {}  # (trustee, why) → aggregates verified without its share
    revealed: list[Aggregate] = []  # a shared key's aggregates decrypted by one party: their proofs hold
    trustees = ctx.threshold.trustees if ctx.threshold else 0
    for (i, a), (problem, bad_shares) in zip(mine, reveal([a for _, a in mine]), strict=True):
        k = (a.contest, a.polling_station)
        loc = _where(a)
        ballots, product = recomputed.get(k, (0, 1))
        ok = True
        if a.ciphertext != product:
            f.fail("V6.2", loc, "aggregate is not the product of the counted ballots' ciphertexts", item=i,
                   expected=_hex2(ctx, product), found=_hex2(ctx, a.ciphertext))
            ok = False
        if a.ballots != ballots:
            f.fail("V6.2", loc, f"says {a.ballots} ballots; {ballots} ballots count here", item=i, expected=ballots,
                   found=a.ballots)
            ok = False
        v63 = ("V6.3", i)  # the item of V6.3: this aggregate, whatever its findings' places
        ok &= f.check("V6.3", problem is None, loc, problem or "", item=v63)
        if trustees and problem is None and a.proof.method == "randomness_reveal":
            revealed.append(a)
        for trustee, why in bad_shares:
            if problem is None:
                unused.setdefault((trustee, why), []).append(a)
            else:
                f.fail("V6.3", Location(file=layout.TALLY, contest=a.contest, polling_station=a.polling_station,
                                        trustee=trustee), f"trustee {trustee}: {why}", item=v63)
        counts = _check_counts(f, a, ctx.contests[a.contest].options, ballots, loc, i)
        if ok and counts is not None:
            verified[k] = (a.ballots, tuple(counts))
    if notes is not None:
        _note_unused_shares(unused, notes)
        if revealed:
            # r is C's n-th root mod n: computing it needs λ, the whole private key, which the trustees' shares
            # are meant to keep from any one party; the count stays proven (§3.7 binds T perfectly)
            notes.append(f"V6.3: {layout.TALLY}, {_at(revealed)}: decrypted by revealing the randomness, which needs "
                         f"the whole private key: the key is declared shared among {trustees} trustees "
                         f"(V1.10), yet whoever made these proofs can decrypt any ballot alone")
    for cid, station in sorted(expected - seen):
        f.check("V6.2", False, Location(file=layout.TALLY, contest=cid, polling_station=station), "aggregate missing")
    return verified


def _hex2(ctx: ElectionContext, value: int) -> str:
    """A value mod n² as the record writes it (SPEC.md §2.2): fixed-width lowercase hex."""
    return format(value, f"0{2 * ctx.key.width2}x")


def _where(a: Aggregate) -> Location:
    return Location(file=layout.TALLY, contest=a.contest, polling_station=a.polling_station)


def _check_counts(f: Findings, a: Aggregate, options: tuple[Option, ...], ballots: int, loc: Location,
                  i: int) -> list[int] | None:
    """V6.4 for one aggregate: its decoded counts when they hold, None when they do not (the findings say why)."""
    f.checked("V6.4")
    counts = decode_counts(a.plaintext, len(options))
    option_ids = [o.id for o in options]
    if counts is None:
        f.fail("V6.4", loc, f"plaintext does not fit {len(option_ids)} slots of 2^24 (T >= M^k)", item=i)
        return None
    ok = True
    if ballots >= SLOT or sum(counts) != a.ballots:
        f.fail("V6.4", loc, f"counts sum to {sum(counts)}, not to the {a.ballots} ballots", item=i,
               expected=a.ballots, found=sum(counts))
        ok = False
    if [o for o, _ in a.counts] != option_ids:
        f.fail("V6.4", loc, "published counts do not list the contest's options in manifest order", item=i)
        ok = False
    else:  # the published counts name the options in order, and counts has one per option: equal lengths
        for (option, published), decoded in zip(a.counts, counts, strict=True):
            if published != decoded:
                f.fail("V6.4", Location(file=layout.TALLY, contest=a.contest, polling_station=a.polling_station,
                                        option=option), f"published {published}, decrypted {decoded}", item=i,
                       expected=decoded, found=published)
                ok = False
    return counts if ok else None


def _note_unused_shares(unused: dict[tuple[int, str], list[Aggregate]], notes: list[str]) -> None:
    """One line per trustee and reason, however many aggregates: a report stays readable."""
    for (trustee, why), where in sorted(unused.items(), key=lambda kv: kv[0]):
        notes.append(f"V6.3: {layout.TALLY}, {_at(where)}: trustee {trustee}'s decryption share is not used: {why} "
                     f"(enough valid shares remain)")


def _at(where: list[Aggregate]) -> str:
    first = f"polling station {where[0].polling_station}, contest {where[0].contest}"
    return first if len(where) == 1 else f"{len(where)} aggregates (first: {first})"
