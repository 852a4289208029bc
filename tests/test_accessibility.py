"""Accessibility of the figures: alt text that describes, colours that survive colour-vision
deficiency, and type no smaller than ``bering.style.MIN_FONT_PT``.

Colour-vision deficiency (CVD) is simulated with the model of

    Machado, G. M., Oliveira, M. M. and Fernandes, L. A. F. (2009). "A Physiologically-based Model
    for Simulation of Color Vision Deficiency". IEEE Transactions on Visualization and Computer
    Graphics 15(6), 1291-1298. doi:10.1109/TVCG.2009.113

using the paper's published matrices for protanopia, deuteranopia and tritanopia at severity 1.0
(the complete loss of one cone type, the hardest case), applied to linear-light sRGB. Colour
differences are CIEDE2000 (CIE 142-2001), implemented after

    Sharma, G., Wu, W. and Dalal, E. N. (2005). "The CIEDE2000 color-difference formula:
    implementation notes, supplementary test data, and mathematical observations". Color Research
    and Application 30(1), 21-30. doi:10.1002/col.20070

and checked here against that paper's test pairs.

The threshold, ``MIN_DELTA_E00 = 10``: CIEDE2000 is scaled so that a difference of about 1 is
just noticeable between two large patches side by side under controlled viewing (Sharma et al.
2005). Chart colours are read on small, separated marks (points, thin lines, legend swatches) on
uncontrolled screens, where the difference needed to tell colours apart grows as marks get
smaller (Stone, M., Szafir, D. A. and Setlur, V. (2014), "An Engineering Model for Color
Difference as a Function of Size", Proc. IS&T Color and Imaging Conference 22, 253-258; Szafir,
D. A. (2018), "Modeling Color Difference for Visualization Design", IEEE TVCG 24(1), 392-401). We
ask for ten just-noticeable differences between every pair of the first six palette colours,
for normal vision and for each simulated dichromacy. Okabe and Ito's palette passes with little
headroom (its closest pair, orange and reddish purple under tritanopia, is about 10.9), so
swapping in a colour that collides with another fails the test.
"""

from __future__ import annotations

import itertools
import math
import re

import matplotlib
import numpy as np
import pytest

from bering import export, paths, style

FIGURES = paths.committed_figures_dir()
CATALOGUE = export.catalogue(FIGURES)
MIN_ALT_CHARS = 60
MIN_DELTA_E00 = 10.0
PALETTE_SIZE = 6
PX_PER_PT = 96 / 72  # CSS pixels (plotly's unit) per typographic point

#: Words that say what kind of chart a figure is; alt text names one.
CHART_KINDS = re.compile(
    r"\b(chart|graph|plot|map|timeline|diagram|histogram|heat ?map|scatter|bars|dumbbell|globe|"
    r"cross-sections?|schematic|treemap|table|matrix|sankey|network)s?\b",
    re.I,
)

#: Machado et al. (2009), Table/supplement, severity 1.0, for linear RGB.
MACHADO_2009 = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
VISIONS = {"normal": np.eye(3), **MACHADO_2009}


# ---------------------------------------------------------------------------------------------
# Colour science


def hex_to_srgb(colour: str) -> np.ndarray:
    colour = colour.lstrip("#")
    return np.array([int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def simulate(colour: str, vision: str) -> np.ndarray:
    """Linear sRGB of ``colour`` as seen with ``vision`` (Machado et al. 2009, severity 1.0)."""
    return np.clip(VISIONS[vision] @ srgb_to_linear(hex_to_srgb(colour)), 0.0, 1.0)


def linear_to_lab(rgb_linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65 white) of a linear-light sRGB triple."""
    to_xyz = np.array(
        [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
    )
    xyz = to_xyz @ rgb_linear / np.array([0.95047, 1.0, 1.08883])
    delta = 6 / 29
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1), following Sharma et al. (2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    else:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh) / 2)
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dh_big / s_h) ** 2 + r_t * (dc / s_c) * (dh_big / s_h))


def closest_pair(colours: list[str], vision: str) -> tuple[float, str, str]:
    labs = {c: linear_to_lab(simulate(c, vision)) for c in colours}
    return min((ciede2000(labs[a], labs[b]), a, b) for a, b in itertools.combinations(colours, 2))


# ---------------------------------------------------------------------------------------------
# The colour science itself


@pytest.mark.parametrize(
    "lab1,lab2,expected",
    [
        # Sharma, Wu & Dalal (2005), Table 1: pairs 1, 2, 7, 17, 19, 20, 25
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
        ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_srgb_to_lab_reference_values():
    assert linear_to_lab(srgb_to_linear(hex_to_srgb("#FFFFFF"))) == pytest.approx([100, 0, 0], abs=0.01)
    assert linear_to_lab(srgb_to_linear(hex_to_srgb("#FF0000"))) == pytest.approx([53.24, 80.09, 67.20], abs=0.05)


def test_machado_matrices_keep_grey_grey():
    for name, matrix in MACHADO_2009.items():
        assert matrix.sum(axis=1) == pytest.approx([1, 1, 1], abs=1e-5), name


def test_simulation_confuses_what_dichromats_confuse():
    """Brown against dark green is a textbook red-green confusion (protanopes and deuteranopes),
    not a blue-yellow one (tritanopes); blue against green shrinks for tritanopes."""
    red, green, blue = "#8B4513", "#006400", "#1F77B4"  # CSS saddlebrown, darkgreen; tab:blue
    normal = ciede2000(*(linear_to_lab(simulate(c, "normal")) for c in (red, green)))
    for vision in ("protanopia", "deuteranopia"):
        seen = ciede2000(*(linear_to_lab(simulate(c, vision)) for c in (red, green)))
        assert seen < MIN_DELTA_E00 < normal, vision
    assert ciede2000(*(linear_to_lab(simulate(c, "tritanopia")) for c in (red, green))) > MIN_DELTA_E00
    assert ciede2000(*(linear_to_lab(simulate(c, "tritanopia")) for c in (blue, green))) < ciede2000(
        *(linear_to_lab(simulate(c, "normal")) for c in (blue, green))
    )


# ---------------------------------------------------------------------------------------------
# The palette


@pytest.mark.parametrize("vision", list(VISIONS))
def test_palette_stays_distinguishable(vision):
    colours = style.CYCLE[:PALETTE_SIZE]
    assert len(set(c.upper() for c in colours)) == PALETTE_SIZE
    distance, a, b = closest_pair(colours, vision)
    assert distance >= MIN_DELTA_E00, (
        f"with {vision}, {a} and {b} are only {distance:.1f} CIEDE2000 apart (need {MIN_DELTA_E00})"
    )


def test_a_palette_with_a_red_green_pair_fails():
    bad = [style.CYCLE[0], "#8B4513", "#006400"]
    assert closest_pair(bad, "normal")[0] > MIN_DELTA_E00
    for vision in ("protanopia", "deuteranopia"):
        assert closest_pair(bad, vision)[0] < MIN_DELTA_E00


# ---------------------------------------------------------------------------------------------
# Alt text


@pytest.mark.parametrize("row", CATALOGUE.to_dict("records"), ids=list(CATALOGUE["name"]))
def test_alt_text_describes_the_figure(row):
    alt, title = " ".join(row["alt_text"].split()), " ".join(row["title"].split())
    assert len(alt) >= MIN_ALT_CHARS, f"alt text of {row['name']} is {len(alt)} characters; describe the chart"

    def words(text):
        return " ".join(re.findall(r"[a-z0-9]+", text.lower()))

    assert words(title) not in words(alt), f"alt text of {row['name']} repeats its title"
    assert CHART_KINDS.search(alt), f"alt text of {row['name']} does not say what kind of chart it is"
    assert row["source_line"].strip(), f"{row['name']} has no source line"


def test_alt_texts_are_not_copied_between_figures():
    alts = [" ".join(a.split()).lower() for a in CATALOGUE["alt_text"]]
    assert len(alts) == len(set(alts))


# ---------------------------------------------------------------------------------------------
# Type size

_RC_SIZE_KEYS = (
    "font.size",
    "axes.titlesize",
    "axes.labelsize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
    "legend.title_fontsize",
    "figure.titlesize",
    "figure.labelsize",
)
#: A text drawn as glyph paths in a matplotlib SVG: ``scale(s -s)``, s = font size / 100 (points).
_SVG_GLYPH_SCALE = re.compile(r"scale\(([0-9.e-]+) -\1\)")
_SVG_FONT_SIZE = re.compile(r"font(?:-size)?:\s*([0-9.]+)px")
_PLOTLY_FONT_SIZE = re.compile(r'font":\{[^{}]*?"size":([0-9.]+)')


def test_style_sizes_are_at_least_the_minimum():
    with matplotlib.rc_context(style.RC):
        from matplotlib.font_manager import FontProperties

        for key in _RC_SIZE_KEYS:
            value = matplotlib.rcParams[key]
            if value is None:
                value = matplotlib.rcParams["font.size"]
            points = FontProperties(size=value).get_size_in_points()
            assert points >= style.MIN_FONT_PT, f"{key} = {value!r} is {points:.1f} pt"
    assert style.PLOTLY_LAYOUT["font"]["size"] >= style.MIN_FONT_PT * PX_PER_PT


def test_exporter_draws_title_and_source_at_readable_sizes(tmp_path):
    """What the exporter adds to every matplotlib figure (title, source line) and every plotly
    figure (title, source annotation) is at least MIN_FONT_PT."""
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    with matplotlib.rc_context(style.RC):
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, 1])
        out = export.Exporter("99_accessibility", out_dir=tmp_path)
        out.figure(
            fig,
            "99_sizes",
            title="A title that states the finding",
            source="made up",
            alt="Line chart of two points, drawn to measure the size of the decorations.",
        )
        sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
        plt.close(fig)
    assert sizes and min(sizes) >= style.MIN_FONT_PT, sizes
    pfig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    out.figure(
        pfig,
        "99_sizes_interactive",
        title="A title",
        source="made up",
        alt="Interactive line chart of two points, drawn to measure the decorations.",
    )
    page = (tmp_path / "99_sizes_interactive.html").read_text(encoding="utf-8")
    px = [float(v) for v in _PLOTLY_FONT_SIZE.findall(page)]
    assert px and min(px) >= style.MIN_FONT_PT * PX_PER_PT, px


def _static_svgs():
    return [f for files in CATALOGUE["files"] for f in files.split(";") if f.endswith(".svg")]


def _html_figures():
    return [f for files in CATALOGUE["files"] for f in files.split(";") if f.endswith(".html")]


@pytest.mark.parametrize("name", _static_svgs())
def test_svg_text_is_at_least_the_minimum(name):
    """Text in the SVGs stays text (``svg.fonttype = "none"``) and carries its font size; SVGs
    exported before that drew glyph outlines, whose ``scale(s -s)`` gives the size (s x 100 pt)."""
    text = (FIGURES / name).read_text(encoding="utf-8")
    sizes = [float(s) * 100 for s in _SVG_GLYPH_SCALE.findall(text)]
    sizes += [float(s) for s in _SVG_FONT_SIZE.findall(text)]  # SVG user unit = 1 pt in matplotlib
    assert sizes, f"{name}: found no text to measure"
    assert min(sizes) >= style.MIN_FONT_PT - 1e-6, (
        f"{name}: text at {min(sizes):.1f} pt, below the minimum of {style.MIN_FONT_PT} pt"
    )


@pytest.mark.parametrize("name", _html_figures())
def test_interactive_figure_text_is_at_least_the_minimum(name):
    """Font sizes set in a plotly figure (CSS pixels) are at least MIN_FONT_PT."""
    page = (FIGURES / name).read_text(encoding="utf-8")
    px = [float(v) for v in _PLOTLY_FONT_SIZE.findall(page)]
    small = [v for v in px if v < style.MIN_FONT_PT * PX_PER_PT - 1e-6]
    assert not small, (
        f"{name}: font size(s) {sorted(set(small))} px, below {style.MIN_FONT_PT} pt "
        f"= {style.MIN_FONT_PT * PX_PER_PT:.0f} px"
    )


def test_svg_size_check_catches_small_text(tmp_path):
    """The SVG measurement sees a 7 pt legend."""
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(style.RC):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [0, 1], label="a line")
        ax.legend(fontsize=7)
        fig.savefig(tmp_path / "small.svg", format="svg")
        plt.close(fig)
    text = (tmp_path / "small.svg").read_text()
    sizes = [float(s) * 100 for s in _SVG_GLYPH_SCALE.findall(text)] + [float(s) for s in _SVG_FONT_SIZE.findall(text)]
    assert min(sizes) == pytest.approx(7)
