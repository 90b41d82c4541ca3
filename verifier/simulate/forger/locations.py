"""Where the verifier must report what a fault did: locations as the checks write them."""


from verifier.simulate import spec
from verifier.simulate.forger.core import Entry, ForgerCore, _where


class Locations(ForgerCore):
    """Where the verifier must report what a fault did: locations as the checks write them."""

    def at_box(self, check: str, entry: Entry, contest: str | None = None, station: bool = True) -> dict:
        """A per-entry finding (V3.x, V4.x) — the sequential ones (V3.7, V3.9) carry no station."""
        return _where(check, file=spec.BALLOT_BOX, line=self.line_of(entry), ballot_id=entry.ballot_id,
                      voter_id=entry.voter_id, polling_station=self.station_of(entry.voter_id) if station else None,
                      contest=contest)

    def at_decision(self, check: str, entry: Entry | None = None, ballot_id: str | None = None,
                    line: int | None = None) -> dict:
        if entry is not None:
            ballot_id = entry.ballot_id
            line = next((i for i, d in enumerate(self.decisions, 1) if d["ballot_id"] == ballot_id), None)
        return _where(check, file=spec.BALLOT_DECISIONS, line=line, ballot_id=ballot_id,
                      voter_id=entry.voter_id if entry else None)

    def at_tally(self, check: str, cid: str, station: str, option: str | None = None) -> dict:
        return _where(check, file=spec.TALLY, contest=cid, polling_station=station, option=option)

    def at_results(self, check: str, level: str | None = None, unit: str | None = None, contest: str | None = None,
                   option: str | None = None) -> dict:
        return _where(check, file=spec.RESULTS, level=level, unit=unit, contest=contest, option=option)

    def aggregates_differ(self, station: str, contests, count_too: bool = True) -> list[dict]:
        """V6.2 where the commission's aggregate holds other ballots than the rules count: the product, and the
        number of ballots when that differs too."""
        out = []
        for cid in contests:
            if cid in self.style(station):
                out.append(self.at_tally("V6.2", cid, station))
                if count_too:
                    out.append(self.at_tally("V6.2", cid, station))
        return out

    def turnout_differs(self, station: str) -> list[dict]:
        """V7.5 at the station and every unit above it: the commission's voters-voted counts one voter more or
        fewer than the rules."""
        return [self.at_results("V7.5", level, unit) for level, unit in self.units_of(station)]

    def counted_though_invalid(self, entry: Entry) -> list[dict]:
        """The commission counts a ballot the rules exclude as invalid, and the rules count no other ballot of its
        voter: its decision (V5.5), every aggregate it is in (V6.2) and the voters-voted figures (V7.5)."""
        station = self.station(entry.voter_id)
        return [self.at_decision("V5.5", entry),
                *self.aggregates_differ(station, [cb["contest"] for cb in entry.envelope["contests"]]),
                *self.turnout_differs(station)]

    def counted_though_unregistered(self, entry: Entry, station: str) -> list[dict]:
        """The commission counts the ballot of a voter id no valid registry line registers (the commission takes
        the id as registered at `station`): V3.1 at the ballot (no station: the verifier knows none), its decision
        (V5.5), every aggregate it is in (V6.2), and at the station and every unit above both registered voters and
        voters-voted (V7.5)."""
        return [self.at_box("V3.1", entry, station=False), self.at_decision("V5.5", entry),
                *self.aggregates_differ(station, [cb["contest"] for cb in entry.envelope["contests"]]),
                *self.turnout_differs(station), *self.turnout_differs(station)]

