"""`tally-verifier diff OLD NEW` (SPEC.md §12.3): NEW, a later snapshot of the ballot box, extends OLD exactly
(OLD's lines are NEW's first lines byte for byte: nothing removed, altered or reordered), both heads are the
collector's for the same election, and only NEW's lines after OLD's get the per-ballot checks. One pass over each
box, in lockstep: the cost is linear in the two files whatever they hold."""
import hashlib
import secrets
from contextlib import ExitStack
from dataclasses import dataclass, field

from verifier.checks.ballot_box import BoxSequence
from verifier.checks.findings import Findings, Location
from verifier.checks.verdict import Verdict
from verifier.crypto import signatures
from verifier.crypto.batch import CoefficientStream
from verifier.engine.chunks import check_chunk
from verifier.engine.local import LocalEngine
from verifier.engine.phases.base import Options, Run, line_chunks
from verifier.engine.phases.box import MIN_CHUNK
from verifier.engine.phases.registry import registry_phase
from verifier.engine.phases.setup import check_files, setup_phase
from verifier.engine.progress import as_progress
from verifier.errors import RecordError
from verifier.record import canonical, layout, reader
from verifier.record.source import open_record

DIFF_CHUNK = 64  # new lines per job: snapshots are small increments; every worker still gets work


@dataclass
class Diff:
    old_entries: int = 0
    new_entries: int = 0
    problems: list[str] = field(default_factory=list)  # the two snapshots' relation: lines cut off, heads
    departs_at: int | None = None  # the first line where NEW is not OLD (a V3.7 finding there: a fork)
    verdict: Verdict | None = None  # NEW's setup, registry and new entries (V1.x–V4.x on lines after OLD's)

    @property
    def added(self) -> int:
        return max(0, self.new_entries - self.old_entries)

    @property
    def ok(self) -> bool:
        return not self.problems and self.verdict is not None and not any(
            s.failed for s in self.verdict.findings.steps.values())


def _ballot_id(raw: bytes, line: int) -> bytes | None:
    try:
        return bytes.fromhex(canonical.parse(raw, layout.BALLOT_BOX, line)["envelope"]["ballot_id"])
    except (RecordError, KeyError, TypeError, ValueError):
        return None


def _place(raw: bytes, line: int) -> Location:
    """NEW's line where it departs from OLD, with its ballot and voter ids when the line has them."""
    try:
        envelope = canonical.parse(raw, layout.BALLOT_BOX, line)["envelope"]
        ballot_id, voter_id = envelope["ballot_id"], envelope["voter_id"]
    except (RecordError, KeyError, TypeError):
        return Location(file=layout.BALLOT_BOX, line=line)
    ok = isinstance(ballot_id, str) and isinstance(voter_id, str)
    return Location(file=layout.BALLOT_BOX, line=line, ballot_id=ballot_id if ok else None,
                    voter_id=voter_id if ok else None)


def _difference(line: int, old: bytes, new: bytes, old_next: bytes | None, new_next: bytes | None) -> str:
    """Words for the first line where NEW departs from OLD, by the ballot ids of that line and the next (a
    rewritten box is re-chained, so whole lines differ from there on: the ids say what happened)."""
    a, b = _ballot_id(old, line), _ballot_id(new, line)
    a2 = None if old_next is None else _ballot_id(old_next, line + 1)
    b2 = None if new_next is None else _ballot_id(new_next, line + 1)
    if a is not None and a == b:
        what = f"the entry on line {line} was altered (same ballot id {a.hex()}, other bytes)"
    elif a is not None and b is not None and (b, b2) == (a2, a):
        what = f"lines {line} and {line + 1} were reordered (their ballots swapped)"
    elif b is not None and b == a2:
        what = (f"OLD's line {line} is missing from NEW (removed: NEW's line {line} holds OLD's ballot of line "
                f"{line + 1})")
    else:
        what = f"line {line} holds another entry (replaced)"
    return f"NEW does not extend OLD: first difference at line {line}: {what}. Two snapshots that disagree on a " \
           f"common line are a fork of the ballot box: keep both as evidence"


def _head_kind(head, collector) -> str | None:
    if signatures.verify(collector.algorithm, collector.public_key, head.signed_bytes, head.collector_signature):
        return "final"
    if signatures.verify(collector.algorithm, collector.public_key, head.snapshot_bytes, head.collector_signature):
        return "snapshot"
    return None


def diff_records(old_path, new_path, engine=None, coefficient_seed: bytes | None = None) -> Diff:  # noqa: C901 one run inside nested context managers; stages share its state
    engine = engine or LocalEngine(1)
    out = Diff()
    v = Verdict(str(new_path), Findings(), engine=engine.name, until="box")
    out.verdict = v
    with open_record(old_path) as old_root, open_record(new_path) as new_root, ExitStack() as cleanup:
        run = Run(new_root, Options(until="box", coefficient_seed=coefficient_seed), v, as_progress(None), cleanup)
        check_files(run)
        for name in layout.STAGE_FILES["box"]:
            if name != layout.REGISTRY:  # OLD's registry is not read: NEW's is the one its new lines need
                reader.open_file(old_root, name).close()
        _, old_manifest_bytes = reader.read_manifest(old_root)
        _, old_key_bytes = reader.read_election_key(old_root)
        old_fp = reader.fingerprint(old_manifest_bytes, old_key_bytes).hex()
        setup = setup_phase(run, engine, None)
        if old_fp != v.fingerprint:
            out.problems.append(f"OLD and NEW are records of different elections (fingerprints {old_fp} and "
                                f"{v.fingerprint})")
            return out
        if setup is None:  # NEW's manifest is inconsistent (V1.5): its findings say why
            return out
        cleanup.callback(engine.close)
        registered = registry_phase(run, engine, setup)
        eid, collector = setup.manifest.election_id, setup.manifest.authority("collector")
        old_head = reader.read_box_head(old_root, eid)
        new_head = reader.read_box_head(new_root, eid, v.inputs[layout.BALLOT_BOX_HEAD])
        kinds = {"OLD": _head_kind(old_head, collector), "NEW": _head_kind(new_head, collector)}
        for name, kind in kinds.items():
            if kind is None:
                out.problems.append(f"{name}'s head is not signed by this election's collector")

        # OLD's lines against NEW's first lines, in lockstep; the chain's state at OLD's end carries on into NEW
        sequence = BoxSequence(reader.genesis_hash(setup.fingerprint))
        old_lines = reader.iter_file_lines(old_root, layout.BALLOT_BOX)
        new_lines = reader.iter_file_lines(new_root, layout.BALLOT_BOX)
        last_old = None
        for line, old_raw in old_lines:
            out.old_entries = line
            new = next(new_lines, None)
            if new is None:
                out.problems.append(f"NEW does not extend OLD: NEW ends after line {line - 1}; OLD's lines from "
                                    f"{line} on were removed")
                break
            if new[1] != old_raw:
                # NEW's chain does not pass through the entries OLD's signed head committed to: V3.7 at NEW's line
                v.findings.checked("V3.7")
                v.findings.fail("V3.7", _place(new[1], line), _difference(
                    line, old_raw, new[1], next(old_lines, (0, None))[1], next(new_lines, (0, None))[1]))
                out.departs_at = line
                break
            last_old = old_raw
            ballot_id = _ballot_id(old_raw, line)
            if ballot_id is not None:  # V3.9 spans the whole box
                sequence.ballot_lines.setdefault(ballot_id, line)
        if out.problems or out.departs_at:
            return out
        _check_head("OLD", old_head, out.old_entries, last_old, reader.genesis_hash(setup.fingerprint), out)
        if last_old is not None:
            entry = canonical.parse(last_old, layout.BALLOT_BOX, out.old_entries)
            receipt = entry.get("receipt") if isinstance(entry, dict) else None
            if not (isinstance(receipt, dict) and type(receipt.get("sequence")) is int
                    and isinstance(receipt.get("received_at"), str)):
                # the chain cannot carry on from a line without a receipt (OLD's own verification names it)
                raise RecordError(f"OLD {layout.BALLOT_BOX}", out.old_entries, "the last entry has no readable receipt")
            sequence.sequence, sequence.received_at = receipt["sequence"], receipt["received_at"]
            sequence.previous_hash = hashlib.sha256(last_old).digest()
        sequence.entries = out.old_entries

        # the new lines: every per-ballot check, on the engine; the chain and the head here, in order
        engine.start(registered.ctx)
        seed = coefficient_seed if coefficient_seed is not None else secrets.token_bytes(32)
        coefficients = CoefficientStream(seed, "ballot box diff")
        jobs = ((chunk, True, coefficients.child(f"chunk {i}"))
                for i, chunk in enumerate(line_chunks(new_lines, max(MIN_CHUNK, DIFF_CHUNK))))
        for part in engine.map(check_chunk, jobs):
            v.findings.merge(part.findings)
            for s in part.summaries:
                sequence.feed(s, v.findings)
        out.new_entries = sequence.entries
        if kinds["OLD"] == "final" and out.added:
            out.problems.append("OLD's head is the final head: the box was closed, NEW cannot add to it")
        sequence.finish(new_head, setup.manifest, v.findings, snapshot_ok=True)
        return out


def _check_head(name: str, head, entries: int, last: bytes | None, genesis: bytes, out: Diff) -> None:
    """OLD's head against OLD's box (NEW's is V3.8 of the run); an empty box's head names the genesis hash."""
    if head.entries != entries:
        out.problems.append(f"{name}'s head says {head.entries} entries, its box has {entries}")
    if head.head_hash != (genesis if last is None else hashlib.sha256(last).digest()):
        out.problems.append(f"{name}'s head hash is not the hash of its last entry")
