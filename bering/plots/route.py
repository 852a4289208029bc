"""The figures of notebook 02 (route geometry), apart from the model they draw (:mod:`bering.route`).

Each chart function (:func:`strait_close_up`, :func:`region_missing_links`, :func:`globe`,
:func:`depth_profiles_chart`, :func:`strait_interactive`) takes a data folder and returns a
:class:`~bering.plots.chart.Chart`: the figure with its title, alt text, source line, data files
and method note computed from the data, so the notebook exports it in one line. The drawing
functions below them (:func:`strait_map`, :func:`region_map`, :func:`globe_map`,
:func:`depth_profiles`, :func:`interactive_map`) take the model's tables and return bare figures.

The strait lies next to the 180th meridian. Every map here is drawn in an azimuthal projection
whose only seam is on the far side of the globe, from land whose pieces cut at +-180 have been
dissolved (:func:`bering.geo.project_land`, :func:`bering.geo.globe_land`), so nothing is drawn
across the map and no coastline shows a line along 180.
"""

from __future__ import annotations

import html
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .. import geo, route, style
from .chart import Chart, registered

# --------------------------------------------------------------------------------------------
# figures: shared drawing helpers
# --------------------------------------------------------------------------------------------

#: Resolution of the maps as shown inside the notebook. The exported files are written at 200 dpi
#: whatever this says; a lower screen resolution keeps the detailed maps from bloating the notebook.
SCREEN_DPI = 72

LAND_FACE = "#E4E4E4"
LAND_EDGE = "#8C8C8C"
WATER_FACE = "#EEF5FA"
#: The dash pattern of the US-Russia border on the maps.
BORDER_DASH = (0, (6, 2, 1, 2))
ROUTE_COLOURS = {
    "island": style.PALETTE["blue"],
    "cape_to_cape": style.PALETTE["black"],
    "interbering_2011": style.PALETTE["orange"],
    "gap": style.PALETTE["green"],
    "border": style.PALETTE["purple"],
    "existing": style.PALETTE["black"],
    "ru_lena_uelen_line": style.PALETTE["vermillion"],
    "ru_magadan_line": style.PALETTE["orange"],
    "us_fairbanks_nome_line": style.PALETTE["blue"],
    "us_northern_rail_extension": style.PALETTE["sky"],
}


def _draw_land(ax, land, window=None, face=LAND_FACE, edge=LAND_EDGE, lw=0.5, **kw):
    """Fill ``land`` with ``GeoDataFrame.plot``: a GeoDataFrame or GeoSeries already in the map's
    coordinates (e.g. :func:`bering.geo.map_land`), or a shapely geometry in them. ``window``
    (x0, y0, x1, y1) clips it first."""
    import geopandas as gpd
    from shapely.geometry import box

    if not isinstance(land, (gpd.GeoDataFrame, gpd.GeoSeries)):
        land = gpd.GeoSeries(geo.polygons_of(land))
    if window is not None:
        land = land.clip(box(*window))
    _draw(ax, land, facecolor=face, edgecolor=edge, linewidth=lw, **kw)


def _draw(ax, layer, **kw):
    """``GeoDataFrame.plot`` of a layer in the map's coordinates; the axis keeps its limits, aspect and labels."""
    if layer.empty:
        return
    import matplotlib as mpl

    limits = (ax.get_xlim(), ax.get_ylim())
    labels = (ax.get_xlabel(), ax.get_ylabel())
    layer.plot(ax=ax, aspect=None, **kw)
    ax.set_xlim(*limits[0])
    ax.set_ylim(*limits[1])
    # geopandas names blank axes after the CRS ("Easting [kilometre]") in a small font: the maps name their own
    for axis, text in zip((ax.xaxis, ax.yaxis), labels):
        axis.label.set_text(text)
        axis.label.set_fontsize(mpl.rcParams["axes.labelsize"])


def _draw_lines(ax, layer, color, lw, ls="-", zorder=5, **kw):
    """Draw a line layer with one colour, width and dash pattern."""
    _draw(ax, layer, color=color, linewidth=lw, linestyle=ls, zorder=zorder, **kw)


def _legend_line(color, lw: float, ls, label: str, **kw):
    """A legend entry for a line (or, with ``marker`` and ``ls=""``, a marker) drawn elsewhere."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color=color, lw=lw, ls=ls, label=label, **kw)


def _alignment(layers: Mapping, alignment_id: str):
    lines = layers["alignments"]
    return lines[lines["alignment_id"] == alignment_id]


def _xy(layers: Mapping, place_id: str) -> tuple[float, float]:
    """Map coordinates of one place of the projected places layer."""
    places = layers["places"]
    hit = places[places["place_id"] == place_id]
    if hit.empty:
        raise ValueError(f"place id {place_id!r} is not in the places layer")
    point = hit.geometry.iloc[0]
    return float(point.x), float(point.y)


def _graticule(
    ax,
    lons,
    lats,
    lat_range,
    lon_range,
    proj: dict,
    labels: bool = True,
    color="#C8C8C8",
    label_size=9,
    n=200,
    special: Mapping[float, dict] | None = None,
):
    """Draw meridians and parallels (projected with ``proj``); label them where they leave the axes."""
    special = special or {}
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for lon in lons:
        lat = np.linspace(*lat_range, n)
        x, y = geo.project(lat, np.full(n, lon), **proj)
        kw = {"color": color, "lw": 0.6, "zorder": 1}
        kw.update(special.get(lon, {}))
        ax.plot(x, y, **kw)
        if labels:
            inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            # meridians are labelled where they meet the bottom edge (parallels own the left edge)
            if inside.any() and y[np.flatnonzero(inside)[0]] - y0 < 0.02 * (y1 - y0):
                i = int(np.flatnonzero(inside)[0])
                ax.annotate(
                    _lon_label(lon),
                    (x[i], y[i]),
                    xytext=(2, 3),
                    textcoords="offset points",
                    fontsize=label_size,
                    color=style.GREY,
                    clip_on=True,
                )
    for lat in lats:
        lon = np.linspace(*lon_range, n)
        x, y = geo.project(np.full(n, lat), geo.wrap_lon(lon), **proj)
        ax.plot(x, y, color=color, lw=0.6, zorder=1)
        if labels:
            inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            if inside.any():
                i = int(np.flatnonzero(inside)[0])
                ax.annotate(
                    f"{lat:g}°N",
                    (x[i], y[i]),
                    xytext=(3, 2),
                    textcoords="offset points",
                    fontsize=label_size,
                    color=style.GREY,
                    clip_on=True,
                )


def _lon_label(lon: float) -> str:
    lon = float(geo.wrap_lon(lon))
    if lon in (180.0, -180.0):
        return "180°"
    return f"{abs(lon):g}°{'E' if lon > 0 else 'W'}"


def _geodesic_xy(lat1, lon1, lat2, lon2, proj: dict, spacing_km: float = 2.0):
    lats, lons = geo.great_circle_points(lat1, lon1, lat2, lon2, spacing_km=spacing_km)
    return geo.project(lats, lons, **proj)


def _label_box(color="white"):
    return {"boxstyle": "round,pad=0.2", "fc": color, "ec": "none", "alpha": 0.85}


# --------------------------------------------------------------------------------------------
# figure 1: the strait close up
# --------------------------------------------------------------------------------------------


def _along(lat1, lon1, lat2, lon2, fraction: float, proj: Mapping | None = None) -> tuple[float, float]:
    """Map point at ``fraction`` of the way along the geodesic from point 1 to point 2."""
    lats, lons = geo.great_circle_points(lat1, lon1, lat2, lon2, n=201)
    i = int(round(fraction * 200))
    x, y = geo.project(lats[i], lons[i], **(proj or {}))
    return float(x), float(y)


#: How adjustText places the static maps' labels: a fixed number of iterations (not its default time
#: limit), so the same labels land in the same places on every run.
LABEL_ITERATIONS = 200


def _label(ax, text, point, color="black", fontsize=10, ha="center", **kw):
    """A label in a white box, started on ``point`` (map coordinates); :func:`_place_labels` moves it."""
    label = ax.text(*point, text, ha=ha, va="center", fontsize=fontsize, color=color, bbox=_label_box(), zorder=9, **kw)
    label._bering_anchor = tuple(float(v) for v in point)
    return label


def _line_points(layers, window, step_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step_km`` along every line of ``layers`` (GeoDataFrames in map km) inside ``window``:
    what the labels must keep off, besides each other and the places."""
    from shapely.geometry import box

    clip = box(*window)
    xs, ys = [], []
    for layer in layers:
        for geom in layer.geometry.intersection(clip):
            parts = getattr(geom, "geoms", [geom])
            for part in parts:
                if part.is_empty or part.geom_type != "LineString":
                    continue
                for d in np.arange(0.0, part.length + step_km, step_km):
                    point = part.interpolate(min(d, part.length))
                    xs.append(point.x)
                    ys.append(point.y)
    return np.asarray(xs), np.asarray(ys)


def _place_labels(ax, labels, avoid: tuple[np.ndarray, np.ndarray], objects=()) -> None:
    """Move ``labels`` (from :func:`_label`) with adjustText off each other, off their anchors and off
    the ``avoid`` points (the lines drawn), each joined to its anchor by a thin grey leader when it
    moved away, and off ``objects`` (artists such as fixed texts). The rule replaces hand-set offsets:
    a label goes wherever it fits, near its point."""
    from adjustText import adjust_text

    if not labels:
        return
    anchors = np.array([label._bering_anchor for label in labels])
    renderer = ax.figure.canvas.get_renderer()
    objects = [artist.get_window_extent(renderer) for artist in objects]
    adjust_text(
        labels,
        x=np.concatenate([avoid[0], anchors[:, 0]]),
        y=np.concatenate([avoid[1], anchors[:, 1]]),
        target_x=anchors[:, 0],
        target_y=anchors[:, 1],
        objects=list(objects) or None,
        ax=ax,
        iter_lim=LABEL_ITERATIONS,
        expand=(1.3, 1.6),
        force_static=(1.0, 1.2),
        force_text=(0.5, 0.7),
        force_pull=(0.005, 0.005),
        min_arrow_len=4,
        arrowprops={"arrowstyle": "-", "color": style.GREY, "lw": 0.7, "shrinkA": 0, "shrinkB": 1, "zorder": 8},
    )


def _wrapped(text: str, width: int = 16) -> str:
    """A map label on up to two lines, broken at the space nearest the middle when longer than ``width``."""
    text = str(text)
    if len(text) <= width or " " not in text:
        return text
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1 :]


def labelled(places, view: str):
    """The rows of a places layer that the static map ``view`` labels (data/places.csv, labelled_on),
    in file order, with the text of each label (map_label, else the name up to any bracket)."""
    chosen = places[places["labelled_on"].fillna("").str.split(";").map(lambda views: view in views)].copy()
    short = chosen["name"].str.split(" (", regex=False).str[0].str.strip()
    chosen["label"] = chosen["map_label"].where(chosen["map_label"].fillna("").str.len() > 0, short).map(_wrapped)
    return chosen


def strait_map(
    layers: Mapping,
    segments: pd.DataFrame,
    gaps: pd.DataFrame,
    boundary: dict,
):
    """The strait in the strait-centred Lambert azimuthal equal-area projection, with a zoom on the Diomedes.

    ``layers``: :func:`bering.geo.map_layers` with the default (strait-centred) projection, drawn
    with ``GeoDataFrame.plot``; ``segments``: :func:`bering.geo.segment_lengths` (for the length
    labels); ``gaps``: :func:`bering.route.water_gaps` of the island chain; ``boundary``:
    :func:`bering.route.load_boundary`. Draws the island route (2007 plan, assumed for 2025),
    the cape-to-cape reference line, the 2011 Uelen route, the shortest water gaps, and the
    border (with the date line marked as approximately there), with every segment's length.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    from shapely.geometry import box

    proj: dict = {}
    window = (-82.0, -62.0, 68.0, 34.0)
    zoom = (-8.5, -32.0, 9.5, -18.0)
    ratios = [(window[2] - window[0]) / (window[3] - window[1]), (zoom[2] - zoom[0]) / (zoom[3] - zoom[1])]
    fig, (ax, zx) = plt.subplots(
        1, 2, figsize=(14, 6.4), dpi=SCREEN_DPI, gridspec_kw={"width_ratios": ratios, "wspace": 0.12}
    )
    for a, (x0, y0, x1, y1) in ((ax, window), (zx, zoom)):
        a.set_facecolor(WATER_FACE)
        a.set_xlim(x0, x1)
        a.set_ylim(y0, y1)
        a.set_aspect("equal")
        a.grid(False)
        _draw_land(a, layers["land"], window=(x0 - 5, y0 - 5, x1 + 5, y1 + 5), zorder=2)
    _graticule(
        ax,
        lons=np.arange(-172, -165, 1.0),
        lats=np.arange(65.0, 67.01, 0.5),
        lat_range=(64.5, 67.5),
        lon_range=(-173, -165),
        proj=proj,
    )
    _graticule(zx, lons=[-169.0], lats=[65.75], lat_range=(65.5, 66.0), lon_range=(-169.3, -168.7), proj=proj)

    seg = segments.set_index(["alignment_id", "seq"])
    colour = ROUTE_COLOURS
    # border (the date line runs near it)
    for a in (ax, zx):
        _draw_lines(a, layers["boundary"], colour["border"], 1.6, ls=BORDER_DASH, zorder=3)
    # routes
    for a in (ax, zx):
        _draw_lines(a, _alignment(layers, "diomedes_tunnel"), colour["island"], 2.6, zorder=5, capstyle="round")
    _draw_lines(ax, _alignment(layers, "cape_to_cape"), colour["cape_to_cape"], 1.2, ls="--", zorder=4)
    _draw_lines(ax, _alignment(layers, "interbering_2011"), colour["interbering_2011"], 1.8, zorder=4)
    # shortest water gaps: mainland to mainland on the left, between the islands in the zoom
    mainland, island_gap = gaps.iloc[-1], gaps.iloc[1]
    ends = (mainland.shore_from_lat, mainland.shore_from_lon, mainland.shore_to_lat, mainland.shore_to_lon)
    ax.plot(*_geodesic_xy(*ends, proj), color=colour["gap"], lw=1.8, ls=":", zorder=4)
    zends = (island_gap.shore_from_lat, island_gap.shore_from_lon, island_gap.shore_to_lat, island_gap.shore_to_lon)
    zx.plot(*_geodesic_xy(*zends, proj, 0.1), color=colour["gap"], lw=2.4, ls=":", zorder=6)

    # labels, placed by adjustText (:func:`_place_labels`): every segment's length at its middle, the
    # shortest gaps, the border, and the places data/places.csv labels on each panel (labelled_on)
    texts = {ax: [], zx: []}
    drawn = ("diomedes_tunnel", "cape_to_cape", "interbering_2011")
    names = {"cape_to_cape": "cape to cape\n", "interbering_2011": "Uelen route\n"}
    colours = {"cape_to_cape": "black", "interbering_2011": colour["interbering_2011"]}
    for (alignment_id, _), r in seg[seg.index.get_level_values(0).isin(drawn)].iterrows():
        texts[ax].append(
            _label(
                ax,
                f"{names.get(alignment_id, '')}{r.length_km:.1f} km",
                _along(r.from_lat, r.from_lon, r.to_lat, r.to_lon, 0.5),
                color=colours.get(alignment_id, colour["island"]),
            )
        )
    texts[ax].append(
        _label(ax, f"shortest, shore to shore\n{mainland.gap_km:.1f} km", _along(*ends, 0.5), color=colour["gap"])
    )
    r = seg.loc[("diomedes_tunnel", 2)]
    texts[zx].append(
        _label(
            zx,
            f"centre to centre\n{r.length_km:.2f} km",
            _along(r.from_lat, r.from_lon, r.to_lat, r.to_lon, 0.5),
            color=colour["island"],
        )
    )
    texts[zx].append(
        _label(zx, f"shortest water gap\n{island_gap.gap_km:.2f} km", _along(*zends, 0.5), color=colour["gap"])
    )
    for a, (x0, y0, x1, y1), text in (
        (ax, window, "US–Russia border;\ndate line runs near it"),
        (zx, zoom, f"border ({route.dms(boundary['lons'][0], 'E', 'W')});\ndate line near it"),
    ):
        # the border is labelled at the middle of the stretch the panel shows
        shown = layers["boundary"].geometry.intersection(box(x0, y0, x1, y1)).union_all()
        middle = shown.interpolate(0.5, normalized=True)
        texts[a].append(_label(a, text, (middle.x, middle.y), color=colour["border"]))

    places = layers["places"]
    for a, view, suffix in ((ax, "strait", ""), (zx, "diomedes", "\ncentre point")):
        chosen = labelled(places, view)
        _draw(a, chosen, color="black", markersize=16, zorder=7)
        for row in chosen.itertuples():
            texts[a].append(_label(a, row.label + suffix, (row.geometry.x, row.geometry.y)))
    regions = [
        ax.text(0.02, 0.97, "CHUKOTKA (Russia)", transform=ax.transAxes, fontsize=10, color=style.GREY, va="top"),
        ax.text(0.98, 0.12, "ALASKA (US)", transform=ax.transAxes, fontsize=10, color=style.GREY, ha="right"),
    ]
    ax.add_patch(
        Rectangle((zoom[0], zoom[1]), zoom[2] - zoom[0], zoom[3] - zoom[1], fill=False, ec=style.GREY, lw=0.9, zorder=6)
    )
    ax.set_title("The strait (grey box: zoom at right)", fontsize=11, loc="left")
    zx.set_title("The Diomedes", fontsize=11, loc="left")

    handles = [
        _legend_line(colour["island"], 2.6, "-", "island route: 2007 plan (assumed for 2025)"),
        _legend_line(colour["interbering_2011"], 1.8, "-", "2011 InterBering route from Uelen"),
        _legend_line("black", 1.2, "--", "cape to cape (reference)"),
        _legend_line(colour["gap"], 1.8, ":", "shortest water gap (1:10m coastline)"),
        _legend_line(colour["border"], 1.6, BORDER_DASH, "US–Russia border (date line approximately)"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9.5, frameon=False, bbox_to_anchor=(0.5, 0.01))
    ax.set_xlabel("km east of 66°N 169°W (Lambert azimuthal equal-area)")
    ax.set_ylabel("km north of 66°N 169°W")
    zx.set_xlabel("km east of 66°N 169°W")
    fig.subplots_adjust(left=0.06, right=0.99, top=0.9, bottom=0.21)
    # last, on the final layout, as adjustText needs
    lines = [layers["alignments"], layers["boundary"]]
    _place_labels(ax, texts[ax], _line_points(lines, window, 3.0), objects=regions)
    _place_labels(zx, texts[zx], _line_points(lines, zoom, 0.3))
    return fig


# --------------------------------------------------------------------------------------------
# figure 2: the region, Yakutsk to Fairbanks
# --------------------------------------------------------------------------------------------

REGION_PROJ = {"lat_0": 64.0, "lon_0": 171.0}

#: The lines of the region map, in drawing order: colour, width, dash and legend label.
REGION_LINES = {
    "ru_lena_uelen_line": (ROUTE_COLOURS["ru_lena_uelen_line"], 2.4, "-", "proposed: Lena–Uelen (to the strait)"),
    "ru_magadan_line": (ROUTE_COLOURS["ru_magadan_line"], 1.8, "--", "proposed: Magadan line (not to the strait)"),
    "us_fairbanks_nome_line": (ROUTE_COLOURS["us_fairbanks_nome_line"], 2.4, "-", "proposed: Fairbanks–Nome–strait"),
    "us_northern_rail_extension": (
        ROUTE_COLOURS["us_northern_rail_extension"],
        1.8,
        "--",
        "planned: Northern Rail Extension",
    ),
    "alaska_railroad_existing": (
        ROUTE_COLOURS["existing"],
        2.0,
        "-",
        "existing: Alaska Railroad (stations joined straight)",
    ),
    "diomedes_tunnel": (style.PALETTE["purple"], 3.0, "-", "tunnel (island route)"),
}
#: Corridors shorter than this (km, straight) are named by the region map's legend only: at the map's
#: scale a label would cover them and the places at their ends.
REGION_LABEL_MIN_KM = 500.0
#: The order of the region map's legend.
REGION_LEGEND = (
    "alaska_railroad_existing",
    "ru_lena_uelen_line",
    "ru_magadan_line",
    "us_fairbanks_nome_line",
    "us_northern_rail_extension",
    "diomedes_tunnel",
)


def region_map(
    layers: Mapping,
    segments: pd.DataFrame,
    factors: pd.DataFrame,
    links: pd.DataFrame,
    proj: Mapping[str, float] = REGION_PROJ,
    na_km: float | None = None,
    na_end: str = "the Canadian network",
):
    """Yakutsk to Fairbanks: existing railheads and lines, proposed corridors and the gaps.

    ``na_km`` (the new railway from the Alaska Railroad to the Canadian network, which lies off the
    map, ending at ``na_end``) is written in the top right corner with an arrow from Delta Junction
    when given.

    ``layers`` is :func:`bering.geo.map_layers` projected with the same ``proj``, drawn with
    ``GeoDataFrame.plot``; ``segments`` is :func:`bering.geo.segment_lengths`; ``factors`` is :func:`route_factors`;
    ``links`` is :func:`missing_links`. Corridors are drawn as straight geodesics between their
    end points (no published route geometry), labelled with their straight and published or
    assumed lengths. The 180th meridian is drawn to show that the geometry crosses it unbroken.
    """
    import matplotlib.pyplot as plt

    proj = dict(proj)
    fig, ax = plt.subplots(figsize=(14, 7.4), dpi=SCREEN_DPI)
    window = (-2150.0, -480.0, 2150.0, 1120.0)
    ax.set_facecolor(WATER_FACE)
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    ax.set_aspect("equal")
    ax.grid(False)
    # about one pixel of the saved figure is 1.5 km: thin the 1:10m coast to that before drawing
    _draw_land(
        ax,
        layers["land"].simplify(1.5, preserve_topology=True),
        window=(window[0] - 50, window[1] - 50, window[2] + 50, window[3] + 50),
        zorder=2,
    )
    _graticule(
        ax,
        lons=[130, 140, 150, 160, 170, 180, -170, -160, -150, -140],
        lats=[55, 60, 65, 70],
        lat_range=(50, 75),
        lon_range=(115, 230),
        proj=proj,
        special={180: {"color": style.PALETTE["black"], "lw": 1.0, "ls": "--", "zorder": 3}},
    )

    published = factors.set_index("alignment_id")["published_km"] if len(factors) else pd.Series(dtype=float)
    link_km = links.groupby("alignment_id")["length_km"].sum() if len(links) else pd.Series(dtype=float)
    colours = {alignment_id: line[0] for alignment_id, line in REGION_LINES.items()}
    for alignment_id, (colour, lw, ls, _) in REGION_LINES.items():
        _draw_lines(ax, _alignment(layers, alignment_id), colour, lw, ls, zorder=5, capstyle="round")

    def label_for(alignment_id: str) -> str:
        straight = segments.loc[segments["alignment_id"] == alignment_id, "length_km"].sum()
        text = f"{straight:,.0f} km straight"
        if alignment_id in published.index:
            text += f"\n{published[alignment_id]:,.0f} km published"
        elif alignment_id in link_km.index:
            text += f"\n≈{link_km[alignment_id]:,.0f} km with route factor\n(assumption)"
        return text

    # labels, placed by adjustText (:func:`_place_labels`): every corridor drawn whose length is published
    # or assumed and at least REGION_LABEL_MIN_KM long, at the middle of its first segment; the places
    # data/places.csv labels on this map (labelled_on); where the 180th meridian leaves the top of the map
    texts = []
    names = layers["alignments"].drop_duplicates("alignment_id").set_index("alignment_id")["name"]
    straight_km = segments.groupby("alignment_id")["length_km"].sum()
    for alignment_id in REGION_LINES:
        if alignment_id not in published.index and alignment_id not in link_km.index:
            continue
        if straight_km.get(alignment_id, 0.0) < REGION_LABEL_MIN_KM:
            continue
        r = segments[segments["alignment_id"] == alignment_id].iloc[0]
        lats, lons = geo.great_circle_points(r.from_lat, r.from_lon, r.to_lat, r.to_lon, n=101)
        x, y = geo.project(lats[50], lons[50], **proj)
        text = f"{_wrapped(names[alignment_id], 36)}\n{label_for(alignment_id)}"
        texts.append(_label(ax, text, (float(x), float(y)), color=colours[alignment_id], fontsize=9.5))

    chosen = labelled(layers["places"], "region")
    on_lines = segments.loc[segments["segment_type"] == "existing_line", ["from_place", "to_place"]].stack()
    square = (chosen["kind"] == "railhead") | chosen["place_id"].isin(set(on_lines))
    for marker, rows in (("s", chosen[square]), ("o", chosen[~square])):
        _draw(ax, rows, marker=marker, color="black", markersize=25, zorder=7)
    for row in chosen.itertuples():
        texts.append(_label(ax, row.label, (row.geometry.x, row.geometry.y), fontsize=9.5))

    mx, my = geo.project(np.linspace(50, 90, 401), np.full(401, 180.0), **proj)
    inside = np.flatnonzero((mx >= window[0]) & (mx <= window[2]) & (my >= window[1]) & (my <= window[3]))
    top = inside[-1]
    texts.append(
        _label(ax, "180th meridian: the Russian\ncorridor crosses it", (float(mx[top]), float(my[top])), fontsize=9.5)
    )
    fixed = []
    if na_km is not None:
        # what lies off the map is noted in a corner on its side (Canada: the right; the lower corner, over
        # the sea), with an arrow from the place the connection leaves
        corner = (window[2] - 20, window[1] + 25)
        note = ax.text(
            *corner,
            f"Alaska Railroad to the Canadian network\n({na_end}, off the map):\n≈{na_km:,.0f} km more new railway",
            ha="right",
            va="bottom",
            fontsize=9.5,
            color=colours["us_fairbanks_nome_line"],
            zorder=9,
            bbox=_label_box(),
        )
        fixed.append(note)
        ax.annotate(
            "",
            _xy(layers, "delta_junction"),
            xytext=(corner[0] - 60, corner[1] + 150),
            textcoords="data",
            zorder=8,
            arrowprops={"arrowstyle": "->", "color": colours["us_fairbanks_nome_line"], "lw": 0.9, "shrinkB": 4},
        )

    handles = [_legend_line(*REGION_LINES[a]) for a in REGION_LEGEND]
    handles.append(_legend_line("black", 0, "", "railhead or station on existing line", marker="s", ms=5))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9.5, frameon=False, bbox_to_anchor=(0.5, 0.0))
    ax.set_xlabel(f"km east of {proj['lat_0']:g}°N {_lon_label(proj['lon_0'])} (Lambert azimuthal equal-area)")
    ax.set_ylabel(f"km north of {proj['lat_0']:g}°N {_lon_label(proj['lon_0'])}")
    fig.subplots_adjust(left=0.07, right=0.99, top=0.93, bottom=0.17)
    # last, on the final layout, as adjustText needs
    _place_labels(ax, texts, _line_points([layers["alignments"]], window, 25.0), objects=fixed)
    return fig


# --------------------------------------------------------------------------------------------
# figure 3: the globe
# --------------------------------------------------------------------------------------------

GLOBE_CENTRE = (57.0, -170.0)


def globe_map(world, places: pd.DataFrame, mainland_gap_km: float, centre: tuple[float, float] = GLOBE_CENTRE):
    """An orthographic globe centred on the North Pacific: Afro-Eurasia and the Americas nearly touch
    at the strait. ``world`` is lon/lat land polygons (the 1:110m world file)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    lat_0, lon_0 = centre
    radius = geo.GLOBE_RADIUS_KM
    land = geo.globe_land(world, lat_0, lon_0)
    table = places.set_index("place_id")

    def at(pid):
        x, y, _ = geo.globe_points(table.loc[pid, "lat"], table.loc[pid, "lon"], lat_0, lon_0)
        return float(x), float(y)

    eurasia = geo.landmass_at(land, *at("yakutsk"))
    americas = geo.landmass_at(land, *at("fairbanks"))
    fig, ax = plt.subplots(figsize=(7.6, 7.6), dpi=SCREEN_DPI)
    ax.add_patch(Circle((0, 0), radius, fc=WATER_FACE, ec=style.GREY, lw=0.8, zorder=0))
    others = [p for p in geo.polygons_of(land) if not (p.equals(eurasia) or p.equals(americas))]
    from shapely.geometry import MultiPolygon

    if others:
        _draw_land(ax, MultiPolygon(others), face=LAND_FACE, edge=LAND_EDGE, lw=0.4, zorder=2)
    _draw_land(ax, eurasia, face="#F3C77A", edge=LAND_EDGE, lw=0.4, zorder=2)
    _draw_land(ax, americas, face="#9CC7E4", edge=LAND_EDGE, lw=0.4, zorder=2)
    # graticule: every 30 degrees of longitude, every 30 degrees of latitude, broken at the horizon
    for lon in range(-180, 180, 30):
        lat = np.linspace(-90, 90, 361)
        x, y, _ = geo.globe_points(lat, np.full_like(lat, lon), lat_0, lon_0)
        ax.plot(x, y, color="#C8C8C8", lw=0.5, zorder=1)
    for lat in (-30, 0, 30, 60):
        lon = np.linspace(-180, 180, 721)
        x, y, _ = geo.globe_points(np.full_like(lon, lat), lon, lat_0, lon_0)
        ax.plot(x, y, color="#C8C8C8", lw=0.5, zorder=1)
    sx, sy = at("cape_dezhnev")
    ax.add_patch(Circle((sx, sy), 330, fill=False, ec=style.PALETTE["vermillion"], lw=2.0, zorder=4))
    ax.annotate(
        f"Bering Strait: {mainland_gap_km:.0f} km of water\nbetween the two landmasses",
        (sx, sy - 330),
        xytext=(0, -70),
        textcoords="offset points",
        ha="center",
        fontsize=10.5,
        color=style.PALETTE["vermillion"],
        bbox=_label_box(),
        arrowprops={"arrowstyle": "-", "color": style.PALETTE["vermillion"], "lw": 1.0},
    )
    for text, (lat, lon), colour in (
        ("AFRO-EURASIA", (56.0, 100.0), "#8A5A00"),
        ("THE AMERICAS", (55.0, -112.0), "#1F5F8B"),
    ):
        x, y, vis = geo.globe_points(lat, lon, lat_0, lon_0)
        if bool(vis):
            ax.text(float(x), float(y), text, ha="center", va="center", fontsize=11, fontweight="bold", color=colour)
    ax.set_xlim(-radius * 1.02, radius * 1.02)
    ax.set_ylim(-radius * 1.02, radius * 1.02)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.text(
        0.5,
        -0.01,
        f"Orthographic view centred on {lat_0:g}°N {_lon_label(lon_0)}; Natural Earth 1:110m land",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=9,
        color=style.GREY,
    )
    fig.subplots_adjust(left=0.02, right=0.98, top=0.92, bottom=0.05)
    return fig


# --------------------------------------------------------------------------------------------
# figure 4: schematic depth profiles
# --------------------------------------------------------------------------------------------


def _symmetric_stretches(total_km: float, undersea_km: float) -> list[dict]:
    if undersea_km > total_km:
        raise ValueError(f"undersea length {undersea_km} exceeds the tunnel length {total_km}")
    side = (total_km - undersea_km) / 2
    return [
        {"start_km": 0.0, "end_km": side, "surface": "land"},
        {"start_km": side, "end_km": side + undersea_km, "surface": "water"},
        {"start_km": side + undersea_km, "end_km": total_km, "surface": "land"},
    ]


def seabed_polygon(stretches: list[dict], depth: float, ramp_km: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Schematic seabed through the water stretches: down from 0 at each shore to ``depth`` over
    ``ramp_km`` (or a third of the stretch if shorter), flat between. Returns (km, depth) vertices."""
    xs, ds = [], []
    for s in stretches:
        if s["surface"] != "water":
            continue
        a, b = s["start_km"], s["end_km"]
        ramp = min(ramp_km, (b - a) / 3)
        xs += [a, a + ramp, b - ramp, b]
        ds += [0.0, depth, depth, 0.0]
    return np.asarray(xs), np.asarray(ds)


def depth_profiles(inputs: dict):
    """Three schematic cross-sections on one length and depth scale: the Bering Strait on the
    island route, the Channel Tunnel and the Seikan Tunnel. Shapes are schematic; only the
    numbers marked on the figure are published."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    panels = [
        ("bering_strait", "Bering Strait, island route (our geometry; no tunnel depth published)"),
        ("channel_tunnel", "Channel Tunnel"),
        ("seikan_tunnel", "Seikan Tunnel"),
    ]
    fig, axes = plt.subplots(3, 1, figsize=(11, 8.2), dpi=SCREEN_DPI, sharex=True, sharey=True)
    water = style.PALETTE["sky"]
    tunnel = style.PALETTE["vermillion"]
    for ax, (key, title) in zip(axes, panels):
        p = inputs[key]
        stretches = p.get("stretches") or _symmetric_stretches(p["tunnel_km"], p["undersea_km"])
        end = max(s["end_km"] for s in stretches)
        for s in stretches:
            if s["surface"] == "land":
                ax.add_patch(Rectangle((s["start_km"], -16), s["end_km"] - s["start_km"], 16, fc="#BDBDBD", ec="none"))
        x_hi, d_hi = seabed_polygon(stretches, p["water_high"])
        x_lo, d_lo = seabed_polygon(stretches, p["water_low"])
        ax.fill_between(x_lo, 0, d_lo, color=water, alpha=0.55, lw=0)
        if p["water_high"] > p["water_low"]:
            ax.fill_between(x_hi, d_lo if len(d_lo) == len(d_hi) else 0, d_hi, color=water, alpha=0.22, lw=0)
        ax.plot(x_hi, d_hi, color="#2B6C8F", lw=1.0)
        ax.axhline(0, color="#2B6C8F", lw=0.8)
        # every label sits in a column to the right of the crossing, joined to the depth it describes
        if p["water_high"] > p["water_low"]:
            water_text = f"water {p['water_low']:.0f}–{p['water_high']:.0f} m deep (published range)"
        else:
            water_text = f"water {p['water_high']:.0f} m deep at the tunnel"
        notes = [(water_text, (p["water_low"] + p["water_high"]) / 2, "#2B6C8F")]
        if key == "bering_strait":
            for depth, text, ls in (
                (p["water_max_route"], "deepest on the 2007 route (reported)", ":"),
                (p["water_max"], "strait maximum", "--"),
            ):
                ax.plot([0, end], [depth, depth], color="#2B6C8F", lw=0.9, ls=ls)
                notes.append((f"{text}: {depth:.0f} m", depth, "#2B6C8F"))
        text_y = [35.0 + 45.0 * i for i in range(len(notes))] if key == "bering_strait" else [n[1] for n in notes]
        for (text, depth, colour), ty in zip(notes, text_y):
            ax.annotate(
                text,
                (end, depth),
                xytext=(end + 4, ty),
                textcoords="data",
                va="center",
                fontsize=9.5,
                color=colour,
                arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.7, "shrinkB": 0},
            )
        if key == "bering_strait":
            islands = [s for s in stretches if s["surface"] == "land" and s["end_km"] - s["start_km"] > 1.0]
            if islands:
                ax.annotate(
                    "the two Diomedes",
                    ((islands[0]["start_km"] + islands[-1]["end_km"]) / 2, -16),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=9,
                    color=style.GREY,
                )
            length_text = f"{end:.1f} km, cape to cape via the islands"
        else:
            side = stretches[0]["end_km"]
            low = p["tunnel_low_point"]
            tx = [0.0, side, end - side, end]
            tz = [0.0, low, low, 0.0]
            ax.plot(tx, tz, color=tunnel, lw=2.2)
            ax.annotate(
                f"tunnel: lowest point {low:.0f} m below sea level, {p['cover']:.0f} m below the seabed",
                (end, low),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=9.5,
                color=tunnel,
            )
            length_text = f"{p['tunnel_km']:g} km portal to portal, {p['undersea_km']:g} km under the sea"
        ax.annotate(length_text, (end, 0), xytext=(6, 8), textcoords="offset points", fontsize=9, va="bottom")
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_ylabel("depth (m below sea level)")
        ax.grid(axis="x", visible=False)
    axes[0].set_ylim(300, -45)
    axes[0].set_xlim(-2, 128)
    axes[-1].set_xlabel("distance along the crossing (km)")
    fig.text(
        0.985, 0.5, "SCHEMATIC", rotation=90, ha="right", va="center", fontsize=22, color="#B0B0B0", fontweight="bold"
    )
    fig.text(
        0.01,
        0.012,
        "SCHEMATIC: seabed and tunnel shapes are not surveyed; each panel shows only the published "
        "depths and lengths marked on it. Vertical scale exaggerated about 300 times; land (grey) not to height.",
        fontsize=9,
        color=style.GREY,
    )
    fig.tight_layout(rect=(0, 0.03, 0.965, 0.93))
    return fig


# --------------------------------------------------------------------------------------------
# figure 5: interactive map (plotly, projected km, no tiles)
# --------------------------------------------------------------------------------------------


#: The map's extent in km (x0, y0, x1, y1) around 66°N 169°W: every place of the strait with room
#: for its label.
INTERACTIVE_WINDOW = (-150.0, -190.0, 220.0, 45.0)
#: Plot areas in screen pixels (width, height) at which the interactive map's place labels must not
#: collide: the exported page at 1280 px, 1024 px and a 390 px phone, as Chromium draws them
#: (``_fullLayout.xaxis._length`` and ``yaxis._length``).
LABEL_VIEWS = ((1172.0, 395.0), (916.0, 395.0), (282.0, 323.0))
LABEL_FONT_PX = 12
LABEL_MARKER_PX = 7
#: Where a label may go around its marker, in the order they are tried: the direction (x right,
#: y up) from the marker and the side of the label's box that faces the marker.
LABEL_DIRECTIONS = {
    "right": ((1.0, 0.0), "left", "middle"),
    "left": ((-1.0, 0.0), "right", "middle"),
    "below right": ((0.7, -0.7), "left", "top"),
    "above right": ((0.7, 0.7), "left", "bottom"),
    "below left": ((-0.7, -0.7), "right", "top"),
    "above left": ((-0.7, 0.7), "right", "bottom"),
    "above": ((0.0, 1.0), "center", "bottom"),
    "below": ((0.0, -1.0), "center", "top"),
}
#: How far from the marker's centre (px) a label may sit, nearest first; beyond the first a thin
#: leader line joins label and marker.
LABEL_DISTANCES_PX = (6.0, 26.0, 50.0, 80.0)


def label_text(name: str) -> str:
    """A place's map label: its name up to any bracketed alternative (``"Wales (Kiŋigin)"`` -> ``"Wales"``),
    on two lines (``"\\n"``) when longer than 14 characters, broken at the space nearest the middle."""
    text = str(name).split(" (")[0].strip()
    if len(text) <= 14 or " " not in text:
        return text
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1 :]


def label_box(x_px: float, y_px: float, text: str, direction: str, distance_px: float = LABEL_DISTANCES_PX[0]):
    """The box (x0, y0, x1, y1) in screen pixels, y upwards, of ``text`` placed ``distance_px`` from a
    marker at ``(x_px, y_px)`` in ``direction`` (:data:`LABEL_DIRECTIONS`). Width is estimated from
    the longest line's character count (0.62 em a character, a little wider than DejaVu Sans's
    average) plus 4 px of padding, height is 1.25 em a line plus 4 px."""
    if direction not in LABEL_DIRECTIONS:
        raise ValueError(f"unknown label direction {direction!r}; use one of {', '.join(LABEL_DIRECTIONS)}")
    (ux, uy), xanchor, yanchor = LABEL_DIRECTIONS[direction]
    lines = text.split("\n")
    width = 0.62 * LABEL_FONT_PX * max(len(line) for line in lines) + 4
    height = 1.25 * LABEL_FONT_PX * len(lines) + 4
    ax, ay = x_px + ux * distance_px, y_px + uy * distance_px
    x0 = {"left": ax, "right": ax - width, "center": ax - width / 2}[xanchor]
    y0 = {"bottom": ay, "top": ay - height, "middle": ay - height / 2}[yanchor]
    return (x0, y0, x0 + width, y0 + height)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _leader_crosses(x: float, y: float, box, others, steps: int = 20) -> bool:
    """Whether the leader line from the marker at (x, y) to the centre of ``box`` runs through any of
    ``others`` (checked at ``steps`` points along it)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for t in np.linspace(0.0, 1.0, steps):
        px, py = x + t * (cx - x), y + t * (cy - y)
        if any(o[0] <= px <= o[2] and o[1] <= py <= o[3] for o in others):
            return True
    return False


def _screen(x_km, y_km, window, view) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Map km to screen pixels for a plot area ``view`` (width, height) showing ``window`` with equal
    scales on both axes (plotly's ``scaleanchor``: the tighter axis sets the scale, the other axis
    shows more than its range, centred)."""
    x0, y0, x1, y1 = window
    width, height = view
    km_per_px = max((x1 - x0) / width, (y1 - y0) / height)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    sx = (np.asarray(x_km, float) - cx) / km_per_px + width / 2
    sy = (np.asarray(y_km, float) - cy) / km_per_px + height / 2
    return sx, sy, (0.0, 0.0, float(width), float(height))


def _in_window(places, window):
    from shapely.geometry import box

    return places[places.geometry.within(box(*window))]


def strait_labels(data_dir=None, window=INTERACTIVE_WINDOW) -> pd.DataFrame:
    """The interactive map's places (every place inside ``window``) and where their labels went."""
    return place_labels(_in_window(geo.map_layers(data_dir)["places"], window), window)


def place_labels(places, window=INTERACTIVE_WINDOW, views: Iterable[tuple[float, float]] = LABEL_VIEWS) -> pd.DataFrame:
    """Where each place's label goes on the interactive map, by a fixed rule.

    ``places`` is a point layer in the map's km, its rows in the order of ``data/places.csv``, which
    is the order of priority (the capes and islands of the crossing come first). Each label
    (:func:`label_text`) takes the first spot, nearest distance first (:data:`LABEL_DISTANCES_PX`)
    and then in the order of :data:`LABEL_DIRECTIONS`, at which, in every one of ``views``, its
    box stays inside the plot area and clears every marker and every label placed before it (and its
    leader line, if any, runs through no label placed before it). A
    label that fits nowhere is left blank (the place keeps its marker and hover text). Returns
    ``place_id, text, direction, distance_px, placed`` in the order of ``places``.
    """
    views = list(views)
    screens = [_screen(places.geometry.x.to_numpy(), places.geometry.y.to_numpy(), window, v) for v in views]
    half = LABEL_MARKER_PX / 2
    markers = [[(x - half, y - half, x + half, y + half) for x, y in zip(sx, sy)] for sx, sy, _ in screens]
    taken: list[list] = [[] for _ in views]
    rows = []
    spots = [(d, r) for r in LABEL_DISTANCES_PX for d in LABEL_DIRECTIONS]
    for i, (place_id, name) in enumerate(zip(places["place_id"], places["name"])):
        text = label_text(name)
        chosen = None
        for direction, distance in spots:
            boxes = [label_box(sx[i], sy[i], text, direction, distance) for sx, sy, _ in screens]
            fits = all(
                area[0] <= b[0]
                and b[2] <= area[2]
                and area[1] <= b[1]
                and b[3] <= area[3]
                and not any(_overlaps(b, m) for m in marks)
                and not any(_overlaps(b, t) for t in placed)
                and not (distance > LABEL_DISTANCES_PX[0] and _leader_crosses(sx[i], sy[i], b, placed))
                for b, (sx, sy, area), marks, placed in zip(boxes, screens, markers, taken)
            )
            if fits:
                chosen = (direction, distance)
                for placed, b in zip(taken, boxes):
                    placed.append(b)
                break
        rows.append(
            {
                "place_id": place_id,
                "text": text if chosen else "",
                "direction": chosen[0] if chosen else "",
                "distance_px": chosen[1] if chosen else np.nan,
                "placed": chosen is not None,
            }
        )
    return pd.DataFrame(rows, columns=["place_id", "text", "direction", "distance_px", "placed"])


def _label_annotations(shown, labels) -> list[dict]:
    """Plotly annotations for the placed labels: offsets in screen pixels from the marker, so they
    keep their place at any zoom; beyond the nearest distance a leader line joins label and marker
    (plotly draws it from the label's centre, so the label is centred on the arrow's tail)."""
    out = []
    for point, row in zip(shown.geometry, labels.itertuples(index=False)):
        if not row.placed:
            continue
        x0, y0, x1, y1 = label_box(0.0, 0.0, row.text, row.direction, row.distance_px)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        leader = row.distance_px > LABEL_DISTANCES_PX[0]
        out.append(
            dict(
                name=f"label_{row.place_id}",
                x=round(float(point.x), 2),
                y=round(float(point.y), 2),
                xref="x",
                yref="y",
                text="<br>".join(html.escape(line) for line in row.text.split("\n")),
                showarrow=leader,
                ax=round(cx, 1) if leader else 0,
                ay=round(-cy, 1) if leader else 0,
                xshift=0 if leader else round(cx, 1),
                yshift=0 if leader else round(cy, 1),
                arrowhead=0,
                arrowwidth=0.8,
                arrowcolor=style.GREY,
                standoff=LABEL_MARKER_PX / 2,
                xanchor="center",
                yanchor="middle",
                font={"size": LABEL_FONT_PX, "color": "black"},
                bgcolor="rgba(255,255,255,0.75)",
                borderpad=1,
            )
        )
    return out


def _rings_xy(geometry, decimals: int = 2) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for poly in geo.polygons_of(geometry):
        c = np.round(np.asarray(poly.exterior.coords), decimals)
        xs += c[:, 0].tolist() + [None]
        ys += c[:, 1].tolist() + [None]
    return xs, ys


def interactive_map(
    layers: Mapping,
    segments: pd.DataFrame,
    gaps: pd.DataFrame,
    boundary: dict,
    alignments: pd.DataFrame,
    window: tuple[float, float, float, float] = INTERACTIVE_WINDOW,
    tolerance_km: float = 1.0,
    views: Iterable[tuple[float, float]] = LABEL_VIEWS,
):
    """Plotly map of the strait drawn from our own projected geometry (km), no tiles, no topojson.

    ``layers`` is :func:`bering.geo.map_layers` in the strait-centred projection. The coastline is
    clipped to ``window`` and simplified with a ``tolerance_km`` Douglas-Peucker tolerance in the
    projected plane (so the stored figure stays small); the land reaches beyond the window so that a
    wide or tall screen, which shows more than the window, still sees coast. Every place inside the window is marked;
    its label goes where :func:`place_labels` finds room at each of ``views``, and a place whose
    label fits nowhere keeps its marker and hover text. Hovering a route shows its segment and
    length; hovering a place shows its name and distance to both capes.
    """
    import plotly.graph_objects as go
    import shapely
    from shapely.geometry import box

    places = layers["places"]
    land = shapely.union_all(layers["land"].geometry.to_numpy())
    # the land reaches beyond the window: at a wide or tall screen the equal-scale axes show more than it
    margin = max(window[2] - window[0], window[3] - window[1])
    around = (window[0] - margin, window[1] - margin, window[2] + margin, window[3] + margin)
    clipped = land.intersection(box(*around)).simplify(tolerance_km, preserve_topology=True)
    fig = go.Figure()
    lx, ly = _rings_xy(clipped)
    fig.add_trace(
        go.Scatter(
            x=lx,
            y=ly,
            mode="lines",
            fill="toself",
            fillcolor=LAND_FACE,
            line={"color": LAND_EDGE, "width": 0.6},
            hoverinfo="skip",
            name="land (1:10m, simplified)",
        )
    )
    border = layers["boundary"].clip(box(*window)).geometry
    lines = list(border.explode(index_parts=False))
    bx = np.concatenate([np.asarray(line.xy[0]) for line in lines])
    by = np.concatenate([np.asarray(line.xy[1]) for line in lines])
    fig.add_trace(
        go.Scatter(
            x=np.round(bx, 2),
            y=np.round(by, 2),
            mode="lines",
            name="US–Russia border (≈ date line)",
            line={"color": ROUTE_COLOURS["border"], "width": 2, "dash": "dashdot"},
            hovertemplate=(
                f"US–Russia border, {route.dms(boundary['lons'][0], 'E', 'W')}<br>date line runs near it<extra></extra>"
            ),
        )
    )
    names = dict(zip(alignments["alignment_id"], alignments["name"]))
    pname = places.set_index("place_id")["name"]
    drawn = {
        "cape_to_cape": ("cape to cape (reference)", "black", "dash", 1.5),
        "diomedes_tunnel": ("island route, 2007 (assumed for 2025)", ROUTE_COLOURS["island"], "solid", 3.5),
        "interbering_2011": ("2011 Uelen route", ROUTE_COLOURS["interbering_2011"], "solid", 2.5),
        "us_fairbanks_nome_line": ("Nome–Cape Prince of Wales link (straight)", style.PALETTE["sky"], "dot", 2),
    }
    for alignment_id, (label, colour, dash, width) in drawn.items():
        rows = segments[segments["alignment_id"] == alignment_id]
        xs: list = []
        ys: list = []
        texts: list = []
        for r in rows.itertuples():
            lats, lons = geo.great_circle_points(r.from_lat, r.from_lon, r.to_lat, r.to_lon, n=12)
            x, y = geo.project(lats, lons)
            if not ((x >= window[0]) & (x <= window[2]) & (y >= window[1]) & (y <= window[3])).all():
                continue  # segments reaching beyond the map (Fairbanks-Nome) are left to the region map
            text = (
                f"{names.get(alignment_id, alignment_id)}<br>{pname[r.from_place]} → {pname[r.to_place]}: "
                f"{r.length_km:.1f} km<br>running total {r.cumulative_km:.1f} km"
            )
            xs += np.round(x, 2).tolist() + [None]
            ys += np.round(y, 2).tolist() + [None]
            texts += [text] * len(x) + [None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=label,
                text=texts,
                line={"color": colour, "dash": dash, "width": width},
                hovertemplate="%{text}<extra></extra>",
            )
        )
    labels = {
        0: "shortest gap, Chukotka – Big Diomede",
        1: "shortest gap between the Diomedes",
        2: "shortest gap, Little Diomede – Alaska",
        3: "shortest gap, mainland to mainland",
    }
    gx: list = []
    gy: list = []
    gt: list = []
    for i, g in gaps.reset_index(drop=True).iterrows():
        lats, lons = geo.great_circle_points(g.shore_from_lat, g.shore_from_lon, g.shore_to_lat, g.shore_to_lon, n=6)
        x, y = geo.project(lats, lons)
        gx += np.round(x, 2).tolist() + [None]
        gy += np.round(y, 2).tolist() + [None]
        gt += [f"{labels.get(i, 'gap')}: {g.gap_km:.2f} km of water"] * len(x) + [None]
    fig.add_trace(
        go.Scatter(
            x=gx,
            y=gy,
            mode="lines",
            name="shortest water gaps (1:10m)",
            text=gt,
            line={"color": ROUTE_COLOURS["gap"], "dash": "dot", "width": 2},
            hovertemplate="%{text}<extra></extra>",
        )
    )
    shown = _in_window(places, window)
    px, py = shown.geometry.x.to_numpy(), shown.geometry.y.to_numpy()
    (dlat, dlon), (wlat, wlon) = route._coords(places, "cape_dezhnev"), route._coords(places, "cape_prince_of_wales")
    to_d = geo.geodesic_km(dlat, dlon, shown["lat"].to_numpy(float), shown["lon"].to_numpy(float))
    to_w = geo.geodesic_km(wlat, wlon, shown["lat"].to_numpy(float), shown["lon"].to_numpy(float))
    hover = [
        f"<b>{html.escape(n)}</b> ({html.escape(c)})<br>{lat:.4f}°N {abs(lon):.4f}°W<br>to Cape Dezhnev {d:.1f} km<br>"
        f"to Cape Prince of Wales {w:.1f} km"
        for n, c, lat, lon, d, w in zip(shown["name"], shown["country"], shown["lat"], shown["lon"], to_d, to_w)
    ]
    labels = place_labels(shown, window, views)
    fig.add_trace(
        go.Scatter(
            x=np.round(px, 2),
            y=np.round(py, 2),
            mode="markers",
            name="places",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            marker={"color": "black", "size": LABEL_MARKER_PX},
        )
    )
    fig.update_layout(annotations=_label_annotations(shown, labels))
    fig.update_layout(
        height=680,
        hovermode="closest",
        plot_bgcolor=WATER_FACE,
        xaxis={
            "title": "km east of 66°N 169°W",
            "range": [window[0], window[2]],
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={
            "title": "km north of 66°N 169°W",
            "range": [window[1], window[3]],
            "scaleanchor": "x",
            "scaleratio": 1,
            "showgrid": False,
            "zeroline": False,
        },
        # far enough below the plot to clear the exporter's source line, even on a phone
        legend={"orientation": "h", "y": -0.32, "yanchor": "top", "x": 0, "font": {"size": 12}},
    )
    return fig


# --------------------------------------------------------------------------------------------
# the notebook's charts: figure plus everything the exporter needs, computed from the data
# --------------------------------------------------------------------------------------------

_GEODESIC_METHOD = (
    "Lengths are WGS84 geodesics (pyproj) between the published coordinates of data/places.csv; "
    "segments are straight geodesics because no source publishes a track."
)
_GAP_METHOD = (
    "Shortest water gaps: the nearest pair of shore points of two landmasses of the Natural Earth 1:10m "
    "coastline, found in the strait's Lambert azimuthal equal-area plane, measured as a WGS84 geodesic."
)
_STRAIT_FILES = (
    "places.csv",
    "alignment_segments.csv",
    "alignments.csv",
    "geo/land_bering_10m.geojson",
    "geo/us_russia_boundary_strait.geojson",
)


@registered("02_strait_close_up", "02_route_geometry")
def strait_close_up(data_dir=None) -> Chart:
    """``02_strait_close_up``: the strait and a zoom on the Diomedes (:func:`strait_map`)."""
    g = route.geometry(data_dir)
    narrowest = float(g.gaps["gap_km"].iloc[-1])
    capes = float(g.summary.set_index("alignment_id").loc["cape_to_cape", "total_km"])
    fig = strait_map(geo.map_layers(g.folder, spacing_km=0.5), g.seg, g.gaps, g.boundary)
    return Chart(
        fig,
        "02_strait_close_up",
        title=(
            f"The strait is {narrowest:.0f}–{capes:.0f} km wide depending on where you measure; "
            "the Diomedes split it in two"
        ),
        alt=(
            "Map of the Bering Strait between Chukotka and the Seward Peninsula with the two Diomede "
            "islands in the middle. The island route of 2007 runs from Cape Dezhnev over Big and Little "
            "Diomede to Cape Prince of Wales with each leg's length labelled; a dashed cape-to-cape line "
            f"({capes:.1f} km), the 2011 route from Uelen and a dotted shortest shore-to-shore line "
            f"({narrowest:.1f} km) are drawn for comparison. A zoom panel shows the "
            f"{g.gaps['gap_km'].iloc[1]:.2f} km water gap between the Diomedes with the US-Russia border "
            "running through it."
        ),
        source=(
            "Bering Strait crossing notebooks: data/places.csv, data/alignment_segments.csv, "
            "data/geo/us_russia_boundary_strait.geojson (Wikipedia; 1867 treaty); coastline Natural "
            "Earth 1:10m via world-atlas. Distances are WGS84 geodesics."
        ),
        data_files=_STRAIT_FILES,
        method=(
            f"{_GEODESIC_METHOD} {_GAP_METHOD} Land, border, places and routes are GeoDataFrames projected "
            "with to_crs to Lambert azimuthal equal-area centred on 66°N 169°W; the coastline's pieces cut "
            "at 180° are dissolved first. Labels: the places data/places.csv labels on each panel (labelled_on), "
            "every segment's length and the shortest gaps, placed by adjustText off the lines and each other."
        ),
    )


@registered("02_region_missing_links", "02_route_geometry")
def region_missing_links(data_dir=None) -> Chart:
    """``02_region_missing_links``: Yakutsk to Fairbanks, the corridors and their lengths (:func:`region_map`)."""
    g = route.geometry(data_dir)
    na_km = route.new_construction_lengths(data_dir)["na_km"]
    # the Canadian railhead: the far end of the last Alaska - Canada segment of data/link_segments.csv
    na_end = route.link_segments(data_dir).query("part_of == 'na_km'")["far_end"].iloc[-1]
    layers = geo.map_layers(g.folder, spacing_km=10.0, **REGION_PROJ)
    fig = region_map(layers, g.seg, g.factors, g.links, na_km=na_km, na_end=na_end)
    side_km = g.links.groupby("side")["length_km"].sum()
    rail_km = float(side_km.sum())
    return Chart(
        fig,
        "02_region_missing_links",
        title=(
            f"About {round(rail_km + na_km, -2):,.0f} km of new railway would join the two networks "
            f"({round(rail_km, -2):,.0f} km from the Lena to Fairbanks, {round(na_km, -2):,.0f} km on to Canada); "
            f"the {g.tunnel_km:.0f} km tunnel is the short part"
        ),
        alt=(
            "Map from Yakutsk to Fairbanks in an azimuthal projection. The existing Alaska Railroad "
            "ends at Fairbanks; the Russian network ends at Nizhny Bestyakh on the Lena. Proposed "
            "corridors, drawn as straight lines, run from Nizhny Bestyakh to Uelen across the 180th "
            f"meridian (about {side_km['Russia']:,.0f} km of new railway with the link to the portal) and "
            f"from Fairbanks via Nome to Cape Prince of Wales (about {side_km['Alaska']:,.0f} km), each "
            "labelled with its straight and published or assumed length; the tunnel across the strait is a "
            "short purple line between them. A note at Delta Junction points off the map to the "
            f"Canadian network at {na_end}, about {na_km:,.0f} km more of new railway (data/link_segments.csv)."
        ),
        source=(
            "Bering Strait crossing notebooks: data/places.csv, data/alignment_segments.csv, "
            "data/published_lengths.csv, data/link_segments.csv, data/assumptions.csv (route factor, assumption); "
            "coastline "
            "Natural Earth 1:10m."
        ),
        data_files=(
            "places.csv",
            "alignment_segments.csv",
            "alignments.csv",
            "link_segments.csv",
            "published_lengths.csv",
            "assumptions.csv",
            "geo/land_bering_10m.geojson",
        ),
        method=(
            f"{_GEODESIC_METHOD} A corridor's length is its published length where a source gives one, "
            f"else its straight length times the assumed route factor {g.factor:g} "
            f"(data/assumptions.csv, {route.ASSUMPTION_ROUTE_FACTOR}). Layers projected with to_crs to "
            f"Lambert azimuthal equal-area centred on {REGION_PROJ['lat_0']:g}°N {_lon_label(REGION_PROJ['lon_0'])}. "
            "Labels: the places data/places.csv labels on this map (labelled_on) and the corridors of at least "
            f"{REGION_LABEL_MIN_KM:,.0f} km, placed by adjustText off the lines and each other."
        ),
    )


@registered("02_globe_where_continents_meet", "02_route_geometry")
def globe(data_dir=None) -> Chart:
    """``02_globe_where_continents_meet``: an orthographic globe (:func:`globe_map`)."""
    g = route.geometry(data_dir)
    narrowest = float(g.gaps["gap_km"].iloc[-1])
    world = route.load_world_land(g.folder / "geo" / "land_world_110m.geojson")
    fig = globe_map(world, g.places, narrowest)
    return Chart(
        fig,
        "02_globe_where_continents_meet",
        title=f"Afro-Eurasia and the Americas nearly touch at the Bering Strait: {narrowest:.0f} km of water",
        alt=(
            "Orthographic globe centred on the North Pacific. Afro-Eurasia is shaded orange on the left, "
            "the Americas blue on the right; they almost meet at the top, where a red circle marks the "
            f"Bering Strait and a label gives the shortest water distance between them, {narrowest:.0f} km."
        ),
        source=(
            "Natural Earth 1:110m land via world-atlas (data/geo/land_world_110m.geojson); strait width "
            "from the 1:10m coastline, this notebook."
        ),
        data_files=("places.csv", "geo/land_world_110m.geojson", "geo/land_bering_10m.geojson"),
        method=(
            "Orthographic view of a sphere of mean Earth radius. Land is clipped to the visible hemisphere in an "
            "azimuthal equidistant plane with the same centre (pieces cut at 180° dissolve there) before the "
            f"orthographic step, so no polygon wraps round. {_GAP_METHOD}"
        ),
    )


@registered("02_depth_profiles_schematic", "02_route_geometry")
def depth_profiles_chart(data_dir=None) -> Chart:
    """``02_depth_profiles_schematic``: three schematic cross-sections (:func:`depth_profiles`)."""
    g = route.geometry(data_dir)
    inputs = g.depth_inputs()
    b, c, s = inputs["bering_strait"], inputs["channel_tunnel"], inputs["seikan_tunnel"]
    bering_km = float(g.stretches["end_km"].iloc[-1])
    longer = "longer" if bering_km > max(c["tunnel_km"], s["tunnel_km"]) else "not longer"
    shallower = "far shallower" if b["water_max"] < s["water_high"] else "not shallower"
    fig = depth_profiles(inputs)
    return Chart(
        fig,
        "02_depth_profiles_schematic",
        title=(
            f"Schematic: the Bering Strait is {longer} than the Channel and Seikan crossings but {shallower} "
            "than Seikan"
        ),
        alt=(
            f"Three schematic cross-sections on one scale. The Bering Strait panel shows water "
            f"{b['water_low']:.0f} to {b['water_high']:.0f} m deep across {bering_km:.0f} km broken by the two "
            f"Diomede islands, with the strait maximum ({b['water_max']:.0f} m) and the deepest point reported "
            f"on the 2007 route marked. The Channel Tunnel panel shows a {c['tunnel_km']:g} km tunnel dipping to "
            f"{c['tunnel_low_point']:.0f} m below sea level; the Seikan panel a {s['tunnel_km']:g} km tunnel "
            f"reaching {s['tunnel_low_point']:.0f} m under water {s['water_high']:.0f} m deep."
        ),
        source=(
            "Bering Strait crossing notebooks: data/depths.csv and data/published_lengths.csv (Britannica, "
            "Springer, The Moscow Times, Wikipedia, HowStuffWorks, Mobsea); Bering stretches from the "
            "1:10m coastline. Schematic: shapes not surveyed."
        ),
        data_files=("depths.csv", "published_lengths.csv", "places.csv", "geo/land_bering_10m.geojson"),
        method=(
            "Schematic. Only the published depths and lengths marked on each panel are data; the seabed is drawn "
            "as a ramp from each shore to the published depth, the Channel and Seikan undersea parts centred in "
            "the tunnel. The Bering stretches of land and water are the island route cut by the 1:10m coastline "
            "(WGS84 geodesic km)."
        ),
    )


@registered("02_strait_interactive", "02_route_geometry", interactive=True)
def strait_interactive(data_dir=None) -> Chart:
    """``02_strait_interactive``: the plotly map of the strait (:func:`interactive_map`)."""
    g = route.geometry(data_dir)
    fig = interactive_map(geo.map_layers(g.folder), g.seg, g.gaps, g.boundary, g.alignments)
    shown = int(sum(len(t.x) for t in fig.data if t.name == "places"))
    return Chart(
        fig,
        "02_strait_interactive",
        title="The Bering Strait crossing routes (interactive)",
        alt=(
            "Interactive map of the strait in km from 66°N 169°W: simplified coastline, the Diomedes, the "
            "border, the island route, the cape-to-cape line, the 2011 Uelen route, the shortest water "
            f"gaps and {shown} places; hovering shows names and distances."
        ),
        source=(
            "Bering Strait crossing notebooks: data/places.csv, data/alignment_segments.csv, "
            "data/geo/us_russia_boundary_strait.geojson; coastline Natural Earth 1:10m, simplified."
        ),
        data_files=_STRAIT_FILES,
        method=(
            f"{_GEODESIC_METHOD} {_GAP_METHOD} Coastline clipped to the window and simplified with a 1 km "
            "Douglas-Peucker tolerance in the projected plane. Every place of data/places.csv inside the window "
            "is shown; each label takes the first spot around its marker, in a fixed order, that clears the "
            "markers and labels before it at three screen sizes."
        ),
    )
