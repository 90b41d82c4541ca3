"""The election authority of a simulated election: writes a complete, valid record (SPEC.md §2).

It holds every private key (Paillier p and q, the registrar's, collector's and commission's signing keys, each
voter's signing key) and never writes one into the record.
"""
import hashlib
import os
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

import gmpy2

from verifier.simulate import prover, publish, spec
from verifier.simulate.keys import (
    SigningKey,
    generate_paillier,
    reveal_randomness,
)
from verifier.simulate.publish import sign_object, time_text, write_document, write_lines
from verifier.simulate.randomness import make_rng
from verifier.simulate.shape import Shape, small_shape
from verifier.simulate.spec import M, decode_counts, genesis_hash, option_message, sha256, signed_message

VOTING_START = datetime(2023, 3, 13, 6, 0, 0, tzinfo=timezone.utc)
VOTING_END = datetime(2023, 3, 18, 18, 0, 0, tzinfo=timezone.utc)
ELECTION_DAY = datetime(2023, 3, 19, tzinfo=timezone.utc)
MAX_RECEIPT_DELAY = 600


@dataclass
class Options:
    voters: int = 300
    seed: int | str | None = None
    key_bits: int = 2048
    election_id: str = "demo-2023"
    turnout: float = 0.7
    revote_rate: float = 0.15
    paper_rate: float = 0.04
    ecdsa_share: float = 0.25
    shape: Shape | None = None
    workers: int | None = None  # processes making envelopes (default: every core); the record does not depend on it
    trustees: int = 0  # > 0: the key is dealt to this many trustees (safe primes) and aggregates decrypted by shares
    threshold: int = 0  # w of `trustees`


@dataclass
class Secrets:
    """What the authority, voters and trustees keep private; returned to tests and the fault injector, never written
    into the record."""

    paillier_p: int = 0
    paillier_q: int = 0
    authorities: dict[str, SigningKey] = field(default_factory=dict)
    voters: dict[str, SigningKey] = field(default_factory=dict)
    trustee_shares: dict[int, int] = field(default_factory=dict)  # shared key (SPEC §3.9): trustee i → s_i

    def to_json(self) -> dict:
        out = {"paillier": {"p": f"{self.paillier_p:x}", "q": f"{self.paillier_q:x}"},
               "authorities": {r: k.export() for r, k in self.authorities.items()},
               "voters": {v: k.export() for v, k in self.voters.items()}}
        if self.trustee_shares:  # only for a shared key: the secrets file of a single holder's key is unchanged
            out["trustees"] = {str(i): f"{s:x}" for i, s in sorted(self.trustee_shares.items())}
        return out

    @classmethod
    def from_json(cls, value: dict) -> "Secrets":
        return cls(int(value["paillier"]["p"], 16), int(value["paillier"]["q"], 16),
                   {r: SigningKey.from_export(k) for r, k in value["authorities"].items()},
                   {v: SigningKey.from_export(k) for v, k in value["voters"].items()},
                   {int(i): int(s, 16) for i, s in value.get("trustees", {}).items()})


class Silent:
    """Progress nobody watches. An observer given to `simulate` has these methods, those of the verifier's
    verifier.engine.progress.Progress (a rich bar on a terminal), which the command line passes in: the simulator
    imports nothing from the verifier."""

    def phase(self, description: str, total: int, unit: str = "ballots") -> None:
        """A new stage of `total` items called `unit`."""

    def advance(self, units: int, items: int) -> None:
        """`units` more of the stage's total done, `items` more items."""

    def close(self) -> None:
        pass


PROGRESS_EVERY = 256  # registry lines per progress update: a terminal redraw costs more than a line


def simulate(out: Path, opts: Options, progress=None) -> Secrets:
    """Write a complete, valid record to `out`. The expensive part, the voters' envelopes, runs on `opts.workers`
    processes; every envelope draws from its own random stream (a child of the seed named by its sequence
    number), so the same seed gives the same bytes whatever the number of workers. `progress`: an observer of the
    stages (keys, registry, ballot box, tally; see Silent), closed at the end."""
    progress = progress or Silent()
    try:
        return _simulate(out, opts, progress)
    finally:
        progress.close()


def _simulate(out: Path, opts: Options, progress) -> Secrets:  # noqa: C901 the record's stages in order, sharing the simulation's state
    out.mkdir(parents=True, exist_ok=True)
    rng = make_rng(opts.seed)
    shape = opts.shape or small_shape(opts.voters)
    secrets = Secrets()
    eid = opts.election_id

    dealt = None
    progress.phase("keys", 1, "keys")
    if opts.trustees:  # threshold hook (simulate/threshold.py): safe primes dealt to trustees
        from verifier.simulate import threshold as shared_key
        dealt = shared_key.deal(opts.trustees, opts.threshold, bits=opts.key_bits, rng=rng.child("threshold"))
        public, private = shared_key.phe_keys(dealt)
    else:
        public, private = generate_paillier(opts.key_bits, rng.child("paillier"))
    secrets.paillier_p, secrets.paillier_q = private.p, private.q
    if dealt is not None:
        secrets.trustee_shares = {i: int(s) for i, s in dealt.shares.items()}
    key = spec.PaillierKey.of(public.n)
    for role in ("registrar", "collector", "commission"):
        secrets.authorities[role] = SigningKey.generate("ed25519", rng.child(f"authority-{role}"))

    # registry: voters spread over the stations in order
    voter_rng = rng.child("voters")
    voter_station = {}
    registry_hash = hashlib.sha256()  # of the lines as written: the file is never read back whole
    progress.advance(1, 0)
    progress.phase("registry", opts.voters, "voters")
    with open(out / spec.REGISTRY, "wb") as f:
        for i in range(opts.voters):
            if i % PROGRESS_EVERY == 0 and i:
                progress.advance(PROGRESS_EVERY, PROGRESS_EVERY)
            vid = f"V{i + 1:07d}"
            station = shape.stations[i * len(shape.stations) // opts.voters]["id"]
            algorithm = "ecdsa-p256" if voter_rng.randbelow(1000) < opts.ecdsa_share * 1000 else "ed25519"
            sk = SigningKey.generate(algorithm, voter_rng)
            secrets.voters[vid] = sk
            voter_station[vid] = station
            line = spec.canonical(sign_object(
                secrets.authorities["registrar"], spec.REGISTRY_TAG, eid,
                {"voter_id": vid, "polling_station": station, "algorithm": algorithm,
                 "public_key": sk.public_bytes.hex()}, "registrar_signature")) + b"\n"
            f.write(line)
            registry_hash.update(line)
    done = (opts.voters - 1) // PROGRESS_EVERY * PROGRESS_EVERY  # what the loop reported
    progress.advance(opts.voters - done, opts.voters - done)

    manifest = {
        "spec_version": spec.SPEC_VERSION, "election_id": eid, "title": f"Simulated election {eid}",
        "test_record": opts.key_bits < 2048,
        "voting_period": {"start": time_text(VOTING_START), "end": time_text(VOTING_END)},
        "election_day": ELECTION_DAY.strftime("%Y-%m-%d"), "max_receipt_delay_seconds": MAX_RECEIPT_DELAY,
        "regions": shape.regions, "districts": shape.districts, "polling_stations": shape.stations,
        "contests": shape.contests, "ballot_styles": shape.styles,
        "authorities": {role: {"algorithm": k.algorithm, "public_key": k.public_bytes.hex()}
                        for role, k in secrets.authorities.items()},
        "registry": {"voters": opts.voters, "sha256": registry_hash.hexdigest()},
    }
    election_key = publish.election_key(key.n, (private.p, private.q), rng.child("modulus-proof"))
    if dealt is not None:
        election_key["threshold"] = dealt.public()
    write_document(out / spec.MANIFEST, manifest)
    write_document(out / spec.ELECTION_KEY, election_key)
    fp = spec.fingerprint(manifest, election_key)

    contests = {c["id"]: c for c in shape.contests}
    styles = {s["id"]: s["contests"] for s in shape.styles}
    station_style = {s["id"]: styles[s["ballot_style"]] for s in shape.stations}

    # who votes, when, how often; who then votes on paper
    plan_rng = rng.child("plan")
    span = int((VOTING_END - VOTING_START).total_seconds())
    submissions = []  # (time offset, voter id)
    for vid in secrets.voters:
        if plan_rng.randbelow(1000) >= opts.turnout * 1000:
            continue
        times = 1 + sum(1 for _ in range(3) if plan_rng.randbelow(1000) < opts.revote_rate * 1000)
        submissions += [(plan_rng.randbelow(span), vid) for _ in range(times)]
    submissions.sort()
    e_voters = sorted({vid for _, vid in submissions})
    paper = sorted(v for v in e_voters if plan_rng.randbelow(1000) < opts.paper_rate * 1000)
    if e_voters and not paper:
        paper = [e_voters[len(e_voters) // 2]]
    paper_set = set(paper)
    last_of = {vid: seq for seq, (_, vid) in enumerate(submissions, start=1)}

    # the envelopes (in parallel), the hash-chained box and the collector's head; the count as the box is written:
    # the last e-vote per voter, minus paper voters
    beta = _unit(rng.child("precomputation"), key.n)
    ballot_rng = rng.child("ballots")
    ballot_contests = {cid: (tuple(option_message(j) for j in range(len(c["options"]))), tuple(shape.weights[cid]))
                       for cid, c in contests.items()}
    setup = (int(key.n), int(beta), fp, eid, ballot_contests, ballot_rng)
    jobs = ((seq, vid, secrets.voters[vid].export(), tuple(station_style[voter_station[vid]]), offset)
            for seq, (offset, vid) in enumerate(submissions, start=1))
    collector = secrets.authorities["collector"]
    previous, product, counted_voters, entries = genesis_hash(fp), {}, set(), 0
    progress.phase("ballot box", len(submissions), "ballots")
    with open(out / spec.BALLOT_BOX, "wb") as box, open(out / spec.BALLOT_DECISIONS, "wb") as decisions:
        for seq, vid, ballot_id, envelope, ciphertexts, received in _parallel_envelopes(setup, jobs, opts.workers):
            signed = publish.receipt(collector, eid, seq, received, sha256(envelope), previous)
            # canonical JSON nests: the line is exactly spec.canonical({"envelope": …, "receipt": …})
            line = b'{"envelope":' + envelope + b',"receipt":' + spec.canonical(signed) + b"}"
            box.write(line + b"\n")
            previous = sha256(line)
            entries += 1
            progress.advance(1, 1)  # an envelope costs milliseconds: a redraw each is cheap beside it
            if last_of[vid] != seq:
                decision = {"ballot_id": ballot_id.hex(), "status": "excluded", "reason": "superseded"}
            elif vid in paper_set:
                decision = {"ballot_id": ballot_id.hex(), "status": "excluded", "reason": "cancelled"}
            else:
                decision = {"ballot_id": ballot_id.hex(), "status": "counted"}
                counted_voters.add(vid)
                for cid, c in ciphertexts:
                    n_ballots, agg = product.get((cid, voter_station[vid]), (0, gmpy2.mpz(1)))
                    product[(cid, voter_station[vid])] = (n_ballots + 1, agg * c % key.n2)
            decisions.write(spec.canonical(decision) + b"\n")
    write_document(out / spec.BALLOT_BOX_HEAD,
                   publish.box_head(collector, eid, entries, previous, time_text(VOTING_END)))

    # paper-vote cancellations: the voter signs the electronic poll book, the commission signs the list
    cancellations = []
    for i, vid in enumerate(paper):
        ack = {"voter_id": vid, "polling_station": voter_station[vid],
               "paper_voted_at": time_text(ELECTION_DAY + timedelta(hours=8, minutes=i % 600))}
        ack["voter_signature"] = secrets.voters[vid].sign(signed_message(spec.PAPER_BALLOT_TAG, eid, ack))
        ack["voter_signature"] = ack["voter_signature"].hex()
        cancellations.append(sign_object(secrets.authorities["commission"], spec.CANCELLATION_TAG, eid, ack,
                                     "commission_signature"))
    write_lines(out / spec.CANCELLATIONS, cancellations)

    aggregates, station_counts = [], {}
    progress.phase("tally", sum(len(station_style[st["id"]]) for st in shape.stations), "aggregates")
    for st in shape.stations:
        for cid in station_style[st["id"]]:
            progress.advance(1, 1)
            n_ballots, agg = product.get((cid, st["id"]), (0, gmpy2.mpz(1)))
            t = private.raw_decrypt(int(agg))
            counts = decode_counts(t, len(contests[cid]["options"]))
            assert counts is not None and sum(counts) == n_ballots and n_ballots < M
            r = reveal_randomness(int(agg), key.n, private.p, private.q)
            option_ids = [o["id"] for o in contests[cid]["options"]]
            station_counts[(cid, st["id"])] = (n_ballots, dict(zip(option_ids, counts, strict=True)))
            aggregates.append(publish.aggregate(key, cid, st["id"], n_ballots, agg, t, r, option_ids, counts))
            if dealt is not None:
                aggregates[-1]["decryption_proof"] = shared_key.decryption_proof(
                    dealt, int(agg), fingerprint=fp, contest_id=cid, station_id=st["id"],
                    rng=rng.child(f"shares-{cid}-{st['id']}"))
    write_document(out / spec.TALLY, sign_object(
        secrets.authorities["commission"], spec.TALLY_TAG, eid,
        {"election_fingerprint": fp.hex(), "aggregates": aggregates}, "commission_signature"))

    results = announced_results(manifest, Counter(voter_station.values()),
                                Counter(voter_station[v] for v in counted_voters), station_counts)
    results["election_fingerprint"] = fp.hex()
    write_document(out / spec.RESULTS, sign_object(secrets.authorities["commission"], spec.RESULTS_TAG, eid, results,
                                             "commission_signature"))
    return secrets


def _unit(rng, n: int) -> int:
    while True:
        x = rng.randbelow(n)
        if x > 1 and gmpy2.gcd(x, n) == 1:
            return x


# --- the voters' envelopes, on worker processes -----------------------------------------------------------------

ENVELOPES_PER_TASK = 32
_WORKER: dict = {}


def _start_worker(setup) -> None:
    n, beta, fp, eid, ballot_contests, ballot_rng = setup
    key = spec.PaillierKey.of(n)
    _WORKER.update(key=key, prover=prover.PrecomputedProver(key, beta), fp=fp, eid=eid, contests=ballot_contests,
                   rng=ballot_rng)


def _envelope_task(jobs: list) -> list:
    return [_envelope(*job) for job in jobs]


def _envelope(seq: int, vid: str, voter_secret: dict, contest_ids: tuple, offset: int):
    """One voter's signed envelope (canonical bytes), drawing only from the random stream of submission `seq`."""
    w = _WORKER
    key, fast, fp, eid = w["key"], w["prover"], w["fp"], w["eid"]
    rng = w["rng"].child(str(seq))
    sk = SigningKey.from_export(voter_secret)
    ballot_id = rng.token_bytes(16)
    context = sha256(sk.public_bytes)
    cballots, ciphertexts = [], []
    for cid in contest_ids:
        messages, weights = w["contests"][cid]
        idx = _weighted(weights, rng)
        c, x = fast.encrypt(messages[idx], rng)
        st = prover.Statement(fp, cid, messages, context, ballot_id, int(c))
        a, e, z = fast.prove(st, idx, x, rng)
        cballots.append(publish.contest_ballot(key, cid, c, a, e, z))
        ciphertexts.append((cid, int(c)))
    received = VOTING_START + timedelta(seconds=offset)
    cast = max(VOTING_START, received - timedelta(seconds=rng.randbelow(30)))
    envelope = {"ballot_id": ballot_id.hex(), "cast_at": time_text(cast), "election_fingerprint": fp.hex(),
                "election_id": eid, "key_fingerprint": context.hex(), "voter_id": vid, "contests": cballots}
    publish.sign_envelope(sk, eid, envelope)
    return seq, vid, ballot_id, spec.canonical(envelope), ciphertexts, time_text(received)


def _parallel_envelopes(setup, jobs, workers: int | None):
    """The envelopes of `jobs` in order, made on `workers` processes (all cores by default) with a bounded number
    of tasks in flight, or in this process for one worker."""
    workers = workers or os.cpu_count() or 1
    tasks = _batched(jobs, ENVELOPES_PER_TASK)
    if workers == 1:
        _start_worker(setup)
        try:
            for task in tasks:
                yield from _envelope_task(task)
        finally:
            _WORKER.clear()
        return
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(setup,)) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.submit(_envelope_task, task))
            if len(pending) >= 3 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _batched(items, size: int):
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _weighted(weights: list[int], rng) -> int:
    x = rng.randbelow(sum(weights))
    for i, w in enumerate(weights):
        if x < w:
            return i
        x -= w
    raise AssertionError


def units_of_station(manifest: dict):
    """station → its unit at every level, lowest first: (polling_station, id), (district, id), (region, id),
    (nation, "nation") (§2.1's territory tree). The simulator's one such function (the Forger uses it too)."""
    district_of = {s["id"]: s["district"] for s in manifest["polling_stations"]}
    region_of = {d["id"]: d["region"] for d in manifest["districts"]}

    def units_of(station: str) -> list[tuple[str, str]]:
        d = district_of[station]
        return [("polling_station", station), ("district", d), ("region", region_of[d]), ("nation", "nation")]

    return units_of



def announced_results(manifest: dict, registered: Counter, voted: Counter, station_counts: dict) -> dict:
    """Protocols at every level, summed up from the polling stations, and the seats from the scope totals: the
    honest authority's arithmetic (the fault injector redoes it with the same function).

    registered, voted: voters per polling station; station_counts: (contest, station) → (ballots, {option: votes})
    with options in manifest order."""
    units_of = units_of_station(manifest)
    district_of = {s["id"]: s["district"] for s in manifest["polling_stations"]}
    region_of = {d["id"]: d["region"] for d in manifest["districts"]}

    unit_registered, unit_voted, votes = Counter(), Counter(), {}
    for station, n in registered.items():
        for u in units_of(station):
            unit_registered[u] += n
    for station, n in voted.items():
        for u in units_of(station):
            unit_voted[u] += n
    for (cid, station), (n_ballots, counts) in station_counts.items():
        for u in units_of(station):
            b, c = votes.get((u, cid), (0, {}))
            votes[(u, cid)] = (b + n_ballots, {o: c.get(o, 0) + v for o, v in counts.items()})
    contests = {c["id"]: c for c in manifest["contests"]}
    protocols = []
    for level, units in (("polling_station", list(district_of)), ("district", list(region_of)),
                         ("region", [r["id"] for r in manifest["regions"]]), ("nation", ["nation"])):
        for unit in units:
            u = (level, unit)
            results = []
            for cid, contest in contests.items():
                if (u, cid) not in votes or not spec.announced_at(contest["scope"]["level"], level):
                    continue
                b, c = votes[(u, cid)]
                results.append({"contest": cid, "ballots": b,
                                "votes": [{"option": o, "votes": v} for o, v in c.items()]})
            protocols.append({"level": level, "unit": unit, "registered_voters": unit_registered[u],
                              "voters_voted": unit_voted[u],
                              "turnout_percent": spec.turnout_percent(unit_voted[u], unit_registered[u]),
                              "contests": results})
    seats = []
    for cid, contest in contests.items():
        if contest["seat_rule"] is None:
            continue
        scope = contest["scope"]
        top = (scope["level"], scope.get("unit", "nation"))
        _, counts = votes[(top, cid)]
        outcome = spec.allocate(contest, counts)
        seats.append({"contest": cid, "seats": [{"option": o, "seats": n} for o, n in outcome.items()]})
    return {"protocols": protocols, "seats": seats}

