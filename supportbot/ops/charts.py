"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, nothing to build. Colours
come from classes in static/ops/ops.css, so the admin's light and dark themes both apply."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 30
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# At most this many x labels, so that dates never overlap.
MAX_X_LABELS = 8


@dataclass
class Series:
    name: str
    values: Sequence[float | None]  # None: no data that day (a gap in a line)
    css_class: str


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 and round steps (1, 2 or 5 times a power of ten) up to at least `top`."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [step * index for index in range(math.ceil(top / step - 1e-9) + 1)]


def _px(value: float) -> str:
    """Coordinates to one decimal: format_html escapes its arguments, so no format specs there."""
    return f"{value:.1f}"


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}" if value == int(value) else f"{value:.2g}"


def _frame(ticks: list[float], labels: Sequence[str], x_of: Callable[[int], float], unit: str) -> str:
    """Grid lines with y labels, and a thinned-out row of x labels."""
    y_max = ticks[-1]
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, _px(y), _px(y), LEFT - 6, _px(y + 4), _number(tick) + unit)
            for tick in ticks
            for y in [TOP + PLOT_H - tick / y_max * PLOT_H]
        ),
    )
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    x_labels = format_html_join(
        "",
        '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((_px(x_of(index)), HEIGHT - 10, label) for index, label in enumerate(labels) if index % every == 0),
    )
    return grid + x_labels


def _svg(body: str, title: str) -> SafeString:
    return format_html(
        '<svg class="ops-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        mark_safe(body),  # noqa: S308 (built from format_html parts above)
    )


def column_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], unit: str = "", grouped: bool = False
) -> SafeString:
    """Columns per label, stacked (conversations a day: bot-only and escalated) or side by side."""
    if grouped:
        top = max((value or 0 for item in series for value in item.values), default=0)
    else:
        top = max((sum(item.values[index] or 0 for item in series) for index in range(len(labels))), default=0)
    ticks = nice_ticks(top)
    slot = PLOT_W / max(len(labels), 1)
    bar = max(slot * 0.72 / (len(series) if grouped else 1), 1)

    def x_of(index: int) -> float:
        return LEFT + slot * index + slot / 2

    bars = []
    for index, label in enumerate(labels):
        bottom = TOP + PLOT_H
        left = x_of(index) - bar * (len(series) if grouped else 1) / 2
        for position, item in enumerate(series):
            value = item.values[index] or 0
            height = value / ticks[-1] * PLOT_H
            x = left + bar * position if grouped else left
            bars.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {} {}</title></rect>',
                    item.css_class, _px(x), _px(bottom - height), _px(bar), _px(height), label, _number(value) + unit, item.name,
                )
            )
            if not grouped:
                bottom -= height
    return _svg(_frame(ticks, labels, x_of, unit) + "".join(bars), title)


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], unit: str = "") -> SafeString:
    """One line per series with a dot per point; days without data leave a gap."""
    values = [value for item in series for value in item.values if value is not None]
    ticks = nice_ticks(max(values, default=0))
    step = PLOT_W / max(len(labels) - 1, 1)

    def x_of(index: int) -> float:
        return LEFT + step * index

    def y_of(value: float) -> float:
        return TOP + PLOT_H - value / ticks[-1] * PLOT_H

    parts = []
    for item in series:
        runs: list[list[str]] = [[]]
        for index, value in enumerate(item.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{x_of(index):.1f},{y_of(value):.1f}")
            parts.append(
                format_html(
                    '<circle class="{}" cx="{}" cy="{}" r="2.5"><title>{}: {} {}</title></circle>',
                    item.css_class, _px(x_of(index)), _px(y_of(value)), labels[index], _number(round(value, 2)) + unit, item.name,
                )
            )
        parts.extend(
            format_html('<polyline class="{} line" points="{}"/>', item.css_class, " ".join(run))
            for run in runs
            if len(run) > 1
        )
    return _svg(_frame(ticks, labels, x_of, unit) + "".join(parts), title)


def bar_list(title: str, rows: Sequence[tuple[str, float, str]], css_class: str = "series-0") -> SafeString:
    """Horizontal bars with a label and a value text each: (label, value, text)."""
    row_height, label_width, text_width = 32, 150, 110
    height = max(len(rows), 1) * row_height + 8
    top = max((value for _, value, _ in rows), default=0) or 1
    span = WIDTH - label_width - text_width
    body = format_html_join(
        "",
        '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="{}" x="{}" y="{}" width="{}" height="20" rx="3"><title>{}: {}</title></rect>'
        '<text class="value" x="{}" y="{}">{}</text>',
        (
            (label_width - 8, y + 15, label, css_class, label_width, y, _px(max(value / top * span, 1)), label, text,
             _px(label_width + max(value / top * span, 1) + 6), y + 15, text)
            for index, (label, value, text) in enumerate(rows)
            for y in [4 + index * row_height]
        ),
    )
    return format_html(
        '<svg class="ops-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>', WIDTH, height, title, body
    )
