"""The collection's chart style: a colour-blind-safe palette, readable type, quiet axes.

The palette is Okabe and Ito's eight colours (Color Universal Design), which stay distinct for
the common forms of colour-vision deficiency. Type is DejaVu Sans (shipped with matplotlib, so
every machine renders the same glyphs) at sizes that survive printing a figure at report width.

SVG files keep their text as text (``svg.fonttype: none``), so labels stay editable in Inkscape or
Illustrator. They name the font stack :data:`SVG_FONT_STACK`: DejaVu Sans first (installed with
matplotlib, and on Debian as ``fonts-dejavu-core``), then common sans-serif faces a graphics desk
has, so a machine without DejaVu still shows the text in a similar face.
"""

from __future__ import annotations

import matplotlib as mpl

#: Okabe-Ito, in the order charts use them (black last: it is kept for text and reference lines).
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow")]
GREY = "#6E6E6E"
#: The fonts an SVG asks for, in order.
SVG_FONT_STACK = ["DejaVu Sans", "Bitstream Vera Sans", "Verdana", "Arial", "Helvetica", "sans-serif"]
#: Smallest font size, in points, allowed on an exported figure.
MIN_FONT_PT = 9

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": SVG_FONT_STACK[:-1],
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 14,
    "axes.prop_cycle": mpl.cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "figure.figsize": (9, 5.2),
    "svg.hashsalt": "bering-strait",
    "svg.fonttype": "none",
    # TrueType (Type 42) in PDFs: text stays selectable and editable; bering.export subsets the
    # fonts without their OpenType layout tables, which keeps it cheap (Type 3 is not needed)
    "pdf.fonttype": 42,
    "image.cmap": "cividis",
}

#: Plotly layout defaults matching the matplotlib style.
PLOTLY_LAYOUT = {
    "font": {"family": "DejaVu Sans, Arial, sans-serif", "size": 14},
    "colorway": CYCLE,
    "plot_bgcolor": "white",
    "paper_bgcolor": "white",
    "margin": {"l": 70, "r": 30, "t": 80, "b": 90},
}


def apply() -> None:
    """Make the collection's style the matplotlib default for this process."""
    mpl.rcParams.update(RC)
