"""Charts drawn on the server as inline SVG (no script, no CDN).

Each chart carries a <title> and <desc> naming what it shows; the page puts a
table with the same numbers next to it, so nothing is only in the picture.
Bars are links to the list behind them when a link is given.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

COLOURS = {3: "#b8860b", 4: "#0b5d3b", 5: "#a4161a"}
PALETTE = ("#0b5d3b", "#b8860b", "#3366aa", "#a4161a", "#6a4c93", "#2a9d8f", "#8d6e63")
_ids = itertools.count(1)


def _frame(width: int, height: int, title: str, desc: str, body: str) -> SafeString:
    n = next(_ids)
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="ct{n} cd{n}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans, sans-serif" font-size="12">'
        '<title id="ct{n}">{title}</title><desc id="cd{n}">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        n=n,
        title=title,
        desc=desc,
        body=mark_safe(body),  # built below from escaped parts
    )


def _link(href: str | None, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def bars(items: Sequence[tuple[str, int, str | None]], title: str, colour: str = PALETTE[0]) -> SafeString:
    """Horizontal bars: (label, value, link) per item."""
    items = list(items)[:30]
    peak = max((v for _, v, _ in items), default=0) or 1
    row, label_w, width = 22, 230, 640
    height = max(row * len(items) + 10, 30)
    parts = []
    for i, (label, value, href) in enumerate(items):
        y = 5 + i * row
        w = (width - label_w - 60) * value / peak
        text = escape(label if len(label) <= 34 else label[:33] + "…")
        bar = f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{colour}"/>'
        parts.append(
            f'<text x="{label_w - 6}" y="{y + row - 10}" text-anchor="end">{text}</text>'
            + _link(href, bar)
            + f'<text x="{label_w + w + 4:.1f}" y="{y + row - 10}">{value}</text>'
        )
    desc = "; ".join(f"{label}: {value}" for label, value, _ in items)
    return _frame(width, height, title, desc, "".join(parts))


def stacked(
    items: Sequence[tuple[str, Sequence[int], str | None]],
    series: Sequence[str],
    title: str,
    colours: Sequence[str] = (COLOURS[3], COLOURS[4], COLOURS[5]),
) -> SafeString:
    """Vertical stacked bars: (label, values per series, link) per column, with a legend."""
    items = list(items)[-20:]
    peak = max((sum(v) for _, v, _ in items), default=0) or 1
    width, height, left, bottom, top = 640, 260, 40, 40, 30
    col = (width - left - 10) / max(len(items), 1)
    parts = []
    for s, (name, colour) in enumerate(zip(series, colours, strict=False)):
        parts.append(
            f'<rect x="{left + s * 90}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + s * 90 + 16}" y="14">{escape(name)}</text>'
        )
    for i, (label, values, href) in enumerate(items):
        x = left + i * col + col * 0.15
        y = height - bottom
        segs = []
        for value, colour in zip(values, colours, strict=False):
            h = (height - bottom - top) * value / peak
            y -= h
            segs.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{col * 0.7:.1f}" height="{h:.1f}" fill="{colour}"/>')
        parts.append(_link(href, "".join(segs)))
        parts.append(f'<text x="{x + col * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle">{sum(values)}</text>')
        parts.append(
            f'<text x="{x + col * 0.35:.1f}" y="{height - bottom + 14}" text-anchor="middle">'
            f"{escape(label[:10])}</text>"
        )
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#555"/>')
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{name} {v}" for name, v in zip(series, values, strict=False))
        for label, values, _ in items
    )
    return _frame(width, height, title, desc, "".join(parts))


def line(points: Sequence[tuple[str, int]], title: str, colour: str = PALETTE[0]) -> SafeString:
    """A line through (label, value) points."""
    points = list(points)
    peak = max((v for _, v in points), default=0) or 1
    width, height, left, bottom, top = 640, 220, 40, 30, 20
    step = (width - left - 20) / max(len(points) - 1, 1)
    coords = [
        (left + i * step, height - bottom - (height - bottom - top) * v / peak) for i, (_, v) in enumerate(points)
    ]
    parts = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#555"/>']
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'
            f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle">{value}</text>'
            f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle">{escape(label)}</text>'
        )
    desc = "; ".join(f"{label}: {value}" for label, value in points)
    return _frame(width, height, title, desc, "".join(parts))
