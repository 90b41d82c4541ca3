"""The dishonest authority's workbench: a valid record as data, every private key of the simulation, and the
authority's own pipeline to publish again what it changed.

`Forger` holds the record's files and `Secrets`. A fault (verifier.simulate.faults) changes one thing, as the actor
that would do it; then everything downstream that the authority can re-sign with its own keys is re-derived from
the changed data with the honest pipeline's arithmetic — the collector's receipts, hash chain and head, the
commission's list of counted ballots, the tally (aggregates multiplied again, decrypted and proved with the
Paillier factors) and the results (every level summed again, seats allocated again) — so that every published
document is consistent with the others and carries valid authority signatures. Redone on a valid record, the
pipeline gives back every file byte for byte. A voter's signature is never forged: where the actor is a voter's
client, the voter's own key signs; where it is the authority, its own keys sign and the voter's signature no longer
matches. The `at_*` methods say where the verifier must report what a fault did.
"""
from verifier.simulate.forger.box import BallotsAndChain
from verifier.simulate.forger.core import (
    Entry,
    FaultError,
    ForgerCore,
    Injected,
    _where,
)
from verifier.simulate.forger.counting import Counting
from verifier.simulate.forger.locations import Locations
from verifier.simulate.forger.registry import RegistryAndSetup
from verifier.simulate.forger.results import Results
from verifier.simulate.forger.tally import Tally

__all__ = ["Entry", "FaultError", "Forger", "Injected", "_where"]


class Forger(BallotsAndChain, Counting, Tally, Results, RegistryAndSetup, Locations, ForgerCore):
    """The dishonest authority's workbench over one record: the core (forger/core.py) and a mixin per concern
    (registry and setup, ballots and chain, counting, tally, results, locations)."""
