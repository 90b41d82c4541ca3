"""The commission's results: every level summed again, turnout, seats (§2.9, §6); and everything after the box
again."""
from collections import Counter
from typing import TYPE_CHECKING

from verifier.simulate import spec
from verifier.simulate.authority import announced_results
from verifier.simulate.forger.core import Entry, ForgerCore
from verifier.simulate.publish import (
    sign_object,
)


class Results(ForgerCore):
    """The commission's results, and everything after the box again (recount)."""

    if TYPE_CHECKING:  # from the other mixins of the Forger (verifier.simulate.tamper); declared for mypy only
        def counted_entries(self) -> list[Entry]: ...

        def redecide(self) -> None: ...

        def retally(self) -> None: ...

    def reannounce(self) -> None:
        """Protocols at every level summed from the tally, voters and turnout from the registry and the list of
        counted ballots, seats from the scope totals: the honest authority's arithmetic on this data."""
        registered, voted, station_counts = Counter(), Counter(), {}
        first = self.registered_stations()
        registered.update(station for station in first.values() if station in self.stations)
        voted.update(first.get(vid) for vid in {e.voter_id for e in self.counted_entries()})
        voted.update(self.extra_voted)
        for station in [s for s in voted if s not in self.stations]:
            del voted[station]
        for a in self.tally["aggregates"]:
            station_counts[(a["contest"], a["polling_station"])] = (
                a["ballots"], {x["option"]: x["votes"] for x in a["counts"]})
        announced = announced_results(self.manifest, registered, voted, station_counts)
        protocols, seats = announced["protocols"], announced["seats"]
        self.results = {"election_fingerprint": self.fp.hex(), "protocols": protocols, "seats": seats}
        self.sign_results()

    def protocol(self, level: str, unit: str) -> dict:
        return next(p for p in self.results["protocols"] if (p["level"], p["unit"]) == (level, unit))

    def sign_results(self) -> None:
        self.results["election_fingerprint"] = self.fp.hex()
        self.results = sign_object(self.authority("commission"), spec.RESULTS_TAG, self.eid, self.results,
                                   "commission_signature")

    def recount(self) -> None:
        """Everything after the ballot box, again: the list, the tally, the results."""
        self.redecide()
        self.retally()
        self.reannounce()

