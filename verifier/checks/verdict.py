"""Everything a verification run concludes, as data for the report renderers."""
from dataclasses import dataclass, field

from verifier.checks.findings import Findings


@dataclass
class Verdict:
    record: str
    findings: Findings
    election_id: str | None = None
    fingerprint: str | None = None
    test_record: bool = False
    warnings: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)  # file name → SHA-256 hex
    counts: dict[str, int] = field(default_factory=dict)  # ballots, voters, … for the summary line
    seconds: dict[str, float] = field(default_factory=dict)  # phase → wall time
    engine: str = ""

    @property
    def verified(self) -> bool:
        return self.findings.verified
