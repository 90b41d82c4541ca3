"""V2.x: the voter registry — commitment, registrar signatures, one registration per voter and per key."""
from collections.abc import Iterable

from verifier.checks.context import RegisteredVoter
from verifier.checks.findings import Findings, Location
from verifier.crypto import signatures
from verifier.crypto.encoding import sha256
from verifier.record import layout
from verifier.record.model import Manifest, Voter


def check_registry(manifest: Manifest, voters: Iterable[Voter], registry_sha256: bytes,
                   f: Findings) -> dict[str, RegisteredVoter]:
    """Returns the index of registered voters by id (the first registration of an id, if it was registered twice)."""
    registrar = manifest.authority("registrar")
    stations = {p.id for p in manifest.polling_stations}
    index: dict[str, RegisteredVoter] = {}
    key_owner: dict[bytes, str] = {}
    lines = 0
    for v in voters:
        lines += 1
        where = Location(file=layout.REGISTRY, line=v.line, voter_id=v.voter_id, polling_station=v.polling_station)
        f.check("V2.2", signatures.verify(registrar.algorithm, registrar.public_key, v.signed_bytes,
                                          v.registrar_signature), where, "registrar signature is invalid")
        f.checked("V2.5")
        if v.polling_station not in stations:
            f.fail("V2.5", where, f"unknown polling station {v.polling_station}")
        if signatures.load_public_key(v.algorithm, v.public_key) is None:
            f.fail("V2.5", where, f"public key is not a valid {v.algorithm} key")
        if f.check("V2.3", v.voter_id not in index, where,
                   f"voter id already registered on line {index[v.voter_id].line}" if v.voter_id in index else ""):
            index[v.voter_id] = RegisteredVoter(v.voter_id, v.polling_station, v.algorithm, v.public_key,
                                                sha256(v.public_key), v.line)
        owner = key_owner.get(v.public_key)
        f.check("V2.4", owner is None, where, f"signing key already registered to voter {owner}")
        key_owner.setdefault(v.public_key, v.voter_id)
    where = Location(file=layout.REGISTRY)
    f.check("V2.1", registry_sha256 == manifest.registry_sha256, where,
            "SHA-256 of the registry differs from the manifest's commitment (voters added, removed or changed)")
    f.check("V2.1", lines == manifest.registry_voters, where,
            f"{lines} registry lines; the manifest commits to {manifest.registry_voters}")
    return index
