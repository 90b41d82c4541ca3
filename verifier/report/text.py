"""The human-readable report (SPEC.md §5). At the top: the anchor, the election and the verdict, what was checked and
what a VERIFIED does not prove; then the verified result (votes, shares, thresholds, seats or winners, turnout, the
ballot accounting); then what was checked (the SHA-256 of every input and of the whole record, each numbered step
with its counts); then the failures grouped by check, in words, each with its place, at most MAX_LISTED per check
(every one is in the JSON report), a root cause first when one fault explains many; the verdict again at the end.

`render` is plain text (files, pipes, NO_COLOR, --no-color); `print_rich` the same report for a terminal, with
colour and a table of the checks."""
from verifier.checks.catalog import CHECKS
from verifier.checks.findings import Finding, Location
from verifier.checks.summary import REASON_WORDS, REASONS
from verifier.checks.verdict import Verdict
from verifier.report.order import ordered

MAX_LISTED = 20  # failures listed per check in the text report; the JSON report has all that were kept

CHECKED = ("Checked: every signature, the voter registry, the hash-chained ballot box, re-voting and paper-vote "
           "cancellations, every ballot's validity proof, the homomorphic tally and its decryption proofs, the "
           "announced counts at every level, turnout and seats.")
NOT_PROVEN = ("A VERIFIED does not prove that voters were who they claim to be (the registry is taken as given), "
              "that a ballot says what its voter intended (cast-as-intended), that ballots stayed secret, that no "
              "voter was coerced, or that this record is the real election's unless it is ANCHORED.")


def root_causes(v: Verdict) -> list[str]:
    """One line for a fault that explains many failures, so that a reader sees the cause before its thousand
    effects. Only patterns the checks make certain: every envelope failing its election binding (V3.3) means the
    manifest (or the key) is not the one the voters signed."""
    out = []
    s = v.findings.steps
    b = s["V3.3"]
    if b.failed and b.failed == b.checked and b.checked > 1:
        out.append(f"the manifest is not the one the voters signed: every one of the {b.checked} envelopes fails "
                   f"its election binding (V3.3)")
    elif b.failed > 1 and b.failed * 2 > b.checked:
        out.append(f"{b.failed} of {b.checked} envelopes name another election or fingerprint (V3.3): the manifest "
                   f"is probably not the one the voters signed")
    if s["V1.9"].failed:
        out.append("the record is not the published election's (V1.9): every other result is about another record")
    sig = s["V3.2"]
    if sig.failed > 1 and sig.failed == sig.checked:
        out.append(f"every one of the {sig.checked} envelope signatures fails (V3.2): the registry's keys are not "
                   f"the voters'")
    return out


def place(loc: Location, names: dict | None) -> str:
    """A finding's place in words: the file and line, then the ids with the manifest's names where it has them."""
    if not names:
        return loc.describe()
    parts = []
    if loc.file:
        parts.append(f"{loc.file}:{loc.line}" if loc.line else loc.file)
    for key in ("ballot_id", "voter_id", "polling_station", "level", "unit", "contest", "option"):
        value = getattr(loc, key)
        if value is None:
            continue
        label = key.replace("_", " ")
        name = None
        if key == "polling_station":
            name = names["polling_station"].get(value)
        elif key == "unit" and loc.level in ("region", "district", "polling_station"):
            name = names[loc.level].get(value)
        elif key == "contest":
            name = names["contest"].get(value)
        elif key == "option" and loc.contest:
            name = names["option"].get(loc.contest, {}).get(value)
        parts.append(f"{label} {value}" + (f" ({name})" if name and name != value else ""))
    return ", ".join(parts)


def result_lines(r: dict) -> list[str]:
    """The verified result in plain lines."""
    out = []
    for c in r["contests"]:
        out.append(f"{c['title']} ({c['scope']})")
        if not c["verified"]:
            out.append("  counts NOT VERIFIED (see the failures): no votes or seats shown")
            continue
        width = max((len(o["name"]) for o in c["options"]), default=0)
        for o in c["options"]:
            seats = ""
            if "seats" in o and c.get("rule") == "list":
                seats = f"  {o['seats']} seat(s)" + ("" if o.get("passed") or o["kind"] == "against_all"
                                                     else "  below threshold")
            elif c.get("rule") == "plurality" and o["seats"] == 1:
                seats = "  WINNER"
            out.append(f"  {o['name']:<{width}}  {o['votes']:>9} votes  {o['share']:>6}%{seats}")
        if c.get("rule") == "list":
            line = (f"  {c['seats_total']} seats; threshold {c['threshold_percent']}% "
                    f"(at least {c['threshold_votes']} votes)")
            if not c.get("allocated"):
                line += f"; no seats allocated: {c.get('no_allocation_reason')}"
            out.append(line)
        elif c.get("rule") == "plurality":
            out.append(f"  winner: {c['winner']}" if c.get("winner") else f"  {c['undecided']}")
        t = c["turnout"]
        out.append(f"  turnout: {t['voted']} of {t['registered']} registered voters ({t['percent']}%)")
    t = r["turnout"]
    out.append(f"Turnout: {t['voted']} of {t['registered']} registered voters ({t['percent']}%), by the verified "
               f"counting decisions")
    a = r.get("accounting")
    if a:
        parts = " + ".join(f"{a['excluded'][k]} {REASON_WORDS[k]}" for k in REASONS)
        out.append(f"Ballots: {a['in_box']} in the box = {a['counted']} counted + {parts}")
    return out


def failure_groups(v: Verdict, limit: int | None = MAX_LISTED) -> list[tuple[str, str, list[Finding], int]]:
    """(check id, check title, its first `limit` findings in report order, how many more) per failed check."""
    out = []
    for c in CHECKS:
        s = v.findings.steps[c.id]
        if not s.findings:
            continue
        found = ordered(s.findings)
        shown = found if limit is None else found[:limit]
        out.append((c.id, c.title, shown, len(found) - len(shown) + s.unlisted))
    return out


def render(v: Verdict) -> str:  # noqa: C901 the report's sections in order, each a short conditional block
    names = v.result["names"] if v.result else None
    out = [f"tally-verifier report for {v.record}", v.anchor[1]]
    if v.result:
        out.append(f"Election: {v.result['title']}")
    out.append(f"Verdict: {v.verdict_line()}")
    if v.election_id:
        out.append(f"election {v.election_id}, fingerprint {v.fingerprint}")
    out += [CHECKED, NOT_PROVEN]
    if v.result:
        out.append("")
        out.append("Verified result:")
        out += result_lines(v.result)
    out.append("")
    if v.record_digest:
        out.append(f"record digest {v.record_digest} (SPEC.md §5: the same for the same bytes)")
    width = max(map(len, [*v.inputs, *v.auditor_inputs]), default=0)
    out += [f"  {name:<{width}}  sha256 {digest}" for name, digest in v.inputs.items()]
    out += [f"  {name:<{width}}  sha256 {digest}" for name, digest in v.auditor_inputs.items()]
    for w in v.warnings:
        out.append(f"!!! {w}")
    if v.counts:
        out.append(", ".join(f"{k}: {n}" for k, n in v.counts.items()))
    out.append("")
    phase = None
    for c in CHECKS:
        step = v.findings.steps[c.id]
        if c.phase != phase:
            phase = c.phase
            out.append(f"[{phase}]")
        out.append(f"  {c.id:<5} {c.name:<24} {_status(step)}")
    groups = failure_groups(v)
    if groups:
        out.append("")
        out.append("Failures:")
        for cause in root_causes(v):
            out.append(f"  ROOT CAUSE: {cause}")
        for cid, title, shown, more in groups:
            out.append(f" {cid} {title}:")
            for f in shown:
                where = place(f.location, names)
                out.append(f"  {f.check} {where}: {f.message}" if where else f"  {f.check}: {f.message}")
            if more:
                out.append(f"  {cid}: {more} more failures not listed (all are in the JSON report, --json)")
    if v.seconds:
        out.append("")
        out.append("time: " + ", ".join(f"{k} {s:.2f} s" for k, s in v.seconds.items()) + f" ({v.engine})")
    out.append("")
    out.append(v.verdict_line())
    if v.fingerprint:  # last, to compare with the published one (the verdict may ask for that)
        out.append(f"election fingerprint {v.fingerprint}")
    return "\n".join(out) + "\n"


def _status(step) -> str:
    counts = f"{step.checked} checked, {step.failed} failed"
    if step.failed:
        return f"FAILED  {counts}" + (f" (then not run: {step.not_run})" if step.not_run else "")
    if step.not_run is not None:
        return f"{'not run' if step.optional else 'NOT RUN'} ({step.not_run})"
    return f"ok  {counts}"


def print_rich(v: Verdict, console) -> None:
    """The same report for a terminal: the verdict in colour and the checks as a table. Record text (ids, names,
    messages) is printed as text, never as markup: a hostile name cannot style or forge a line."""
    from rich.markup import escape
    from rich.table import Table

    colour = "green" if v.verified else "red"
    lines = render(v).splitlines()
    # the plain report down to the list of steps, then a table instead of it, then the rest
    start = next(i for i, line in enumerate(lines) if line.startswith("[") and line.endswith("]"))
    end = next((i for i, line in enumerate(lines) if i > start and not line.startswith(("[", "  "))), len(lines))
    anchor = {"anchored": "green", "not anchored": "yellow", "failed": "bold red"}[v.anchor[0]]
    for i, line in enumerate(lines[:start]):
        style = colour if line.startswith("Verdict:") else ("yellow" if line.startswith("!!!") else None)
        style = anchor if i == 1 else style
        console.print(escape(line), style=style, highlight=False, soft_wrap=True)
    table = Table(title="Checks", show_lines=False)
    for col in ("id", "check", "checked", "failed", "status"):
        table.add_column(col, justify="right" if col in ("checked", "failed") else "left")
    for c in CHECKS:
        s = v.findings.steps[c.id]
        st = s.status if not (s.not_run and not s.optional) else "NOT RUN"
        style = {"failed": "red", "passed": "green", "NOT RUN": "red"}.get(st, "yellow")
        table.add_row(c.id, escape(c.name), str(s.checked), str(s.failed), f"[{style}]{escape(st)}[/]")
    console.print(table)
    for line in lines[end:]:
        style = "bold " + colour if line == v.verdict_line() else ("red" if "ROOT CAUSE" in line else None)
        console.print(escape(line), style=style, highlight=False, soft_wrap=True)
