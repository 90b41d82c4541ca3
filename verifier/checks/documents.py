"""V6.1 and V7.1: a document the commission signs for the whole election (the tally, the results) names this
election's fingerprint and carries the commission's signature. One item per document."""
from typing import Protocol

from verifier.checks.context import ElectionContext
from verifier.checks.findings import Findings, Location
from verifier.crypto import signatures


class CommissionDocument(Protocol):
    @property
    def election_fingerprint(self) -> bytes: ...

    @property
    def signed_bytes(self) -> bytes: ...

    @property
    def commission_signature(self) -> bytes: ...


def check_commission_document(ctx: ElectionContext, check: str, file: str, document: CommissionDocument,
                              f: Findings) -> None:
    commission = ctx.manifest.authority("commission")
    where = Location(file=file)
    f.checked(check)  # one item, the document: its fingerprint and its signature
    if document.election_fingerprint != ctx.fingerprint:
        f.fail(check, where, "election fingerprint of another election", expected=ctx.fingerprint.hex(),
               found=document.election_fingerprint.hex())
    if not signatures.verify(commission.algorithm, commission.public_key, document.signed_bytes,
                             document.commission_signature):
        f.fail(check, where, "commission signature is invalid")
