"""The compact registry index (verifier/checks/voters.py): what a run remembers of every registered voter, and the
refusals of an index read back from a state file (`verify --state`), which is input like any other."""
import struct

import pytest

from verifier.checks.voters import CompactVoters
from verifier.crypto.encoding import sha256

ED = bytes(range(32))  # 32 bytes: an Ed25519 key's length
P256 = bytes([2]) + bytes(range(32))  # 33 bytes: a compressed P-256 key's length


def _index() -> CompactVoters:
    v = CompactVoters()
    v.add("v1", "ps-1", "ed25519", ED, 1)
    v.add("v2", "ps-2", "ecdsa-p256", P256, 2)
    v.add("v3", "ps-1", "ed25519", ED[::-1], 5)
    return v


def test_the_index_gives_back_every_voter_as_registered() -> None:
    v = _index()
    assert list(v) == ["v1", "v2", "v3"] and len(v) == 3 and "v2" in v and "v9" not in v
    two = v["v2"]
    assert (two.voter_id, two.polling_station, two.algorithm, two.public_key, two.line) == \
        ("v2", "ps-2", "ecdsa-p256", P256, 2)
    assert two.key_fingerprint == sha256(P256)
    assert v["v3"].public_key == ED[::-1] and v.get("v9") is None and v.get("v9", "none") == "none"
    assert (v.row("v3"), v.row("v9"), v.voter_id(1), v.station(2)) == (2, None, "v2", "ps-1")
    assert v.station_counts() == {"ps-1": 2, "ps-2": 1}


def test_a_key_longer_than_a_compressed_point_is_refused() -> None:
    v = CompactVoters()
    v.add("ok", "ps", "ecdsa-p256", P256, 1)  # 33 bytes fit
    with pytest.raises(ValueError, match="34 bytes"):
        v.add("long", "ps", "ecdsa-p256", P256 + b"\0", 2)


def test_an_exported_index_restores_to_the_same_voters() -> None:
    v = _index()
    again = CompactVoters.restore(*v.export())
    assert [again[i] for i in again] == [v[i] for i in v]
    assert again.station_counts() == v.station_counts()


ROW = struct.Struct(">IIBB33s")


def _with_row(station: int, algorithm: int, length: int) -> tuple[list[str], list[str], bytes, list[str]]:
    stations, algorithms, rows, ids = _index().export()
    return stations, algorithms, rows + ROW.pack(station, 9, algorithm, length, bytes(33)), ids + ["v4"]


def test_a_restored_row_may_use_the_last_station_and_algorithm_and_a_full_key() -> None:
    stations, algorithms, _, _ = _index().export()
    v = CompactVoters.restore(*_with_row(len(stations) - 1, len(algorithms) - 1, 33))
    assert v["v4"].polling_station == stations[-1] and v["v4"].algorithm == algorithms[-1]


@pytest.mark.parametrize("field", ["station", "algorithm", "length"])
def test_a_restored_row_out_of_range_is_refused(field: str) -> None:
    stations, algorithms, _, _ = _index().export()
    row = {"station": len(stations) - 1, "algorithm": len(algorithms) - 1, "length": 33}
    row[field] = {"station": len(stations), "algorithm": len(algorithms), "length": 34}[field]
    with pytest.raises(ValueError, match="row out of range"):
        CompactVoters.restore(*_with_row(**row))


def test_restored_rows_must_match_the_voter_ids() -> None:
    stations, algorithms, rows, ids = _index().export()
    with pytest.raises(ValueError, match="do not match"):
        CompactVoters.restore(stations, algorithms, rows[:-1], ids)  # a row cut short
    with pytest.raises(ValueError, match="do not match"):
        CompactVoters.restore(stations, algorithms, rows, ids[:2] + ["v1"])  # the right length, an id twice
