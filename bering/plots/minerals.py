"""Figures of notebook 04 (critical minerals), drawn from :class:`bering.minerals.Analysis`.

Every public chart function returns a :class:`Chart`: the figure with its name, a title that
states the finding, alt text and source line, all computed from the data, so a notebook exports it
in one line (``plots.volume(a).export(out)``). The lower-level drawing functions take tables and
return bare figures. matplotlib and plotly are imported here only, never by the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import fmt, geo, money
from ..minerals import DEPOSIT_NAMES, DEPOSITS, DESTINATIONS, OPTIONS, OTHER, STAGES, YEAR, Analysis, round_sig, shares
from .chart import Chart, registered

#: Screen resolution of the figures as the notebook shows them (files are written at 200 dpi by the
#: exporter whatever this says); kept below the style's 100 dpi so the notebook stays small.
_DISPLAY_DPI = 80

_OPTION_COLOURS = {
    "overland": "#D55E00",
    "nsr": "#0072B2",
    "nsr_west": "#56B4E9",
    "conventional": "#009E73",
    "suez_bound": "#6E6E6E",
}
_COUNTRY_COLOURS = {
    "China": "#D55E00",
    "United States": "#0072B2",
    "Myanmar": "#E69F00",
    "Australia": "#009E73",
    "Russia": "#CC79A7",
}


def _spread(values, min_gap: float, floor: float | None = None) -> np.ndarray:
    """Nudge label positions apart (in data units) so that neighbours are at least ``min_gap`` apart,
    none below ``floor`` (so a label near zero does not sit on the axis)."""
    v = np.asarray(values, dtype=float)
    order = np.argsort(v)
    out = v.copy()
    if floor is not None and len(order):
        out[order[0]] = max(out[order[0]], floor)
    for i in range(1, len(order)):
        prev, cur = order[i - 1], order[i]
        out[cur] = max(out[cur], out[prev] + min_gap)
    return out


def share_chart(
    share_long: pd.DataFrame,
    completeness: pd.DataFrame,
    countries=("China", "United States", "Myanmar", "Australia", "Russia"),
    label_year: int | None = None,
):
    """Shares of world mine production over time; hollow markers for years whose table is incomplete.

    Lines break where a year has no figure, so no value is implied between sourced years. Each line
    is labelled at its right end with its share in ``label_year`` (default: the line's last year),
    the year the chart's title speaks of, and the label says that year.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9.5, 5.4), layout="constrained", dpi=_DISPLAY_DPI)
    complete = completeness.set_index("year")["complete"]
    years = np.arange(share_long["year"].min(), share_long["year"].max() + 1)
    wide = share_long.pivot(index="year", columns="country", values="share_pct").reindex(years)
    ends, colours = [], []
    for c in countries:
        if c not in wide.columns:
            continue
        d = wide[c]
        colour = _COUNTRY_COLOURS.get(c, "#000000")
        ax.plot(years, d.to_numpy(float), color=colour, lw=1.8, label=c)
        full = pd.Series(years).map(complete).fillna(False).to_numpy(bool) & d.notna().to_numpy()
        part = ~pd.Series(years).map(complete).fillna(False).to_numpy(bool) & d.notna().to_numpy()
        ax.scatter(years[full], d.to_numpy(float)[full], color=colour, s=36, zorder=3)
        ax.scatter(years[part], d.to_numpy(float)[part], facecolor="white", edgecolor=colour, s=36, zorder=3)
        last = d.dropna()
        at = label_year if label_year in last.index else last.index[-1]
        ends.append((at, float(last.loc[at]), last.index[-1]))
        colours.append(colour)
    ypos = _spread([e[1] for e in ends], 3.5, floor=3.5)
    for (year, val, end), y, colour in zip(ends, ypos, colours):
        ax.annotate(
            f"{val:.1f}% in {year}" if val >= 1 else f"{val:.2g}% in {year}",
            (year, val),
            xytext=(end + 0.3, y),
            textcoords="data",
            va="center",
            fontsize=9,
            color=colour,
            arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6} if end != year else None,
        )
    ax.set_ylabel("share of world mine production (%, t REO)")
    ax.set_xlabel("year")
    ax.set_ylim(0, 100)
    ax.set_xlim(years.min() - 0.5, years.max() + 2.6)
    ax.scatter([], [], facecolor="white", edgecolor="#444444", label="year with an incomplete table")
    ax.legend(frameon=False, fontsize=9, loc="upper right", ncol=2)
    return fig


_MAP_LON0 = 100.0  # central meridian of the polar map: Siberia at the bottom, North America at the top
#: Label offsets on the polar map (points): dx, dy, horizontal alignment.
_MAP_LABELS = {
    "tomtor": (-7, 5, "right"),
    "tiksi": (6, 4, "left"),
    "lovozero": (-7, 6, "right"),
    "kola_bay": (6, -10, "left"),
    "seward": (6, 2, "left"),
    "fairbanks": (-6, -10, "right"),
    "nizhny_bestyakh": (6, -8, "left"),
    "vladivostok": (7, 2, "left"),
    "bering_strait": (7, -3, "left"),
    "zashikhinskoye": (0, 8, "center"),  # above the dot: Vladivostok's label runs right, the legend sits left
    "panama_canal": (6, -10, "left"),
    "port_of_houston": (6, -4, "left"),
}


def _proj(lats, lons):
    return geo.project(lats, lons, kind="laea", lat_0=90.0, lon_0=_MAP_LON0)


def leg_path(points: pd.DataFrame, stops, spacing_km: float = 50.0) -> tuple[np.ndarray, np.ndarray]:
    """Densified (lats, lons) of a leg through ``stops``, geodesic between stops, for drawing."""
    coords = points.set_index("point_id")[["lat", "lon"]]
    sub = coords.loc[list(stops)].to_numpy()
    lats, lons = [], []
    for (la1, lo1), (la2, lo2) in zip(sub[:-1], sub[1:]):
        la, lo = geo.great_circle_points(la1, lo1, la2, lo2, spacing_km=spacing_km)
        lats.append(la if not lats else la[1:])
        lons.append(lo if not lons else lo[1:])
    return np.concatenate(lats), np.concatenate(lons)


def route_map(points: pd.DataFrame, legs: pd.DataFrame, deposits: pd.DataFrame, land=None, deposit: str = "tomtor"):
    """Polar map (Lambert azimuthal equal-area on the North Pole) of ``deposit``'s routes.

    Land (lon/lat polygons, clipped to the northern hemisphere) is optional; without it only the
    graticule is drawn. Every deposit with coordinates is marked; routes are coloured by option.
    Projection through :func:`bering.geo.project`, so lines across the 180th meridian stay whole.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from shapely.geometry import box

    fig, ax = plt.subplots(figsize=(8.6, 8.6), layout="constrained", dpi=_DISPLAY_DPI)
    ax.set_aspect("equal")
    ax.axis("off")
    if land is not None:
        north = box(-180, 0, 180, 90)
        for poly in land:
            part = poly.intersection(north)
            if part.is_empty:
                continue
            g = geo.project_geometry(part, kind="laea", lat_0=90.0, lon_0=_MAP_LON0)
            for p in getattr(g, "geoms", [g]):
                if p.geom_type == "Polygon":
                    x, y = p.exterior.xy
                    ax.fill(x, y, color="#E6E6E6", lw=0, zorder=0)
    for lat in (30, 60):
        lons = np.linspace(-180, 180, 361)
        x, y = _proj(np.full_like(lons, lat), lons)
        ax.plot(x, y, color="#D9D9D9", lw=0.5, zorder=0.5)
    for lon in range(-180, 180, 60):
        lats = np.linspace(5, 90, 60)
        x, y = _proj(lats, np.full_like(lats, lon))
        ax.plot(x, y, color="#D9D9D9", lw=0.5, zorder=0.5)
    sel = legs[(legs["deposit"] == deposit) & (legs["option"] != "suez_bound")]
    drawn = set()
    for leg in sel.itertuples(index=False):
        key = (leg.option, tuple(leg.stops))
        if key in drawn:
            continue
        drawn.add(key)
        la, lo = leg_path(points, leg.stops)
        x, y = _proj(la, lo)
        ls = ":" if leg.mode == "truck" else "-"
        ax.plot(
            x,
            y,
            color=_OPTION_COLOURS[leg.option],
            lw=2.0 if leg.option == "overland" else 1.4,
            ls=ls,
            zorder=2,
            alpha=0.9,
        )
    deps = deposits.dropna(subset=["lat", "lon"])
    pts = points.set_index("point_id")
    x, y = _proj(deps["lat"].to_numpy(float), deps["lon"].to_numpy(float))
    ru = (deps["country"] == "Russia").to_numpy()
    ax.scatter(x[ru], y[ru], marker="D", s=60, color="#CC79A7", edgecolor="black", zorder=4)
    ax.scatter(x[~ru], y[~ru], marker="D", s=40, color="white", edgecolor="black", zorder=4)

    def label(px, py, text, pid):
        dx, dy, ha = _MAP_LABELS.get(pid, (5, 4, "left"))
        ax.annotate(
            text,
            (px, py),
            xytext=(dx, dy),
            textcoords="offset points",
            fontsize=9,
            ha=ha,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
        )

    for xi, yi, pid, name in zip(x, y, deps["deposit_id"], deps["name"]):
        label(xi, yi, name.split(" (")[0], pid)
    if "zashikhinskoye" in pts.index and pts.loc["zashikhinskoye", "approximate"]:
        zx, zy = _proj(pts.loc["zashikhinskoye", "lat"], pts.loc["zashikhinskoye", "lon"])
        ax.scatter([zx], [zy], marker="D", s=60, facecolor="none", edgecolor="#CC79A7", lw=1.5, zorder=4)
        label(zx, zy, "Zashikhinskoye (approx.)", "zashikhinskoye")
    for pid, text in (
        ("nizhny_bestyakh", "Nizhny Bestyakh (railhead)"),
        ("tiksi", "Tiksi"),
        ("vladivostok", "Vladivostok"),
        ("kola_bay", "Murmansk"),
        ("seward", "Seward"),
        ("fairbanks", "Fairbanks"),
        ("port_of_houston", "Houston"),
        ("panama_canal", "Panama Canal"),
        ("bering_strait", "Bering Strait crossing"),
    ):
        if pid in pts.index:
            px, py = _proj(pts.loc[pid, "lat"], pts.loc[pid, "lon"])
            ax.scatter([px], [py], s=18, color="black", zorder=4)
            label(px, py, text, pid)
    handles = [
        Line2D([], [], color=_OPTION_COLOURS[o], lw=2, label=OPTIONS[o])
        for o in ("overland", "nsr", "nsr_west", "conventional")
    ]
    handles += [
        Line2D([], [], color="#444444", lw=1.5, ls=":", label="truck leg (road or winter road)"),
        Line2D([], [], marker="D", ls="", color="#CC79A7", markeredgecolor="black", label="Russian deposit"),
        Line2D([], [], marker="D", ls="", color="white", markeredgecolor="black", label="other deposit"),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=9, frameon=True, framealpha=0.9)
    ax.set_xlim(-8300, 8300)
    ax.set_ylim(-6200, 9400)
    return fig


def interactive_routes(routes: pd.DataFrame, deposit_names: dict[str, str]):
    """Plotly scatter of every route: transit days against cost per tonne, with low-high error bars;
    hover shows the route, its length and both ranges. Colour: option; marker: deposit."""
    import plotly.graph_objects as go

    r = routes[routes["option"] != "suez_bound"]
    symbols = dict(zip(DEPOSITS, ("circle", "square", "diamond")))
    fig = go.Figure()
    for (opt, dep), g in r.groupby(["option", "deposit"], sort=False):
        text = [
            (
                f"{deposit_names[dep]} to {DESTINATIONS[row.destination]}<br>{OPTIONS[opt]}<br>"
                f"{row.km_central:,.0f} km ({row.km_low:,.0f}-{row.km_high:,.0f})<br>"
                f"{money.label()} {row.usd_per_t_central:,.0f} per t "
                f"({row.usd_per_t_low:,.0f}-{row.usd_per_t_high:,.0f})<br>"
                f"{row.days_central:.0f} days ({row.days_low:.0f}-{row.days_high:.0f}), {row.transfers} transfers"
            )
            for row in g.itertuples()
        ]
        fig.add_trace(
            go.Scatter(
                x=g["days_central"].round(2),
                y=g["usd_per_t_central"].round(2),
                mode="markers",
                name=f"{OPTIONS[opt]}: {deposit_names[dep]}",
                marker={
                    "color": _OPTION_COLOURS[opt],
                    "symbol": symbols[dep],
                    "size": 12,
                    "line": {"color": "black", "width": 1},
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (g["days_high"] - g["days_central"]).round(2),
                    "arrayminus": (g["days_central"] - g["days_low"]).round(2),
                    "color": "#9E9E9E",
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (g["usd_per_t_high"] - g["usd_per_t_central"]).round(2),
                    "arrayminus": (g["usd_per_t_central"] - g["usd_per_t_low"]).round(2),
                    "color": "#9E9E9E",
                },
                hoverinfo="text",
                text=text,
            )
        )
    fig.update_xaxes(
        title_text="transit time (days; assumption: truck speed, transfer time)",
        rangemode="tozero",
        gridcolor="#DDDDDD",
    )
    fig.update_yaxes(title_text=f"freight cost ({money.label()} per tonne)", rangemode="tozero", gridcolor="#DDDDDD")
    fig.update_layout(height=640, legend={"font": {"size": 12}})
    return fig


# ------------------------------------------------------------------------------------------
# what enters the charts, decided by the data


def charted_countries(prod: pd.DataFrame, completeness: pd.DataFrame, top: int = 4, subject: str = "Russia"):
    """Countries drawn on the share chart: the ``top`` producers of the latest complete year, plus
    ``subject``. Returns ``(countries, left_out)``; ``left_out`` names every other producer with the
    reason it is not drawn."""
    done = completeness.loc[completeness["complete"], "year"]
    year = int(done[done <= YEAR].max())
    sh = shares(prod)
    latest = sh[(sh["year"] == year) & (sh["country"] != OTHER)].sort_values("share_pct", ascending=False)
    chosen = latest["country"].head(top).tolist()
    if subject in set(sh["country"]) and subject not in chosen:
        chosen.append(subject)
    rest = sorted(set(sh["country"]) - set(chosen))
    left = pd.DataFrame(
        {
            "country": rest,
            "reason": [
                "not a named producer (the unnamed remainder)"
                if c == OTHER
                else f"not among the {top} largest producers of {year}"
                for c in rest
            ],
        }
    )
    return chosen, left


def left_out(a: Analysis) -> pd.DataFrame:
    """Rows of the data that enter none of this notebook's charts, with the reason: ``table, row, reason``."""
    _, countries = charted_countries(a.prod, a.completeness)
    rows = [
        {"table": "ree_production.csv", "row": c, "reason": r}
        for c, r in zip(countries["country"], countries["reason"])
    ]
    incomplete = a.completeness[~a.completeness["complete"]]
    rows += [
        {"table": "ree_production.csv", "row": f"year {int(r.year)}", "reason": f"no HHI: {r.reason}"}
        for r in incomplete.itertuples()
    ]
    rows += [
        {"table": "freight_rates.csv", "row": r.rate_id, "reason": r.reason} for r in a.volume_left_out.itertuples()
    ]
    vol_kinds = set(a.volume["kind"])
    if "stated target" in vol_kinds:
        t = a.targets[a.targets["unit"] != "t per year"]
        rows += [
            {
                "table": "russia_ree_targets.csv",
                "row": r.target_id,
                "reason": f"not a tonnage (unit: {r.unit if isinstance(r.unit, str) else 'none'}); shown in the "
                "target table instead",
            }
            for r in t.itertuples()
        ]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# drawing


def stage_chart(stages: pd.DataFrame, stage_hhi: pd.DataFrame):
    """Two panels by stage: China's share (bars from zero) and the HHI of each year on record
    (a dot where the bounds fold into one figure, a line from lower to upper bound where they do not)."""
    import matplotlib.pyplot as plt

    order = [s for s in STAGES if s in set(stages["stage"])]
    st = stages.set_index("stage").loc[order]
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(11, 4.2), layout="constrained", dpi=_DISPLAY_DPI, gridspec_kw={"width_ratios": [1, 1.2]}
    )
    y = np.arange(len(order))[::-1]
    labels = [f"{STAGES[s]}\n({int(st.loc[s, 'year_share'])})" for s in order]
    ax1.barh(y, st["china_pct"], color="#D55E00", height=0.55)
    for yi, v in zip(y, st["china_pct"]):
        ax1.annotate(f"{v:.0f}%", (v, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=10)
    ax1.set_yticks(y, labels)
    ax1.set_xlim(0, 110)
    ax1.set_xlabel("China's share of world output (%)")
    ax1.grid(axis="y", visible=False)
    ypos = dict(zip(order, y))
    h = stage_hhi[stage_hhi["stage"].isin(order)]
    years = sorted(h["year"].unique())
    offsets = dict(zip(years, np.linspace(-0.25, 0.25, len(years)) if len(years) > 1 else [0.0]))
    for r in h.itertuples(index=False):
        yy = ypos[r.stage] + offsets[r.year]
        if r.folded:
            ax2.scatter([r.hhi], [yy], color="black", s=30, zorder=3)
            txt = f"{r.year}: {round_sig(r.hhi, 2):,.0f}"
        else:
            ax2.plot([r.hhi_lower, r.hhi_upper], [yy, yy], color="black", lw=6, solid_capstyle="butt")
            txt = f"{r.year}: {r.hhi_lower:,.0f}-{r.hhi_upper:,.0f} (China only named)"
        ax2.annotate(txt, (r.hhi_upper, yy), xytext=(5, 0), textcoords="offset points", va="center", fontsize=9)
    ax2.set_yticks(y, ["" for _ in y])
    ax2.set_xlim(0, 13_500)
    ax2.set_xticks([0, 2500, 5000, 7500, 10_000], [f"{t:,}" for t in (0, 2500, 5000, 7500, 10_000)])
    ax2.axvline(10_000, color="#BDBDBD", lw=1, ls=":")
    ax2.set_xlabel("Herfindahl-Hirschman index (10,000 = one producer)")
    ax2.grid(axis="y", visible=False)
    return fig


def route_comparison_chart(
    routes: pd.DataFrame,
    verdict_ice_free: pd.DataFrame,
    cargo_value: float,
    capital_per_t: float,
    capital_label: str,
    rates_label: str = "",
):
    """Freight cost per tonne and transit days of every route, dots with low-high whiskers.

    ``rates_label`` says on the chart which rate basis each mode is charged at.

    Cost has a second axis: the share of ``cargo_value`` (USD per tonne of concentrate). Overland rows
    also show freight plus ``capital_per_t`` (hollow diamond). Pairs that are near-ties against the
    ice-free lanes are marked in their label.
    """
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    r = routes[routes["option"] != "suez_bound"].copy()
    ties = set(
        zip(
            verdict_ice_free.loc[verdict_ice_free["near_tie"], "deposit"],
            verdict_ice_free.loc[verdict_ice_free["near_tie"], "destination"],
        )
    )
    short = {"overland": "overland", "nsr": "NSR east", "nsr_west": "NSR west", "conventional": "ice-free sea"}
    r["pair"] = (
        r["deposit"].map(DEPOSIT_NAMES) + " to " + r["destination"].map({"alaska": "Fairbanks", "gulf": "Houston"})
    )
    r["tie"] = [(d, t) in ties for d, t in zip(r["deposit"], r["destination"])]
    r["label"] = r["option"].map(short)
    r = r.sort_values(
        ["deposit", "destination", "usd_per_t_central"],
        key=lambda c: c.map({d: i for i, d in enumerate(DEPOSITS)}) if c.name == "deposit" else c,
    )
    ypos, labels, y, seps = [], [], 0.0, []
    prev = None
    for row in r.itertuples():
        if prev is not None and row.pair != prev:
            y += 0.8
            seps.append(y - 0.9)
        ypos.append(y)
        labels.append(
            f"{row.pair}: {row.label}" + (" *" if row.tie and row.option in ("overland", "conventional") else "")
        )
        y += 1
        prev = row.pair
    ypos = -np.asarray(ypos)
    fig, axes = plt.subplots(
        1,
        2,
        figsize=(12.5, 0.36 * len(r) + 2.6),
        sharey=True,
        layout="constrained",
        dpi=_DISPLAY_DPI,
        gridspec_kw={"width_ratios": [1.6, 1]},
    )
    colours = r["option"].map(_OPTION_COLOURS).to_numpy()
    for ax, m in zip(axes, ("usd_per_t", "days")):
        lo, c, hi = (r[f"{m}_{s}"].to_numpy(float) for s in ("low", "central", "high"))
        ax.hlines(ypos, lo, hi, colors=colours, lw=2, alpha=0.6)
        ax.scatter(c, ypos, color=colours, s=40, zorder=3, edgecolor="black", lw=0.5)
        for s in seps:
            ax.axhline(-s, color="#DDDDDD", lw=0.8)
        ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)
    over = (r["option"] == "overland").to_numpy()
    axes[0].scatter(
        r["usd_per_t_central"].to_numpy(float)[over] + capital_per_t,
        ypos[over],
        marker="D",
        facecolor="none",
        edgecolor="black",
        s=36,
        zorder=4,
    )
    axes[0].set_xlabel(f"freight cost ({money.label()} per tonne); dot central, line low-high")
    sec = axes[0].secondary_xaxis("top", functions=(lambda x: x / cargo_value * 100, lambda p: p * cargo_value / 100))
    sec.set_xlabel("share of the value of a tonne of concentrate (%)")
    axes[1].set_xlabel("transit time (days)")
    axes[0].set_yticks(ypos, labels, fontsize=9)
    handles = [
        Line2D([], [], marker="o", ls="", color=_OPTION_COLOURS[o], markeredgecolor="black", label=OPTIONS[o])
        for o in ("overland", "nsr", "nsr_west", "conventional")
    ]
    handles.append(
        Line2D(
            [],
            [],
            marker="D",
            ls="",
            markerfacecolor="none",
            markeredgecolor="black",
            label=f"overland + capital charge ({capital_per_t:,.1f} per tonne)",
        )
    )
    axes[0].legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.075), ncol=1, frameon=False, fontsize=9)
    axes[1].text(
        0.0,
        -0.075,
        "* near-tie against the ice-free lanes\n"
        + "\n".join(textwrap.wrap(rates_label, 48))
        + "\nassumptions: truck speed, transfer time,\nNSR at the open-sea rate (no escort fee)\ncapital charge: "
        + "\n".join(textwrap.wrap(capital_label, 48)),
        transform=axes[1].transAxes,
        ha="left",
        va="top",
        fontsize=9,
        color="#6E6E6E",
    )
    return fig


def _compact_tonnes(t: float) -> str:
    """A tonnage as a short tick label: ``_compact_tonnes(1e6) == "1 Mt"``, ``_compact_tonnes(1e4) == "10 kt"``."""
    for div, unit in ((1e6, "Mt"), (1e3, "kt")):
        if t >= div:
            return f"{t / div:,.0f} {unit}"
    return f"{t:,.0f} t"


def _tonnes_text(t: float) -> str:
    """A tonnage as a label, to two significant figures: '8,700 t', '170 kt', '3 Mt', '2.4 Mt', '70 Mt'.

    Millions of tonnes from 1 Mt up, thousands from 10 kt, tonnes below (so never '3,000 kt')."""
    if t >= 1e6:
        return f"{fmt.rounded(t / 1e6)} Mt"
    if t >= 1e4:
        return f"{fmt.rounded(t / 1e3)} kt"
    return f"{fmt.rounded(t)} t"


def volume_chart(volume: pd.DataFrame):
    """Gross tonnes a year on a log axis, one dot per item (no bars: a log axis has no zero)."""
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullLocator

    v = volume.sort_values("tonnes_freight").reset_index(drop=True)
    colours = {
        "crossing capacity claim": "#D55E00",
        "Northern Sea Route cargo": "#0072B2",
        "actual output": "#CC79A7",
        "stated target": "#E69F00",
    }
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(v) + 1.8), layout="constrained", dpi=_DISPLAY_DPI)
    y = np.arange(len(v))
    ax.scatter(v["tonnes_freight"], y, color=v["kind"].map(colours), s=60, zorder=3, edgecolor="black", lw=0.5)
    ax.set_xscale("log")
    ax.set_yticks(y, ["\n".join(textwrap.wrap(t, 45)) for t in v["item"]], fontsize=9)
    for yi, t, s_, rep, gross, kind in zip(
        y,
        v["tonnes_freight"],
        v["share_of_min_capacity_pct"],
        v["tonnes_reported"],
        v["tonnes_freight"] == v["tonnes_reported"],
        v["kind"],
    ):
        pct = f"{s_:,.0f}" if s_ >= 10 else f"{s_:.2g}"
        if gross:
            as_conc = ""
        elif kind == "stated target":
            # the target's product (metal or oxide) is not stated: converting it is not like for like
            as_conc = " if read as REO*"
        else:
            as_conc = f" as concentrate ({_tonnes_text(rep)} REO)"
        ax.annotate(
            f"{_tonnes_text(t)}{as_conc}, {pct}% of the smallest claim",
            (t, yi),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    lo, hi = v["tonnes_freight"].min() / 3, v["tonnes_freight"].max()
    ax.set_xlim(lo, hi * 2000)  # room for the labels right of the largest dots
    ax.xaxis.set_minor_locator(NullLocator())
    ticks = [10.0**k for k in range(int(np.ceil(np.log10(lo))), int(np.floor(np.log10(hi))) + 1)]
    ax.set_xticks(ticks, [_compact_tonnes(t) for t in ticks])
    ax.set_xlabel(
        "gross tonnes of freight a year (log scale; rare-earth tonnages converted to concentrate)\n"
        "* a target whose product (metal or oxide) is not stated, converted as if REO: not like for like"
    )
    ax.grid(axis="y", color="#EEEEEE")
    ax.grid(axis="x", visible=False)
    ax.legend(
        handles=[
            Line2D([], [], marker="o", ls="", color=c, markeredgecolor="black", label=k) for k, c in colours.items()
        ],
        frameon=False,
        fontsize=9,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=2,
    )
    return fig


# ------------------------------------------------------------------------------------------
# the notebook's charts, with their metadata


_ROUTE_FILES = (
    "places.csv",
    "alignment_segments.csv",
    "route_waypoints.csv",
    "published_lengths.csv",
    "freight_rates.csv",
    "assumptions.csv",
    "deposits.csv",
    "us_price_index.csv",
    "fx_rates.csv",
    "sources.csv",
)


def production_shares(a: Analysis) -> Chart:
    """``04_ree_production_shares``: each charted country's share of world mine production over time."""
    long = shares(a.prod)
    countries, _ = charted_countries(a.prod, a.completeness)
    fig = share_chart(long, a.completeness, countries, label_year=YEAR)
    s = long[long["year"] == YEAR].set_index("country")["share_pct"]
    return Chart(
        fig,
        "04_ree_production_shares",
        title=f"China mined {s['China']:.0f}% of the world's rare earths in {YEAR}, Russia {s['Russia']:.1f}%",
        alt=(
            f"Line chart of the share of world rare-earth mine production, percent, by year from "
            f"{long['year'].min()} to {long['year'].max()}, for {', '.join(countries)}; China stays far above "
            f"the others throughout (at {s['China']:.0f}% in {YEAR}), Russia near the bottom "
            f"({s['Russia']:.1f}%). Hollow markers flag years whose production table is incomplete."
        ),
        source=(
            "USGS Mineral Commodity Summaries (editions 2016-2026, some via secondary summaries), "
            "data/ree_production.csv"
        ),
        data_files=("ree_production.csv", "sources.csv"),
        method=(
            "Each country's mine production (t REO) divided by the world total of the same year and edition; "
            "years whose listed rows miss the world total by more than the recorded tolerance are drawn hollow."
        ),
    )


def concentration(a: Analysis) -> Chart:
    """``04_ree_hhi``: China's share and the HHI at each stage of the supply chain."""
    st = a.stages.set_index("stage")
    fig = stage_chart(a.stages, a.stage_hhi)
    parts = "; ".join(f"{STAGES[s]} {st.loc[s, 'china_pct']:.0f}% ({int(st.loc[s, 'year_share'])})" for s in st.index)
    return Chart(
        fig,
        "04_ree_hhi",
        title=(
            f"China's share rises from {st.loc['mining', 'china_pct']:.0f}% of rare-earth mining to "
            f"{st.loc['separation_refining', 'china_pct']:.0f}% of refining and "
            f"{st.loc['magnets', 'china_pct']:.0f}% of magnet making"
        ),
        alt=(
            f"Two panels, one row per stage of the rare-earth supply chain. Left: bars of China's share of world "
            f"output: {parts}. Right: the Herfindahl-Hirschman index of each stage for each year on record, a "
            "dot where the bounds for unnamed producers round to the same value and a line from lower to upper "
            f"bound where only China is named; refining and magnets sit far above mining."
        ),
        source=(
            "Mining: USGS MCS (data/ree_production.csv); refining and magnets: IEA Global Critical Minerals "
            "Outlook 2024 and IEA commentary of 23 October 2025 (via secondary reports), China.org.cn for "
            "2010 magnets (data/ree_value_chain.csv)"
        ),
        data_files=("ree_production.csv", "ree_value_chain.csv", "assumptions.csv", "sources.csv"),
        method=(
            "Mining shares computed from USGS tonnages, later stages as published. HHI: the sum of squared percent "
            "shares, with the unnamed remainder counted as one producer (upper bound) or left out (lower bound); "
            "the bounds are folded into one value where both round alike at two significant figures."
        ),
    )


def route_map_title(name: str, overland_km: float, sea_km: float) -> str:
    """The map's finding: how the crossing route's length compares with the Northern Sea Route west's,
    rounded as a reporter would (two significant figures; 'about the same' within 5 %)."""
    diff = (overland_km - sea_km) / sea_km * 100
    if abs(diff) < 5:
        return (
            f"From {name} to Houston the route through the crossing is no shorter than the Northern Sea Route "
            f"west: both about {fmt.rounded(overland_km)} km"
            if diff >= 0
            else f"From {name} to Houston the route through the crossing and the Northern Sea Route west are about "
            f"the same length, about {fmt.rounded(overland_km)} km each"
        )
    word = "shorter" if diff < 0 else "longer"
    return (
        f"From {name} to Houston the route through the crossing, about {fmt.rounded(overland_km)} km, is "
        f"{fmt.rounded(abs(diff))}% {word} than the Northern Sea Route west (about {fmt.rounded(sea_km)} km)"
    )


def route_map_chart(a: Analysis, land, deposit: str = "tomtor") -> Chart:
    """``04_route_map``: the polar map of ``deposit``'s routes."""
    fig = route_map(a.points, a.legs, a.deposits, land=land, deposit=deposit)
    rr = a.routes.set_index(["deposit", "destination", "option"]).loc[deposit].loc["gulf"]
    name = DEPOSIT_NAMES[deposit]
    return Chart(
        fig,
        "04_route_map",
        title=route_map_title(name, float(rr.loc["overland", "km_central"]), float(rr.loc["nsr_west", "km_central"])),
        alt=(
            f"Polar map centred on the North Pole showing land in grey and a graticule, with the Russian deposits "
            f"Tomtor, Lovozero and an approximate Zashikhinskoye, North American and Chinese deposits, and "
            f"{name}'s routes: overland by truck to a railhead then rail through the Bering Strait crossing to "
            "Fairbanks and on to Houston; by truck to an Arctic port then the Northern Sea Route east through the "
            "strait or west past Murmansk and across the Atlantic; and by rail to Vladivostok then across the "
            "Pacific."
        ),
        source=(
            "Natural Earth 1:110m land; data/places.csv, data/alignment_segments.csv, data/route_waypoints.csv, "
            "data/deposits.csv; Zashikhinskoye position approximate (assumption); lines are geodesics between "
            "sourced waypoints, a schematic of the lanes"
        ),
        data_files=(
            "places.csv",
            "alignment_segments.csv",
            "route_waypoints.csv",
            "deposits.csv",
            "assumptions.csv",
            "sources.csv",
        ),
        method=(
            "Each leg is a geodesic polyline through its sourced stops, drawn on a polar projection; lengths in the "
            "title add land legs scaled by the pooled route factor (published corridor length over geodesic length)."
        ),
    )


def route_comparison(a: Analysis) -> Chart:
    """``04_route_comparison``: cost (and its share of cargo value) and days of every route."""
    conc = a.values[a.values["product_id"] != "ndpr_oxide"].iloc[0]
    cap = a.capital[a.capital["tonnage"] == "largest claimed capacity"].iloc[-1]  # the cost model's, if present
    v, vf = a.verdict, a.verdict_ice_free
    dearer = int((v["saving_usd_per_t_central"] < 0).sum())
    dearer_free = int((vf["saving_usd_per_t_central"] < 0).sum())
    ties = int(vf["near_tie"].sum())
    cap_label = (
        f"{cap['basis']} over {cap['tonnes_per_year'] / 1e6:,.0f} Mt a year, {a.capital_rate * 100:g}% "
        f"over {a.capital_years:g} years (assumptions)"
    )
    rates_label = f"sea: {a.sea_class} rates; rail: {a.rail_basis}"
    fig = route_comparison_chart(
        a.routes, vf, float(conc["value_central"]), float(cap["usd_per_t"]), cap_label, rates_label
    )
    over = a.routes[a.routes["option"] == "overland"]["usd_per_t_central"]
    sea_min = (
        a.routes[a.routes["option"].isin(["nsr", "nsr_west", "conventional"])]
        .groupby(["deposit", "destination"])["usd_per_t_central"]
        .min()
    )
    over_by_pair = a.routes[a.routes["option"] == "overland"].set_index(["deposit", "destination"])["usd_per_t_central"]
    right = int((over_by_pair > sea_min.reindex(over_by_pair.index)).sum())
    return Chart(
        fig,
        "04_route_comparison",
        title=(
            f"Overland through the crossing costs more per tonne than the cheapest sea route for {dearer} of "
            f"{len(v)} deposit-destination pairs while the Northern Sea Route is open ({a.nsr_season_days} days a "
            f"year); against the ice-free lanes alone for {dearer_free} of {len(vf)}, with {ties} near-ties"
        ),
        alt=(
            f"Two dot charts, one row per route from Tomtor, Lovozero and Zashikhinskoye to Fairbanks or Houston, "
            f"grouped by pair: freight cost in {money.label()} per tonne (top axis: share of the "
            f"{conc['value_central']:,.0f} {money.label()} value of a tonne of concentrate) and transit days, each "
            f"with a low-high line. Overland routes cost {over.min():,.0f}-{over.max():,.0f} per tonne in the "
            f"central case and sit right of the cheapest sea route in {right} of {len(over_by_pair)} pairs, a "
            f"comparison that holds while the Northern Sea Route is open ({a.nsr_season_text}); outside it, against "
            f"the ice-free lanes alone, overland is dearer in {dearer_free} of {len(vf)} pairs. Hollow "
            "diamonds add a yearly capital "
            f"charge of {cap['usd_per_t']:,.1f} per tonne ({cap['basis']}, at the largest claimed capacity). "
            "Near-ties are starred."
        ),
        source=(
            "Route geometry: data/places.csv, data/alignment_segments.csv, data/route_waypoints.csv, route "
            "factors from data/published_lengths.csv; rates: Drewry World Container Index (via Hellenic Shipping "
            "News) with Maersk's 40 ft payload for sea, BTS and Russian Railways for rail and truck, NSR season: "
            "Russian Ministry of Transport navigation rules (data/freight_rates.csv); "
            "prices: MP Materials via Investing.com, Lynas (data/ree_prices.csv), REO content: USGS "
            "(data/ree_products.csv); assumptions as labelled (data/assumptions.csv). " + money.method_note()
        ),
        data_files=_ROUTE_FILES
        + ("ree_prices.csv", "ree_products.csv", "timeline.csv")
        + (
            ("megaprojects.csv", "project_costs.csv", "reference_overruns.csv")
            if cap["basis"].startswith("whole")
            else ()
        ),
        method=(
            "Per route: each leg's length (geodesic through sourced stops, land legs times the route factor) times "
            f"its mode's rate per tonne-km, summed; sea at {a.sea_class} rates (spot rate per box / "
            f"{a.container_payload_t:g} t payload / lane length), rail at {a.rail_basis}; nominal rates restated "
            "to USD 2025. Low and high take the lowest and highest route factor, rates and speeds. The diamond adds "
            "the annuity of the capital cost spread over the tonnage."
        ),
    )


def routes_interactive(a: Analysis) -> Chart:
    """``04_routes_interactive``: the plotly scatter of every route."""
    r = a.routes[a.routes["option"] != "suez_bound"]
    cost = r.groupby(r["option"] == "overland")["usd_per_t_central"]
    lo, hi = cost.min(), cost.max()
    return Chart(
        interactive_routes(a.routes, DEPOSIT_NAMES),
        "04_routes_interactive",
        title=(
            f"Overland routes cost {money.label()} {lo[True]:,.0f}-{hi[True]:,.0f} per tonne, "
            f"sea routes {lo[False]:,.0f}-{hi[False]:,.0f} (interactive)"
        ),
        alt=(
            "Interactive scatter plot with one marker per route from Tomtor, Lovozero and Zashikhinskoye to "
            "Fairbanks or Houston: transit days on the horizontal axis, freight cost in USD 2025 per tonne on the "
            "vertical axis, with low-high ranges as error bars; colour shows the option, marker shape the deposit. "
            "Hovering a marker shows the route, its length and its ranges."
        ),
        source=(
            f"Route model: data/route_waypoints.csv, data/freight_rates.csv, data/assumptions.csv. "
            f"Amounts in {money.label()}."
        ),
        data_files=_ROUTE_FILES,
        method=(
            "The route model of the static comparison: leg length times its mode's rate per tonne-km and divided by "
            f"its speed, summed per route, plus transfer time; sea at {a.sea_class} rates, rail at {a.rail_basis}; "
            "error bars are the low and high scenarios."
        ),
    )


def volume(a: Analysis) -> Chart:
    """``04_volume``: Russia's output and targets as concentrate against the crossing's claimed capacity."""
    actual = a.volume[a.volume["kind"] == "actual output"].iloc[0]
    smallest = float(a.volume.loc[a.volume["kind"] == "crossing capacity claim", "tonnes_freight"].min())
    conc = a.concentrate
    return Chart(
        volume_chart(a.volume),
        "04_volume",
        title=(
            f"Russia's {YEAR} rare-earth output, about {fmt.rounded(actual['tonnes_freight'])} t of concentrate, "
            f"would fill {fmt.rounded(actual['share_of_min_capacity_pct'])}% of the smallest freight capacity "
            f"claimed for the crossing ({fmt.rounded(smallest / 1e6)} million t a year)"
        ),
        alt=(
            "Dot chart on a logarithmic scale of gross tonnes of freight a year: the capacity claims for the "
            "crossing, Northern Sea Route cargo in 2024, Russia's stated rare-earth tonnage targets and its "
            f"{YEAR} mine output, the last two converted to tonnes of {conc[:1].lower() + conc[1:]}; each dot is "
            "labelled with its tonnage and its share of the smallest claim; a target whose product (metal or oxide) "
            "is not stated is marked as not like for like."
        ),
        source=(
            "Capacity claims and NSR volumes: data/freight_rates.csv; output: USGS MCS 2026 "
            "(data/ree_production.csv); targets: data/russia_ree_targets.csv; REO content of the concentrate: "
            "USGS (data/ree_products.csv)"
        ),
        data_files=(
            "freight_rates.csv",
            "ree_production.csv",
            "russia_ree_targets.csv",
            "ree_products.csv",
            "sources.csv",
        ),
        method=(
            "Capacity claims and Northern Sea Route cargo as published (gross tonnes); rare-earth tonnages in t REO "
            "divided by the concentrate's REO content to give tonnes of concentrate; shares are of the "
            "smallest claim. Targets whose product basis is not stated are converted as if REO and labelled as "
            "not like "
            "for like. Rows enter by the volume_comparison column of freight_rates.csv."
        ),
    )


# ---------------------------------------------------------------------------------------------
# What notebook 04 publishes, computed from a data folder (bering.plots.catalogue)


def _analysis(data_dir) -> Analysis:
    from ..minerals import analysis

    return analysis(data_dir)


@registered("04_ree_production_shares", "04_critical_minerals")
def _production_shares(data_dir=None) -> Chart:
    return production_shares(_analysis(data_dir))


@registered("04_ree_hhi", "04_critical_minerals")
def _concentration(data_dir=None) -> Chart:
    return concentration(_analysis(data_dir))


@registered("04_route_comparison", "04_critical_minerals")
def _route_comparison(data_dir=None) -> Chart:
    return route_comparison(_analysis(data_dir))


@registered("04_route_map", "04_critical_minerals")
def _route_map(data_dir=None) -> Chart:
    from .. import paths

    land = geo.land_polygons(paths.absolute(data_dir or paths.data_dir()) / "geo" / "land_world_110m.geojson")
    return route_map_chart(_analysis(data_dir), land)


@registered("04_routes_interactive", "04_critical_minerals", interactive=True)
def _routes_interactive(data_dir=None) -> Chart:
    return routes_interactive(_analysis(data_dir))


@registered("04_volume", "04_critical_minerals")
def _volume(data_dir=None) -> Chart:
    return volume(_analysis(data_dir))
