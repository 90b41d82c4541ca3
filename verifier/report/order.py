"""One order for findings, whatever order the workers produced them in: the same record gives the same report."""
from verifier.checks.findings import Finding


def ordered(findings: list[Finding]) -> list[Finding]:
    def key(f: Finding):
        loc = f.location
        return (loc.file or "", loc.line or 0, loc.level or "", loc.unit or "", loc.polling_station or "",
                loc.contest or "", loc.option or "", loc.trustee or 0, f.message)

    return sorted(findings, key=key)
