"""The dishonest authority's workbench, `Forger`: its core (forger/core.py says what it is and how a fault is
re-published consistently) and one mixin per part of the record it re-derives."""
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
from verifier.simulate.forger.trustees import Trustees

__all__ = ["Entry", "FaultError", "Forger", "Injected", "_where"]


class Forger(BallotsAndChain, Counting, Tally, Trustees, Results, RegistryAndSetup, Locations, ForgerCore):
    """The dishonest authority's workbench over one record: the core (forger/core.py) and a mixin per concern
    (registry and setup, ballots and chain, counting, tally, a shared key's trustees, results, locations)."""
