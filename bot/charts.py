"""The report's figures drawn as one PNG page (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, BinaryIO

from flows.figures import BASES, EXPIRY_STAGES, INSTALLATIONS, OUTCOMES, format_span

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from flows.figures import Figures

_BAR = "#1d3557"  # the app's colour in manifest.yml
_MUTED = "#6c757d"


def draw_figures(figures: Figures, out: BinaryIO) -> None:
    """Write the chart to `out` as PNG: a headline and four panels, the same figures as the
    table (outcomes, legal bases, times and counts, what became of approved requests)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    last_day = figures.until - timedelta(days=1)
    fig, axes = pyplot.subplots(2, 2, figsize=(11, 7.5), layout="constrained")
    fig.suptitle(
        f"Monitoring requests opened {figures.since:%d %b %Y} to {last_day:%d %b %Y}: "
        f"{figures.total}",
        fontsize=14,
        fontweight="bold",
    )
    (outcome, basis), (decision, after) = axes
    _bars(outcome, "By outcome", {OUTCOMES[k]: v for k, v in figures.by_outcome.items()})
    _bars(basis, "By legal basis", {BASES.get(k, k): v for k, v in figures.by_basis.items()})
    _time_to_decision(decision, figures)
    _bars(
        after,
        "What became of approved requests",
        {INSTALLATIONS[k]: v for k, v in figures.installations.items()},
    )
    fig.text(
        0.99, 0.005, "Aggregates only. OFFICIAL-SENSITIVE.", ha="right", color=_MUTED, fontsize=8
    )
    fig.savefig(out, format="png", dpi=110)
    pyplot.close(fig)


def _bars(axes: Axes, title: str, counts: dict[str, int]) -> None:
    axes.set_title(title, loc="left", fontweight="bold")
    if not counts:
        axes.text(0.5, 0.5, "none", ha="center", va="center", color=_MUTED)
        axes.set_axis_off()
        return
    labels = list(counts)[::-1]  # first item at the top
    values = [counts[label] for label in labels]
    bars = axes.barh(labels, values, color=_BAR)
    axes.bar_label(bars, padding=3)
    axes.set_xlim(0, max(max(values), 1) * 1.2)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)


def _time_to_decision(axes: Axes, figures: Figures) -> None:
    axes.set_title("Time to decision, notifications, expiries", loc="left", fontweight="bold")
    axes.set_axis_off()
    lines = [
        ("Decisions (approved or rejected)", str(figures.decisions)),
        ("Median time to decision", format_span(figures.median_to_decision)),
        ("90th percentile", format_span(figures.p90_to_decision)),
        ("Late notifications", str(figures.late_notifications)),
        *((f"Expired: {EXPIRY_STAGES[k].lower()}", str(v)) for k, v in figures.expiries.items()),
    ]
    step = 0.9 / len(lines)
    for row, (label, value) in enumerate(lines):
        y = 0.92 - row * step
        axes.text(0.0, y, label, fontsize=11, va="center")
        axes.text(0.95, y, value, fontsize=14, fontweight="bold", ha="right", va="center")
