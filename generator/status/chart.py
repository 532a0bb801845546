"""One chart per area: a stacked horizontal bar per assignment, in print resolution."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display on a server, and no GUI toolkit to import

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..model import Oppdrag
from .counts import KOLONNER, Telling

DPI = 300  # print resolution
WIDTH_INCHES = 6.3  # the text width of an A4 page with the templates' margins
# Fixed per status, so one colour means one status in every chart of every report.
COLOURS = {
    "Ikke startet": "#A6A6A6",
    "I rute": "#4E9A44",
    "Forsinket": "#C0392B",
    "Fullført": "#1F4E79",
    "Utgår": "#8E7CC3",
    "Ikke rapportert": "#E7E6E6",
}
LABEL_CHARS = 38  # the y-axis label of an assignment, wrapped


def area_chart(items: list[tuple[Oppdrag, Telling]], legend: dict[str, str]) -> bytes:
    """A PNG: one bar per assignment, its leaders split by status; `legend` names the statuses
    in the document's målform."""
    height = 1.1 + 0.48 * len(items)
    # A Figure of its own (not pyplot): no global state, so charts could be drawn side by side.
    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = [_label(o) for o, _ in items]
    positions = range(len(items))
    left = [0] * len(items)
    for status in KOLONNER:
        values = [t.antall[status] for _, t in items]
        ax.barh(positions, values, left=left, color=COLOURS[status], edgecolor="white", linewidth=0.5,
                label=legend[status], height=0.65)
        for y, (x0, v) in enumerate(zip(left, values)):
            if v:
                ax.text(x0 + v / 2, y, str(v), ha="center", va="center", fontsize=7,
                        color="black" if status in ("Ikke rapportert", "Ikke startet") else "white")
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(list(positions), labels, fontsize=7)
    ax.invert_yaxis()  # the first assignment on top, as in the tables
    ax.set_xlim(0, max(max(left), 1))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / height), ncol=3, fontsize=7, frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _label(o: Oppdrag) -> str:
    text = " ".join(o.tekst.split())
    short = textwrap.shorten(text, width=LABEL_CHARS * 2, placeholder=" …")
    return f"{o.nr}. " + "\n".join(textwrap.wrap(short, LABEL_CHARS)[:2])
