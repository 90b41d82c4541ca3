"""Faults of the ballot box between snapshots (SPEC.md §12.3–12.4): the collector published an earlier snapshot
(its box so far and a signed snapshot head) that the later box does not extend. Each box alone is consistent
(chain, head, list, tally re-signed); only the two together show it: `diff EARLIER LATER` (V3.7 at the first
line where LATER departs from EARLIER), and `verify --state` refuses the later box as a fork."""
import json
from datetime import timedelta
from pathlib import Path

from verifier.simulate import publish, spec
from verifier.simulate.publish import parse_time, time_text
from verifier.simulate.spec import sha256
from verifier.simulate.tamper import Entry, Forger, Injected

AFTER = 2  # the earlier snapshot ends this many lines after the one the fault rewrites


def _earlier(w: Forger, lines: list[bytes], end: int) -> tuple[list[bytes], dict]:
    """The first `end` lines and the collector's snapshot head for them, closed at the last one's receipt time."""
    kept = lines[:end]
    closed_at = json.loads(kept[-1])["receipt"]["received_at"]
    head = publish.sign_object(w.authority("collector"), spec.SNAPSHOT_TAG, w.eid,
                               {"entries": end, "head_hash": sha256(kept[-1]).hex(), "closed_at": closed_at},
                               "collector_signature")
    return kept, head


def _end(w: Forger, line: int) -> int:
    return min(len(w.original_box), line + AFTER)


def entry_removed(w: Forger) -> Injected:
    vid = w.single_voter(not_last=True)
    [entry] = w.ballots_of(vid)
    line = w.line_of(entry)
    box, head = _earlier(w, w.original_box, _end(w, line))
    w.box.remove(entry)
    w.rechain()
    w.recount()
    return Injected(f"ballot {entry.ballot_id} of voter {vid} (line {line}) is in the snapshot the collector "
                    f"published earlier, and removed from the later box (re-chained, re-signed, recounted)",
                    [w.at_box("V3.7", w.box[line - 1], station=False)], earlier_box=box, earlier_head=head)


def entry_altered(w: Forger) -> Injected:
    def movable(i: int, e: Entry) -> bool:  # one second earlier keeps the box's times in order and after the cast
        t = parse_time(e.receipt["received_at"]) - timedelta(seconds=1)
        return t >= parse_time(w.box[i - 2].receipt["received_at"]) and t >= parse_time(e.envelope["cast_at"])

    entry = w.pick([e for i, e in enumerate(w.box[1:-1], 2) if movable(i, e)], "ballot whose receipt time can move")
    line = w.line_of(entry)
    box, head = _earlier(w, w.original_box, _end(w, line))
    was = entry.receipt["received_at"]
    entry.receipt = {"received_at": time_text(parse_time(was) - timedelta(seconds=1))}
    w.rechain()
    w.recount()
    return Injected(f"ballot {entry.ballot_id} (line {line}): the later box says it was received one second "
                    f"earlier than the snapshot the collector published before ({was}); receipt and chain re-signed",
                    [w.at_box("V3.7", entry, station=False)], earlier_box=box, earlier_head=head)


def entries_reordered(w: Forger) -> Injected:
    delay = w.manifest["max_receipt_delay_seconds"]

    def swappable(a: Entry, b: Entry) -> bool:  # a received at b's time is still within its delay
        return a.voter_id != b.voter_id and \
            (parse_time(b.receipt["received_at"]) - parse_time(a.envelope["cast_at"])).total_seconds() <= delay

    pairs = [(a, b) for a, b in zip(w.box, w.box[1:], strict=False) if swappable(a, b)]
    a, b = w.pick(pairs[:-1], "two adjacent ballots of different voters")
    line = w.line_of(a)
    box, head = _earlier(w, w.original_box, _end(w, line + 1))
    w.box[line - 1], w.box[line] = b, a
    a.receipt = {"received_at": b.receipt["received_at"]}
    w.rechain()
    w.recount()
    return Injected(f"lines {line} and {line + 1} (ballots {a.ballot_id} and {b.ballot_id}) swapped in the later box "
                    f"relative to the snapshot the collector published before; chain re-signed",
                    [w.at_box("V3.7", b, station=False)], earlier_box=box, earlier_head=head)


def fork(w: Forger) -> Injected:
    vid = w.single_voter(not_last=True)
    [entry] = w.ballots_of(vid)
    line = w.line_of(entry)
    honest = [Entry(e.envelope, dict(e.receipt), e.decision, e.tally_anyway) for e in w.box]
    honest_head = w.head
    w.box.remove(entry)  # what one observer was shown: the box without this ballot, re-chained and signed
    w.rechain()
    box, head = _earlier(w, [e.line_bytes() for e in w.box], _end(w, line))
    w.box, w.head = honest, honest_head  # the record published: the honest box
    return Injected(f"the collector showed one observer a snapshot without ballot {entry.ballot_id} of voter {vid} "
                    f"(line {line}), re-chained and signed, and published the box with it: two signed boxes that "
                    f"disagree", [w.at_box("V3.7", w.box[line - 1], station=False)], earlier_box=box,
                    earlier_head=head)


def write_earlier_snapshot(out: Path, injected: Injected, dst: Path) -> None:
    """The earlier snapshot of a fault of this module as a record of stage box: OUT's setup and registry, the
    earlier box and its head."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in (spec.MANIFEST, spec.ELECTION_KEY, spec.REGISTRY):
        (dst / name).write_bytes((out / name).read_bytes())
    (dst / spec.BALLOT_BOX).write_bytes(b"".join(line + b"\n" for line in injected.earlier_box))
    assert injected.earlier_head is not None
    publish.write_document(dst / spec.BALLOT_BOX_HEAD, injected.earlier_head)


INJECTORS = {
    "snapshot-entry-removed": entry_removed,
    "snapshot-entry-altered": entry_altered,
    "snapshot-entries-reordered": entries_reordered,
    "snapshot-fork": fork,
}
