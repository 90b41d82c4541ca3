"""The fault matrix: kinds of fault (matrix.py, data only: kind → actor, what it does, the checks expected to fail
and no other, the secrets it needs) and the functions that inject them into a `Forger`, one module per what the
fault attacks: keys.py (setup), registry.py, box.py, snapshots.py (the box between snapshots), proofs.py,
counting.py, tally.py, results.py, threshold.py (a shared key's verification keys and decryption shares).

`tally-verifier tamper`, SPEC.md §9 (`spec_table`) and tests/test_faults.py all read FAULTS. Each injection returns
the exact places where the verifier must report it (`Injected.expected`).
"""
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from verifier.simulate.authority import Secrets
from verifier.simulate.faults import (
    box,
    counting,
    keys,
    proofs,
    registry,
    results,
    snapshots,
    tally,
    threshold,
)
from verifier.simulate.faults.common import HELD_RECEIPTS
from verifier.simulate.faults.matrix import ROWS
from verifier.simulate.record import NotARecord, open_record
from verifier.simulate.tamper import FaultError, Forger, Injected

SECRET_PARTS = {
    "authority": "the authorities' signing keys (registrar, collector, commission)",
    "paillier": "the Paillier factors p and q (to decrypt and prove the tally)",
    "voters": "the voters' signing keys",
    "trustees": "the trustees' key shares s_i (to make decryption shares and their proofs)",
}
RECORDS = {  # Fault.record: the simulated record a kind is injected into
    "standard": "a key with a single holder; aggregates decrypted by randomness reveal (§3.7)",
    "threshold": "a key shared among trustees (simulate --trustees 5 --threshold 3); aggregates decrypted by "
                 "their shares (§3.9)",
}

__all__ = ["FAULTS", "BY_KIND", "Fault", "FaultError", "Injected", "HELD_RECEIPTS", "RECORDS", "SECRET_PARTS",
           "inject", "load_secrets", "missing_secrets", "spec_table"]

AUTH, PAILLIER, VOTERS, TRUSTEES = "authority", "paillier", "voters", "trustees"


@dataclass(frozen=True)
class Fault:
    kind: str
    actor: str
    title: str
    checks: tuple[str, ...]  # the checks that fail, and no other
    needs: tuple[str, ...]  # parts of the secrets (SECRET_PARTS)
    inject: Callable[[Forger], Injected]
    why: str = ""  # why more than one check fails, where that is so (or how the fault can be seen at all)
    receipts: bool = False  # shown only by the receipts voters kept (verify with the receipts file)
    anchored: bool = False  # shown only against the fingerprint published before the vote (verify --expect-fingerprint)
    snapshot: bool = False  # shown only against an earlier snapshot of the box (diff EARLIER OUT, verify --state)
    record: str = "standard"  # the simulated record it is injected into (RECORDS)
    noted: bool = False  # the record still verifies; the report's warnings name it (Injected.expected: their places)


def _injectors() -> dict[str, Callable[[Forger], Injected]]:
    out: dict = {}
    for module in (keys, registry, box, snapshots, proofs, counting, tally, results, threshold):
        if twice := out.keys() & module.INJECTORS.keys():
            raise AssertionError(f"fault kinds injected twice: {sorted(twice)}")
        out.update(module.INJECTORS)
    return out


INJECTORS = _injectors()
# every kind of the matrix has its injector and every injector its row (a kind cannot be half added)
assert {r["kind"] for r in ROWS} == set(INJECTORS), {r["kind"] for r in ROWS} ^ set(INJECTORS)

FAULTS: tuple[Fault, ...] = tuple(Fault(inject=INJECTORS[r["kind"]], **r) for r in ROWS)
BY_KIND = {f.kind: f for f in FAULTS}


def missing_secrets(fault: Fault, secrets: Secrets | None) -> list[str]:
    """The parts of the secrets the fault needs that are not there (all of them without a secrets file)."""
    have = set()
    if secrets is not None:
        if all(r in secrets.authorities for r in ("registrar", "collector", "commission")):
            have.add(AUTH)
        if secrets.paillier_p and secrets.paillier_q:
            have.add(PAILLIER)
        if secrets.voters:
            have.add(VOTERS)
        if secrets.trustee_shares:
            have.add(TRUSTEES)
    return [part for part in fault.needs if part not in have]


def inject(record, out: Path, kind: str, secrets: Secrets | None, seed: str = "tamper") -> Injected:
    """Read the record at `record` (directory or archive), inject one fault of `kind`, write the result to `out`.
    A fault that needs no secrets is injected without them (`secrets` None)."""
    fault = BY_KIND[kind]
    if missing := missing_secrets(fault, secrets):
        raise FaultError(f"{kind} needs {' and '.join(SECRET_PARTS[m] for m in missing)}")
    try:
        with open_record(record) as root:
            w = Forger(Path(root), secrets if secrets is not None else Secrets(), seed)
    except NotARecord as e:
        raise FaultError(str(e)) from None
    injected = fault.inject(w)
    w.publish(out)
    return injected


def load_secrets(path: Path) -> Secrets:
    """The secrets file written by `simulate --secrets`."""
    try:
        return Secrets.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise FaultError(f"{path}: not a secrets file written by `simulate --secrets` ({type(e).__name__}: {e})") \
            from None


def spec_table() -> str:
    """SPEC.md §9: the matrix as Markdown, from FAULTS (`tally-verifier tamper --list --markdown`)."""
    rows = ["## 9. Fault matrix", "",
            "`tally-verifier tamper RECORD OUT --fault KIND --secrets FILE` writes a copy of a valid simulated record "
            "with exactly one fault of the kind, made by the actor named. The actor re-signs with the authority's own "
            "keys everything downstream it can — receipts, hash chain and head; the list of counted ballots; the "
            "tally, multiplied, decrypted and proved again with the Paillier factors; the results, every level summed "
            "again and the seats allocated again — with the honest authority's arithmetic (redone on a valid record "
            "it gives back every file byte for byte), so that every published document is consistent with the others "
            "and only the deeper check can catch the fault. A voter's signature is never forged: where the actor is a "
            "voter's client, the voter's own key signs. `tally-verifier tamper --list` prints this list; "
            "`--seed` chooses the ballot, voter or unit hit.", "",
            "The test suite injects every kind into a simulated record and requires exactly the checks listed to "
            "fail, each finding at exactly the place the injector names (file and line, ballot id, voter id, polling "
            "station, contest, option, level and unit), and no other check to fail or not run (where V1.5 fails, "
            "every step after the setup is not run: an inconsistent manifest stops the run); with other seeds too "
            "(`pytest -m slow`).", "",
            "| kind | actor | fault | fails | note: why more than one check fails |", "|---|---|---|---|---|"]
    for f in FAULTS:
        fails = ', '.join(f.checks) + (" (a warning: the record verifies)" if f.noted else "")
        where = " (shared key)" if f.record == "threshold" else ""
        rows.append(f"| `{f.kind}` | {f.actor}{where} | {f.title} | {fails} | {f.why} |")
    rows += ["",
             "Where more than one check fails, each names a different wrong statement of the record, at its own "
             "place. The commonest case: the commission counts (or drops) a ballot against the rules; the verifier "
             "names its decision (V5.x, with the ballot id), and because the tally is compared with the ballots that "
             "count by the verifier's own recomputation (§4.6), also each aggregate that holds the wrong ballots "
             "(V6.2, contest and polling station) and each protocol whose voters-who-voted figure follows the wrong "
             "list (V7.5, at the station and the three levels above). Announced figures that rest on an aggregate "
             "that did not verify are not compared again (§4.7), so a wrong tally never also shows as wrong results.",
             "",
             "`ballot-dropped-rechained` and `box-truncated` leave a record that is consistent in itself: a collector "
             "that drops a ballot before it signs the head and re-chains what is left can only be caught by the "
             "receipts it signed for the voters. The injector writes them (the box lines each voter's client "
             "received) next to OUT; V3.10 compares them with the box: a receipt whose ballot is not in the box is "
             "named by itself; receipts whose lines were rewritten after they were issued are named once, at the "
             "first.", "",
             "The `snapshot-…` kinds leave two boxes each consistent in itself: the snapshot the collector published "
             "during the vote (its first lines and a signed snapshot head, §12.1) and the later box. The injector "
             "writes the earlier snapshot next to OUT (OUT.earlier); the test suite requires `diff EARLIER OUT` to "
             "fail V3.7 alone, once, at OUT's first line that departs from it (§12.3), and `verify OUT --state FILE` "
             "with a state made on EARLIER to refuse OUT as a fork (§12.4).",
             "",
             "The kinds marked *(shared key)* are injected into a simulated record whose key is shared 3 of 5 "
             "(`simulate --trustees 5 --threshold 3 --secrets FILE`: the secrets file then also holds the trustees' "
             "key shares, so that `tamper` can act as a trustee and make decryption shares and their proofs; the "
             "verifier never reads it). A bad or missing share that leaves at least w valid ones is not a failure "
             "(§3.9): the record verifies, and the test requires the report's warnings to name exactly the trustee, "
             "contest and polling station the injector names, and no other."]
    return "\n".join(rows) + "\n"
