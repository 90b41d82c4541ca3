"""The trustees of a shared key (SPEC §3.9): decryption shares and their proofs, made with the trustees' key
shares from the secrets (`simulate --secrets`). The forger then acts as a trustee, honest or not."""
import json

from verifier.simulate import threshold as shared_key
from verifier.simulate.forger.core import FaultError, ForgerCore
from verifier.simulate.spec import hex_int


class Trustees(ForgerCore):
    """Decryption shares of a shared key, as its trustees make them."""

    @property
    def shared(self) -> dict | None:
        """The record's published threshold data, None for a key with a single holder."""
        return self.key_doc.get("threshold")

    def dealt(self) -> shared_key.Dealt:
        """The shared key as the trustees hold it: the published v and v_i, the shares from the secrets."""
        if self.shared is None:
            raise FaultError("the election key is not shared among trustees")
        if not self.secrets.trustee_shares:
            raise FaultError("needs the trustees' key shares")
        return shared_key.from_record(self.shared, self.n, self.p, self.q, self.secrets.trustee_shares)

    def _kept_proof(self, cid: str, station: str, c: int) -> dict | None:
        """The published threshold proof of this very statement (fingerprint, contest, station, ciphertext), if the
        record had one: a trustee's proof is randomised, so making it again would change bytes that no fault
        changed (the forger re-derives an untouched record byte for byte)."""
        if self.fp != self.published_fp:
            return None
        kept = self.published_proofs.get((cid, station, hex_int(c, self.key.width2)))
        return None if kept is None else json.loads(kept)

    def threshold_proof(self, cid: str, station: str, c: int) -> dict:
        """Every trustee's share of aggregate c and its proof: {"method": "threshold", "shares": [...]}."""
        kept = self._kept_proof(cid, station, c)
        if kept is not None:
            return kept
        return shared_key.decryption_proof(self.dealt(), c, fingerprint=self.fp, contest_id=cid, station_id=station,
                                           rng=self.rng)

    def share(self, trustee: int, cid: str, station: str, c: int, claimed: int | None = None) -> dict:
        """Trustee i's share object for aggregate c; with `claimed`, a dishonest trustee's claimed share under a
        proof made as for the true one."""
        return shared_key.decryption_share(self.dealt(), trustee, c, fingerprint=self.fp, contest_id=cid,
                                           station_id=station, rng=self.rng, claimed=claimed)
