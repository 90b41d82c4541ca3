"""Faults of the ballot box: the collector's receipts, hash chain and head, and envelopes it should not accept
(V3.x)."""
import json
from datetime import timedelta

from verifier.simulate import publish, spec
from verifier.simulate.faults.common import (
    ANOTHER_ELECTION,
    HELD_RECEIPTS,
)
from verifier.simulate.keys import SigningKey
from verifier.simulate.publish import (
    parse_time,
    sign_object,
    time_text,
)
from verifier.simulate.spec import (
    sha256,
)
from verifier.simulate.tamper import Entry, Forger, Injected, _where


def ghost_ballot(w: Forger) -> Injected:
    vid = w.never_voted()
    entry = w.cast(vid, signer=SigningKey.generate("ed25519", w.rng))
    w.rechain()
    w.recount()
    return Injected(f"ballot {entry.ballot_id} of voter {vid} (who never voted) inserted at line {w.line_of(entry)}, "
                    f"signed with a key the authority holds, chain re-signed, counted",
                    [w.at_box("V3.2", entry), *w.counted_though_invalid(entry)])


def foreign_signature(w: Forger) -> Injected:
    vid = w.single_voter()
    other = w.pick(sorted(v for v in w.secrets.voters if v != vid and v in {r["voter_id"] for r in w.registry}),
                   "other voter")
    [entry] = w.ballots_of(vid)
    w.sign_envelope(entry.envelope, w.voter_key(other))
    w.rechain()
    w.recount()
    return Injected(f"ballot {entry.ballot_id} of voter {vid} signed with voter {other}'s key; receipts re-signed; "
                    f"counted", [w.at_box("V3.2", entry), *w.counted_though_invalid(entry)])


def contest_outside_style(w: Forger) -> Injected:
    vid = w.never_voted()
    station = w.station(vid)
    style = w.style(station)
    foreign = w.pick(sorted({c for s in w.manifest["ballot_styles"] for c in s["contests"]} - set(style)),
                     "contest outside a ballot style")
    replaced = next(c for c in style if len(w.contest(c)["options"]) == len(w.contest(foreign)["options"]))
    ballot_id = w.rng.token_bytes(16)
    contests = [w.contest_ballot(foreign if c == replaced else c, w.choose(foreign if c == replaced else c),
                                 context=w.context(vid), ballot_id=ballot_id) for c in style]
    entry = w.cast(vid, contests=contests, ballot_id=ballot_id)
    w.rechain()
    w.recount()
    return Injected(f"voter {vid} of {station} casts ballot {entry.ballot_id} for {foreign} instead of {replaced} "
                    f"(valid proofs, the voter's own signature), counted",
                    [w.at_box("V3.4", entry), w.at_decision("V5.5", entry),
                     *w.aggregates_differ(station, [c for c in style if c != replaced]), *w.turnout_differs(station)])


def outside_voting_period(w: Forger) -> Injected:
    vid = w.never_voted()
    end = parse_time(w.manifest["voting_period"]["end"])
    entry = w.cast(vid, received=end + timedelta(hours=1), cast_at=end + timedelta(hours=1, seconds=-5))
    w.rechain()
    w.recount()
    where = w.at_box("V3.5", entry)
    return Injected(f"voter {vid} casts ballot {entry.ballot_id} an hour after e-voting closed; the collector "
                    f"appends it and the commission counts it",
                    [where, where, *w.counted_though_invalid(entry)])  # cast and received: both outside


def _drop_only_ballot(w: Forger):
    """The only ballot of a voter who is not the last in the box, removed: (voter id, entry, its line)."""
    vid = w.single_voter(not_last=True)
    [entry] = w.ballots_of(vid)
    line = w.line_of(entry)
    w.box.remove(entry)
    return vid, entry, line


def ballot_dropped(w: Forger) -> Injected:
    vid, entry, line = _drop_only_ballot(w)
    w.sign_head()
    w.recount()
    after = w.box[line - 1]
    where = w.at_box("V3.7", after, station=False)
    return Injected(f"ballot {entry.ballot_id} of voter {vid} (line {line}) removed from the box, from the list and "
                    f"from the tally; head re-signed, the chain left as it was",
                    [where, where])  # the sequence number jumps and the previous hash does not match


def ballot_dropped_rechained(w: Forger) -> Injected:
    vid, entry, line = _drop_only_ballot(w)
    w.rechain()
    w.recount()
    after = w.box[line - 1]
    return Injected(
        f"ballot {entry.ballot_id} of voter {vid} (line {line}) removed; the collector numbers, links and signs the "
        f"chain and head again, the commission recounts: the record is consistent, only the receipts the voters kept "
        f"show it", [_where("V3.10", file=HELD_RECEIPTS, line=line, ballot_id=entry.ballot_id, voter_id=vid),
                     _where("V3.10", file=HELD_RECEIPTS, line=line + 1, ballot_id=after.ballot_id,
                            voter_id=after.voter_id)],
        held_receipts=list(w.original_box))


def box_truncated(w: Forger) -> Injected:
    last = w.box[-1]
    line = len(w.box)
    w.box.pop()
    w.sign_head()
    w.recount()
    return Injected(f"the last ballot {last.ballot_id} of voter {last.voter_id} (line {line}) cut off the box; head "
                    f"re-signed, list, tally and results recounted",
                    [_where("V3.10", file=HELD_RECEIPTS, line=line, ballot_id=last.ballot_id, voter_id=last.voter_id)],
                    held_receipts=list(w.original_box))


def duplicate_ballot(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    copy = Entry(json.loads(json.dumps(entry.envelope)), {"received_at": entry.receipt["received_at"]},
                 decision=("counted", None))
    entry.decision = ("counted", None)
    w.box.insert(w.line_of(entry), copy)
    w.rechain()
    w.recount()
    station = w.station(vid)
    return Injected(f"ballot {entry.ballot_id} of voter {vid} appears twice (lines {w.line_of(entry)} and "
                    f"{w.line_of(copy)}), both counted",
                    [w.at_box("V3.9", copy, station=False), _where("V5.5", file=spec.BALLOT_DECISIONS,
                                                                   line=w.line_of(copy), ballot_id=copy.ballot_id,
                                                                   voter_id=vid),
                     *w.aggregates_differ(station, w.style(station))])


def _reorder(w: Forger, retime: bool) -> Injected:
    vid = w.revoter(cast_gap=w.manifest["max_receipt_delay_seconds"] if retime else 0)
    first, second = w.ballots_of(vid)
    w.box.remove(first)
    w.box.insert(w.line_of(second), first)
    if retime:
        before = w.box[w.line_of(first) - 2]
        first.receipt = {"received_at": before.receipt["received_at"]}
    w.rechain()
    w.recount()
    what = (f"voter {vid}'s first e-vote {first.ballot_id} moved after the second {second.ballot_id} and the chain "
            f"re-signed, so that the first one counts")
    if not retime:
        return Injected(what + "; receipt times left as they were",
                        [w.at_box("V3.7", first, station=False)])
    station = w.station(vid)
    return Injected(what + "; its receipt time moved up to keep the chain's times in order",
                    [w.at_box("V3.5", first), w.at_decision("V5.5", first), w.at_decision("V5.5", second),
                     *w.aggregates_differ(station, w.style(station), count_too=False)])


def revote_reordered(w: Forger) -> Injected:
    return _reorder(w, retime=False)


def revote_reordered_retimed(w: Forger) -> Injected:
    return _reorder(w, retime=True)


def unregistered_voter_ballot(w: Forger) -> Injected:
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    signer = SigningKey.generate("ed25519", w.rng)
    context, ballot_id = sha256(signer.public_bytes), w.rng.token_bytes(16)
    received = w.free_time()
    env = {"ballot_id": ballot_id.hex(), "cast_at": time_text(received - timedelta(seconds=5)),
           "election_fingerprint": w.fp.hex(), "election_id": w.eid, "key_fingerprint": context.hex(),
           "voter_id": vid, "contests": [w.contest_ballot(c, w.choose(c), context=context, ballot_id=ballot_id)
                                         for c in w.style(station)]}
    w.sign_envelope(env, signer)
    entry = Entry(env, {"received_at": time_text(received)}, decision=("excluded", "invalid"))
    w.box.insert(sum(1 for e in w.box if e.receipt["received_at"] <= time_text(received)), entry)
    w.rechain()
    w.recount()
    return Injected(f"the collector accepts ballot {entry.ballot_id} of {vid}, who is not registered (line "
                    f"{w.line_of(entry)}); the commission excludes it as invalid", [w.at_box("V3.1", entry)])


def _rebound(w: Forger, field: str, value: str, what: str) -> Injected:
    vid = w.never_voted()
    entry = w.cast(vid)
    entry.envelope[field] = value
    w.sign_envelope(entry.envelope, w.voter_key(vid))
    entry.decision = ("excluded", "invalid")
    w.rechain()
    w.recount()
    return Injected(f"voter {vid}'s client signs ballot {entry.ballot_id} naming {what}; the collector accepts it, "
                    f"the commission excludes it as invalid", [w.at_box("V3.3", entry)])


def envelope_other_election_id(w: Forger) -> Injected:
    return _rebound(w, "election_id", "another-election", "election id another-election")


def envelope_other_fingerprint(w: Forger) -> Injected:
    return _rebound(w, "election_fingerprint", ANOTHER_ELECTION, "another election's fingerprint")


def envelope_other_key_fingerprint(w: Forger) -> Injected:
    return _rebound(w, "key_fingerprint", sha256(b"another key").hex(), "a key fingerprint that is not its key's")


def _relink(w: Forger, start: int) -> None:
    """Receipts after box index `start` linked again to the entries before them, and the head; the receipt at
    `start` is left as it is."""
    collector = w.authority("collector")
    previous = sha256(w.box[start].line_bytes())
    for i, e in enumerate(w.box[start + 1:], start + 2):
        e.receipt = publish.receipt(collector, w.eid, i, e.receipt["received_at"],
                                    sha256(spec.canonical(e.envelope)), previous)
        previous = sha256(e.line_bytes())
    w.sign_head()


def _bad_receipt(w: Forger, signer_role: str, envelope_hash: str | None, what: str) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    w.rechain()
    receipt = dict(entry.receipt)
    if envelope_hash is not None:
        receipt["envelope_hash"] = envelope_hash
    entry.receipt = sign_object(w.authority(signer_role), spec.RECEIPT_TAG, w.eid, receipt, "collector_signature")
    _relink(w, w.line_of(entry) - 1)
    w.recount()
    return Injected(f"ballot {entry.ballot_id} of voter {vid}: {what}; the chain links it, the commission counts it",
                    [w.at_box("V3.6", entry), *w.counted_though_invalid(entry)])


def receipt_signature_invalid(w: Forger) -> Injected:
    return _bad_receipt(w, "commission", None, "its receipt is signed by the commission's key, not the collector's")


def receipt_other_envelope(w: Forger) -> Injected:
    return _bad_receipt(w, "collector", sha256(b"another envelope").hex(),
                        "its receipt, signed by the collector, hashes another envelope")


def _bad_head(w: Forger, what: str, signer_role: str = "collector", extra: int = 0,
              before_last: bool = False) -> Injected:
    last = w.box[-2] if before_last else w.box[-1]
    w.head = publish.box_head(w.authority(signer_role), w.eid, len(w.box) + extra, sha256(last.line_bytes()),
                              w.head["closed_at"])
    return Injected(f"the ballot box head {what}", [_where("V3.8", file=spec.BALLOT_BOX_HEAD)])


def head_entries_wrong(w: Forger) -> Injected:
    return _bad_head(w, "claims one entry more than the box has", extra=1)


def head_hash_wrong(w: Forger) -> Injected:
    return _bad_head(w, "names the entry before the last", before_last=True)


def head_signature_invalid(w: Forger) -> Injected:
    return _bad_head(w, "is signed by the commission's key, not the collector's", signer_role="commission")


# kind → injector: the matrix (matrix.py) names the kinds, this module injects these
INJECTORS = {
    "ghost-ballot": ghost_ballot,
    "foreign-signature": foreign_signature,
    "contest-outside-style": contest_outside_style,
    "outside-voting-period": outside_voting_period,
    "ballot-dropped": ballot_dropped,
    "ballot-dropped-rechained": ballot_dropped_rechained,
    "box-truncated": box_truncated,
    "duplicate-ballot": duplicate_ballot,
    "revote-reordered": revote_reordered,
    "revote-reordered-retimed": revote_reordered_retimed,
    "unregistered-voter-ballot": unregistered_voter_ballot,
    "envelope-other-election-id": envelope_other_election_id,
    "envelope-other-fingerprint": envelope_other_fingerprint,
    "envelope-other-key-fingerprint": envelope_other_key_fingerprint,
    "receipt-signature-invalid": receipt_signature_invalid,
    "receipt-other-envelope": receipt_other_envelope,
    "head-entries-wrong": head_entries_wrong,
    "head-hash-wrong": head_hash_wrong,
    "head-signature-invalid": head_signature_invalid,
}
