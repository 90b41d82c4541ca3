"""The registrar and the setup: registry lines, the manifest's commitment, the election set up again."""
from typing import TYPE_CHECKING

from verifier.simulate import spec
from verifier.simulate.forger.core import ForgerCore
from verifier.simulate.keys import Signer
from verifier.simulate.publish import election_key, sign_object
from verifier.simulate.spec import sha256


class RegistryAndSetup(ForgerCore):
    """The registrar and the setup: registry lines, the manifest's commitment, the election set up again."""

    if TYPE_CHECKING:  # from the other mixins of the Forger (verifier.simulate.tamper); declared for mypy only
        def contest_ballot(self, cid: str, m: int, *, context: bytes, ballot_id: bytes, index: int | None = None,
                           fingerprint: bytes | None = None, statement_contest: str | None = None,
                           cr: tuple[int, int] | None = None) -> dict: ...

        def sign_envelope(self, env: dict, signer: Signer) -> None: ...

        def rechain(self) -> None: ...

        def recount(self) -> None: ...

    def register(self, vid: str, station: str, algorithm: str, public_key: bytes) -> dict:
        line = sign_object(self.authority("registrar"), spec.REGISTRY_TAG, self.eid,
                           {"voter_id": vid, "polling_station": station, "algorithm": algorithm,
                            "public_key": public_key.hex()}, "registrar_signature")
        self.registry.append(line)
        return line

    def new_voter_id(self) -> str:
        ids = {v["voter_id"] for v in self.registry}
        i = len(ids) + 1
        while f"V{i:07d}" in ids:
            i += 1
        return f"V{i:07d}"

    def commit_registry(self) -> None:
        """The manifest commits to the registry as it now is (a fault made before the election was set up)."""
        data = b"".join(spec.canonical(v) + b"\n" for v in self.registry)
        self.manifest["registry"] = {"voters": len(self.registry), "sha256": sha256(data).hex()}

    def rebuild(self, n: int | None = None, *primes: int, key_doc: dict | None = None) -> None:
        """The election set up again with this manifest and key (and a new Paillier key n = Π primes if n is given,
        published as `key_doc`, or with honest proofs made with the primes): every
        voter's envelope made again with the same choices, every proof for the new fingerprint, every signature;
        then the chain, the list, the tally and the results. The fault was there before the first vote."""
        old = [[self.decrypt(int(cb["ciphertext"], 16)) for cb in e.envelope["contests"]] for e in self.box]
        if n is not None:
            self.n, self.primes = n, primes
            self.p, self.q = primes[0], n // primes[0]
            self.key = spec.PaillierKey.of(n)
            self.key_doc = key_doc or election_key(n, primes, self.rng)
        self.fp = self._fingerprint()
        for e, plaintexts in zip(self.box, old, strict=True):
            env = e.envelope
            ballot_id, context = bytes.fromhex(env["ballot_id"]), bytes.fromhex(env["key_fingerprint"])
            env["contests"] = [self.contest_ballot(cb["contest"], m, context=context, ballot_id=ballot_id)
                               for cb, m in zip(env["contests"], plaintexts, strict=True)]
            env["election_fingerprint"] = self.fp.hex()
            self.sign_envelope(env, self.voter_key(env["voter_id"]))
        self.rechain()
        self.recount()

