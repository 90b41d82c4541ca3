"""The registry index in about 180 bytes per voter: what a run keeps in memory for every registered voter, in the
coordinator and in every worker.

One fixed 43-byte row per voter in a bytearray and a dict from voter id to row number, instead of one
`RegisteredVoter` dataclass with two byte strings per voter (~520 bytes). A read-only Mapping that builds the
`RegisteredVoter` when asked, so the checks use it exactly like a dict (`get`, `[]`, `in`, `values()`); the key
fingerprint (SHA-256 of the key) is recomputed on access (half a microsecond).
"""
import struct
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar, overload

from verifier.crypto.encoding import sha256


@dataclass(frozen=True, slots=True)  # one is built per look-up
class RegisteredVoter:
    """A registered voter as the checks see it (here, below the election context that holds the index)."""

    voter_id: str
    polling_station: str
    algorithm: str
    public_key: bytes
    key_fingerprint: bytes
    line: int


T = TypeVar("T")
_ROW = struct.Struct(">IIBB33s")  # station, registry line, algorithm, key length, key (zero-padded)


class CompactVoters(Mapping[str, RegisteredVoter]):
    def __init__(self) -> None:
        self._stations: list[str] = []
        self._algorithms: list[str] = []
        self._station_index: dict[str, int] = {}
        self._algorithm_index: dict[str, int] = {}
        self._rows = bytearray()
        self._ids: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, voter_id: str, polling_station: str, algorithm: str, public_key: bytes, line: int) -> None:
        """Register a voter id not yet in the index."""
        if len(public_key) > 33:
            raise ValueError(f"public key of {len(public_key)} bytes")
        self._index[voter_id] = len(self._ids)
        self._ids.append(voter_id)
        self._rows += _ROW.pack(_number(self._station_index, self._stations, polling_station), line,
                                _number(self._algorithm_index, self._algorithms, algorithm), len(public_key),
                                public_key)

    def row(self, voter_id: str) -> int | None:
        """The voter's row (0, 1, …), None when not registered."""
        return self._index.get(voter_id)

    def voter_id(self, row: int) -> str:
        """The voter id of a row: the one string object per voter that the run shares."""
        return self._ids[row]

    def station(self, row: int) -> str:
        station: int = _ROW.unpack_from(self._rows, row * _ROW.size)[0]
        return self._stations[station]

    def station_counts(self) -> Counter[str]:
        """Registered voters per polling station, from the station column alone (no voter is built)."""
        counts = Counter(station for station, *_ in _ROW.iter_unpack(self._rows))
        return Counter({self._stations[s]: n for s, n in counts.items()})

    def _voter(self, row: int) -> RegisteredVoter:
        station, line, algorithm, length, key = _ROW.unpack_from(self._rows, row * _ROW.size)
        key = key[:length]
        return RegisteredVoter(self._ids[row], self._stations[station], self._algorithms[algorithm], key,
                               sha256(key), line)

    def __getitem__(self, voter_id: str) -> RegisteredVoter:
        return self._voter(self._index[voter_id])

    @overload
    def get(self, voter_id: str, /) -> RegisteredVoter | None: ...
    @overload
    def get(self, voter_id: str, /, default: RegisteredVoter | T) -> RegisteredVoter | T: ...

    def get(self, voter_id: str, /, default: object = None) -> object:
        row = self._index.get(voter_id)
        return default if row is None else self._voter(row)

    def __contains__(self, voter_id: object) -> bool:
        return voter_id in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def export(self) -> tuple[list[str], list[str], bytes, list[str]]:
        """(stations, algorithms, rows, voter ids): the index as plain data (`verify --state` keeps it)."""
        return list(self._stations), list(self._algorithms), bytes(self._rows), list(self._ids)

    @classmethod
    def restore(cls, stations: list[str], algorithms: list[str], rows: bytes, ids: list[str]) -> "CompactVoters":
        """The index `export` gave; ValueError if the parts do not fit together (a state file is input too)."""
        if len(rows) != _ROW.size * len(ids) or len(set(ids)) != len(ids):
            raise ValueError("registry index rows and voter ids do not match")
        for station, _, algorithm, length, _ in _ROW.iter_unpack(rows):
            if station >= len(stations) or algorithm >= len(algorithms) or length > 33:
                raise ValueError("registry index row out of range")
        voters = cls()
        voters._stations, voters._algorithms, voters._rows, voters._ids = stations, algorithms, bytearray(rows), ids
        voters._station_index = {name: i for i, name in enumerate(stations)}
        voters._algorithm_index = {name: i for i, name in enumerate(algorithms)}
        voters._index = {voter_id: row for row, voter_id in enumerate(ids)}
        return voters


def _number(index: dict[str, int], names: list[str], name: str) -> int:
    """The number of a name that many voters share (a polling station, an algorithm), numbering new ones."""
    number = index.setdefault(name, len(names))
    if number == len(names):
        names.append(name)
    return number
