"""One chart per area: a bar per assignment, its leaders split by status as shares of 100 %, in print
resolution. Every chart has the same scale, so a bar with 1 leader and one with 15 are read alike; the
number of leaders stands at the end of each bar."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on a server, and no GUI toolkit to import

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..model import Oppdrag
from .counts import KOLONNER, Status, Telling

DPI = 300  # print resolution
WIDTH_INCHES = 6.3  # the text width of an A4 page with the templates' margins
# Fixed per status, so one colour means one status in every chart of every report. The Okabe-Ito
# palette, which readers with the common colour-vision deficiencies tell apart; no green beside the
# vermillion, and every segment outlined, so that the white one of the unreported stands out too.
COLOURS = {
    "Ikke startet": "#F0E442",  # yellow
    "I rute": "#56B4E9",  # sky blue
    "Forsinket": "#D55E00",  # vermillion
    "Fullført": "#0072B2",  # blue
    "Utgår": "#CC79A7",  # reddish purple
    "Ikke rapportert": "#FFFFFF",  # white, hatched
}
HATCH = {"Ikke rapportert": "////"}
_DARK = {"Forsinket", "Fullført"}  # white text on these, black on the rest
OUTLINE = "#000000"
LABEL_CHARS = 36  # the y-axis label of an assignment, wrapped
LABEL_LINES = 2
# The axes' place in the figure: the labels' room on the left, «15 ledere» on the right (fractions
# of the width), and in inches above the bars and below them (ticks, axis title, legend).
LEFT, RIGHT = 0.40, 0.87
TOP, BOTTOM = 0.1, 1.0
LEGEND = 0.45  # inches from the axis to the legend's top
SHOW_PERCENT = 9  # a segment narrower than this (in %) has no number in it: it would not fit


@dataclass
class ChartText:
    """The words of a chart in the document's målform."""

    statuses: dict[str, str]  # status -> its name
    x_axis: str
    y_axis: str
    leaders: tuple[str, str]  # "{n} leder", "{n} ledere"


@dataclass
class Chart:
    """One area's chart as the report prints it and the web page shows it."""

    area: str
    items: list[tuple[Oppdrag, Telling]]
    text: str  # what the chart shows, in words: the picture's description
    png: bytes


def area_charts(status: Status, text: ChartText) -> list[Chart]:
    """One chart per area of `status`, in the report's order: the one drawing of the report's charts."""
    return [Chart(area, items, describe(area, items, text), area_chart(items, text))
            for area, items in status.omrader().items()]


def area_chart(items: list[tuple[Oppdrag, Telling]], text: ChartText) -> bytes:
    """A PNG: one bar per assignment, 0–100 % of its leaders, split by status."""
    bars = 0.5 * len(items)
    height = TOP + bars + BOTTOM
    # A Figure of its own (not pyplot): no global state, so charts could be drawn side by side.
    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = range(len(items))
    left = [0.0] * len(items)
    for status in KOLONNER:
        values = [percent(t.antall[status], t.ledere) for _, t in items]
        ax.barh(positions, values, left=left, color=COLOURS[status], edgecolor=OUTLINE, linewidth=0.6,
                hatch=HATCH.get(status), label=text.statuses[status], height=0.65)
        for y, (x0, v) in enumerate(zip(left, values)):
            if v >= SHOW_PERCENT:
                ax.text(x0 + v / 2, y, f"{v:.0f} %", ha="center", va="center", fontsize=6.5,
                        color="white" if status in _DARK else "black",
                        bbox=None if status not in HATCH else dict(facecolor="white", edgecolor="none", pad=0.5))
        left = [a + b for a, b in zip(left, values)]
    for y, (_, t) in enumerate(items):
        ax.text(101.5, y, leaders(t.ledere, text), ha="left", va="center", fontsize=7)
    ax.set_yticks(list(positions), [label(o) for o, _ in items], fontsize=7)
    ax.invert_yaxis()  # the first assignment on top, as in the tables
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20), [f"{x} %" for x in range(0, 101, 20)])
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel(text.x_axis, fontsize=7.5)
    ax.set_ylabel(text.y_axis, fontsize=7.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -LEGEND / bars), ncol=3, fontsize=7, frameon=False)
    # Fixed margins, not tight_layout: the axis is then equally long in every chart, so 50 % is
    # the same length on the page in each of them.
    fig.subplots_adjust(left=LEFT, right=RIGHT, top=1 - TOP / height, bottom=BOTTOM / height)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def describe(area: str, items: list[tuple[Oppdrag, Telling]], text: ChartText) -> str:
    """The chart in words, for a screen reader (the picture's alt text): every bar's shares."""
    bars = []
    for o, t in items:
        shares = ", ".join(f"{text.statuses[k]} {percent(t.antall[k], t.ledere):.0f} %"
                           for k in KOLONNER if t.antall[k])
        bars.append(f"{o.nr}. {' '.join(o.tekst.split())} ({leaders(t.ledere, text)}): {shares}.")
    return f"{area}. " + " ".join(bars)


def percent(n: int, total: int) -> float:
    return 100 * n / total if total else 0.0


def leaders(n: int, text: ChartText) -> str:
    return (text.leaders[0] if n == 1 else text.leaders[1]).format(n=n)


def label(o: Oppdrag) -> str:
    """`Nr. text` in at most LABEL_LINES lines, broken between words; a text that does not fit ends in «…»."""
    lines = textwrap.wrap(" ".join(o.tekst.split()), LABEL_CHARS, break_long_words=False)
    if len(lines) > LABEL_LINES:
        last = textwrap.shorten(" ".join(lines[LABEL_LINES - 1:]), LABEL_CHARS, placeholder=" …")
        lines = lines[:LABEL_LINES - 1] + [last]
    return f"{o.nr}. " + "\n".join(lines)
