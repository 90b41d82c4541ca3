"""The commission's list of counted ballots, by its own rule unless an entry carries its decision (§2.7, §4.5)."""



from verifier.simulate.forger.core import Entry, ForgerCore


class Counting(ForgerCore):
    """The commission's list of counted ballots, by its own rule unless an entry carries its decision (§2.7, §4.5)."""

    def redecide(self) -> None:
        """The commission's list by its own rule (last e-vote per voter by box order, minus paper voters; every
        envelope taken as valid) unless an entry carries its own decision."""
        last = {e.voter_id: i for i, e in enumerate(self.box)}
        cancelled = self.cancelled()
        self.decisions = []
        for i, e in enumerate(self.box):
            status, reason = e.decision or (
                ("excluded", "superseded") if last[e.voter_id] != i else
                ("excluded", "cancelled") if e.voter_id in cancelled else ("counted", None))
            d = {"ballot_id": e.ballot_id, "status": status}
            if reason:
                d["reason"] = reason
            self.decisions.append(d)

    def counted_entries(self) -> list[Entry]:
        status = {}
        for d in self.decisions:
            status.setdefault(d["ballot_id"], []).append(d["status"])
        out = []
        for e in self.box:
            states = status.get(e.ballot_id)
            if states and states.pop(0) == "counted":
                out.append(e)
        return out

