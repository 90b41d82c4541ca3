"""Faults of the commission's counting rules: its list of counted ballots and the cancellations (V5.x)."""
from datetime import timedelta

from verifier.simulate import spec
from verifier.simulate.keys import Signer, SigningKey
from verifier.simulate.publish import parse_time, sign_object, time_text
from verifier.simulate.spec import signed_message
from verifier.simulate.tamper import Forger, Injected, _where


def paper_voter_counted(w: Forger) -> Injected:
    vid = w.paper_voter()
    entry = w.ballots_of(vid)[-1]
    entry.decision = ("counted", None)
    w.recount()
    station = w.station(vid)
    return Injected(f"voter {vid} voted on paper (a valid cancellation) but the e-vote {entry.ballot_id} is counted",
                    [w.at_decision("V5.4", entry), *w.aggregates_differ(station, w.style(station)),
                     *w.turnout_differs(station)])


def superseded_counted(w: Forger) -> Injected:
    vid = w.revoter()
    first, _ = w.ballots_of(vid)
    first.decision = ("counted", None)
    w.recount()
    station = w.station(vid)
    return Injected(f"voter {vid}'s superseded e-vote {first.ballot_id} is counted as well as the last one",
                    [w.at_decision("V5.3", first), *w.aggregates_differ(station, w.style(station))])


def fake_cancellation(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    station = w.station(vid)
    ack = {"voter_id": vid, "polling_station": station, "paper_voted_at": f"{w.manifest['election_day']}T09:00:00Z",
           "voter_signature": w.rng.token_bytes(64).hex()}  # the commission cannot sign the poll book as the voter
    w.cancellations.append(sign_object(w.authority("commission"), spec.CANCELLATION_TAG, w.eid, ack,
                                       "commission_signature"))
    w.recount()
    return Injected(f"the commission lists voter {vid} (who never voted on paper) as a paper voter, signs the list, "
                    f"and excludes the e-vote {entry.ballot_id} as cancelled",
                    [_where("V5.1", file=spec.CANCELLATIONS, line=len(w.cancellations), voter_id=vid,
                            polling_station=station), w.at_decision("V5.5", entry),
                     *w.aggregates_differ(station, w.style(station)), *w.turnout_differs(station)])


def valid_ballot_excluded(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    entry.decision = ("excluded", "invalid")
    w.recount()
    station = w.station(vid)
    return Injected(f"voter {vid}'s valid e-vote {entry.ballot_id} excluded as invalid",
                    [w.at_decision("V5.5", entry), *w.aggregates_differ(station, w.style(station)),
                     *w.turnout_differs(station)])


def counted_ghost(w: Forger) -> Injected:
    station = w.pick(sorted(w.stations), "polling station")
    w.redecide()
    ghost = w.rng.token_bytes(16).hex()
    w.decisions.append({"ballot_id": ghost, "status": "counted"})
    for cid in w.style(station):
        w.extra_tally.append((cid, station, w.encrypt(w.choose(cid))[0]))
    w.extra_voted[station] += 1
    w.retally()
    w.reannounce()
    return Injected(f"the commission's list counts ballot {ghost}, which is not in the box, and its tally of {station} "
                    f"includes one more ballot",
                    [_where("V5.5", file=spec.BALLOT_DECISIONS, line=len(w.decisions), ballot_id=ghost),
                     *w.aggregates_differ(station, w.style(station)), *w.turnout_differs(station)])


def counted_missing(w: Forger) -> Injected:
    vid = w.single_voter()
    [entry] = w.ballots_of(vid)
    w.redecide()
    w.decisions = [d for d in w.decisions if d["ballot_id"] != entry.ballot_id]
    w.retally()
    w.reannounce()
    station = w.station(vid)
    return Injected(f"voter {vid}'s valid e-vote {entry.ballot_id} left out of the commission's list and tally",
                    [_where("V5.5", file=spec.BALLOT_DECISIONS, ballot_id=entry.ballot_id, voter_id=vid),
                     *w.aggregates_differ(station, w.style(station)), *w.turnout_differs(station)])


def _cancel(w: Forger, vid: str, station: str, at: str, signer: Signer) -> dict:
    ack = {"voter_id": vid, "polling_station": station, "paper_voted_at": at}
    ack["voter_signature"] = signer.sign(signed_message(spec.PAPER_BALLOT_TAG, w.eid, ack)).hex()
    line = sign_object(w.authority("commission"), spec.CANCELLATION_TAG, w.eid, ack, "commission_signature")
    w.cancellations.append(line)
    w.recount()
    return _where("V5.2", file=spec.CANCELLATIONS, line=len(w.cancellations), voter_id=vid, polling_station=station)


def _election_day(w: Forger, hour: int = 9) -> str:
    return f"{w.manifest['election_day']}T{hour:02d}:00:00Z"


def cancellation_unregistered(w: Forger) -> Injected:
    vid = w.new_voter_id()
    station = w.pick(sorted(w.stations), "polling station")
    where = _cancel(w, vid, station, _election_day(w), SigningKey.generate("ed25519", w.rng))
    return Injected(f"the cancellation list names {vid}, who is not registered", [where])


def cancellation_other_station(w: Forger) -> Injected:
    vid = w.never_voted()
    station = w.pick(sorted(s for s in w.stations if s != w.station_of(vid)), "other polling station")
    where = _cancel(w, vid, station, _election_day(w), w.voter_key(vid))
    return Injected(f"the cancellation list says voter {vid} voted on paper at {station}, not where registered",
                    [where])


def cancellation_not_election_day(w: Forger) -> Injected:
    vid = w.never_voted()
    at = time_text(parse_time(_election_day(w)) - timedelta(days=1))
    where = _cancel(w, vid, w.station(vid), at, w.voter_key(vid))
    return Injected(f"the cancellation list says voter {vid} voted on paper at {at}, the day before election day",
                    [where])


def cancellation_listed_twice(w: Forger) -> Injected:
    first = w.cancellations[w.rng.randbelow(len(w.cancellations))]
    w.cancellations.append(dict(first))
    w.recount()
    return Injected(f"voter {first['voter_id']}'s cancellation listed a second time",
                    [_where("V5.2", file=spec.CANCELLATIONS, line=len(w.cancellations), voter_id=first["voter_id"],
                            polling_station=first["polling_station"])])


# kind → injector: the matrix (matrix.py) names the kinds, this module injects these
INJECTORS = {
    "paper-voter-counted": paper_voter_counted,
    "superseded-counted": superseded_counted,
    "fake-cancellation": fake_cancellation,
    "valid-ballot-excluded": valid_ballot_excluded,
    "counted-ghost": counted_ghost,
    "counted-missing": counted_missing,
    "cancellation-unregistered": cancellation_unregistered,
    "cancellation-other-station": cancellation_other_station,
    "cancellation-not-election-day": cancellation_not_election_day,
    "cancellation-listed-twice": cancellation_listed_twice,
}
