"""Everything a verification run concludes, as data for the report renderers."""
import hashlib
from dataclasses import dataclass, field
from typing import Any

from verifier.checks.findings import Findings
from verifier.record import layout

RECORD_DIGEST_TAG = "tally-verifier/record-digest/v1"  # SPEC.md §5


def record_digest(inputs: dict[str, str]) -> str | None:
    """One SHA-256 for the whole record (SPEC.md §5), from the SHA-256 of each file; None unless every file's is
    known."""
    if set(inputs) != set(layout.ALL_FILES):
        return None
    h = hashlib.sha256(RECORD_DIGEST_TAG.encode() + b"\n")
    for name in layout.ALL_FILES:
        h.update(f"{name} {inputs[name]}\n".encode())
    return h.hexdigest()


@dataclass
class Verdict:
    record: str
    findings: Findings
    election_id: str | None = None
    fingerprint: str | None = None
    test_record: bool = False
    warnings: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)  # file name → SHA-256 hex
    auditor_inputs: dict[str, str] = field(default_factory=dict)  # --receipts, --trusted-keys: path → SHA-256 hex
    expected_fingerprints: tuple[str, ...] = ()  # verify --expect-fingerprint
    trusted_keys: str | None = None  # verify --trusted-keys FILE
    counts: dict[str, int] = field(default_factory=dict)  # ballots, voters, … for the summary line
    seconds: dict[str, float] = field(default_factory=dict)  # phase → wall time
    engine: str = ""
    result: dict[str, Any] | None = None  # the verified result (checks/summary.py); None when the run stopped before it
    until: str | None = None  # verify --until STAGE: a record published before the tally (SPEC.md §12)

    @property
    def verified(self) -> bool:
        return self.findings.verified

    @property
    def record_digest(self) -> str | None:
        return record_digest(self.inputs)

    @property
    def anchor(self) -> tuple[str, str]:
        """(status, the words for the report's header): status "anchored", "not anchored" or "failed"."""
        step = self.findings.steps["V1.9"]
        if step.failed:
            return "failed", "ANCHOR FAILED: the fingerprint or the authorities' keys differ from those given (V1.9)"
        if step.not_run is not None or not step.checked:
            return "not anchored", "NOT ANCHORED: compare the fingerprint below with the one the commission published"
        given = []
        if self.expected_fingerprints:
            given.append("the fingerprint equals the one given")
        if self.trusted_keys:
            given.append(f"the authorities' keys equal those in {self.trusted_keys}")
        if not self.expected_fingerprints:
            given.append("the fingerprint was not compared")
        return "anchored", "anchored: " + "; ".join(given)

    def verdict_line(self) -> str:
        """The verdict in words: VERIFIED or NOT VERIFIED, and what was not checked (SPEC.md §5)."""
        steps = self.findings.steps
        later = f"not published yet (--until {self.until})"  # --until: named once, not step by step
        unpublished = [s.check for s in self.findings.not_checked() if s.not_run == later]
        unchecked = "; ".join(f"{s.check}: {s.not_run}" for s in self.findings.not_checked() if s.not_run != later)
        not_yet = f"not run ({later}): {', '.join(unpublished)}" if unpublished else ""
        if self.verified:
            line = "VERIFIED" + (" (TEST RECORD: small key)" if self.test_record else "")
            if self.until:
                line += f" up to {layout.STAGE_WORDS[self.until]}"
                return "; ".join(filter(None, [f"{line}, except {unchecked}" if unchecked else line, not_yet]))
            return f"{line}, except {unchecked}" if unchecked else f"{line}: every step passed"
        unchecked = "; ".join(filter(None, [unchecked, not_yet]))
        parts = []
        failed = [cid for cid, s in steps.items() if s.failed]
        if failed:
            parts.append(f"{len(self.findings.failures()) + sum(steps[c].unlisted for c in failed)} failure(s) "
                         f"in {', '.join(failed)}")
        reasons: dict[str, list[str]] = {}  # steps that could not run, grouped by why
        for cid, s in steps.items():
            if s.not_run is not None and not s.optional and not s.failed:
                reasons.setdefault(s.not_run, []).append(cid)
        parts += [f"not run because {why}: {', '.join(ids)}" for why, ids in reasons.items()]
        if unchecked:
            parts.append(f"not checked: {unchecked}")
        return "NOT VERIFIED: " + "; ".join(parts)
