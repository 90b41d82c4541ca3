"""What a check produces: per step, how many items it checked and every failure with its exact place.

A *failure* is "checked and false"; a step that could not run is *not run* with the reason, never "passed".
"""
from dataclasses import asdict, dataclass, field

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

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        for name in ("ballot_id", "voter_id", "polling_station", "level", "unit", "contest", "option"):
            v = getattr(self, name)
            if v is not None:
                parts.append(f"{name.replace('_', ' ')} {v}")
        return ", ".join(parts)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Finding:
    check: str
    location: Location
    message: str


@dataclass
class StepResult:
    check: str
    checked: int = 0
    failed: int = 0
    not_run: str | None = None  # the reason, when the step could not run
    optional: bool = False  # a step the record's kind lets go unrun (e.g. a test key); the verdict decides
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.not_run is not None:
            return "not run"
        return "failed" if self.failed else "passed"


class Findings:
    """Collects results for every step in the catalog. Mergeable, so that chunks verified by different workers
    reduce into one (the merge is order-preserving: chunk results are merged in ballot-box order)."""

    def __init__(self):
        self.steps = {c.id: StepResult(c.id) for c in CHECKS}

    def checked(self, check: str, count: int = 1) -> None:
        self.steps[check].checked += count

    def fail(self, check: str, location: Location, message: str) -> None:
        step = self.steps[check]
        step.failed += 1
        if len(step.findings) < MAX_KEPT_PER_CHECK:
            step.findings.append(Finding(check, location, message))

    def check(self, check: str, ok: bool, location: Location, message: str) -> bool:
        """Count one item; record a failure if not ok. Returns ok."""
        self.checked(check)
        if not ok:
            self.fail(check, location, message)
        return ok

    def not_run(self, check: str, reason: str, optional: bool = False) -> None:
        self.steps[check].not_run = reason
        self.steps[check].optional = optional

    def merge(self, other: "Findings") -> None:
        for cid, theirs in other.steps.items():
            mine = self.steps[cid]
            mine.checked += theirs.checked
            mine.failed += theirs.failed
            room = MAX_KEPT_PER_CHECK - len(mine.findings)
            mine.findings.extend(theirs.findings[:room])
            if theirs.not_run and not mine.not_run:
                mine.not_run, mine.optional = theirs.not_run, theirs.optional

    def failures(self) -> list[Finding]:
        return [f for s in self.steps.values() for f in s.findings]

    @property
    def verified(self) -> bool:
        return all(s.status == "passed" for s in self.steps.values())
