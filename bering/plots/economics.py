"""Figures of notebook 06 (would it pay?): the demand record, revenue against cost, the break-even's
sensitivity, and the scale of the market. ``demand_record``, ``revenue_vs_cost``, ``breakeven_sensitivity``
and ``market_scale`` take the model's tables and return a :class:`~bering.plots.chart.Chart` whose title,
alt text, source line and method note are computed from them (a notebook exports each in one line); the
``*_chart`` functions draw the bare matplotlib figures. :class:`WhatIf` holds the break-even controls
(ipywidgets), apart from the model they recompute."""

from __future__ import annotations

import html
import itertools
import textwrap
from dataclasses import replace

import numpy as np
import pandas as pd

from .. import economics, money, style
from ..economics import Case, Inputs
from .chart import DISPLAY_DPI as _DISPLAY_DPI
from .chart import Chart, legend_below, registered


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
    from matplotlib.patches import Patch

    shown = list(dict.fromkeys(m for m in rows["mode"] if m in by_mode))
    handles = [Patch(color=by_mode[m], label=f"{m} traffic") for m in shown]
    if any(m not in by_mode for m in rows["mode"]):
        handles.append(Patch(color=style.GREY, label="other traffic"))
    handles.append(Patch(color=style.PALETTE["green"], label="rail reference class (passengers)"))
    if any(hatches):
        handles.append(Patch(facecolor="white", edgecolor=style.GREY, hatch="//", label="later forecast, not outturn"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize=9)
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


# ---------------------------------------------------------------------------------------------
# Charts with what the exporter needs


def _rate_span() -> str:
    return f"{min(economics.RATE_GRID) * 100:g}% to {max(economics.RATE_GRID) * 100:g}%"


def demand_record(forecasts: pd.DataFrame, accuracy: pd.DataFrame, names: dict[str, str]) -> Chart:
    """``06_demand_record``: each forecast-versus-actual ratio of ``demand_forecasts`` and the rail class."""
    ratios = economics.demand_ratios(forecasts)
    ct_ratio = economics.channel_tunnel_ratio(forecasts)
    rail_ratio = economics.rail_class_ratio(accuracy)
    shown = ratios[ratios["ratio"].notna()]
    return Chart(
        demand_chart(ratios, rail_ratio, names, economics.rail_class_label(accuracy)),
        "06_demand_record",
        title=(
            f"The Channel Tunnel carried {ct_ratio:.0%} of the rail freight forecast for its first year; "
            f"rail passenger forecasts ran {1 / rail_ratio:.2f} times actual traffic on average"
        ),
        alt=(
            "Horizontal bar chart of traffic carried as a share of the forecast: "
            + "; ".join(
                f"{names.get(r.project_id, r.project_id)} {r.traffic}, {r.forecast_for_year}: {r.ratio:.0%}"
                for r in shown.itertuples()
            )
            + f"; rail passenger traffic at the reference class's average overestimate {rail_ratio:.0%}. "
            "A vertical line at 100% marks a forecast met exactly"
            + (", and no bar reaches it." if max(list(shown["ratio"]) + [rail_ratio]) < 1 else ".")
        ),
        source=(
            "Flyvbjerg et al. (2003, Cambridge University Press); British Rail (1989) via Hollingbourne Parish "
            "Council; Skift (2014); PPP Online (Øresund); Flyvbjerg, Holm and Buhl (2005)"
        ),
        data_files=("demand_forecasts.csv", "traffic_forecast_accuracy.csv"),
        method=(
            "Each bar is the traffic carried (or a later forecast) divided by the forecast for the same year; "
            "the rail bar is 1 / (1 + the reference class's average overestimate of passenger traffic)."
        ),
    )


def revenue_vs_cost(inputs: Inputs, case: Case, rates: pd.DataFrame, phrase: str, max_mt: int = 150) -> Chart:
    """``06_revenue_vs_cost``: revenue against traffic and the yearly cost at P10, P50 and P90; ``phrase`` is
    :func:`bering.economics.breakeven_phrase` of the same data and scenario."""
    claims = economics.claimed_capacity(rates)
    curve = economics.revenue_curve(inputs, range(0, max_mt + 1))
    costs = {f"P{p:g} cost": inputs.annual_cost_bn(replace(case, percentile=p)) for p in economics.COST_PERCENTILES}
    capacities = sorted(claims["value"].unique())
    markers = {f"claimed capacity {v:g} million t": v for v in capacities}
    markers["Northern Sea Route, all cargo 2024"] = float(
        rates.set_index("rate_id").loc["nsr_total_cargo_2024", "value"]
    )
    be = inputs.breakeven_mt(case)
    idc = (
        f"interest during construction over {inputs.construction_years:.0f} years counted"
        if inputs.construction_years
        else "interest during construction not counted"
    )
    note = (
        f"Assumptions: real rate {case.rate * 100:g}%, {case.life_years:g}-year life, {idc}, tunnel O&M scaled "
        "from the Channel Tunnel; approach-line upkeep not counted."
    )
    return Chart(
        revenue_cost_chart(curve, costs, be, markers, note),
        "06_revenue_vs_cost",
        title=f"To cover its costs the link needs {phrase}",
        alt=(
            f"Line chart of yearly revenue in {money.label()} bn against freight from 0 to {max_mt} million tonnes a "
            "year, rising in a straight line; horizontal lines mark the yearly cost at P10, P50 and P90 of the "
            f"whole-link cost ({', '.join(f'{v:,.1f}' for v in costs.values())} bn); the P50 line is crossed "
            f"at {be:,.0f} million tonnes; dotted vertical lines mark the claimed capacities of "
            f"{' and '.join(f'{v:g}' for v in capacities)} million tonnes and the Northern Sea Route's 2024 "
            f"cargo. Assumed real rate and asset life as labelled; {idc}."
        ),
        source=(
            "Model of notebook 06: BTS and Russian Railways rail rates, Getlink 2024 results, notebook 03 cost "
            "and duration models, data/assumptions.csv; " + money.method_note()
        ),
        data_files=(
            "freight_rates.csv",
            "freight_market.csv",
            "assumptions.csv",
            "project_costs.csv",
            "megaprojects.csv",
        ),
        method=(
            "Revenue is traffic times the revenue per tonne (each segment's rail rate per tonne-km times its length, "
            "in USD 2025); yearly cost is the annuity on the whole-link cost percentile plus interest during "
            "construction (spending spread evenly over the duration model's median) at the assumed real rate and "
            "life, plus tunnel O&M; the break-even is where the P50 line meets revenue."
        ),
    )


def breakeven_sensitivity(inputs: Inputs, case: Case) -> Chart:
    """``06_breakeven_sensitivity``: the break-even over the grid of rates, lives and cost percentiles."""
    grid = economics.breakeven_grid(inputs, case)
    lo, hi = grid["breakeven_mt_per_year"].min(), grid["breakeven_mt_per_year"].max()
    return Chart(
        sensitivity_chart(grid, case.life_years, inputs.transpacific_mt),
        "06_breakeven_sensitivity",
        title=f"Across {economics.GRID_TEXT}, break-even runs from {lo:,.0f} to {hi:,.0f} million tonnes a year",
        alt=(
            "Line chart of break-even freight in million tonnes a year (left axis) and as a share of "
            f"transpacific container tonnage (right axis) against the real interest rate from {_rate_span()}: "
            f"lines for P10, P50 and P90 of the whole-link cost at a {case.life_years:g}-year life, and P50 at the "
            f"other lives; every line rises with the rate, from {lo:,.0f} to {hi:,.0f} million tonnes."
        ),
        source=(
            "Model of notebook 06 (see the revenue chart); tonnes per TEU and the central rate and life are assumptions"
        ),
        data_files=("freight_rates.csv", "freight_market.csv", "assumptions.csv", "project_costs.csv"),
        method=(
            "The break-even of the revenue chart recomputed for every real rate, asset life and cost percentile of "
            "the grid: yearly cost (annuity on the cost with interest during construction at that rate, plus "
            "tunnel O&M) divided by the revenue per tonne."
        ),
    )


def market_items(inputs: Inputs, case: Case, rates: pd.DataFrame, mature: pd.Series) -> pd.DataFrame:
    """The tonnages of the market chart: the market, the break-even and the forecast it needs after a
    mature-year shortfall (``mature``: :func:`bering.economics.mature_ratio_row`), the claims, the NSR."""
    claims = economics.claimed_capacity(rates)
    nsr = rates.set_index("rate_id").loc[["nsr_total_cargo_2024", "nsr_transit_cargo_2024"]]
    be = inputs.breakeven_mt(case)
    return pd.DataFrame(
        [
            {
                "item": (
                    f"Transpacific containers 2024, both directions (at {case.tonnes_per_teu:g} t per TEU, assumed)"
                ),
                "mt": inputs.transpacific_mt,
                "kind": "market",
            },
            {"item": "Break-even traffic, central case", "mt": be, "kind": "break-even"},
            {
                "item": (
                    "Forecast needed to break even after a Channel Tunnel-size shortfall in a mature year "
                    f"({int(mature['compared_year'])}, {mature['ratio']:.0%} of forecast)"
                ),
                "mt": be / float(mature["ratio"]),
                "kind": "break-even",
            },
        ]
        + [{"item": s, "mt": v, "kind": "claim"} for s, v in zip(claims["statistic"], claims["value"])]
        + [{"item": s, "mt": v, "kind": "Northern Sea Route"} for s, v in zip(nsr["statistic"], nsr["value"])]
    )


def market_scale(inputs: Inputs, case: Case, rates: pd.DataFrame, mature: pd.Series) -> Chart:
    """``06_market_scale``: :func:`market_items` on a log scale."""
    items = market_items(inputs, case, rates, mature)
    be = inputs.breakeven_mt(case)
    nsr_total = float(rates.set_index("rate_id").loc["nsr_total_cargo_2024", "value"])
    return Chart(
        market_chart(items),
        "06_market_scale",
        title=(
            f"Breaking even needs {be / inputs.transpacific_mt:.0%} of today's transpacific container tonnage, "
            f"{economics.times_or_share(be / nsr_total)} the Northern Sea Route's cargo"
        ),
        alt=(
            "Horizontal bar chart on a log scale of million tonnes a year: transpacific container tonnage "
            f"({inputs.transpacific_mt:,.0f}, assumed tonnes per TEU), the forecast needed after a Channel "
            f"Tunnel-size shortfall in a mature year ({be / float(mature['ratio']):,.0f}), the claimed capacities, "
            f"the central break-even ({be:,.0f}), and the Northern Sea Route's total and transit cargo in 2024."
        ),
        source=(
            "Statista (2024); UPI, Memim, Railways Africa (capacity claims); Rosatom via Sputnik (2024); Skift (2014) "
            "and British Rail (1989) (Eurostar); model of notebook 06"
        ),
        data_files=("freight_market.csv", "freight_rates.csv", "assumptions.csv", "demand_forecasts.csv"),
        method=(
            "Sourced tonnages a year, except transpacific containers (TEU times the assumed tonnes per TEU), the "
            "central break-even, and that break-even divided by the Channel Tunnel's actual-over-forecast ratio in "
            "its most mature year in the data (a steady-state ratio for a steady-state traffic)."
        ),
    )


class WhatIf:
    """The break-even what-if: live ipywidgets controls in a kernel, a static table elsewhere.

    Its display bundle carries the widget view (shown by JupyterLab with a live kernel) and an
    HTML table of precomputed cases (shown by the static site and any viewer without widgets).
    The first call of the controls, made while the cell runs, is skipped so that the stored output
    is the same on every run; the central case is printed by the cell above it.
    """

    _ids = itertools.count(1)

    def __init__(self, inputs: Inputs, base: Case, precomputed: pd.DataFrame):
        self.inputs, self.base, self.precomputed = inputs, base, precomputed

    def widget(self):
        import ipywidgets as widgets
        from IPython.display import display

        style = {"description_width": "initial"}
        controls = {
            "traffic_mt": widgets.FloatSlider(
                value=100, min=1, max=300, step=1, style=style, description="traffic (million t a year)"
            ),
            "rate_pct": widgets.FloatSlider(
                value=self.base.rate * 100, min=0, max=10, step=0.5, style=style, description="real interest rate (%)"
            ),
            "life_years": widgets.IntSlider(
                value=int(self.base.life_years), min=20, max=120, step=5, style=style, description="asset life (years)"
            ),
            "percentile": widgets.SelectionSlider(
                options=[10, 20, 30, 40, 50, 60, 70, 80, 90],
                style=style,
                value=int(self.base.percentile),
                description="cost percentile (P)",
            ),
        }
        calls = []

        def show(traffic_mt, rate_pct, life_years, percentile):
            if not calls:
                calls.append(1)
                return
            case = replace(self.base, rate=rate_pct / 100, life_years=life_years, percentile=percentile)
            display(pd.Series(self.inputs.evaluate(case, traffic_mt)).round(2).to_frame("value"))

        view = widgets.interactive_output(show, controls)
        note = widgets.Label("Move a control to recompute the break-even; the table above is the central case.")
        return widgets.VBox(
            [
                widgets.HBox([controls["traffic_mt"], controls["rate_pct"]]),
                widgets.HBox([controls["life_years"], controls["percentile"]]),
                note,
                view,
            ],
            model_id=f"bering-economics-whatif-{next(self._ids)}",
        )

    def static_html(self) -> str:
        table = self.precomputed.to_html(index=False, float_format=lambda v: f"{v:,.1f}", escape=True)
        return "<p>" + html.escape("Precomputed cases (a live kernel shows controls here instead):") + "</p>" + table

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            bundle = self.widget()._repr_mimebundle_()
        except ImportError:
            bundle = {}
        bundle = dict(bundle or {})
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = self.precomputed.round(1).to_string(index=False)
        return bundle


# ---------------------------------------------------------------------------------------------
# The published figures of notebook 06, as functions of the data folder (the figure catalogue)


def _case_inputs(data_dir=None, scenario: str = "baseline"):
    from .. import data

    case = economics.case_from_assumptions(data_dir)
    samples = economics.whole_link_samples(scenario, data_dir)
    inputs = economics.build_inputs(samples, data_dir, case=case, scenario=scenario)
    return case, inputs, data.load("freight_rates", data_dir)


@registered("06_demand_record", "06_economic_case")
def _demand_record(data_dir=None) -> Chart:
    from .. import data

    names = data.load("megaprojects", data_dir).set_index("project_id")["name"].to_dict()
    return demand_record(
        data.load("demand_forecasts", data_dir), data.load("traffic_forecast_accuracy", data_dir), names
    )


@registered("06_revenue_vs_cost", "06_economic_case")
def _revenue_vs_cost(data_dir=None) -> Chart:
    case, inputs, rates = _case_inputs(data_dir)
    return revenue_vs_cost(inputs, case, rates, economics.breakeven_phrase(data_dir=data_dir))


@registered("06_breakeven_sensitivity", "06_economic_case")
def _breakeven_sensitivity(data_dir=None) -> Chart:
    case, inputs, _ = _case_inputs(data_dir)
    return breakeven_sensitivity(inputs, case)


@registered("06_market_scale", "06_economic_case")
def _market_scale(data_dir=None) -> Chart:
    from .. import data

    case, inputs, rates = _case_inputs(data_dir)
    mature = economics.mature_ratio_row(data.load("demand_forecasts", data_dir), data.load("megaprojects", data_dir))
    return market_scale(inputs, case, rates, mature)
