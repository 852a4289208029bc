"""Figures of notebook 06 (would it pay?): the demand record, revenue against cost, the break-even's
sensitivity, and the scale of the market. Each function takes the model's tables and returns a
matplotlib figure; titles, source lines, alt text and method notes are added by the notebook's exporter."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from .. import money, style
from .chart import DISPLAY_DPI as _DISPLAY_DPI
from .chart import legend_below


def _plt():
    import matplotlib.pyplot as plt

    return plt


def demand_chart(ratios: pd.DataFrame, rail_ratio: float, project_names: dict[str, str], rail_label: str):
    """Actual (or later forecast) over forecast: each Channel Tunnel row with a ratio, and the rail
    reference class at its average overestimate, labelled with ``rail_label``
    (:func:`bering.economics.rail_class_label`). A bar at 1 would be a forecast met exactly."""
    plt = _plt()
    rows = ratios[ratios["ratio"].notna()].copy()
    rows["label"] = [
        f"{project_names.get(p, p)}, {t} ({y}): {w} over the " + (f"{int(m)} forecast" if pd.notna(m) else "forecast")
        for p, t, y, w, m in zip(
            rows["project_id"],
            rows["traffic"],
            rows["forecast_for_year"],
            np.where(rows["compared_with"] == "actual", "actual", "revised forecast"),
            rows["forecast_made_year"],
        )
    ]
    labels = list(rows["label"]) + [rail_label]
    values = list(rows["ratio"]) + [rail_ratio]
    by_mode = {
        "freight": style.PALETTE["vermillion"],
        "passenger": style.PALETTE["blue"],
        "road vehicles": style.PALETTE["orange"],
    }
    colours = [by_mode.get(m, style.GREY) for m in rows["mode"]]
    colours.append(style.PALETTE["green"])
    hatches = ["//" if c == "revised forecast" else "" for c in rows["compared_with"]] + [""]
    fig, ax = plt.subplots(figsize=(9.5, 0.75 * len(values) + 1.8), layout="constrained", dpi=_DISPLAY_DPI)
    y = np.arange(len(values))[::-1]
    bars = ax.barh(y, values, color=colours, height=0.6)
    for bar, h in zip(bars, hatches):
        bar.set_hatch(h)
        bar.set_edgecolor("white")
    for yi, v in zip(y, values):
        ax.annotate(f"{v:.0%}", (v, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=10)
    ax.axvline(1, color=style.PALETTE["black"], lw=1)
    ax.text(
        0.99,
        1.0,
        "forecast met",
        transform=ax.get_xaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=9,
        color=style.GREY,
    )
    ax.set_yticks(y, ["\n".join(textwrap.wrap(t, 55)) for t in labels], fontsize=9)
    ax.set_xlim(0, 1.15)
    ax.set_xlabel(
        "traffic carried as a share of the forecast"
        + (" (hatched: a later forecast, not an outturn)" if any(hatches) else "")
    )
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.grid(axis="y", visible=False)
    return fig


def revenue_cost_chart(
    curve: pd.DataFrame, costs: dict[str, float], breakeven_mt: float, markers: dict[str, float], assumption_note: str
):
    """Yearly revenue against traffic, with the yearly cost at each cost percentile as horizontal
    lines; vertical markers for claims and comparison tonnages."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9.5, 5.6), layout="constrained", dpi=_DISPLAY_DPI)
    ax.plot(
        curve["traffic_mt_per_year"],
        curve["revenue_bn_per_year"],
        color=style.PALETTE["blue"],
        lw=2.2,
        label="revenue at 2012-2013 rail rates",
    )
    dashes = {0: (None, None), 1: (6, 3), 2: (2, 2)}
    for i, (label, value) in enumerate(costs.items()):
        ax.axhline(
            value,
            color=style.PALETTE["vermillion"],
            lw=1.6,
            dashes=dashes.get(i, (None, None)),
            label=f"yearly cost, {label}: {value:,.1f} bn",
        )
    ax.plot([breakeven_mt], [list(costs.values())[len(costs) // 2]], "o", color=style.PALETTE["black"])
    ax.annotate(
        f"break-even\n{breakeven_mt:,.0f} million t",
        (breakeven_mt, list(costs.values())[len(costs) // 2]),
        xytext=(8, -28),
        textcoords="offset points",
        fontsize=10,
    )
    top = max(curve["revenue_bn_per_year"].max(), max(costs.values())) * 1.08
    for i, (label, x) in enumerate(markers.items()):
        ax.axvline(x, color=style.GREY, lw=0.9, ls=":")
        ax.annotate(
            "\n".join(textwrap.wrap(label, 22)),
            (x, top * (0.97 - 0.16 * (i % 2))),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=9,
            color=style.GREY,
            va="top",
        )
    ax.set_ylim(0, top)
    ax.set_xlim(0, curve["traffic_mt_per_year"].max())
    ax.set_xlabel("freight through the link, million tonnes a year")
    ax.set_ylabel(f"{money.label()} bn a year")
    legend_below(ax, below=0.13, ncol=2)
    ax.text(
        0.99,
        0.25,
        "\n".join(textwrap.wrap(assumption_note, 42)),
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=style.MIN_FONT_PT,
        color=style.GREY,
    )
    return fig


def sensitivity_chart(grid: pd.DataFrame, central_life: float, transpacific_mt: float):
    """Break-even traffic against the real interest rate, one line per cost percentile at the
    central asset life, and P50 at the other lives."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9.5, 5.4), layout="constrained", dpi=_DISPLAY_DPI)
    colours = {10: style.PALETTE["green"], 50: style.PALETTE["blue"], 90: style.PALETTE["vermillion"]}
    band = grid.groupby("real_rate_pct")["breakeven_mt_per_year"].agg(["min", "max"])
    ax.fill_between(
        band.index,
        band["min"],
        band["max"],
        color=style.PALETTE["sky"],
        alpha=0.18,
        lw=0,
        label="range over every cost percentile and life shown",
    )
    for p, g in grid[grid["asset_life_years"] == central_life].groupby("cost_percentile"):
        ax.plot(
            g["real_rate_pct"],
            g["breakeven_mt_per_year"],
            marker="o",
            color=colours.get(p, style.GREY),
            lw=2,
            label=f"P{p:g} cost, {central_life:g}-year life",
        )
    others = grid[(grid["asset_life_years"] != central_life) & (grid["cost_percentile"] == 50)]
    for (life, g), ls in zip(others.groupby("asset_life_years"), ("--", ":")):
        ax.plot(
            g["real_rate_pct"],
            g["breakeven_mt_per_year"],
            ls=ls,
            color=style.PALETTE["blue"],
            lw=1.4,
            label=f"P50 cost, {life:g}-year life",
        )
    ax.set_xlabel("real interest rate, % a year")
    ax.set_ylabel("break-even freight, million tonnes a year")
    secondary = ax.secondary_yaxis(
        "right", functions=(lambda v: v / transpacific_mt * 100, lambda s: s * transpacific_mt / 100)
    )
    secondary.set_ylabel("share of transpacific container tonnage, %")
    ax.set_ylim(0, None)
    ax.legend(frameon=False, fontsize=9)
    return fig


def market_chart(items: pd.DataFrame):
    """Tonnages a year on a log scale: the market, the claims, the break-even, the NSR."""
    plt = _plt()
    from matplotlib.patches import Patch

    colours = {
        "market": style.PALETTE["blue"],
        "claim": style.PALETTE["vermillion"],
        "break-even": style.PALETTE["black"],
        "Northern Sea Route": style.PALETTE["green"],
    }
    v = items.sort_values("mt").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9.5, 0.55 * len(v) + 1.8), layout="constrained", dpi=_DISPLAY_DPI)
    y = np.arange(len(v))
    ax.barh(y, v["mt"], color=v["kind"].map(colours), height=0.65)
    for yi, t in zip(y, v["mt"]):
        ax.annotate(
            f"{t:,.0f}" if t >= 10 else f"{t:,.1f}",
            (t, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=10,
        )
    ax.set_xscale("log")
    ax.set_xlim(v["mt"].min() / 2, v["mt"].max() * 4)
    ax.set_yticks(y, ["\n".join(textwrap.wrap(t, 50)) for t in v["item"]], fontsize=9)
    ax.set_xlabel("million tonnes a year (log scale)")
    ax.grid(axis="y", visible=False)
    legend_below(ax, [Patch(color=c, label=k) for k, c in colours.items()], below=0.16, ncol=4)
    return fig
