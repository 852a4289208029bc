"""Figures of notebook 01 (the proposal timeline), drawn from :mod:`bering.timeline`.

Every public chart function returns a :class:`~bering.plots.chart.Chart`: the figure with its name, a
title that states the finding, alt text, source line and method note, all computed from the data, so
the notebook exports it in one line (``plots.timeline_by_era(events).export(out)``). The lower-level
drawing functions (:func:`timeline_chart`, :func:`interactive_timeline`) take tables and return bare
figures. matplotlib and plotly are imported here only, never by the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import money
from ..style import CYCLE, GREY
from ..timeline import ERAS, MODE_LABELS, MODE_ORDER, distinct_proposals, proposals
from .chart import Chart, registered
from .costs import cost_claims_chart

SOURCE = "Bering Strait crossing notebooks, data/timeline.csv"

CATEGORY_STYLE = {
    "proposal": {"marker": "o", "label": "Proposal"},
    "study": {"marker": "s", "label": "Study"},
    "political": {"marker": "D", "label": "Political decision or statement"},
    "context": {"marker": "^", "label": "Context event"},
}


def timeline_chart(timeline: pd.DataFrame):
    """Crossing events on a year axis, one lane per mode, eras shaded; context events numbered below."""
    import matplotlib.pyplot as plt

    fig, (ax, ctx, keys) = plt.subplots(
        3, 1, figsize=(11, 8), layout="constrained", gridspec_kw={"height_ratios": [4, 1, 0.8]}
    )
    ctx.sharex(ax)
    first_year, last_year = int(timeline["year"].min()) - 5, int(timeline["year"].max()) + 5
    for i, (name, first, last) in enumerate(ERAS):
        left, right = max(first, first_year), min(last + 1, last_year)
        for axis in (ax, ctx):
            axis.axvspan(left, right, color="#EDEDED" if i % 2 == 0 else "white", zorder=0)
        ax.text((left + right) / 2, len(MODE_ORDER) - 0.45, name, ha="center", va="bottom", fontsize=10, color=GREY)
    crossing = timeline[timeline["category"] != "context"]
    lanes = {mode: i for i, mode in enumerate(reversed(MODE_ORDER))}
    offsets = crossing.groupby(["year", "mode"]).cumcount().to_numpy()
    colours = {"proposal": CYCLE[0], "study": CYCLE[2], "political": CYCLE[3]}
    for cat, colour in colours.items():
        mask = (crossing["category"] == cat).to_numpy()
        if mask.any():
            ys = crossing.loc[mask, "mode"].map(lanes).to_numpy(float) + 0.15 * offsets[mask]
            ax.scatter(
                crossing.loc[mask, "year"].astype(int),
                ys,
                marker=CATEGORY_STYLE[cat]["marker"],
                s=55,
                color=colour,
                edgecolor="white",
                linewidth=0.6,
                label=CATEGORY_STYLE[cat]["label"],
                zorder=3,
            )
    ax.set_yticks(list(lanes.values()), [MODE_LABELS[m] for m in lanes])
    ax.set_ylim(-1.1, len(lanes) - 0.1)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower left", ncol=3, frameon=False, fontsize=10)
    context = timeline[timeline["category"] == "context"].reset_index(drop=True)
    heights = np.tile([0.75, 0.45, 0.15], len(context))[: len(context)]
    ctx.scatter(context["year"].astype(int), heights, marker="^", s=50, color=GREY, zorder=3)
    for i, (year, h) in enumerate(zip(context["year"].astype(int), heights), start=1):
        ctx.annotate(str(i), (year, h), xytext=(5, 0), textcoords="offset points", va="center", fontsize=9)
    ctx.set_ylim(0, 1)
    ctx.set_yticks([])
    ctx.set_ylabel("context", rotation=0, ha="right", va="center")
    ctx.grid(visible=False)
    ctx.set_xlim(first_year, last_year)
    ctx.set_xlabel("year")
    keys.axis("off")
    entries = [f"{i}  {y}  {t}" for i, (y, t) in enumerate(zip(context["year"].astype(int), context["title"]), start=1)]
    per_column = int(np.ceil(len(entries) / 2))
    for col in range(2):
        keys.text(
            col * 0.5,
            1.0,
            "\n".join(entries[col * per_column : (col + 1) * per_column]),
            transform=keys.transAxes,
            fontsize=9,
            va="top",
            ha="left",
            color="#333333",
        )
    return fig


def interactive_timeline(timeline: pd.DataFrame, sources: pd.DataFrame):
    """A plotly timeline whose hover shows each event's date, proponent and source."""
    import plotly.graph_objects as go

    src = sources.set_index("source_id")
    frame = timeline.copy()
    frame["lane"] = frame["mode"].map(MODE_LABELS)
    frame["publisher"] = frame["source_id"].map(src["publisher"])
    frame["url"] = frame["source_id"].map(src["url"])
    fig = go.Figure()
    symbols = {"proposal": "circle", "study": "square", "political": "diamond", "context": "triangle-up"}
    for i, (cat, st) in enumerate(CATEGORY_STYLE.items()):
        sub = frame[frame["category"] == cat]
        if sub.empty:
            continue
        custom = sub[["title", "date", "proponent", "publisher", "url"]].fillna("").to_numpy()
        fig.add_trace(
            go.Scatter(
                x=sub["year"].astype(int).tolist(),
                y=sub["lane"].tolist(),
                mode="markers",
                name=st["label"],
                marker={
                    "symbol": symbols[cat],
                    "size": 12,
                    "color": [CYCLE[0], CYCLE[2], CYCLE[3], GREY][i],
                    "line": {"color": "white", "width": 1},
                },
                customdata=custom.tolist(),
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>Who: %{customdata[2]}"
                "<br>Source: %{customdata[3]}<br>%{customdata[4]}<extra></extra>",
            )
        )
    fig.update_yaxes(categoryorder="array", categoryarray=[MODE_LABELS[m] for m in reversed(MODE_ORDER)], title="mode")
    fig.update_xaxes(title="year")
    fig.update_layout(height=520, legend={"orientation": "h", "y": -0.25})
    return fig


# ---------------------------------------------------------------------------------------------
# Charts with what the exporter needs


def timeline_by_era(events: pd.DataFrame) -> Chart:
    """``01_timeline_by_era``: every event on a year axis, one lane per crossing mode, eras shaded."""
    plans = proposals(events)
    first_year, n_events, n_plans = int(plans["year"].min()), len(plans), len(distinct_proposals(events))
    return Chart(
        timeline_chart(events),
        "01_timeline_by_era",
        title=(
            f"{n_plans} distinct proposals to cross the Bering Strait since {first_year}, seen in {n_events} dated "
            "proposal and study events, by era and mode"
        ),
        alt=(
            f"Timeline of {len(events)} events from {events['year'].min()} to {events['year'].max()}: "
            "proposals, studies and political decisions in one lane per crossing mode (bridge, tunnel, "
            "bridge and tunnel, rail link), with the Russian Empire, Soviet Union and Russian Federation "
            "eras shaded; a strip below numbers the context events, such as the openings of the Panama "
            "Canal and the Channel Tunnel, with a key."
        ),
        source=f"{SOURCE} (sources listed per row in data/sources.csv)",
        data_files=("timeline.csv", "sources.csv"),
        method=(
            "Each row of data/timeline.csv is placed at its year, in the lane of the crossing mode it names; "
            "events of one year and mode are stacked. A proposal event is a row whose category is proposal or "
            "study; the events of one proposal share its proposal_id, which counts it once. The eras are the "
            "year ranges of bering.timeline.ERAS."
        ),
    )


def cost_claims(claims: pd.DataFrame, method: str = "fx_then_deflate", base_year: int = money.BASE_YEAR) -> Chart:
    """``01_cost_claims_constant_usd``: each stated cost as stated and restated (``claims`` from
    :func:`bering.timeline.cost_claims`, restated with ``method``)."""
    low, high = claims["usd_bn_base"].min(), claims["usd_bn_base"].max()
    return Chart(
        cost_claims_chart(claims, base_year),
        "01_cost_claims_constant_usd",
        title=f"Stated costs of a crossing span USD {low:.1f} bn to {high:.0f} bn in {base_year} dollars",
        alt=(
            f"Dumbbell chart on a log scale of the {len(claims)} stated costs of a Bering crossing, one row "
            f"per claim in date order; a hollow dot shows the figure as stated and a filled dot the same "
            f"claim in USD {base_year}, so the oldest claims move furthest once inflation is counted."
        ),
        source=(
            f"{SOURCE}; US CPI-U (BLS) and exchange rates as listed in data/sources.csv. "
            + money.method_note(method, year=base_year)
        ),
        data_files=("timeline.csv", "us_price_index.csv", "fx_rates.csv", "sources.csv"),
        method=(
            "Hollow dots: each stated cost converted to US dollars at its price year's market exchange rate, "
            "not deflated. Filled dots: " + money.method_note(method, year=base_year)
        ),
    )


def timeline_interactive(events: pd.DataFrame, sources: pd.DataFrame) -> Chart:
    """``01_timeline_interactive``: the timeline in plotly, each event's title, date, proponent and source on hover."""
    plans = proposals(events)
    first_year, n_events, n_plans = int(plans["year"].min()), len(plans), len(distinct_proposals(events))
    return Chart(
        interactive_timeline(events, sources),
        "01_timeline_interactive",
        title=(
            f"{n_plans} distinct proposals to cross the Bering Strait since {first_year}, in {n_events} dated "
            "proposal and study events (interactive)"
        ),
        alt=(
            "Interactive timeline of every event in data/timeline.csv by year and mode; hovering a "
            "marker shows the event's title, date, proponent and source."
        ),
        source=f"{SOURCE} and data/sources.csv",
        data_files=("timeline.csv", "sources.csv"),
        method=(
            "Each row of data/timeline.csv is placed at its year, in the lane of the crossing mode it names; "
            "the hover text joins the row to its source in data/sources.csv."
        ),
    )


# ---------------------------------------------------------------------------------------------
# What notebook 01 publishes, computed from a data folder (bering.plots.catalogue)


@registered("01_timeline_by_era", "01_proposal_timeline")
def _timeline_by_era(data_dir=None) -> Chart:
    from ..timeline import load_timeline

    return timeline_by_era(load_timeline(data_dir))


@registered("01_cost_claims_constant_usd", "01_proposal_timeline")
def _cost_claims(data_dir=None) -> Chart:
    from ..timeline import cost_claims as restated
    from ..timeline import load_timeline

    return cost_claims(restated(load_timeline(data_dir), money.Money.from_data(data_dir)))


@registered("01_timeline_interactive", "01_proposal_timeline", interactive=True)
def _timeline_interactive(data_dir=None) -> Chart:
    from .. import data
    from ..timeline import load_timeline

    return timeline_interactive(load_timeline(data_dir), data.load("sources", data_dir))
