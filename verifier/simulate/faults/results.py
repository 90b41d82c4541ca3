"""Faults of the announced results: protocols at every level, turnout and seats (V7.x, V8.1)."""
import json

from verifier.simulate import spec
from verifier.simulate.faults.common import ANOTHER_ELECTION, _signed_other
from verifier.simulate.spec import (
    turnout_percent,
)
from verifier.simulate.tamper import Forger, Injected, _where


def _bump(w: Forger, level: str, unit: str, cid: str, option: str, delta: int = 1) -> None:
    p = w.protocol(level, unit)
    r = next(r for r in p["contests"] if r["contest"] == cid)
    next(v for v in r["votes"] if v["option"] == option)["votes"] += delta


def _results_target(w: Forger) -> tuple[str, str, list[tuple[str, str]]]:
    """A nation-wide contest, one of its options, and the units of one polling station from the station up."""
    cid = next(c["id"] for c in w.manifest["contests"] if c["scope"]["level"] == "nation")
    option = w.pick([o["id"] for o in w.contest(cid)["options"]], "option")
    station = w.pick(sorted(w.stations), "polling station")
    return cid, option, w.units_of(station)


def _announced_wrong(w: Forger, levels: tuple[str, ...]) -> Injected:
    cid, option, units = _results_target(w)
    for level, unit in units:
        if level in levels:
            _bump(w, level, unit, cid, option)
    w.sign_results()
    expected = [w.at_results("V7.3" if level == "polling_station" else "V7.4", level, unit, cid, option)
                for level, unit in units if level in levels]
    what = ", ".join(f"{level} {unit}" for level, unit in units if level in levels)
    return Injected(f"announced {cid} votes for {option} one too many at {what}", expected)


def station_count_wrong(w: Forger) -> Injected:
    return _announced_wrong(w, ("polling_station",))


def district_count_wrong(w: Forger) -> Injected:
    return _announced_wrong(w, ("district",))


def region_count_wrong(w: Forger) -> Injected:
    return _announced_wrong(w, ("region",))


def nation_count_wrong(w: Forger) -> Injected:
    return _announced_wrong(w, ("nation",))


def wrong_count_carried_up(w: Forger) -> Injected:
    return _announced_wrong(w, ("polling_station", "district", "region", "nation"))


def turnout_wrong(w: Forger) -> Injected:
    _, _, units = _results_target(w)
    level, unit = units[1]
    p = w.protocol(level, unit)
    whole, frac = p["turnout_percent"].split(".")
    hundredths = (int(whole) * 100 + int(frac) + 1) % 10001
    p["turnout_percent"] = f"{hundredths // 100}.{hundredths % 100:02d}"
    w.sign_results()
    return Injected(f"turnout of {level} {unit} announced as {p['turnout_percent']}%",
                    [w.at_results("V7.5", level, unit)])


def voters_voted_wrong(w: Forger) -> Injected:
    _, _, units = _results_target(w)
    level, unit = units[0]
    p = w.protocol(level, unit)
    p["voters_voted"] += 1
    p["turnout_percent"] = turnout_percent(p["voters_voted"], p["registered_voters"])
    w.sign_results()
    return Injected(f"{level} {unit} announces one voter more than voted (turnout to match)",
                    [w.at_results("V7.5", level, unit)])


def seats_wrong(w: Forger) -> Injected:
    s = next(s for s in w.results["seats"] if sum(x["seats"] for x in s["seats"]) > 1)
    seats = s["seats"]
    rich = max(range(len(seats)), key=lambda i: seats[i]["seats"])
    poor = next(i for i in range(len(seats)) if i != rich and w.contest(s["contest"])["options"][i]["kind"] == "party")
    seats[rich]["seats"] -= 1
    seats[poor]["seats"] += 1
    w.sign_results()
    return Injected(f"one {s['contest']} seat moved from {seats[rich]['option']} to {seats[poor]['option']}",
                    [w.at_results("V8.1", contest=s["contest"], option=seats[rich]["option"]),
                     w.at_results("V8.1", contest=s["contest"], option=seats[poor]["option"])])


def results_other_election(w: Forger) -> Injected:
    w.results = _signed_other(w, w.results, spec.RESULTS_TAG, "commission", ANOTHER_ELECTION)
    return Injected("the results, signed by the commission, name another election's fingerprint",
                    [_where("V7.1", file=spec.RESULTS)])


def results_signature_invalid(w: Forger) -> Injected:
    w.results = _signed_other(w, w.results, spec.RESULTS_TAG, "registrar", None)
    return Injected("the results signed by the registrar's key, not the commission's",
                    [_where("V7.1", file=spec.RESULTS)])


def _station_protocol(w: Forger) -> dict:
    return w.pick(sorted((p for p in w.results["protocols"] if p["level"] == "polling_station"),
                         key=lambda p: p["unit"]), "polling-station protocol")


def protocol_twice(w: Forger) -> Injected:
    p = _station_protocol(w)
    w.results["protocols"].append(json.loads(json.dumps(p)))
    w.sign_results()
    return Injected(f"the protocol of {p['unit']} announced twice", [w.at_results("V7.2", p["level"], p["unit"])])


def protocol_unknown_unit(w: Forger) -> Injected:
    p = json.loads(json.dumps(_station_protocol(w)))
    p["unit"] = "PS-NOWHERE"
    w.results["protocols"].append(p)
    w.sign_results()
    return Injected("a protocol announced for polling station PS-NOWHERE, which the manifest does not have",
                    [w.at_results("V7.2", "polling_station", "PS-NOWHERE")])


def protocol_contest_twice(w: Forger) -> Injected:
    p = _station_protocol(w)
    r = p["contests"][0]
    p["contests"].append(json.loads(json.dumps(r)))
    w.sign_results()
    where = w.at_results("V7.2", p["level"], p["unit"], r["contest"])
    return Injected(f"the protocol of {p['unit']} announces {r['contest']} twice", [where, where])  # each copy


# kind → injector: the matrix (matrix.py) names the kinds, this module injects these
INJECTORS = {
    "station-count-wrong": station_count_wrong,
    "district-count-wrong": district_count_wrong,
    "region-count-wrong": region_count_wrong,
    "nation-count-wrong": nation_count_wrong,
    "wrong-count-carried-up": wrong_count_carried_up,
    "turnout-wrong": turnout_wrong,
    "voters-voted-wrong": voters_voted_wrong,
    "seats-wrong": seats_wrong,
    "results-other-election": results_other_election,
    "results-signature-invalid": results_signature_invalid,
    "protocol-twice": protocol_twice,
    "protocol-unknown-unit": protocol_unknown_unit,
    "protocol-contest-twice": protocol_contest_twice,
}
