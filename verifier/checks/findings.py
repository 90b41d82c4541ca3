"""What a check produces: per step, how many items it checked and every failure with its exact place.

A *failure* is "checked and false"; a step that could not run is *not run* with the reason, never "passed".
`checked` and `failed` count the same things, items (a ballot, a registry line, an aggregate, a protocol's
contest…): an item with three things wrong is three findings but one failed item, so `failed` never exceeds
`checked`. A step is *not run* for one of two kinds of reason: *optional* (an optional input was not given, so there
was nothing to check: the verdict says what was not checked and can still be VERIFIED) or not (an earlier failure
or an unreadable dependency: the verdict is NOT VERIFIED).
"""
from dataclasses import asdict, dataclass, field
from typing import Any

from verifier.checks.catalog import CHECKS

MAX_KEPT_PER_CHECK = 10_000  # beyond this a step keeps counting but stores no more detail (said in the report)


@dataclass(frozen=True)
class Location:
    file: str | None = None
    line: int | None = None
    ballot_id: str | None = None
    voter_id: str | None = None
    polling_station: str | None = None
    contest: str | None = None
    option: str | None = None
    level: str | None = None
    unit: str | None = None
    trustee: int | None = None  # threshold decryption: the trustee whose share is meant (V6.3)

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        for name in ("ballot_id", "voter_id", "polling_station", "level", "unit", "contest", "option", "trustee"):
            v = getattr(self, name)
            if v is not None:
                parts.append(f"{name.replace('_', ' ')} {v}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Finding:
    check: str
    location: Location
    message: str
    expected: object = None  # for programs reading the JSON report: the value the check expected, where it has one
    found: object = None  # … and the value the record holds


_NOTHING = ("no item",)  # the last failed item of a step that has none yet (equal to no item a caller passes)


@dataclass
class StepResult:
    check: str
    checked: int = 0
    failed: int = 0  # failed items (see the module's docstring), not findings
    not_run: str | None = None  # the reason, when the step could not run
    optional: bool = False  # with not_run: only an optional input was missing; the verdict does not fail for it
    findings: list[Finding] = field(default_factory=list)
    unlisted: int = 0  # findings beyond MAX_KEPT_PER_CHECK: counted here, not kept
    last_item: object = field(default=_NOTHING, repr=False, compare=False)  # the item of the last finding

    @property
    def status(self) -> str:
        if self.failed:  # a failure is never hidden behind "not run"
            return "failed"
        return "passed" if self.not_run is None else "not run"

    @property
    def blocks_verdict(self) -> bool:
        """Failed, or not run for a reason other than a missing optional input."""
        return bool(self.failed) or (self.not_run is not None and not self.optional)


class Findings:
    """Collects results for every step in the catalog. Mergeable, so that chunks verified by different workers
    reduce into one (the merge is order-preserving: chunk results are merged in ballot-box order)."""

    def __init__(self) -> None:
        self.steps = {c.id: StepResult(c.id) for c in CHECKS}

    def checked(self, check: str, count: int = 1) -> None:
        self.steps[check].checked += count

    def fail(self, check: str, location: Location, message: str, item: object = None, items: int = 1,
             expected: object = None, found: object = None) -> None:
        """Record a finding. `item` names the checked item it belongs to (default: its location): consecutive
        findings of one item count as one failed item. `items`: how many failed items this one finding stands for
        (a finding that names several at once)."""
        step = self.steps[check]
        item = location if item is None else item
        if item != step.last_item:
            step.failed += items
            step.last_item = item
        if len(step.findings) < MAX_KEPT_PER_CHECK:
            step.findings.append(Finding(check, location, message, expected, found))
        else:
            step.unlisted += 1

    def check(self, check: str, ok: bool, location: Location, message: str, item: object = None,
              expected: object = None, found: object = None) -> bool:
        """Count one item; record a failure if not ok (with the values compared, if given). Returns ok."""
        self.checked(check)
        if not ok:
            # the item just counted: a failure of its own even if the item before failed at the same place
            self.fail(check, location, message, item=object() if item is None else item, expected=expected,
                      found=found)
        return ok

    def not_run(self, check: str, reason: str, optional: bool = False) -> None:
        """The step could not run, and why. optional=True: it had nothing to check because an optional input was
        not given (the verdict says so and can still be VERIFIED); otherwise the verdict is NOT VERIFIED."""
        step = self.steps[check]
        step.not_run, step.optional = reason, optional

    def merge(self, other: "Findings") -> None:
        for cid, theirs in other.steps.items():
            mine = self.steps[cid]
            mine.checked += theirs.checked
            mine.failed += theirs.failed
            room = MAX_KEPT_PER_CHECK - len(mine.findings)
            mine.findings.extend(theirs.findings[:room])
            mine.unlisted += theirs.unlisted + max(0, len(theirs.findings) - room)
            if theirs.failed:
                mine.last_item = theirs.last_item
            if theirs.not_run and not mine.not_run:
                mine.not_run, mine.optional = theirs.not_run, theirs.optional

    def failures(self) -> list[Finding]:
        return [f for s in self.steps.values() for f in s.findings]

    def not_checked(self) -> list[StepResult]:
        """The steps not run because an optional input was not given, in catalog order."""
        return [s for s in self.steps.values() if s.not_run is not None and s.optional and not s.failed]

    @property
    def verified(self) -> bool:
        """No step failed, and every step not run was not run only for want of an optional input."""
        return not any(s.blocks_verdict for s in self.steps.values())
