"""The territorial hierarchy: polling station → district → region → nation, and where each contest is announced."""
from verifier.record.model import LEVELS, Contest, Manifest

LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}
NATION = "nation"  # the unit id of the one nation-level protocol


class Hierarchy:
    def __init__(self, manifest: Manifest):
        self.district_of = {p.id: p.district for p in manifest.polling_stations}
        self.region_of = {d.id: d.region for d in manifest.districts}
        self.units = {
            "polling_station": [p.id for p in manifest.polling_stations],
            "district": [d.id for d in manifest.districts],
            "region": [r.id for r in manifest.regions],
            "nation": [NATION],
        }
        # (level, unit) → the unit one level up, and back: the commission a protocol goes to, and comes from
        self.parent = {("polling_station", p.id): ("district", p.district) for p in manifest.polling_stations}
        self.parent.update({("district", d.id): ("region", d.region) for d in manifest.districts})
        self.parent.update({("region", r.id): ("nation", NATION) for r in manifest.regions})
        self.children: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for child, parent in self.parent.items():
            self.children.setdefault(parent, []).append(child)

    def units_of(self, station: str) -> tuple[tuple[str, str], ...]:
        """(level, unit) of the station and of every unit above it, lowest first."""
        d = self.district_of[station]
        return (("polling_station", station), ("district", d), ("region", self.region_of[d]), ("nation", NATION))


def announced_at(contest: Contest, level: str) -> bool:
    """A contest is announced at every level from the polling station up to its own scope."""
    return LEVEL_RANK[level] <= LEVEL_RANK[contest.scope_level]


def turnout_percent(voted: int, registered: int) -> str:
    """voted / registered as a percentage with two decimals, rounded half up; "0.00" with no registered voters."""
    if registered == 0:
        return "0.00"
    hundredths = (voted * 20000 + registered) // (2 * registered)
    return f"{hundredths // 100}.{hundredths % 100:02d}"
