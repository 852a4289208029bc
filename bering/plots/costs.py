"""Figures and widgets of the cost analysis (notebook 03, and the cost-claims chart of notebook 01).

The models live in :mod:`bering.benchmarks` and :mod:`bering.montecarlo`, which import no
plotting library; everything here draws what they compute. Labels that could collide are placed
by adjustText (scatter labels) or by a spacing rule (labels on horizontal lines).
"""

from __future__ import annotations

import html
import itertools
import math

import numpy as np
import pandas as pd

from .. import benchmarks, money
from ..montecarlo import percentiles, share_at_or_below
from .chart import Chart, registered

#: Resolution of the figures shown inline in the notebook (the exported files are 200 dpi); kept
#: low so that the stored notebook stays small.
INLINE_DPI = 72  # inline PNGs small enough that the notebook stays under 1 MB
#: Colours and legend order of the cost scopes (project_costs.scope).
SCOPE_LABELS = {
    "tunnel": "tunnel only",
    "crossing": "crossing (bridge or link, no approaches)",
    "crossing_and_approaches": "crossing with its approach railways",
    "corridor_programme": "corridor programme",
    "rail_line": "rail line",
    "canal": "canal",
    "unstated": "scope not stated",
}


def _scope_colours() -> dict[str, str]:
    from ..style import PALETTE

    return {
        "tunnel": PALETTE["blue"],
        "crossing": PALETTE["sky"],
        "crossing_and_approaches": PALETTE["vermillion"],
        "corridor_programme": PALETTE["purple"],
        "rail_line": PALETTE["orange"],
        "canal": PALETTE["green"],
        "unstated": "#6E6E6E",
    }


def human_log_ticks(axis, lo: float, hi: float) -> None:
    """Ticks at 1, 2, 5 x 10^k between ``lo`` and ``hi`` on a log axis, labelled as plain numbers (0.1, 1, 10)."""
    import matplotlib.ticker as mticker

    ticks = [
        m * 10.0**k
        for k in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1)
        for m in (1, 2, 5)
        if lo <= m * 10.0**k <= hi
    ]
    axis.set_major_locator(mticker.FixedLocator(ticks))
    axis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    axis.set_minor_formatter(mticker.NullFormatter())


def spread_labels(values, min_gap: float, log: bool = False) -> list[float]:
    """Label positions for ``values`` (e.g. heights of horizontal lines) at least ``min_gap`` apart.

    Labels keep their order; a label too close to the one below it is pushed up. With ``log``
    the gap is a ratio (positions are spread in log space).
    """
    v = np.asarray(values, dtype=float)
    order = np.argsort(v)
    pos = np.log10(v) if log else v.copy()
    out = pos.copy()
    last = -np.inf
    for i in order:
        out[i] = max(pos[i], last + min_gap)
        last = out[i]
    return list(10**out if log else out)


KIND_LABELS = {
    "rail_tunnel": "rail tunnel",
    "immersed_tunnel": "immersed tunnel",
    "loop_tunnel": "loop tunnel",
    "bridge_tunnel": "bridge-tunnel link",
    "canal": "canal",
    "rail_line": "rail line",
    "road_tunnel": "road tunnel",
    "bridge": "bridge",
}


def _kind_colours() -> dict[str, str]:
    from ..style import PALETTE

    return {
        "rail_tunnel": PALETTE["blue"],
        "immersed_tunnel": PALETTE["sky"],
        "loop_tunnel": PALETTE["purple"],
        "bridge_tunnel": PALETTE["green"],
        "canal": PALETTE["orange"],
        "rail_line": PALETTE["vermillion"],
        "road_tunnel": PALETTE["yellow"],
        "bridge": "#6E6E6E",
    }


def short_name(name: str) -> str:
    """A project's name without its parenthetical (and, if still long, its section), for chart labels."""
    name = name.split(" (")[0]
    return name.split(", ")[0] if len(name) > 32 else name


def _plain_log_axis(axis) -> None:
    import matplotlib.ticker as mticker

    axis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))


def cost_per_km_chart(table: pd.DataFrame, claims_per_km: dict[str, float], base_label: str):
    """Dot chart of cost per km (log scale) per project, with the claims as vertical lines.

    Filled dots are outturns, hollow dots estimates (projects under construction or never built);
    an asterisk marks a figure that includes land connections.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from ..style import GREY, PALETTE

    t = table.sort_values("usd_m_per_km").reset_index(drop=True)
    colours = _kind_colours()
    fig, ax = plt.subplots(figsize=(10, 6.6), layout="constrained")
    y = np.arange(len(t))
    for i, row in t.iterrows():
        colour = colours[row["kind"]]
        filled = row["basis"] == "outturn"
        ax.scatter(
            row["usd_m_per_km"], i, s=70, zorder=3, color=colour if filled else "white", edgecolor=colour, linewidth=1.8
        )
        note = f"{row['usd_m_per_km']:,.0f}" if row["usd_m_per_km"] >= 10 else f"{row['usd_m_per_km']:.1f}"
        ax.annotate(
            note,
            (row["usd_m_per_km"], i),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color="#333333",
        )
    labels = [short_name(n) + (" *" if s == "incl. land links" else "") for n, s in zip(t["name"], t["scope"])]
    ax.set_yticks(y, labels)
    ax.set_xscale("log")
    ax.set_xlim(t["usd_m_per_km"].min() / 1.6, t["usd_m_per_km"].max() * 1.8)
    _plain_log_axis(ax.xaxis)
    ax.set_ylim(-0.8, len(t) - 0.2)
    texts = {
        "claim_8bn": ("claim: under USD 8 bn", "--", PALETTE["vermillion"], 1.0, "left"),
        "claim_65bn": ("'traditional' USD 65 bn+", ":", PALETTE["black"], 3.0, "right"),
    }
    for key, value in claims_per_km.items():
        text, ls, colour, ypos, ha = texts.get(key, (key, "-.", GREY, 5.0, "left"))
        ax.axvline(value, linestyle=ls, color=colour, linewidth=1.6, zorder=2)
        pad = " " if ha == "left" else ""
        ax.text(
            value,
            ypos,
            f"{pad}{text}{' ' if ha == 'right' else ''}\n{pad}{value:,.0f} m per km {'' if ha == 'left' else ' '}",
            fontsize=9,
            color=colour,
            va="center",
            ha=ha,
        )
    ax.set_xlabel(f"cost per km of route, {base_label} million (log scale)")
    ax.grid(axis="y", visible=False)
    kinds = [k for k in KIND_LABELS if k in set(t["kind"])]
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[k], label=KIND_LABELS[k]) for k in kinds]
    handles += [
        Line2D([], [], marker="o", linestyle="", color=GREY, label="outturn"),
        Line2D([], [], marker="o", linestyle="", color=GREY, markerfacecolor="white", label="estimate (or mixed)"),
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=9, frameon=True, framealpha=0.9)
    if (t["scope"] == "incl. land links").any():
        ax.text(0.0, -0.1, "* includes the land connections", transform=ax.transAxes, fontsize=9, color=GREY)
    fig.set_dpi(INLINE_DPI)
    return fig


def estimate_outturn_chart(table: pd.DataFrame, base_label: str, class_means: dict[str, float] | None = None):
    """Outturn over estimate (constant prices) for each pair, as bars, with published class means.

    A column beside the bars gives the two amounts and the pair's caveat; ``class_means``
    (label -> mean overrun in percent) are drawn as reference lines.
    """
    import textwrap

    import matplotlib.pyplot as plt

    from ..style import GREY, PALETTE

    t = table.reset_index(drop=True)
    fig, (ax, notes) = plt.subplots(
        1,
        2,
        figsize=(12, 0.62 * len(t) + 2.0),
        sharey=True,
        layout="constrained",
        gridspec_kw={"width_ratios": [1.25, 1]},
    )
    y = np.arange(len(t))[::-1]
    colours = np.where(t["overrun_pct"] > 0, PALETTE["vermillion"], PALETTE["blue"])
    ax.barh(y, t["overrun_pct"], color=colours, alpha=0.85, height=0.6)
    lo, hi = min(t["overrun_pct"].min(), 0), max(t["overrun_pct"].max(), 0)
    span = hi - lo
    for yi, row in zip(y, t.itertuples(index=False)):
        ax.text(
            max(row.overrun_pct, 0) + 0.015 * span,
            yi,
            f"{row.overrun_pct:+.0f} %",
            va="center",
            ha="left",
            fontsize=9,
            color="#333333",
        )
        note = f"{row.estimate_usd_bn:.3g} to {row.outturn_usd_bn:.3g} bn; {row.caveat}"
        notes.text(0.0, yi, "\n".join(textwrap.wrap(note, 58)), va="center", ha="left", fontsize=9, color=GREY)
    ax.set_yticks(y, [short_name(n) for n in t["name"]])
    ax.axvline(0, color=PALETTE["black"], linewidth=1)
    for i, (label, mean) in enumerate((class_means or {}).items()):
        ax.axvline(mean, color=GREY, linestyle="--" if i == 0 else ":", linewidth=1.2)
        ax.text(
            mean,
            len(t) - 0.35 + 0.45 * i,
            f" {label}: mean {mean:+.1f} %",
            fontsize=9,
            color=GREY,
            ha="left",
            va="bottom",
        )
    ax.set_xlim(lo - 0.05 * span, hi + 0.18 * span)
    ax.set_ylim(-0.7, len(t) + 0.6)
    ax.set_xlabel(f"outturn over estimate, %\n(both restated in {base_label}, so inflation is taken out)")
    ax.grid(axis="y", visible=False)
    notes.set_xlim(0, 1)
    notes.axis("off")
    notes.text(
        0.0, len(t) - 0.2, f"estimate to outturn, {base_label}", fontsize=9, color=GREY, fontweight="bold", va="bottom"
    )
    fig.set_dpi(INLINE_DPI)
    return fig


def interactive_benchmarks(
    table: pd.DataFrame,
    costs: pd.DataFrame,
    sources: pd.DataFrame,
    claims_per_km: dict[str, float],
    claim_km: float,
    base_label: str,
):
    """Plotly scatter of cost per km against length; hover shows the figures as stated and the source."""
    import plotly.graph_objects as go

    colours = _kind_colours()
    src = sources.set_index("source_id")
    stated = costs.set_index("cost_id")
    t = table.copy()

    def as_stated(ids: str) -> str:
        parts = []
        for cid in ids.split(";"):
            r = stated.loc[cid]
            parts.append(f"{r['currency']} {r['amount_bn']:g} bn ({r['price_year']} prices, {r['cost_type']})")
        return "<br>".join(parts)

    def cite(ids: str) -> str:
        return "<br>".join(f"{src.loc[s, 'publisher']}: {src.loc[s, 'url']}" for s in ids.split(";"))

    t["stated"] = t["cost_ids"].map(as_stated)
    t["cited"] = t["source_id"].map(cite)
    fig = go.Figure()
    for kind, sub in t.groupby("kind", sort=False):
        custom = sub[["name", "stated", "usd_bn", "usd_m_per_km", "scope", "cited"]].to_numpy().tolist()
        fig.add_trace(
            go.Scatter(
                x=sub["km"].tolist(),
                y=sub["usd_m_per_km"].round(2).tolist(),
                mode="markers",
                name=KIND_LABELS[kind],
                marker={
                    "size": 13,
                    "color": colours[kind],
                    "line": {"color": "white", "width": 1},
                    "symbol": ["circle" if b == "outturn" else "circle-open" for b in sub["basis"]],
                },
                customdata=custom,
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>as stated: %{customdata[1]}<br>"
                    f"{base_label}: %{{customdata[2]:.2f}} bn over %{{x:,.1f}} km<br>"
                    f"cost per km: %{{customdata[3]:,.1f}} m {base_label}<br>scope: %{{customdata[4]}}"
                    "<br>source: %{customdata[5]}<extra></extra>"
                ),
            )
        )
    for key, value in claims_per_km.items():
        label = {"claim_8bn": "claim: under USD 8 bn", "claim_65bn": "'traditional' USD 65 bn+"}.get(key, key)
        fig.add_trace(
            go.Scatter(
                x=[claim_km],
                y=[round(value, 2)],
                mode="markers",
                name=label,
                marker={"symbol": "star", "size": 18, "color": "#D55E00" if key == "claim_8bn" else "#000000"},
                hovertemplate=(
                    f"<b>{label}</b><br>{claim_km:g} km tunnel (October 2025 pitch)<br>"
                    f"{value:,.1f} m {base_label} per km<br>source: The Independent and wire report, "
                    "2025-10-17<extra></extra>"
                ),
            )
        )
    fig.update_xaxes(type="log", title="length of route, km (log scale)")
    fig.update_yaxes(type="log", title=f"cost per km, {base_label} million (log scale)")
    fig.update_layout(height=560, legend={"orientation": "h", "y": -0.22})
    return fig


def distribution_chart(result, claims: dict[str, float], base_label: str, scenario: str = "baseline"):
    """Histograms (log x) of the tunnel and whole-link cost, P10-P90 shaded.

    The tunnel-only USD 8 bn is marked on the tunnel; the USD 65 bn, a corridor-programme figure
    (railway, pipeline and power) wider than any panel, on the whole link, the nearest scope.
    """
    import matplotlib.pyplot as plt

    from ..style import PALETTE

    fig, axes = plt.subplots(2, 1, figsize=(10, 7.4), sharex=True, layout="constrained")
    all_x = np.concatenate([result.tunnel, result.whole])
    lo, hi = np.percentile(all_x, [0.5, 99.5])
    lo = min(lo, min(claims.values())) / 1.3
    bins = np.geomspace(lo, hi * 1.05, 120)
    label_box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1}
    for ax, (name, x, colour) in zip(
        axes,
        (
            ("tunnel alone", result.tunnel, PALETTE["blue"]),
            ("whole link (tunnel + railways to connected railheads)", result.whole, PALETTE["green"]),
        ),
    ):
        q = percentiles(x)
        counts, edges = np.histogram(x, bins=bins)
        share = 100 * counts / x.size
        ax.stairs(share, edges, fill=True, color=colour, alpha=0.35)
        ax.stairs(share, edges, color=colour, linewidth=1)
        ax.axvspan(q[10], q[90], color=colour, alpha=0.10, zorder=0)
        top = share.max()
        for p, ls, height in ((10, ":", 1.05), (50, "-", 1.19), (80, "--", 1.33), (90, ":", 1.47)):
            ax.axvline(q[p], color=colour, linestyle=ls, linewidth=1.4)
            ax.text(
                q[p],
                top * height,
                f"P{p}: {q[p]:,.0f}",
                ha="center",
                va="bottom",
                fontsize=9,
                color=colour,
                bbox=label_box,
            )
        for key, value in claims.items():
            if (key == "claim_8bn") != (name == "tunnel alone"):
                continue
            colour_c = PALETTE["vermillion"] if key == "claim_8bn" else PALETTE["black"]
            ax.axvline(value, color=colour_c, linewidth=2, linestyle="--")
            label = (
                "claim: under USD 8 bn (tunnel)"
                if key == "claim_8bn"
                else "'traditional' USD 65 bn+ (corridor programme)"
            )
            ax.text(
                value,
                top * (0.75 if key == "claim_8bn" else 0.45),
                f" {label}\n at P{share_at_or_below(x, value):.1f}",
                fontsize=9,
                color=colour_c,
                ha="left",
                va="center",
                bbox=label_box,
            )
        ax.set_ylim(0, top * 1.62)
        ax.set_xlim(lo, hi * 1.05)
        ax.set_ylabel("share of draws, %")
        ax.set_title(f"{name}: P10-P90 shaded", loc="left", fontsize=11)
    axes[1].set_xscale("log")
    human_log_ticks(axes[1].xaxis, lo, hi * 1.05)
    axes[1].set_xlabel(
        f"cost, {base_label} bn (log scale). Scenario '{scenario}'; an estimate built on the "
        "assumptions in data/assumptions.csv"
    )
    fig.set_dpi(INLINE_DPI)
    return fig


def tornado_chart(sens: pd.DataFrame, base_label: str, component_label: str = "whole-link P50"):
    """Horizontal bars: how far each assumption's alternatives move the P50 from the baseline."""
    import matplotlib.pyplot as plt

    from ..style import GREY, PALETTE

    base = sens.attrs["baseline_p50"]
    order = list(dict.fromkeys(sens["assumption"]))[::-1]
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(order) + 1.8), layout="constrained")
    span = sens["p50"].max() - sens["p50"].min()
    for i, name in enumerate(order):
        sub = sens[sens["assumption"] == name].sort_values("change")
        same_side = len(sub) > 1 and (np.sign(sub["change"]).nunique() == 1)
        height = 0.6 / len(sub) if same_side else 0.6
        for j, row in enumerate(sub.itertuples(index=False)):
            y = i + ((j - (len(sub) - 1) / 2) * height if same_side else 0)
            colour = PALETTE["vermillion"] if row.change > 0 else PALETTE["blue"]
            ax.barh(y, row.change, left=base, color=colour, alpha=0.8, height=height * 0.92)
            ha = "left" if row.change > 0 else "right"
            ax.text(
                row.p50 + (0.01 if row.change > 0 else -0.01) * span,
                y,
                f"{row.option}: {row.p50:,.0f}",
                va="center",
                ha=ha,
                fontsize=9,
                color="#333333",
            )
    ax.axvline(base, color=PALETTE["black"], linewidth=1.2)
    ax.text(
        base,
        len(order) - 0.3,
        f"baseline: {base:,.0f}",
        ha="center",
        va="bottom",
        fontsize=9,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
    )
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(-0.6, len(order) + 0.1)
    lo, hi = sens["p50"].min(), sens["p50"].max()
    ax.set_xlim(min(lo, base) - 0.8 * span, max(hi, base) + 0.55 * span)
    ax.set_xlabel(f"{component_label}, {base_label} bn")
    ax.grid(axis="y", visible=False)
    ax.text(
        0.0,
        -0.12 if len(order) > 6 else -0.2,
        "assumptions varied one at a time; other inputs at baseline",
        transform=ax.transAxes,
        fontsize=9,
        color=GREY,
    )
    fig.set_dpi(INLINE_DPI)
    return fig


def cost_claims_chart(claims: pd.DataFrame, base_year: int = money.BASE_YEAR):
    """A dumbbell per cost claim, as stated (hollow) and restated (filled), coloured by scope; log scale."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from ..style import GREY

    colours = _scope_colours()
    ordered = claims.sort_values(["year", "event_id"], kind="stable").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(ordered) + 2.2), layout="constrained")
    y = np.arange(len(ordered))[::-1]
    ax.hlines(y, ordered["nominal_usd_bn"], ordered["usd_bn_base"], color="#BBBBBB", linewidth=2, zorder=1)
    scope = ordered["scope"] if "scope" in ordered else pd.Series("unstated", index=ordered.index)
    for yi, row, sc in zip(y, ordered.itertuples(index=False), scope):
        c = colours.get(sc, GREY)
        ax.scatter(row.nominal_usd_bn, yi, s=60, facecolor="white", edgecolor=c, linewidth=1.8, zorder=2)
        ax.scatter(row.usd_bn_base, yi, s=60, color=c, zorder=3)
    labels = [f"{int(yr)}  {title}" for yr, title in zip(ordered["year"], ordered["title"])]
    ax.set_yticks(y, labels)
    ax.set_xscale("log")
    lo = float(min(ordered["nominal_usd_bn"].min(), ordered["usd_bn_base"].min())) / 1.5
    hi = float(max(ordered["nominal_usd_bn"].max(), ordered["usd_bn_base"].max())) * 1.5
    ax.set_xlim(lo, hi)
    human_log_ticks(ax.xaxis, lo, hi)
    ax.set_xlabel(f"claimed cost, billion US dollars (log scale); filled: restated in USD {base_year}")
    ax.grid(axis="y", visible=False)
    present = [s for s in SCOPE_LABELS if s in set(scope)]
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[s], label=SCOPE_LABELS[s]) for s in present]
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=GREY,
            markerfacecolor="white",
            label="hollow: as stated (USD of that year)",
        ),
        Line2D([], [], marker="o", linestyle="", color=GREY, label=f"filled: restated in USD {base_year}"),
    ]
    # inside, lower left: every claim since 1995 lies far to the right of it on the log axis
    ax.legend(
        handles=handles,
        loc="lower left",
        title="colour: scope of the figure",
        fontsize=9,
        title_fontsize=9,
        frameon=True,
        framealpha=0.9,
        alignment="left",
    )
    fig.set_dpi(INLINE_DPI)
    return fig


def duration_chart(
    sched: pd.DataFrame,
    promised: pd.DataFrame,
    model_years: dict[int, float] | None = None,
    model_km: float | None = None,
):
    """Construction years against length (log), built projects and the promised schedules; labels by adjustText.

    ``model_years`` ({percentile: years}) draws the duration model's P10-P90 range at ``model_km``.
    """
    import re

    import matplotlib.pyplot as plt
    from adjustText import adjust_text
    from matplotlib.lines import Line2D

    from ..style import PALETTE

    colours = _kind_colours()
    fig, ax = plt.subplots(figsize=(10, 6.2), layout="constrained")
    s = sched[sched["length_km"].notna() & (sched["kind"] != "bridge")]
    texts, xs, ys = [], [], []
    for row in s.itertuples(index=False):
        colour = colours[row.kind]
        filled = row.end_basis == "opened"
        ax.scatter(
            row.length_km,
            row.duration_years,
            s=65,
            zorder=3,
            color=colour if filled else "white",
            edgecolor=colour,
            linewidth=1.8,
        )
        texts.append(ax.text(row.length_km, row.duration_years, short_name(row.name), fontsize=9, color="#333333"))
        xs.append(row.length_km)
        ys.append(row.duration_years)
    for row in promised.itertuples(index=False):
        ax.scatter(
            row.length_km,
            row.planned_duration_years,
            marker="*",
            s=300,
            color=PALETTE["yellow"],
            zorder=4,
            edgecolor="black",
            linewidth=0.8,
        )
        year = re.search(r"(\d{4})", row.project_id)
        texts.append(
            ax.text(
                row.length_km,
                row.planned_duration_years,
                f"promised in {year.group(1)}" if year else "promised",
                fontsize=9,
                color="black",
                fontweight="bold",
            )
        )
        xs.append(row.length_km)
        ys.append(row.planned_duration_years)
    if model_years and model_km:
        ax.vlines(model_km, model_years[10], model_years[90], color=PALETTE["black"], linewidth=1.5, zorder=2)
        ax.scatter(model_km, model_years[50], marker="D", s=60, color=PALETTE["black"], zorder=4)
        texts.append(
            ax.text(
                model_km,
                model_years[50],
                f"duration model: P50 {model_years[50]:.0f} years\n"
                f"(P10-P90 {model_years[10]:.0f}-{model_years[90]:.0f})",
                fontsize=9,
                color="black",
            )
        )
        xs.append(model_km)
        ys.append(model_years[50])
    ax.set_xscale("log")
    human_log_ticks(ax.xaxis, 1, 5000)
    ax.set_xlim(min(xs) / 1.6, max(xs) * 1.8)
    ax.set_xlabel("length of route, km (log scale)")
    ax.set_ylabel("construction time, years (start of main works to opening)")
    top = max(ys + ([model_years[90]] if model_years else []))
    ax.set_ylim(0, top * 1.1)
    adjust_text(
        texts,
        # a fixed number of iterations, not the default one-second limit: the same labels every run
        iter_lim=250,
        x=xs,
        y=ys,
        ax=ax,
        expand=(1.5, 2.0),
        force_text=(0.3, 0.6),
        arrowprops={"arrowstyle": "-", "color": "#9A9A9A", "linewidth": 0.7},
    )
    kinds = [k for k in KIND_LABELS if k in set(s["kind"])]
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[k], label=KIND_LABELS[k]) for k in kinds]
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color="#6E6E6E",
            markerfacecolor="white",
            label="not yet open (expected year)",
        ),
        Line2D(
            [],
            [],
            marker="*",
            linestyle="",
            color=PALETTE["yellow"],
            markeredgecolor="black",
            markersize=14,
            label="promised by a Bering proposal",
        ),
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=9, frameon=True, framealpha=0.9)
    fig.set_dpi(INLINE_DPI)
    return fig


def schedule_chart(
    length_km: float,
    bores: int,
    years: float,
    rates: pd.DataFrame,
    boring_share: float = 1.0,
    max_tbms: int = 18,
    access: dict[str, int] | None = None,
    drives: pd.DataFrame | None = None,
):
    """Advance per TBM needed (m per calendar day) against the number of TBMs, with measured rates as lines.

    ``rates`` is :func:`bering.benchmarks.rate_marks`'s table; labels on the lines are spread so
    they never overlap (:func:`spread_labels`). With ``drives`` (:func:`bering.benchmarks.longest_drives`)
    a second panel sets the km each TBM must bore against the longest drives in the data.
    """
    import matplotlib.pyplot as plt

    from ..style import CYCLE, GREY, PALETTE

    counts = np.arange(1, max_tbms + 1)
    need = benchmarks.advance_needed(length_km, bores, counts, years, boring_share)
    if drives is None:
        fig, ax = plt.subplots(figsize=(10, 5.8), layout="constrained")
    else:
        fig, (ax, ax2) = plt.subplots(
            2, 1, figsize=(10, 8.8), layout="constrained", sharex=True, height_ratios=[1.25, 1]
        )
    ax.plot(
        counts,
        need,
        color=PALETTE["black"],
        linewidth=2.2,
        marker="o",
        markersize=4,
        zorder=3,
        label=(
            f"needed: {length_km:g} km x {bores} bores in {years:g} years\n"
            f"(assumption: each TBM boring {boring_share:.0%} of the calendar)"
        ),
    )
    lo = min(need.min(), rates["value_m_per_day"].min()) / 1.4
    hi = max(need.max(), rates["value_m_per_day"].max()) * 1.4
    label_y = spread_labels(rates["value_m_per_day"], 0.075, log=True)
    for i, (row, ly) in enumerate(zip(rates.itertuples(index=False), label_y)):
        colour = CYCLE[i % len(CYCLE)]
        ax.axhline(row.value_m_per_day, color=colour, linewidth=1.4, linestyle="--", zorder=2)
        ax.text(
            max_tbms + 0.8,
            ly,
            f"{row.label}: {row.value_m_per_day:g}",
            fontsize=9,
            color=colour,
            va="center",
            ha="left",
        )
    for text, n in (access or {}).items():
        ax.axvline(n, color=GREY, linewidth=1, linestyle=":")
        ax.text(
            n - 0.1, hi / 1.05, f"most TBMs, {text}: {n}", fontsize=9, color=GREY, rotation=90, va="top", ha="right"
        )
    ax.set_yscale("log")
    ax.set_ylim(lo, hi)
    human_log_ticks(ax.yaxis, lo, hi)
    ax.set_xlim(0.5, max_tbms + 0.5)
    ax.set_xticks(counts[1::2] if max_tbms > 12 else counts)
    ax.set_ylabel("average advance per TBM,\nm per calendar day (log scale)")
    ax.legend(loc="lower left", fontsize=9, frameon=True, framealpha=0.9)
    if drives is not None:
        _drive_panel(ax2, length_km, bores, counts, drives, access, max_tbms)
        ax2.set_xlabel("TBMs boring at the same time")
        # two panels: a lower inline resolution keeps the stored notebook under 1 MB (files are 200 dpi)
        fig.set_dpi(INLINE_DPI * 3 // 4)
    else:
        ax.set_xlabel("TBMs boring at the same time")
        fig.set_dpi(INLINE_DPI)
    return fig


def _drive_panel(ax, length_km, bores, counts, drives, access, max_tbms) -> None:
    """Km each TBM must bore against the number of TBMs, with the longest drives in the data as lines."""
    from ..style import CYCLE, GREY, PALETTE

    per_tbm = benchmarks.drive_per_tbm(length_km, bores, counts)
    ax.plot(
        counts,
        per_tbm,
        color=PALETTE["black"],
        linewidth=2.2,
        marker="o",
        markersize=4,
        zorder=3,
        label=f"km each TBM must bore: {length_km:g} km x {bores} bores shared equally",
    )
    lo = min(per_tbm.min(), drives["drive_km"].min()) / 1.4
    hi = max(per_tbm.max(), drives["drive_km"].max()) * 1.4
    label_y = spread_labels(drives["drive_km"], 0.085, log=True)
    for i, (row, ly) in enumerate(zip(drives.itertuples(index=False), label_y)):
        colour = CYCLE[(i + 3) % len(CYCLE)]
        style = "--" if row.basis == "single_drive" else "-."
        ax.axhline(row.drive_km, color=colour, linewidth=1.4, linestyle=style, zorder=2)
        ax.text(max_tbms + 0.8, ly, f"{row.label}: {row.drive_km:g} km", fontsize=9, color=colour, va="center")
    for n in (access or {}).values():
        ax.axvline(n, color=GREY, linewidth=1, linestyle=":")
    ax.set_yscale("log")
    ax.set_ylim(lo, hi)
    human_log_ticks(ax.yaxis, lo, hi)
    ax.set_ylabel("km bored per TBM (log scale)")
    ax.legend(loc="upper right", fontsize=9, frameon=True, framealpha=0.9)


def bore_km_chart(table: pd.DataFrame, claim_per_bore_km: float, base_label: str, bores: int):
    """Cost per bore-km of the tunnels whose bores are sourced, cheapest first, with the USD 8 bn implied value."""
    import matplotlib.pyplot as plt

    from ..style import PALETTE

    t = table[table["usd_m_per_bore_km"].notna()].sort_values("usd_m_per_bore_km").reset_index(drop=True)
    colours = _kind_colours()
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(t) + 2.2), layout="constrained")
    y = np.arange(len(t))
    for i, row in t.iterrows():
        ax.barh(i, row["usd_m_per_bore_km"], color=colours[row["kind"]], alpha=0.85, height=0.6)
        m3 = f"; USD {row['usd_per_m3']:,.0f} per m3 excavated" if pd.notna(row["usd_per_m3"]) else ""
        ax.text(
            row["usd_m_per_bore_km"] * 1.06,
            i,
            f"{row['usd_m_per_bore_km']:,.1f}{m3}",
            va="center",
            fontsize=9,
            color="#333333",
        )
    labels = [f"{short_name(n)} ({int(b)} x {km:g} km)" for n, b, km in zip(t["name"], t["bores"], t["tunnelled_km"])]
    ax.set_yticks(y, labels)
    ax.set_xscale("log")
    lo, hi = min(t["usd_m_per_bore_km"].min(), claim_per_bore_km) / 1.6, t["usd_m_per_bore_km"].max() * 6
    ax.set_xlim(lo, hi)
    human_log_ticks(ax.xaxis, lo, hi)
    ax.axvline(claim_per_bore_km, color=PALETTE["vermillion"], linestyle="--", linewidth=1.8)
    ax.text(
        claim_per_bore_km * 1.04,
        len(t) - 0.1,
        f"USD 8 bn over {bores} bores of the 112 km pitch: {claim_per_bore_km:,.1f} m per bore-km",
        color=PALETTE["vermillion"],
        fontsize=9,
        va="center",
    )
    ax.set_ylim(-0.6, len(t) + 0.3)
    ax.set_xlabel(f"cost per km of bore, {base_label} million (log scale)")
    ax.grid(axis="y", visible=False)
    fig.set_dpi(INLINE_DPI)
    return fig


# ---------------------------------------------------------------------------------------------
# Widget


_WIDGET_IDS = itertools.count(1)


def _table_html(table: pd.DataFrame) -> str:
    """An HTML table without the index, every cell escaped."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(f'{v:,.2f}' if isinstance(v, float) else str(v))}</td>" for v in row)
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def static_estimates(model, params, percentiles_shown=(50, 90), draws: int = 100_000) -> pd.DataFrame:
    """The widget's result precomputed for every tunnel reference class at the shown percentiles (no index)."""
    labels = {cid: lab for cid, (lab, *_rest) in model.classes.items()}
    rows = []
    for cls in benchmarks.classes(model.projects, use=("tunnel_cost",)):
        for p in percentiles_shown:
            est = model.estimate(params, tunnel_class=cls, percentile=p, draws=draws).set_index("quantity")["value"]
            rows.append(
                {
                    "reference class": labels[cls],
                    "percentile": f"P{p}",
                    f"tunnel cost, {money.label()} bn": float(est.iloc[0]),
                    f"whole link cost, {money.label()} bn": float(est.iloc[1]),
                }
            )
    return pd.DataFrame(rows)


class _WithStaticFallback:
    """A widget that, where no live kernel renders widgets (a static page, GitHub), shows a table instead."""

    def __init__(self, box, fallback_html: str):
        self.box, self.fallback_html = box, fallback_html

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.box._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = self.fallback_html
        data["text/plain"] = "Interactive estimate (needs a live kernel); the table lists precomputed results."
        return bundle

    def __repr__(self):
        return repr(self.box)


def estimate_widget(
    model,
    params,
    static: pd.DataFrame | None = None,
    percentile_options=(10, 20, 30, 40, 50, 60, 70, 80, 90),
    max_tbms: int = 18,
):
    """Controls (length, reference class, percentile, TBM count) wired to :meth:`Model.estimate`.

    The result table is an HTML widget whose value is set at once to the baseline and reset on
    every change, so nothing is printed as a cell output. Labels of the reference classes come
    from ``data/reference_classes.csv``. Outside a live kernel the ``static`` table of
    precomputed results (:func:`static_estimates`) stands in for the controls.
    """
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    tunnel_classes = benchmarks.classes(model.projects, use=("tunnel_cost",))
    controls = {
        "length_km": widgets.IntSlider(
            value=int(round(params.tunnel_km)), min=50, max=150, step=1, description="tunnel length, km", style=style
        ),
        "tunnel_class": widgets.Dropdown(
            options=[(lab, cid) for cid, (lab, *_r) in tunnel_classes.items()],
            value=params.tunnel_class,
            description="tunnels compared with",
            style=style,
        ),
        "percentile": widgets.SelectionSlider(
            options=list(percentile_options), value=50, description="percentile (P)", style=style
        ),
        "tbm_count": widgets.IntSlider(
            value=params.tbm_count, min=1, max=max_tbms, description="TBMs boring at once", style=style
        ),
    }
    view = widgets.HTML()

    def update(_change=None):
        kwargs = {k: c.value for k, c in controls.items()}
        view.value = _table_html(model.estimate(params, **kwargs))

    update()
    for c in controls.values():
        c.observe(update, names="value")
    note = widgets.Label("Move a control to recompute (200,000 draws).")
    # The box's model id is the only id a stored notebook keeps; a counter instead of a random
    # id makes a fresh kernel write the same bytes on every run (and stays unique within one).
    box = widgets.VBox(
        [
            widgets.HBox([controls["length_km"], controls["tunnel_class"]]),
            widgets.HBox([controls["percentile"], controls["tbm_count"]]),
            note,
            view,
        ],
        model_id=f"bering-estimate-widget-{next(_WIDGET_IDS)}",
    )
    if static is None:
        return box
    fallback = (
        "<p>The interactive estimate needs a live kernel; these are its results precomputed for "
        f"the pitch's {params.tunnel_km:g} km tunnel and {params.tbm_count} TBMs.</p>" + _table_html(static)
    )
    return _WithStaticFallback(box, fallback)


# ---------------------------------------------------------------------------------------------
# Charts of notebook 03 with what the exporter needs: each takes the model of a data folder
# (:func:`bering.montecarlo.model`) and a scenario's parameters, and computes its texts from them.

_CLAIM_SOURCE = "claim: The Independent and wire report, 2025-10-17"


def _claim_per_km(model) -> float:
    claim = model.claim()
    return claim["claim_8bn"] * 1000 / claim["length_km"]


def per_km(model) -> Chart:
    """``03_cost_per_km``: cost per km of every benchmark project against the 8 bn claim's."""
    claim, table, base = model.claim(), model.table(), money.label()
    per_km_claim = _claim_per_km(model)
    rail = benchmarks.class_values(table, "rail_tunnels", model.classes)
    return Chart(
        cost_per_km_chart(table, {"claim_8bn": per_km_claim}, base),
        "03_cost_per_km",
        title=(
            f"The USD 8 bn claim implies USD {per_km_claim:,.0f} m per km; long rail tunnels "
            f"built cost USD {rail.min():,.0f}-{rail.max():,.0f} m per km ({base})"
        ),
        alt=(
            f"Dot chart, log scale, of cost per km of route in {base} for {len(table)} projects, coloured by "
            f"kind, filled for outturns and hollow for estimates. A dashed line marks the USD 8 bn claim over the "
            f"pitch's {claim['length_km']:g} km at USD {per_km_claim:,.0f} m per km, below every "
            f"long rail tunnel (USD {rail.min():,.0f} m per km and up)."
        ),
        source=(
            "Bering Strait crossing notebooks: data/megaprojects.csv, data/project_costs.csv (rows with "
            f"per_km_use; sources per row in data/sources.csv); {_CLAIM_SOURCE}. " + money.method_note()
        ),
        data_files=("megaprojects.csv", "project_costs.csv", "us_price_index.csv", "fx_rates.csv", "sources.csv"),
        method=(
            "Each project's cost is the median of its rows marked per_km_use, restated to USD 2025, divided "
            "by its route length (or the length the row costs); estimates are shown as stated."
        ),
    )


def per_bore_km(model, params) -> Chart:
    """``03_cost_per_bore_km``: cost per km of bore of the tunnels whose bores are sourced, against the claim's."""
    claim, table, base = model.claim(), model.table(), money.label()
    per_bore = claim["claim_8bn"] * 1000 / benchmarks.bore_km(claim["length_km"], params.bores)
    bored = table[table["usd_m_per_bore_km"].notna()]
    cheapest = bored.loc[bored["usd_m_per_bore_km"].idxmin()]
    cheapest_name = cheapest["name"].split(" (")[0]
    return Chart(
        bore_km_chart(table, per_bore, base, params.bores),
        "03_cost_per_bore_km",
        title=(
            f"USD 8 bn means USD {per_bore:,.0f} m per km of bore: below every rail tunnel, above only the "
            f"{cheapest_name} (USD {cheapest['usd_m_per_bore_km']:,.0f} m)"
        ),
        alt=(
            f"Horizontal bars, log scale, of cost per km of bore in {base} for {len(bored)} tunnels whose bores "
            f"are sourced, cheapest first, with cost per cubic metre where the diameter is sourced. A dashed "
            f"line marks USD {per_bore:,.1f} m per bore-km, what USD 8 bn over {params.bores} bores of "
            f"{claim['length_km']:g} km allows; only the {cheapest_name} lies below it."
        ),
        source=(
            "Bering Strait crossing notebooks: data/megaprojects.csv (bores, bore_diameter_m), "
            "data/project_costs.csv; assumption tunnel_bores (data/assumptions.csv). " + money.method_note()
        ),
        data_files=("megaprojects.csv", "project_costs.csv", "assumptions.csv"),
        method=(
            "Cost per km of bore = restated cost / (tunnelled km x sourced bores); per cubic metre = that cost "
            "over bore km x the area of the sourced diameter. The claim line is USD 8 bn / (112 km x bores)."
        ),
    )


def estimate_vs_outturn(model) -> Chart:
    """``03_estimate_vs_outturn``: outturn over estimate for every pair of data/overrun_pairs.csv."""
    over = benchmarks.overruns(model.costs, model.conv, model.projects)
    class_means = {
        "fixed links (Flyvbjerg et al.)": model.overrun_stats("fixed links (bridges and tunnels)")[0],
        "rail": model.overrun_stats("rail")[0],
    }
    channel = over.set_index("estimate_id").loc["channel_tunnel_est_construction_1985p"]
    others = over.loc[over["estimate_id"] != channel.name, "overrun_pct"]
    base = money.label()
    return Chart(
        estimate_outturn_chart(over, base, class_means),
        "03_estimate_vs_outturn",
        title=(
            f"The Channel Tunnel cost {channel['overrun_pct']:.0f} % more than forecast in constant prices; "
            f"the other pairs range from {others.min():+.0f} % to {others.max():+.0f} %"
        ),
        alt=(
            f"Horizontal bars of outturn over estimate in percent for {len(over)} pairs of figures restated in "
            f"{base}, with dashed lines at the published mean overruns of fixed links and rail projects, and a "
            "column giving the amounts and what each pair compares."
        ),
        source=(
            "Bering Strait crossing notebooks: data/project_costs.csv, data/overrun_pairs.csv; class means "
            "from data/reference_overruns.csv (Flyvbjerg, Holm and Buhl 2002 as tabulated by Rodrigue's "
            "Geography of Transport Systems, matching the authors' rounded figures in Transport Reviews "
            "2003, whose standard deviations the model uses). " + money.method_note()
        ),
        data_files=("project_costs.csv", "overrun_pairs.csv", "megaprojects.csv", "reference_overruns.csv"),
        method=(
            "Each bar is outturn / estimate - 1 with both figures restated to USD 2025, so general inflation "
            "between the two dates is taken out; the dashed lines are published class means."
        ),
    )


def _durations(model, params) -> tuple[dict[int, float], float]:
    """The duration model's percentiles (years) at the tunnel's length, and the share (%) within the promised years."""
    from .. import data, montecarlo

    dur = montecarlo.duration_class(model.projects)
    elasticity = data.assumption_values(["duration_length_elasticity"], model.data_dir)["duration_length_elasticity"]
    years = montecarlo.duration_log_samples(
        dur["duration_years"],
        dur["length_km"],
        params.tunnel_km,
        elasticity,
        params.draws,
        uncertainty=params.uncertainty,
    )
    return percentiles(years), share_at_or_below(years, model.claim()["years"])


def duration_vs_length(model, params, scenario: str = "baseline") -> Chart:
    """``03_duration_vs_length``: construction years against length, with the duration model's range at the
    tunnel's; title and alt say which unsourced assumption the result rests on and where it flips."""
    from .. import montecarlo

    q_years, within = _durations(model, params)
    claim = model.claim()
    flip = montecarlo.duration_elasticity_flip(model.data_dir, scenario=scenario)
    return Chart(
        duration_chart(
            benchmarks.schedules(model.projects),
            benchmarks.claimed_schedules(model.projects),
            q_years,
            params.tunnel_km,
        ),
        "03_duration_vs_length",
        title=(
            f"Long tunnels scaled to {params.tunnel_km:g} km take a median {q_years[50]:.0f} years; "
            f"{within:.0f} % of simulated schedules fit the promised {claim['years']:g} "
            f"({montecarlo.duration_flip_clause(flip, short=True)})"
        ),
        alt=(
            f"Scatter of construction years against route length (log scale) for tunnels, links, canals and "
            f"railways, hollow for projects not yet open; stars mark the times promised by the 2007 plan and the "
            f"2025 pitch; a black bar at {params.tunnel_km:g} km shows the duration model's P10-P90 of "
            f"{q_years[10]:.0f}-{q_years[90]:.0f} years with its median {q_years[50]:.0f}. The scaling rests on "
            f"{montecarlo.duration_flip_clause(flip)}."
        ),
        source=(
            "Bering Strait crossing notebooks: data/megaprojects.csv (start and opening years with their "
            "sources), data/reference_classes.csv; assumption duration_length_elasticity."
        ),
        data_files=("megaprojects.csv", "reference_classes.csv", "assumptions.csv", "sources.csv"),
        method=(
            "Duration = opening (or expected opening) year - start of main works. The bar draws the class's "
            "durations scaled by (112 km / length) ** elasticity from a Student-t on their logs."
        ),
    )


def cost_distribution(model, params, scenario: str = "baseline", result=None) -> Chart:
    """``03_cost_distribution``: the simulated tunnel and whole-link costs with the claims on them
    (``result`` of ``model.run(params)`` when the notebook has it already)."""
    result = model.run(params) if result is None else result
    claim, base = model.claim(), money.label()
    q_tunnel, q_whole = percentiles(result.tunnel), percentiles(result.whole)
    at_8 = share_at_or_below(result.tunnel, claim["claim_8bn"])
    at_65 = share_at_or_below(result.whole, claim["claim_65bn"])
    at_65_2007 = share_at_or_below(result.whole, float(model.conv.convert(65.0, "USD", 2007)))
    return Chart(
        distribution_chart(result, {k: claim[k] for k in ("claim_8bn", "claim_65bn")}, base, scenario),
        "03_cost_distribution",
        title=(
            f"Tunnel alone: P50 USD {q_tunnel[50]:,.0f} bn, the USD 8 bn at P{at_8:.0f}; whole link: P50 USD "
            f"{q_whole[50]:,.0f} bn, the corridor programme's USD 65 bn at P{at_65:.0f} "
            f"(P{at_65_2007:.0f} in 2007 dollars)"
        ),
        alt=(
            f"Two histograms on a log cost axis from {params.draws:,} simulated outcomes in {base} bn: the tunnel "
            f"alone (P50 {q_tunnel[50]:,.0f}) with the tunnel-only USD 8 bn claim in its far left tail, and the "
            f"whole link with railways to connected railheads (P50 {q_whole[50]:,.0f}) with the USD 65 bn marked "
            "on it, a corridor-programme figure (railway, pipeline and power) wider than the rail-only link."
        ),
        source=(
            "Bering Strait crossing notebooks: bering.montecarlo (unit-cost benchmarking on outturns) with "
            "data/project_costs.csv, data/link_segments.csv, data/assumptions.csv (assumptions); scenario "
            f"'{scenario}'. " + money.method_note()
        ),
        data_files=(
            "project_costs.csv",
            "megaprojects.csv",
            "link_segments.csv",
            "assumptions.csv",
            "us_price_index.csv",
            "fx_rates.csv",
        ),
        method=(
            f"{params.draws:,} draws: each segment's km x a cost per km from a Student-t on the logs of its "
            "class (tunnel per km of bore x bores, estimate members uplifted by the class's mean overrun), "
            "segments correlated; summed for the whole link."
        ),
    )


def sensitivity(model, params, scenario: str = "baseline") -> Chart:
    """``03_sensitivity``: the tornado of one-at-a-time changes to the estimate's assumptions."""
    sens = model.sensitivity(params)
    top = list(dict.fromkeys(sens["assumption"]))
    base = money.label()
    return Chart(
        tornado_chart(sens, base),
        "03_sensitivity",
        title=f"The {top[0]} and the {top[1]} move the whole-link median most",
        alt=(
            f"Tornado chart of {len(sens)} one-at-a-time changes to the estimate's assumptions, bars running "
            f"left (cheaper) or right (dearer) from the baseline whole-link median in {base} bn, longest at the "
            "top, each labelled with the alternative and the median it gives."
        ),
        source=(
            "Bering Strait crossing notebooks: bering.montecarlo sensitivity, data/assumptions.csv "
            f"(assumptions); scenario '{scenario}'. " + money.method_note()
        ),
        data_files=("project_costs.csv", "reference_overruns.csv", "assumptions.csv", "link_segments.csv"),
        method=(
            "Each bar re-runs the estimate with one assumption at its alternative and the same seed; the bar "
            "is the change in the whole link's P50 from the baseline."
        ),
    )


def tbm_schedule(model, params, scenario: str = "baseline") -> Chart:
    """``03_tbm_schedule``: the advance and drive each TBM needs against the number of machines."""
    from .. import data, montecarlo

    flip = montecarlo.duration_elasticity_flip(model.data_dir, scenario=scenario)
    rates = data.load("tbm_rates", model.data_dir)
    drives = benchmarks.longest_drives(data.load("tbm_drives", model.data_dir))
    needed = benchmarks.advance_needed(
        params.tunnel_km, params.bores, params.tbm_count, params.years, params.boring_share
    )
    per_tbm = benchmarks.drive_per_tbm(params.tunnel_km, params.bores, params.tbm_count)
    access = {
        "portals only": benchmarks.max_headings(params.bores, 2),
        "portals and both Diomedes": benchmarks.max_headings(params.bores, 4),
    }
    within = _durations(model, params)[1]
    return Chart(
        schedule_chart(
            params.tunnel_km,
            params.bores,
            params.years,
            benchmarks.rate_marks(rates),
            params.boring_share,
            max_tbms=access["portals and both Diomedes"],
            access=access,
            drives=drives,
        ),
        "03_tbm_schedule",
        title=(
            f"Boring {params.boring_share:.0%} of the time, {params.tbm_count} TBMs would each need "
            f"{needed:.0f} m per calendar day and {per_tbm:.0f} km of drive, against "
            f"{drives['drive_km'].max():g} km, the longest drive in the data; the duration model gives "
            f"{within:.0f} % odds of finishing in time ({montecarlo.duration_flip_clause(flip, short=True)})"
        ),
        alt=(
            f"Two line charts against the number of TBMs working at once. Top, log scale: the average advance per "
            f"calendar day each TBM needs, falling as machines are added, with horizontal lines for measured "
            f"rates from the Las Vegas loop's first bore to the Gotthard record day, and vertical lines for the "
            f"most machines portals alone ({access['portals only']}) or portals and both Diomede Islands "
            f"({access['portals and both Diomedes']}) can launch; assumption: each machine bores "
            f"{params.boring_share:.0%} of the promised time. Bottom, log scale: the km each TBM must bore, "
            f"{per_tbm:.0f} km with {params.tbm_count} machines, against the longest drives in the data, "
            f"{drives['drive_km'].min():g} to {drives['drive_km'].max():g} km. The duration model's odds in the "
            f"title rest on {montecarlo.duration_flip_clause(flip)}."
        ),
        source=(
            "Bering Strait crossing notebooks: data/tbm_rates.csv (role column), data/tbm_drives.csv, "
            "data/assumptions.csv (tunnel_bores, tbm_count, boring_share_of_schedule: assumptions); claim: "
            "The Independent, 2025-10-17."
        ),
        data_files=("tbm_rates.csv", "tbm_drives.csv", "assumptions.csv", "megaprojects.csv"),
        method=(
            "Advance needed = length x bores / (TBMs x years x 365.25 days x share of time boring); km per "
            "TBM = length x bores / TBMs. Rates and drives are plotted as published."
        ),
    )


def benchmarks_interactive(model) -> Chart:
    """``03_benchmarks_interactive``: cost per km against length for every project, in plotly."""
    from .. import data

    base = money.label()
    return Chart(
        interactive_benchmarks(
            model.table(),
            model.costs,
            data.load("sources", model.data_dir),
            {"claim_8bn": _claim_per_km(model)},
            model.claim()["length_km"],
            base,
        ),
        "03_benchmarks_interactive",
        title=f"Cost per km of comparable projects against their length, with the 2025 tunnel-only claim ({base})",
        alt=(
            "Interactive log-log scatter of cost per km against route length for every benchmark project, "
            "coloured by kind, with a star for the USD 8 bn claim at the pitch's length; hovering shows each "
            "project's figures as stated, the restated cost, scope and source."
        ),
        source=(
            "Bering Strait crossing notebooks: data/megaprojects.csv, data/project_costs.csv, "
            "data/sources.csv. " + money.method_note()
        ),
        data_files=("megaprojects.csv", "project_costs.csv", "sources.csv"),
        method=(
            "Cost per km as in 03_cost_per_km (median of each project's per_km_use rows restated to USD "
            "2025, over its length), plotted against route length."
        ),
    )


# What notebook 03 publishes, computed from a data folder (bering.plots.catalogue): the baseline.


def _baseline(data_dir):
    from .. import montecarlo

    model = montecarlo.model(data_dir)
    return model, model.scenario("baseline")


@registered("03_cost_per_km", "03_cost_benchmarks")
def _per_km(data_dir=None) -> Chart:
    return per_km(_baseline(data_dir)[0])


@registered("03_cost_per_bore_km", "03_cost_benchmarks")
def _per_bore_km(data_dir=None) -> Chart:
    return per_bore_km(*_baseline(data_dir))


@registered("03_estimate_vs_outturn", "03_cost_benchmarks")
def _estimate_vs_outturn(data_dir=None) -> Chart:
    return estimate_vs_outturn(_baseline(data_dir)[0])


@registered("03_duration_vs_length", "03_cost_benchmarks")
def _duration_vs_length(data_dir=None) -> Chart:
    return duration_vs_length(*_baseline(data_dir))


@registered("03_cost_distribution", "03_cost_benchmarks")
def _cost_distribution(data_dir=None) -> Chart:
    return cost_distribution(*_baseline(data_dir))


@registered("03_sensitivity", "03_cost_benchmarks")
def _sensitivity(data_dir=None) -> Chart:
    return sensitivity(*_baseline(data_dir))


@registered("03_tbm_schedule", "03_cost_benchmarks")
def _tbm_schedule(data_dir=None) -> Chart:
    return tbm_schedule(*_baseline(data_dir))


@registered("03_benchmarks_interactive", "03_cost_benchmarks", interactive=True)
def _benchmarks_interactive(data_dir=None) -> Chart:
    return benchmarks_interactive(_baseline(data_dir)[0])
