"""The commission's tally: aggregates multiplied, decrypted and proved with the Paillier factors (§2.8), or, for a
shared key, by the trustees' shares (forger/trustees.py)."""
from typing import TYPE_CHECKING

import gmpy2

from verifier.simulate import publish, spec
from verifier.simulate.forger.core import Entry, ForgerCore
from verifier.simulate.publish import sign_object
from verifier.simulate.spec import SLOT_BITS, M


class Tally(ForgerCore):
    """The commission's tally: aggregates multiplied, decrypted and proved with the Paillier factors (§2.8)."""

    if TYPE_CHECKING:  # from the other mixins of the Forger (verifier.simulate.tamper); declared for mypy only
        def counted_entries(self) -> list[Entry]: ...

        @property
        def shared(self) -> dict | None: ...

        def threshold_proof(self, cid: str, station: str, c: int) -> dict: ...

    def retally(self) -> None:
        """Aggregates of the counted ballots per contest and polling station, decrypted and proved."""
        self._require_paillier()
        n2 = self.key.n2
        product: dict[tuple[str, str], tuple[int, int]] = {}

        def multiply(cid, station, c):
            count, p = product.get((cid, station), (0, gmpy2.mpz(1)))
            product[(cid, station)] = (count + 1, p * c % n2)

        tallied = self.counted_entries()
        counted = {id(e) for e in tallied}
        tallied += [e for e in self.box if e.tally_anyway and id(e) not in counted]
        station_of = self.registered_stations()
        for e in tallied:
            station = station_of.get(e.voter_id)
            if station is None or station not in self.stations:
                continue
            for cb in e.envelope["contests"]:
                if cb["contest"] in self.style(station):
                    multiply(cb["contest"], station, int(cb["ciphertext"], 16))
        for cid, station, c in self.extra_tally:
            multiply(cid, station, c)
        aggregates = []
        for st in self.manifest["polling_stations"]:
            for cid in self.style(st["id"]):
                count, c = product.get((cid, st["id"]), (0, gmpy2.mpz(1)))
                aggregates.append(self.aggregate(cid, st["id"], count, int(c)))
        self.tally = {"election_fingerprint": self.fp.hex(), "aggregates": aggregates}
        self.sign_tally()

    def aggregate(self, cid: str, station: str, ballots: int, c: int, t: int | None = None,
                  r: int | None = None) -> dict:
        t = self.decrypt(c) if t is None else t
        options = [o["id"] for o in self.contest(cid)["options"]]
        counts = [(t >> (SLOT_BITS * j)) & (M - 1) for j in range(len(options))]  # masked: any t decodes
        if self.shared is not None and r is None:  # a shared key: the trustees' shares, as the simulator makes them
            out = publish.aggregate(self.key, cid, station, ballots, c, t, 0, options, counts)
            out["decryption_proof"] = self.threshold_proof(cid, station, c)
            return out
        return publish.aggregate(self.key, cid, station, ballots, c, t, self.randomness(c) if r is None else r,
                                 options, counts)

    def sign_tally(self) -> None:
        self.tally["election_fingerprint"] = self.fp.hex()
        self.tally = sign_object(self.authority("commission"), spec.TALLY_TAG, self.eid, self.tally,
                                 "commission_signature")

