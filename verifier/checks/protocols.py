"""The P-steps (SPEC.md §7) run over a set of paper protocols: the catalogue's PROTOCOL_CHECKS, each evaluated by
the arithmetic of verifier.tally.protocol_checks."""
from collections.abc import Iterable
from dataclasses import dataclass

from verifier.checks.catalog import PROTOCOL_CHECKS, Check
from verifier.record.paper_protocols import ProtocolSet
from verifier.tally.protocol_checks import PROTOCOL_STEPS, Finding, evaluate

CHECKS = PROTOCOL_CHECKS
CHECK_IDS = tuple(c.id for c in CHECKS)
assert set(CHECK_IDS) == set(PROTOCOL_STEPS), "every catalogued P-step has its function, and only those"


@dataclass(frozen=True)
class CheckResult:
    check: Check
    checked: int
    failed: int  # how many of the checked items have at least one finding
    findings: tuple[Finding, ...]
    not_checked: tuple[str, ...] = ()  # items that could not be checked, each with the reason

    @property
    def ok(self) -> bool:
        return not self.findings


def run_checks(ps: ProtocolSet, only: Iterable[str] | None = None) -> tuple[CheckResult, ...]:
    """Every check (or those named in `only`) over the whole set, in catalogue order."""
    wanted = set(CHECK_IDS if only is None else only)
    checks = [c for c in CHECKS if c.id in wanted]
    by_id = {c.id: c for c in checks}
    return tuple(CheckResult(by_id[cid], checked, failed, tuple(findings), tuple(skipped))
                 for cid, checked, failed, findings, skipped in evaluate(ps, [c.id for c in checks]))


def consistent(results: Iterable[CheckResult]) -> bool:
    return all(r.ok for r in results)
