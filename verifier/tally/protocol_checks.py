"""The arithmetic of published paper protocols: each protocol's own identities, and every level the sum of its
children. Pure functions over the dataclasses of verifier.record.paper_protocols; no I/O.

What each check is (id, title, family, identity, what "checked" counts) is the catalogue's
(verifier.checks.catalog.PROTOCOL_CHECKS); verifier.checks.protocols runs them through `evaluate`. Every check runs
over everything and returns every failure as a Finding that names its place (file, line, level, unit, contest,
figure or option) with the expected and the found value. Nothing stops at the first failure.
"""
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from verifier.record.model import LEVELS
from verifier.record.paper_protocols import (
    FIGURES,
    UNITS_FILE,
    PaperContest,
    PaperProtocol,
    ProtocolSet,
    Unit,
)


@dataclass(frozen=True)
class Finding:
    """One thing checked and found false, at one place."""

    check: str
    file: str
    line: int | None  # None: the protocol that should be there is not (the file is where it belongs)
    level: str
    unit: str
    contest: str
    item: str | None  # a figure name, "votes[option]", "parent", "unit"; None for the protocol as a whole
    expected: int | str
    found: int | str
    message: str

    @property
    def place(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def where(self) -> str:
        """The place in words: file and line, protocol, contest and figure."""
        what = f"{self.place}: {self.level} {self.unit}, contest {self.contest}"
        return what if self.item is None else f"{what}, {self.item}"

    def render(self) -> str:
        return f"{self.check} {self.where()}: expected {self.expected}, found {self.found} ({self.message})"


def _finding(check: str, p: PaperProtocol, item: str | None, expected, found, message: str) -> Finding:
    return Finding(check, p.file, p.line, p.level, p.unit, p.contest, item, expected, found, message)


def _issued(p: PaperProtocol) -> int:
    return p.figure("issued_at_station") + p.figure("issued_at_home")


# ------------------------------------------------------------------------------- one protocol's own arithmetic


def p1_ballot_balance(p: PaperProtocol, c: PaperContest) -> list[Finding]:
    parts = [p.figure(n) for n in ("issued_at_station", "issued_at_home", "unused", "spoiled")]
    if p.figure("ballots_received") == sum(parts):
        return []
    return [_finding("P1", p, "ballots_received", sum(parts), p.figure("ballots_received"),
                     "issued at station + issued at home + unused + spoiled = " + " + ".join(map(str, parts)))]


def p2_ballot_box(p: PaperProtocol, c: PaperContest) -> list[Finding]:
    valid, invalid = p.figure("valid"), p.figure("invalid")
    if p.figure("in_box") == valid + invalid:
        return []
    return [_finding("P2", p, "in_box", valid + invalid, p.figure("in_box"), f"valid + invalid = {valid} + {invalid}")]


def p3_valid_votes(p: PaperProtocol, c: PaperContest) -> list[Finding]:
    total = sum(v for _, v in p.votes)
    if p.figure("valid") == total:
        return []
    return [_finding("P3", p, "valid", total, p.figure("valid"), f"sum of votes over {len(p.votes)} options")]


def p4_box_within_issued(p: PaperProtocol, c: PaperContest) -> list[Finding]:
    if p.figure("in_box") <= _issued(p):
        return []
    return [_finding("P4", p, "in_box", f"at most {_issued(p)}", p.figure("in_box"),
                     "more ballots in the box than issued at station + at home")]


def p5_issued_within_list(p: PaperProtocol, c: PaperContest) -> list[Finding]:
    if _issued(p) <= p.figure("voters_on_list"):
        return []
    return [_finding("P5", p, "issued_at_station+issued_at_home", f"at most {p.figure('voters_on_list')}",
                     _issued(p), "more ballots issued than voters on the list")]


def p6_non_negative(p: PaperProtocol, c: PaperContest) -> list[Finding]:
    out = [_finding("P6", p, name, "at least 0", v, "negative figure") for name, v in p.figures if v < 0]
    out += [_finding("P6", p, f"votes[{o}]", "at least 0", v, "negative votes") for o, v in p.votes if v < 0]
    return out


MISSING_NAMED = 10  # options (P7) or children (P8) named one by one per protocol; the rest are counted


def p7_options(p: PaperProtocol, c: PaperContest) -> list[Finding]:
    # sets, and the missing options found by a scan that stops early: a line must cost its own length, not the
    # contest's option count times the lines (40,000 options over 40,000 short lines would be 1.6e9 steps)
    listed = {o for o, _ in p.votes}
    options = c.option_set
    absent = len(options) - len(listed & options)
    out = []
    if absent:
        for o in c.options:
            if o not in listed:
                out.append(_finding("P7", p, f"votes[{o}]", "present", "absent", f"option of {c.id} missing"))
                if len(out) == MISSING_NAMED:
                    break
        if absent > len(out):
            out.append(_finding("P7", p, "votes", f"{len(c.options)} options", f"{absent} missing",
                                f"{absent - len(out)} more options of {c.id} missing"))
    out += [_finding("P7", p, f"votes[{o}]", "absent", v, f"not an option of {c.id}")
            for o, v in p.votes if o not in options]
    return out


PER_PROTOCOL: dict[str, Callable[[PaperProtocol, PaperContest], list[Finding]]] = {
    "P1": p1_ballot_balance,
    "P2": p2_ballot_box,
    "P3": p3_valid_votes,
    "P4": p4_box_within_issued,
    "P5": p5_issued_within_list,
    "P6": p6_non_negative,
    "P7": p7_options,
}


# ------------------------------------------------------------------------------------------------- hierarchy


class _Index:
    """The lookups the hierarchy checks share, built once."""

    def __init__(self, ps: ProtocolSet):
        self.ps = ps
        self.contests = {c.id: c for c in ps.contests}
        self.units: dict[str, Unit] = {u.id: u for u in ps.units}
        self.register_children: dict[str, list[Unit]] = defaultdict(list)
        for u in ps.units:
            if u.parent is not None:
                self.register_children[u.parent].append(u)
        self.first: dict[tuple[str, str], PaperProtocol] = {}  # (unit, contest) -> first protocol (P12)
        self.duplicates: list[tuple[PaperProtocol, PaperProtocol]] = []  # (later, first)
        self.present: set[tuple[str, str, str]] = set()  # (level, unit, contest) of every protocol line
        self.by_contest: dict[str, list[PaperProtocol]] = defaultdict(list)
        for p in ps.protocols:
            self.present.add((p.level, p.unit, p.contest))
            self.by_contest[p.contest].append(p)
            key = (p.unit, p.contest)
            if key in self.first:
                self.duplicates.append((p, self.first[key]))
            else:
                self.first[key] = p
        self.kept = [p for p in ps.protocols if self.first[(p.unit, p.contest)] is p]
        self._ranks: dict[str, dict[str, int]] = {}
        # per (parent, level below): registered children; per (parent, level below, contest): those with a
        # protocol; so that P8 knows a child is missing without scanning every child of every protocol
        self.registered_below: dict[tuple[str, str], int] = defaultdict(int)
        for u in ps.units:
            if u.parent is not None:
                self.registered_below[(u.parent, u.level)] += 1
        self.present_below: dict[tuple[str, str, str], int] = defaultdict(int)
        for level, unit, contest in self.present:
            registered = self.units.get(unit)
            if registered is not None and registered.level == level and registered.parent is not None:
                self.present_below[(registered.parent, level, contest)] += 1
        self.children: dict[tuple[str, str, str], list[PaperProtocol]] = defaultdict(list)
        for p in self.kept:
            # below the nation a protocol names its parent and a registered unit has one (the reader requires
            # both): the parent is never None there
            if p.level != "nation" and (parent := self.parent_of(p)) is not None:
                self.children[(LEVELS[LEVELS.index(p.level) + 1], parent, p.contest)].append(p)

    def option_rank(self, c: PaperContest) -> dict[str, int]:
        rank = self._ranks.get(c.id)
        if rank is None:
            rank = self._ranks[c.id] = {o: i for i, o in enumerate(c.options)}
        return rank

    def missing_children(self, p: PaperProtocol, below: str) -> list[str]:
        """The registered children one level below without a protocol of the contest: the first MISSING_NAMED,
        then how many more. The scan stops there, so it passes over at most the children that have a protocol
        (each a line of the input) plus MISSING_NAMED."""
        children = self.register_children.get(p.unit, ())
        registered = self.registered_below.get((p.unit, below), 0)
        present = self.present_below.get((p.unit, below, p.contest), 0)
        if present == registered:
            return []
        names = []
        for u in children:
            if u.level == below and (below, u.id, p.contest) not in self.present:
                names.append(u.id)
                if len(names) == MISSING_NAMED:
                    break
        if registered - present > len(names):
            names.append(f"and {registered - present - len(names)} more")
        return names

    def registered(self, p: PaperProtocol) -> Unit | None:
        u = self.units.get(p.unit)
        return u if u is not None and u.level == p.level else None

    def parent_of(self, p: PaperProtocol) -> str | None:
        """Where the protocol is summed: its register parent if the unit is registered at this level, else the
        parent the protocol names."""
        u = self.registered(p)
        return u.parent if u is not None else p.parent

    def area(self, c: PaperContest) -> list[Unit]:
        """The registered units of a contest's area: its top unit and everything below it, in register order."""
        out, todo = [], [self.units[c.top_unit]]
        while todo:
            u = todo.pop()
            out.append(u)
            todo.extend(self.register_children.get(u.id, ()))
        return sorted(out, key=lambda u: u.line)

    def ancestor(self, level: str, unit: str, parent: str | None, target: str) -> str | None:
        """The unit at level `target` above (level, unit) whose parent is `parent`; None if not known."""
        if level == target:
            return unit
        cur, at = parent, LEVELS.index(level) + 1
        while cur is not None and at < LEVELS.index(target):
            u = self.units.get(cur)
            if u is None or u.level != LEVELS[at]:
                return None
            cur, at = u.parent, at + 1
        return cur


def p8_level_sums(ix: _Index) -> tuple[int, int, list[Finding], list[str]]:
    """A protocol one of whose registered children has no protocol at all is not compared (the sum of an
    incomplete set says nothing new): P11 reports the missing child, and the protocol is listed as not checked."""
    checked = failed = 0
    out: list[Finding] = []
    skipped: list[str] = []
    for p in ix.kept:
        if p.level == "polling_station":
            continue
        below = LEVELS[LEVELS.index(p.level) - 1]
        kids = ix.children.get((p.level, p.unit, p.contest), [])
        missing = ix.missing_children(p, below)
        if missing:
            skipped.append(f"{p.file}:{p.line}: {p.level} {p.unit}, contest {p.contest}: not compared, "
                           f"no protocol of {below} {', '.join(missing)} (see P11)")
            continue
        checked += 1
        c = ix.contests[p.contest]
        note = f"sum of {len(kids)} {below} protocol{'s' if len(kids) != 1 else ''}"
        found: list[Finding] = []
        for name in FIGURES:
            expected = sum(k.figure(name) for k in kids)
            if p.figure(name) != expected:
                found.append(_finding("P8", p, name, expected, p.figure(name), note))
        # the options any of these lines lists, in ballot order: an option no line lists sums to 0 = 0, so the
        # work is the lines' own votes, not the contest's options times the protocols
        sums: dict[str, int] = defaultdict(int)
        for k in kids:
            for o, v in k.votes:
                sums[o] += v
        have_votes = dict(p.votes)
        rank = ix.option_rank(c)
        for o in sorted((o for o in sums.keys() | have_votes.keys() if o in rank), key=rank.__getitem__):
            expected = sums.get(o, 0)
            have = have_votes.get(o)
            if (have or 0) != expected:
                found.append(_finding("P8", p, f"votes[{o}]", expected, "absent" if have is None else have, note))
        failed += bool(found)
        out += found
    return checked, failed, out, skipped


def p9_register(ix: _Index) -> tuple[int, int, list[Finding]]:
    out: list[Finding] = []
    failed = 0
    for p in ix.ps.protocols:
        u = ix.units.get(p.unit)
        if u is None:
            f = _finding("P9", p, "unit", f"a {p.level} in {UNITS_FILE}", "not listed", "unknown unit")
        elif u.level != p.level:
            f = _finding("P9", p, "unit", f"a {p.level}", f"a {u.level} ({u.file}:{u.line})",
                         "unit at the wrong level")
        elif p.parent != u.parent:
            f = _finding("P9", p, "parent", u.parent, p.parent, f"parent differs from the register ({u.file}:{u.line})")
        else:
            continue
        failed += 1
        out.append(f)
    return len(ix.ps.protocols), failed, out


def p10_parent_protocol(ix: _Index) -> tuple[int, int, list[Finding]]:
    out: list[Finding] = []
    checked = 0
    for p in ix.ps.protocols:
        c = ix.contests[p.contest]
        if LEVELS.index(p.level) >= LEVELS.index(c.top_level):
            continue
        checked += 1
        up = LEVELS[LEVELS.index(p.level) + 1]
        if (up, p.parent, p.contest) not in ix.present:
            out.append(_finding("P10", p, "parent", f"a {up} protocol of {p.parent}", "none",
                                f"no {up} protocol of {p.parent} for {p.contest}"))
    return checked, len(out), out


def p11_complete(ix: _Index) -> tuple[int, int, list[Finding]]:
    out: list[Finding] = []
    checked = 0
    for c in ix.ps.contests:
        for u in ix.area(c):
            checked += 1
            if (u.level, u.id, c.id) not in ix.present:
                out.append(Finding("P11", ix.ps.level_file(u.level), None, u.level, u.id, c.id, None,
                                   "a protocol", "none", f"missing; the unit is listed at {u.file}:{u.line}"))
    return checked, len(out), out


def p12_no_duplicates(ix: _Index) -> tuple[int, int, list[Finding]]:
    out = [_finding("P12", p, None, "one protocol", "a second one", f"duplicate of {first.file}:{first.line}")
           for p, first in ix.duplicates]
    return len(ix.ps.protocols), len(out), out


def p13_top_and_scope(ix: _Index) -> tuple[int, int, list[Finding]]:
    out: list[Finding] = []
    failed = 0
    for c in ix.ps.contests:
        found: list[Finding] = []
        if (c.top_level, c.top_unit, c.id) not in ix.present:
            found.append(Finding("P13", ix.ps.level_file(c.top_level), None, c.top_level, c.top_unit, c.id, None,
                                 "a protocol", "none", "the contest's top-level protocol is missing"))
        top = LEVELS.index(c.top_level)
        for p in ix.by_contest.get(c.id, ()):
            if LEVELS.index(p.level) > top:
                found.append(_finding("P13", p, None, f"no protocol above {c.top_level}", "a protocol",
                                      f"{c.id} is tallied up to the {c.top_level} only"))
                continue
            root = ix.ancestor(p.level, p.unit, ix.parent_of(p), c.top_level)
            if root is not None and root != c.top_unit:
                found.append(_finding("P13", p, "unit", f"within {c.top_level} {c.top_unit}",
                                      f"within {c.top_level} {root}", f"outside the area of {c.id}"))
        failed += bool(found)
        out += found
    return len(ix.ps.contests), failed, out


HIERARCHY: dict[str, Callable[[_Index], tuple]] = {  # -> (checked, failed, findings[, not checked])
    "P8": p8_level_sums,
    "P9": p9_register,
    "P10": p10_parent_protocol,
    "P11": p11_complete,
    "P12": p12_no_duplicates,
    "P13": p13_top_and_scope,
}


# ------------------------------------------------------------------------------------------------------ runner


PROTOCOL_STEPS = (*PER_PROTOCOL, *HIERARCHY)  # the ids these functions implement (the catalogue's PROTOCOL_CHECKS)


def evaluate(ps: ProtocolSet, ids: Iterable[str]) -> Iterator[tuple[str, int, int, list[Finding], list[str]]]:
    """Each named check over the whole set, in the order given: (id, checked, failed, findings, not checked)."""
    contests = {c.id: c for c in ps.contests}
    ix = _Index(ps)
    for cid in ids:
        if cid in PER_PROTOCOL:
            fn = PER_PROTOCOL[cid]
            findings: list[Finding] = []
            failed = 0
            for p in ps.protocols:
                f = fn(p, contests[p.contest])
                failed += bool(f)
                findings += f
            yield cid, len(ps.protocols), failed, findings, []
        else:
            checked, failed, findings, *rest = HIERARCHY[cid](ix)
            yield cid, checked, failed, findings, (rest[0] if rest else [])
