"""The HTML report (`verify --html FILE`): one self-contained file (inline CSS and SVG, nothing fetched) for readers
who are not auditors — commissions, courts, newspapers, observers on a phone. Same content as the text report,
plus charts and a drill-down; capped so that a national record stays a file a browser opens (the JSON report has
every failure). Jinja2 with autoescape: every string from the record is escaped; the only markup inserted as is
comes from report/svg.py, which escapes its own text."""
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from verifier.checks.catalog import CHECKS
from verifier.checks.summary import REASON_WORDS, REASONS
from verifier.checks.verdict import Verdict
from verifier.report import svg
from verifier.report.text import CHECKED, NOT_PROVEN, failure_groups, place, root_causes

MAX_FAILURES = 50  # per check in the HTML report: the first ones in full, the count of the rest
MAX_SEATS = 1000  # seats drawn in a hemicycle (a parliament has a few hundred; a bigger one gets the table only)
MAX_STATIONS = 2000  # stations listed in the drill-down (a national record has tens of thousands)

_env = Environment(loader=PackageLoader("verifier.report", "templates"), autoescape=select_autoescape(default=True),
                   trim_blocks=True, lstrip_blocks=True)


def _version() -> str:
    try:
        return version("tally-verifier")
    except PackageNotFoundError:
        return "unknown"


def _mismatched_units(v: Verdict) -> dict[tuple[str, str], int]:
    """(level, unit) → failures found at it (V7.x names protocols by level and unit, stations by station)."""
    out: dict = {}
    for f in v.findings.failures():
        loc = f.location
        if loc.level and loc.unit:
            out[(loc.level, loc.unit)] = out.get((loc.level, loc.unit), 0) + 1
        elif loc.polling_station:
            out[("polling_station", loc.polling_station)] = out.get(("polling_station", loc.polling_station), 0) + 1
    return out


def render(v: Verdict, now: datetime | None = None) -> str:
    r = v.result
    names = r["names"] if r else None
    contests = []
    for c in (r["contests"] if r else ()):
        chart = hemi = ""
        if c["verified"]:
            chart = svg.bar_chart(c["options"], c.get("threshold_votes"))
            if c.get("rule") == "list" and c.get("allocated") and c["seats_total"] <= MAX_SEATS:
                hemi = svg.hemicycle([(o["name"], o["seats"], i) for i, o in enumerate(c["options"]) if o["seats"]])
        contests.append({**c, "chart": Markup(chart), "hemicycle": Markup(hemi)})
    checks = []
    for c in CHECKS:
        s = v.findings.steps[c.id]
        status = "NOT RUN" if s.not_run is not None and not s.optional and not s.failed else s.status
        checks.append({"id": c.id, "name": c.name, "title": c.title, "checked": s.checked, "failed": s.failed,
                       "status": status, "not_run": s.not_run})
    groups = [{"id": cid, "title": title, "more": more,
               "failures": [{"place": place(f.location, names), "message": f.message} for f in shown]}
              for cid, title, shown, more in failure_groups(v, MAX_FAILURES)]
    mismatched = _mismatched_units(v)
    regions, listed = [], 0
    for reg in (r["regions"] if r else ()):
        districts = []
        for d in reg["districts"]:
            stations = []
            for s in d["stations"]:
                if listed < MAX_STATIONS:
                    stations.append({**s, "bad": mismatched.get(("polling_station", s["id"]), 0)})
                listed += 1
            districts.append({**d, "stations": stations, "bad": mismatched.get(("district", d["id"]), 0)
                              + sum(s["bad"] for s in stations)})
        regions.append({**reg, "districts": districts, "bad": mismatched.get(("region", reg["id"]), 0)
                        + sum(d["bad"] for d in districts)})
    accounting = r["accounting"] if r else None
    # why ballots were invalid: the box's checks that failed, by their failed items (a ballot may fail several)
    invalid_by_check = [(c.id, c.title, v.findings.steps[c.id].failed) for c in CHECKS
                        if c.phase in ("ballot box", "ballot validity") and v.findings.steps[c.id].failed]
    excluded = [(REASON_WORDS[k], accounting["excluded"][k]) for k in REASONS] if accounting else []
    status, anchor_words = v.anchor
    return _env.get_template("report.html.j2").render(
        v=v, r=r, title=r["title"] if r else v.election_id or v.record, verdict=v.verdict_line(),
        verified=v.verified, anchor_status=status, anchor_words=anchor_words, checked=CHECKED,
        not_proven=NOT_PROVEN, contests=contests, checks=checks, groups=groups, causes=root_causes(v),
        regions=regions, stations_total=listed, stations_cap=MAX_STATIONS, accounting=accounting,
        excluded=excluded, invalid_by_check=invalid_by_check, verifier_version=_version(),
        date=(now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"))
