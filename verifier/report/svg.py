"""A plain SVG writer for the HTML report's two charts: votes per option (bars, with the threshold line) and seats
(a hemicycle). No charting framework: the report is one self-contained file and its charts must be exact — every
bar's height and every seat is written from the verified numbers, and carries them as data attributes.

Every piece of text from the record is escaped here (the charts are inserted into the template as markup)."""
import math
from html import escape

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")
BAR_HEIGHT = 200  # px of the tallest bar


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def bar_chart(options: list[dict], threshold_votes: int | None = None, max_bars: int = 60) -> str:
    """Vertical bars, one per option (the first `max_bars`), height proportional to its votes (the largest is
    BAR_HEIGHT); the threshold as a dashed line. Each bar has data-option, data-votes and data-share."""
    shown = options[:max_bars]
    top = max([o["votes"] for o in shown] + [threshold_votes or 0, 1])
    bar_w, gap, left, bottom = 36, 14, 40, 70
    width = left + len(shown) * (bar_w + gap) + gap
    height = BAR_HEIGHT + bottom + 30
    base = 20 + BAR_HEIGHT
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="votes per option">')]
    for i, o in enumerate(shown):
        h = BAR_HEIGHT * o["votes"] / top
        x = left + gap + i * (bar_w + gap)
        name = escape(o["name"])
        out.append(f'<g><title>{name}: {o["votes"]} votes ({o["share"]}%)</title>'
                   f'<rect x="{x}" y="{_fmt(base - h)}" width="{bar_w}" height="{_fmt(h)}" fill="{colour(i)}" '
                   f'data-option="{escape(o["id"])}" data-votes="{o["votes"]}" data-share="{o["share"]}"/>'
                   f'<text x="{x + bar_w / 2}" y="{_fmt(base - h - 4)}" text-anchor="middle" font-size="10">'
                   f'{o["share"]}%</text>'
                   f'<text x="{x + bar_w / 2}" y="{base + 12}" text-anchor="end" font-size="10" '
                   f'transform="rotate(-40 {x + bar_w / 2} {base + 12})">{escape(o["name"][:24])}</text></g>')
    out.append(f'<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" stroke="#333"/>')
    if threshold_votes:
        y = _fmt(base - BAR_HEIGHT * threshold_votes / top)
        out.append(f'<line class="threshold" x1="{left}" y1="{y}" x2="{width}" y2="{y}" stroke="#c00" '
                   f'stroke-dasharray="6 4" data-votes="{threshold_votes}"/>'
                   f'<text x="2" y="{y}" font-size="10" fill="#c00">threshold</text>')
    out.append("</svg>")
    return "".join(out)


def hemicycle(parties: list[tuple[str, int, int]], radius: int = 140) -> str:
    """Seats as dots on concentric half rings, left to right in the order given (each party's seats together);
    parties are (name, seats, colour index: the bar chart's).
    Each seat is a circle with data-party; the total is written in the middle."""
    total = sum(n for _, n, _ in parties)
    if total == 0:
        return ""
    rows = max(1, min(12, round(math.sqrt(total / 4))))
    r_inner = radius * 0.4
    radii = [r_inner + (radius - r_inner) * (k + 0.5) / rows for k in range(rows)]
    # seats per row proportional to its length, adjusted to sum exactly to the total
    weights = [r / sum(radii) for r in radii]
    per_row = [int(total * w) for w in weights]
    for k in range(total - sum(per_row)):
        per_row[-1 - k % rows] += 1
    positions = []
    for r, n in zip(radii, per_row, strict=True):  # both one per row
        for j in range(n):
            angle = math.pi * (1 - (j + 0.5) / n)
            positions.append((angle, r))
    positions.sort(key=lambda p: (-p[0], p[1]))  # left to right: each party a wedge
    dot = max(2.0, min(10.0, (radius - r_inner) / rows * 0.4))
    w, h = 2 * radius + 2 * dot + 10, radius + 2 * dot + 30
    cx, cy = w / 2, radius + dot + 5
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="hemicycle" width="{_fmt(w)}" height="{_fmt(h)}" '
            f'viewBox="0 0 {_fmt(w)} {_fmt(h)}" role="img" aria-label="seats" data-seats="{total}">')]
    seat = 0
    for name, n, i in parties:
        for _ in range(n):
            angle, r = positions[seat]
            seat += 1
            out.append(f'<circle cx="{_fmt(cx + r * math.cos(angle))}" cy="{_fmt(cy - r * math.sin(angle))}" '
                       f'r="{_fmt(dot)}" fill="{colour(i)}" data-party="{escape(name)}"/>')
    out.append(f'<text x="{_fmt(cx)}" y="{_fmt(cy)}" text-anchor="middle" font-size="20">{total}</text></svg>')
    return "".join(out)
