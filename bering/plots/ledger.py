"""Figures of notebook 05 (the claims ledger), drawn from the tables of :mod:`bering.ledger`.

Every public chart function returns a :class:`~bering.plots.chart.Chart`: the figure with its name, a
title that states the finding, alt text, source line and method note, all computed from the ledger,
so the notebook exports it in one line (``plots.scorecard(book).export(out)``). The lower-level
drawing functions (:func:`ratio_chart`, :func:`scorecard_chart`, :func:`sensitivity_chart`) take
tables and return bare figures. matplotlib is imported here only, never by the model.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths, style
from ..ledger import (
    META_COLUMNS,
    NOT_CHECKABLE,
    PERCENTILE_RELATIONS,
    VERDICTS,
    column_labels,
    distinct,
    percentile_points,
    ratio_points,
    verdict_counts,
)
from ..ledger import scorecard as scorecard_table
from ..style import GREY, PALETTE
from .chart import Chart, registered

VERDICT_COLOURS = {
    "consistent": PALETTE["green"],
    "inconsistent": PALETTE["vermillion"],
    "unsupported": PALETTE["sky"],
    "contested": PALETTE["orange"],
    NOT_CHECKABLE: "#8C8C8C",  # lighter than the GREY of text and reference lines
}


#: Resolution of the charts shown inside the notebook (the exported files are 200 dpi).
INLINE_DPI = 80


def _wrap(text: str, width: int) -> str:
    """``text`` wrapped for a tick label, its dollar signs escaped so matplotlib never reads them as maths."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False)).replace("$", r"\$")


def _verdict_tag(ax, y: float, verdict: str) -> None:
    ax.text(
        1.01,
        y,
        verdict,
        transform=ax.get_yaxis_transform(),
        ha="left",
        va="center",
        fontsize=9,
        color=VERDICT_COLOURS[verdict],
        fontweight="bold",
    )


def ratio_chart(points: pd.DataFrame, pct: pd.DataFrame | None = None):
    """Claimed/evidence ratio per distinct claim on a log axis, agreement band shaded, one marker per evidence value.

    A second panel, if ``pct`` has rows, places cost claims within the simulated distribution.
    Each row is labelled with its speaker and phrase, and ends with the claim's verdict.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    groups = list(dict.fromkeys(points["group"])) if len(points) else []
    pct_groups = list(dict.fromkeys(pct["group"])) if pct is not None and len(pct) else []
    heights = [max(len(groups), 1) * 0.5 + 0.9] + ([len(pct_groups) * 0.55 + 1.0] if pct_groups else [])
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(12, sum(heights) + 1.2),
        layout="constrained",
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    ax = axes[0, 0]
    lo_lim, hi_lim = 0.25, 4.0
    if len(points):
        lo_lim = min(lo_lim, float(points["ratio"].min()) / 1.3)
        hi_lim = max(hi_lim, float(points["ratio"].max()) * 1.3)
    band_colour = "#DDEEE8"
    for i, grp in enumerate(groups):
        y = len(groups) - 1 - i
        sub = points[points["group"] == grp]
        first = sub.iloc[0]
        left, right = max(first["band_lo"], lo_lim), min(first["band_hi"], hi_lim)
        if right - left < 0.02 * left:  # an exact match: widen the band a little so it stays visible
            left, right = left / 1.02, right * 1.02
        ax.add_patch(plt.Rectangle((left, y - 0.32), right - left, 0.64, color=band_colour, zorder=1, lw=0))
        colours = [VERDICT_COLOURS["consistent"] if ok else VERDICT_COLOURS["inconsistent"] for ok in sub["agrees"]]
        offsets = np.linspace(-0.16, 0.16, len(sub)) if len(sub) > 1 else np.zeros(1)  # keep close values apart
        ax.scatter(sub["ratio"], y + offsets, s=46, c=colours, edgecolor="white", linewidth=0.7, zorder=3)
        _verdict_tag(ax, y, first["verdict"])
    ax.axvline(1, color=GREY, lw=1, ls="--", zorder=2)
    ax.set_xscale("log")
    ax.set_xlim(lo_lim, hi_lim)
    ticks = [x for x in (0.1, 0.25, 0.5, 1, 2, 4, 10) if lo_lim <= x <= hi_lim]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.set_ylim(-0.7, max(len(groups), 1) - 0.3)
    labels = [_wrap(points.loc[points["group"] == g, "label"].iloc[0], 78) for g in groups]
    ax.set_yticks(range(len(groups) - 1, -1, -1), labels, fontsize=9)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(
        "claimed value \u00f7 evidence value (log scale; 1 = exact agreement; "
        "for a claimed range, its end nearest the evidence)"
    )
    handles = [
        Patch(color=band_colour, label="ratios that agree (the claim's tolerance band)"),
        Line2D([], [], marker="o", ls="", color=VERDICT_COLOURS["consistent"], label="evidence value that agrees"),
        Line2D([], [], marker="o", ls="", color=VERDICT_COLOURS["inconsistent"], label="evidence value that disagrees"),
    ]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize=9)
    if pct_groups:
        px = axes[1, 0]
        for i, grp in enumerate(pct_groups):
            y = len(pct_groups) - 1 - i
            p = pct[pct["group"] == grp].iloc[0]
            px.add_patch(plt.Rectangle((p["lo"], y - 0.32), p["hi"] - p["lo"], 0.64, color=band_colour, lw=0, zorder=1))
            colour = VERDICT_COLOURS["consistent"] if p["agrees"] else VERDICT_COLOURS["inconsistent"]
            px.scatter(p["percentile"], y, s=60, color=colour, edgecolor="white", zorder=3)
            _verdict_tag(px, y, p["verdict"])
        px.set_yticks(
            range(len(pct_groups) - 1, -1, -1),
            [_wrap(pct.loc[pct["group"] == g, "label"].iloc[0], 78) for g in pct_groups],
            fontsize=9,
        )
        px.set_xlim(0, 100)
        px.set_ylim(-0.7, len(pct_groups) - 0.3)
        px.grid(axis="y", visible=False)
        px.set_xlabel(
            "percentile of the claim in notebook 03's simulation (cost of the tunnel or the whole link, "
            "or construction time); band = percentiles that agree"
        )
    fig.set_dpi(INLINE_DPI)  # shown small in the notebook; the export writes 200 dpi files
    return fig


def scorecard_chart(score: pd.DataFrame):
    """Stacked horizontal bars: distinct claims per speaker, by verdict."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 0.7 * len(score) + 1.8), layout="constrained")
    left = np.zeros(len(score))
    ys = np.arange(len(score))[::-1]
    for verdict in VERDICTS:
        counts = score[verdict].to_numpy()
        ax.barh(ys, counts, left=left, color=VERDICT_COLOURS[verdict], label=verdict, edgecolor="white", height=0.6)
        for y, x0, c in zip(ys, left, counts):
            if c:
                ax.text(
                    x0 + c / 2,
                    y,
                    str(int(c)),
                    ha="center",
                    va="center",
                    fontsize=10,
                    color="black" if verdict in ("contested", "unsupported") else "white",
                )
        left += counts
    ax.set_yticks(ys, score.index)
    ax.set_xlabel("distinct claims (a claim repeated in several pieces counts once)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=5, frameon=False)
    return fig


#: Characters per line of the sensitivity grid's row labels and column headers.
ROW_LABEL_WIDTH, HEADER_WIDTH = 46, 17


def sensitivity_chart(sens: pd.DataFrame, labels: dict[str, str] | None = None):
    """A grid: one row per checkable distinct claim, one column per scenario, coloured by verdict.

    Columns are headed by ``labels`` (plain language, :func:`bering.ledger.column_labels`); each row's
    height fits its wrapped label, so labels never run into their neighbours."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    names = [c for c in sens.columns if c not in META_COLUMNS]
    labels = labels or column_labels(names)
    ordered = sens.sort_values(["flips", "speaker"], ascending=[False, True], kind="stable").reset_index(drop=True)
    row_labels = [
        _wrap(f"{r.speaker}: {r.quoted}", ROW_LABEL_WIDTH) + ("\n\u21c4 verdict flips" if r.flips else "")
        for r in ordered.itertuples()
    ]
    lines = [label.count("\n") + 1 for label in row_labels]
    heights = [0.27 + 0.19 * n for n in lines]  # inches: a row is as tall as its label
    headers = [_wrap(labels[n], HEADER_WIDTH) for n in names]
    header_in = 0.18 * max(h.count("\n") + 1 for h in headers) + 0.25
    col_in = 1.3
    width = 4.4 + col_in * len(names)
    height = sum(heights) + header_in + 0.9
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    tops = np.cumsum([0.0, *heights])
    for i, row in ordered.iterrows():
        y0, h = tops[i], heights[i]
        for j, name in enumerate(names):
            verdict = row[name]
            ax.add_patch(plt.Rectangle((j, y0), 0.95, h * 0.92, color=VERDICT_COLOURS.get(verdict, "#FFFFFF"), lw=0))
            ax.text(
                j + 0.475,
                y0 + h * 0.46,
                verdict,
                ha="center",
                va="center",
                fontsize=style.MIN_FONT_PT,
                color="black" if verdict in ("contested", "unsupported") else "white",
            )
    ax.set_xlim(0, len(names))
    ax.set_ylim(tops[-1], 0)  # first row at the top
    ax.set_yticks([tops[i] + heights[i] * 0.46 for i in range(len(ordered))], row_labels, fontsize=style.MIN_FONT_PT)
    ax.xaxis.tick_top()
    ax.set_xticks([j + 0.475 for j in range(len(names))], headers, fontsize=style.MIN_FONT_PT, va="bottom")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(length=0)
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("model scenario, or assumption set to another reasonable value (columns)")
    handles = [Patch(color=VERDICT_COLOURS[v], label=v) for v in VERDICTS if v != NOT_CHECKABLE]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=4,
        frameon=False,
        fontsize=style.MIN_FONT_PT,
    )
    fig.set_dpi(INLINE_DPI)  # shown small in the notebook; the export writes 200 dpi files
    return fig


def scorecard_title(score: pd.DataFrame, implausible: int = 0) -> str:
    """A title stating the finding in the ledger's own terms: whose distinct claims are most often
    inconsistent or unsupported; ``implausible`` of the worst speaker's inconsistent claims are
    forecasts, which the ledger calls implausible against projects already built, not false."""
    bad = score["inconsistent"] + score["unsupported"]
    worst = bad.idxmax()
    checked = score.loc[worst, "total"] - score.loc[worst, NOT_CHECKABLE]
    n_inc, n_uns = int(score.loc[worst, "inconsistent"]), int(score.loc[worst, "unsupported"])
    kind = (
        " (forecasts implausible against projects already built, not shown false)"
        if n_inc and implausible == n_inc
        else f" ({implausible} of them forecasts judged implausible, not shown false)"
        if implausible
        else ""
    )
    return (
        f"{worst}'s figures fare worst: {n_inc} of the {int(checked)} checkable distinct claims are inconsistent "
        f"with the data{kind} and {n_uns} unsupported ({int(score.loc[worst, 'total'])} claims in all)"
    )


# ---------------------------------------------------------------------------------------------
# Charts with what the exporter needs

SOURCE = "Bering Strait crossing notebooks: data/claims.csv"


def scorecard(book: pd.DataFrame) -> Chart:
    """``05_scorecard``: distinct claims per speaker by verdict (``book`` from :func:`bering.ledger.build_ledger`)."""
    score = scorecard_table(book)
    claims = distinct(book)
    forecasts = set(book.loc[book["relation"].isin(PERCENTILE_RELATIONS), "claim_group"])
    bad = score["inconsistent"] + score["unsupported"]
    mine = claims[(claims["speaker"] == bad.idxmax()) & (claims["verdict"] == "inconsistent")]
    return Chart(
        scorecard_chart(score),
        "05_scorecard",
        title=scorecard_title(score, int(mine["claim_group"].isin(forecasts).sum())),
        alt=(
            "Stacked horizontal bars, one per speaker ("
            + ", ".join(score.index)
            + "), splitting the distinct claims each made into "
            + ", ".join(VERDICTS)
            + "; "
            + "; ".join(
                f"{who}: {int(r.total)} claims, {int(r.consistent)} consistent, "
                f"{int(r.inconsistent)} inconsistent, {int(r.unsupported)} unsupported"
                for who, r in score.iterrows()
            )
            + "."
        ),
        source=(
            f"{SOURCE} (speaker, outlet, claim_group) and the verdicts computed by bering.ledger from the data "
            "and the model results of notebooks 01-04"
        ),
        data_files=("claims.csv", "sources.csv"),
        method=(
            "Appearances that share a claim_group count as one distinct claim; each is judged once by "
            "bering.ledger against the data and the baseline model results, and counted under its speaker."
        ),
    )


#: The tables the ledger's checks read (the claims_vs_evidence figure's data files).
EVIDENCE_FILES = (
    "claims.csv",
    "timeline.csv",
    "published_lengths.csv",
    "megaprojects.csv",
    "project_costs.csv",
    "tbm_rates.csv",
    "russia_ree_targets.csv",
    "fx_rates.csv",
    "assumptions.csv",
)


def claims_vs_evidence(book: pd.DataFrame) -> Chart:
    """``05_claims_vs_evidence``: each checkable distinct claim against its evidence, ratios and percentiles."""
    claims = distinct(book)
    judged = claims[claims["verdict"] != NOT_CHECKABLE]
    counts = verdict_counts(judged)
    points, pct = ratio_points(book), percentile_points(book)
    tables = ", ".join(EVIDENCE_FILES[2:-1])
    return Chart(
        ratio_chart(points, pct),
        "05_claims_vs_evidence",
        title=(
            f"Of {len(judged)} checkable distinct claims, {counts['consistent']} agree with the data, "
            f"{counts['inconsistent']} are inconsistent, {counts['unsupported']} unsupported and "
            f"{counts['contested']} contested"
        ),
        alt=(
            f"Dot chart on a log scale of the ratio of claimed to evidence value for "
            f"{points['group'].nunique()} distinct claims, each row labelled with its speaker and the phrase "
            "quoted; a shaded band marks the ratios that agree, dots are green where the evidence agrees and "
            f"red where it does not. A lower panel places {pct['group'].nunique()} claims at their percentile "
            "in notebook 03's simulation, against the band of percentiles that agree. Verdicts: "
            + ", ".join(f"{counts[v]} {v}" for v in VERDICTS[:-1])
            + "."
        ),
        source=(
            f"{SOURCE} checked against data/timeline.csv, {tables} and the model results of notebooks 01-04. "
            "Tolerances are assumptions (data/assumptions.csv)."
        ),
        data_files=EVIDENCE_FILES,
        method=(
            "Each dot is the claimed value divided by one evidence value (for a claimed range, its end nearest "
            "the evidence); the band is the set of ratios the claim's relation and tolerance accept. Cost and "
            "time forecasts are placed at their percentile in the Monte Carlo simulation of notebook 03."
        ),
    )


def verdict_sensitivity(sens: pd.DataFrame) -> Chart:
    """``05_verdict_sensitivity``: each checkable claim's verdict under each scenario and assumption variant
    (``sens`` from :func:`bering.ledger.sensitivity`); the table itself is the figure's CSV."""
    names = [c for c in sens.columns if c not in META_COLUMNS]
    labels = column_labels(names)
    n_flips = int(sens["flips"].sum())
    return Chart(
        sensitivity_chart(sens, labels),
        "05_verdict_sensitivity",
        title=(
            f"{n_flips} of {len(sens)} checkable claims change verdict across {len(names)} model scenarios "
            "and assumption variants"
            if n_flips
            else f"No verdict changes across the {len(names)} model scenarios and assumption variants"
        ),
        alt=(
            f"Grid chart of {len(sens)} distinct checkable claims (rows, labelled with speaker and phrase) by "
            f"{len(names)} model scenarios and assumption variants (columns: {'; '.join(labels[n] for n in names)}), "
            "each cell coloured "
            f"and labelled with the verdict under that scenario; {n_flips} rows change colour across the "
            "scenarios."
        ),
        source=(
            f"{SOURCE} judged by bering.ledger under each scenario of bering.montecarlo.SCENARIOS and each "
            "assumption variant of data/assumptions.csv; table in figures/05_verdict_sensitivity.csv"
        ),
        data_files=("claims.csv", "assumptions.csv"),
        method=(
            "The whole ledger is rebuilt with the key numbers of each model scenario, and again from a copy of "
            "the data in which one assumption takes its alternative value; a claim flips when its verdicts differ."
        ),
        data=sens,
    )


# ---------------------------------------------------------------------------------------------
# What notebook 05 publishes, computed from a data folder (bering.plots.catalogue)


@functools.cache
def _book(folder: str) -> pd.DataFrame:
    from ..ledger import build_ledger

    return build_ledger(Path(folder))


@registered("05_scorecard", "05_claims_ledger")
def _scorecard(data_dir=None) -> Chart:
    return scorecard(_book(str(paths.absolute(data_dir or paths.data_dir()))))


@registered("05_claims_vs_evidence", "05_claims_ledger")
def _claims_vs_evidence(data_dir=None) -> Chart:
    return claims_vs_evidence(_book(str(paths.absolute(data_dir or paths.data_dir()))))


@registered("05_verdict_sensitivity", "05_claims_ledger")
def _verdict_sensitivity(data_dir=None) -> Chart:
    from ..ledger import sensitivity

    return verdict_sensitivity(sensitivity(data_dir))
