"""Making ballots as a voter's client does, and the collector's side: receipts, the hash chain, the head
(§2.4, §2.5)."""
from datetime import datetime, timedelta
from itertools import pairwise

from verifier.simulate import prover, publish, spec
from verifier.simulate.forger.core import Entry, ForgerCore
from verifier.simulate.keys import Signer
from verifier.simulate.publish import parse_time, time_text
from verifier.simulate.spec import option_message, sha256


class BallotsAndChain(ForgerCore):
    """Ballots as a voter's client makes them; the collector's receipts, hash chain and head."""

    def contest_ballot(self, cid: str, m: int, *, context: bytes, ballot_id: bytes, index: int | None = None,
                       fingerprint: bytes | None = None, statement_contest: str | None = None,
                       cr: tuple[int, int] | None = None) -> dict:
        """One contest of an envelope: the ciphertext of m and a proof for the statement "it encrypts message
        `index` of the contest" (by default the true index of m; a malformed m gets a proof made as if it were
        message `index`, with the true challenge, so only the equation fails)."""
        messages = self.messages(statement_contest or cid)
        if index is None:
            index = messages.index(m)
        c, r = cr or self.encrypt(m)
        st = prover.Statement(fingerprint or self.fp, statement_contest or cid, messages, context, ballot_id, c)
        a, e, z = prover.prove(self.key, st, index, r, self.rng)
        return publish.contest_ballot(self.key, cid, c, a, e, z)

    def choose(self, cid: str) -> int:
        return option_message(self.rng.randbelow(len(self.contest(cid)["options"])))

    def new_envelope(self, vid: str, cast_at: str, contests: list[dict] | None = None, ballot_id: bytes | None = None,
                     signer: Signer | None = None) -> dict:
        """An envelope of voter vid (honest contests for the voter's ballot style unless given), signed by the
        voter's key unless another signer is given."""
        ballot_id = ballot_id or self.rng.token_bytes(16)
        context = self.context(vid)
        if contests is None:
            contests = [self.contest_ballot(cid, self.choose(cid), context=context, ballot_id=ballot_id)
                        for cid in self.style(self.station(vid))]
        env = {"ballot_id": ballot_id.hex(), "cast_at": cast_at, "election_fingerprint": self.fp.hex(),
               "election_id": self.eid, "key_fingerprint": context.hex(), "voter_id": vid, "contests": contests}
        self.sign_envelope(env, signer or self.voter_key(vid))
        return env

    def sign_envelope(self, env: dict, signer: Signer) -> None:
        publish.sign_envelope(signer, self.eid, env)

    def free_time(self, after: str | None = None) -> datetime:
        """A receipt time inside the voting period (after `after`), a minute into one of the wider gaps between the
        box's receipt times."""
        period = self.manifest["voting_period"]
        start, end = parse_time(period["start"]), parse_time(period["end"])
        if after is not None:
            start = max(start, parse_time(after))
        times = sorted(t for e in self.box if start < (t := parse_time(e.receipt["received_at"])) < end)
        times = [start, *times, end]
        gaps = [(b - a, a) for a, b in pairwise(times) if (b - a).total_seconds() >= 120]
        _, a = self.pick(sorted(gaps)[-max(1, len(gaps) // 4):], "gap in the receipt times")
        return a + timedelta(seconds=60)

    def cast(self, vid: str, received: datetime | None = None, contests: list[dict] | None = None,
             ballot_id: bytes | None = None, signer: Signer | None = None,
             cast_at: datetime | None = None) -> Entry:
        """A new envelope received at `received`, placed in the box by its receipt time (the chain is redone)."""
        received = received or self.free_time()
        cast_at = cast_at or received - timedelta(seconds=5)
        env = self.new_envelope(vid, time_text(cast_at), contests, ballot_id, signer)
        entry = Entry(env, {"received_at": time_text(received)})
        self.box.insert(sum(1 for e in self.box if e.receipt["received_at"] <= time_text(received)), entry)
        return entry

    def rechain(self) -> None:
        """Number, link and sign every receipt again, and the head."""
        collector = self.authority("collector")
        previous = spec.genesis_hash(self.fp)
        for i, e in enumerate(self.box, 1):
            e.receipt = publish.receipt(collector, self.eid, i, e.receipt["received_at"],
                                        sha256(spec.canonical(e.envelope)), previous)
            previous = sha256(e.line_bytes())
        self.sign_head()

    def sign_head(self) -> None:
        last = sha256(self.box[-1].line_bytes()) if self.box else spec.genesis_hash(self.fp)
        # a collector that appends a late envelope closes the box no earlier than it (V3.8), as an honest one would
        closed_at = max([self.head["closed_at"], *(e.receipt["received_at"] for e in self.box)])
        self.head = publish.box_head(self.authority("collector"), self.eid, len(self.box), last, closed_at)

