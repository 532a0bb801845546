"""Builds each leader's two template contexts.

The agreement is public; the appendix is not. The development goals are added only by
`appendix_context`, so no agreement template can print them, whatever it says.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageOps

from ..model import Arbeidsbok, Ekstra, Kommune, Leder, Oppdrag, Tiltak
from ..workbook.columns import KOMMUNE, LEDERE, OPPDRAG, TILTAK, Sheet
from ..workbook.kommune import field_value
from .jinja import keep_together, long_date


def babel_locale(kommune: Kommune) -> str:
    return "nn" if kommune.malform == "nynorsk" else "nb"


@dataclass
class Measure:
    """One of the leader's own measures, as a template sees it: `{{ t }}` prints the text,
    `{{ t.ansvarlig }}` a template column of sheet Tiltak, `{{ t.ekstra["Ansvarlig"] }}` one of
    HR's own columns."""

    tekst: str
    ekstra: Ekstra = field(default_factory=Ekstra)
    felt: dict = field(default_factory=dict)  # every template column of sheet Tiltak, by key

    def __str__(self) -> str:
        # Printed like any other workbook text (see `keep_together`); Jinja's finalize only
        # sees this object, not the text, so the text is prepared here.
        return keep_together(self.tekst)

    def __getitem__(self, key: str):
        # Jinja looks `t.ansvarlig` up here when the object has no such attribute.
        return self.felt[key]


def kommune_fields(kommune: Kommune) -> dict:
    """`kommune.<key>` for every Kommune field with a template line (workbook.columns.KOMMUNE_FIELDS), as
    its type shows it to templates: the logo as "" here, which the renderer replaces with the image
    (templates test it with `{% if kommune.logo %}`)."""
    return {f.key: f.type.template_value(field_value(kommune, f)) for f in KOMMUNE.fields if f.template}


# The logo is printed 20 mm high: a thousand pixels is well above print resolution, and a larger
# logo only makes every document and PDF heavy, and LibreOffice slow.
LOGO_MAX_SIDE = 1000


def logo_image(logo: Path) -> str | io.BytesIO:
    """The logo as the documents embed it: the file's path (as text, which is what python-docx
    takes for a file), or, when it is larger than
    LOGO_MAX_SIDE pixels, a PNG copy scaled down to that on its long side. HR's file is not touched.

    The workbook check has already decoded the file and limited its size (workbook.fieldtypes.Picture).
    """
    stat = logo.stat()
    scaled = _scaled_logo(logo, stat.st_mtime_ns, stat.st_size)
    return str(logo) if scaled is None else io.BytesIO(scaled)


@lru_cache(maxsize=2)  # once per run, not once per template; the file's stamp invalidates it
def _scaled_logo(logo: Path, _mtime_ns: int, _size: int) -> bytes | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's DecompressionBombWarning, above 89 megapixels
        with Image.open(logo) as image:
            if max(image.size) <= LOGO_MAX_SIDE:
                return None
            if image.mode in ("1", "P"):
                # These can only be resampled pixel by pixel: that way to four times the size
                # wanted, then smoothly in grey or colour, without converting every pixel first.
                image.thumbnail((4 * LOGO_MAX_SIDE, 4 * LOGO_MAX_SIDE), Image.Resampling.NEAREST)
                image = image.convert("L" if image.mode == "1" else "RGBA")
            elif image.mode not in ("L", "LA", "RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")  # CMYK, 16-bit …
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)
            image = ImageOps.exif_transpose(image)  # a phone's JPEG turned as it shows, as Word would
            out = io.BytesIO()
            image.save(out, "PNG")
    return out.getvalue()


def periode_fields(kommune: Kommune) -> dict:
    locale = babel_locale(kommune)
    periode = kommune.periode
    return {
        # A spaced en dash between two dates that contain spaces (Språkrådet).
        "tekst": f"{long_date(periode.fra, locale)} – {long_date(periode.til, locale)}",
        "fra": periode.fra,
        "til": periode.til,
        "ar": periode.ar,
    }


def template_fields(item: Leder | Oppdrag | Tiltak, sheet: Sheet) -> dict:
    """Each template column of the sheet, by key: the model's attribute for a modelled column (read
    by rules of its own), else what the reader read into `felt` (empty for the blank person)."""
    return {column.key: getattr(item, column.key) if column.modelled
            else item.felt.get(column.key, None if column.date else "")
            for column in sheet.columns if column.template}


def person(leder: Leder | None) -> dict:
    if leder is None:
        leder = Leder(ansattnr="", navn="", stilling="", enhet="")
    return {**template_fields(leder, LEDERE), "ekstra": Ekstra(leder.ekstra)}


def _oppdrag(oppdrag: Oppdrag, tiltak: list[Tiltak]) -> dict:
    return {
        **template_fields(oppdrag, OPPDRAG),
        "ekstra": Ekstra(oppdrag.ekstra),
        "tiltak": [Measure(t.tekst, Ekstra(t.ekstra), template_fields(t, TILTAK)) for t in tiltak],
    }


def agreement_context(bok: Arbeidsbok, leder: Leder, today: date | None = None) -> dict:
    """The public agreement's context. It must never receive development goals."""
    oppdrag = [_oppdrag(o, bok.tiltak_for(leder, o.nr)) for o in bok.oppdrag_for(leder)]
    # Areas in the order they first appear in the workbook.
    groups: dict[str, list[dict]] = {}
    for item in oppdrag:
        groups.setdefault(item["omrade"], []).append(item)
    omrader = [{"navn": navn, "oppdrag": items} for navn, items in groups.items()]
    return {
        "kommune": kommune_fields(bok.kommune),
        "periode": periode_fields(bok.kommune),
        "leder": person(leder),
        "overordnet": person(bok.overordnet(leder)),
        "omrader": omrader,
        "oppdrag": oppdrag,
        "lederprinsipper": [{"prinsipp": p.prinsipp, "beskrivelse": p.beskrivelse} for p in bok.lederprinsipper],
        # The leaders who sign with this one: the agreement makes them the leader's responsibility.
        "underordnede": [person(under) for under in bok.underordnede(leder)],
        "dato": today or date.today(),
    }


def appendix_context(bok: Arbeidsbok, leder: Leder, today: date | None = None) -> dict:
    """The non-public appendix's context: the agreement's plus the development goals."""
    context = agreement_context(bok, leder, today)
    context["utviklingsmal"] = [
        {"mal": u.mal, "tiltak": u.tiltak, "oppfolging": u.oppfolging} for u in bok.utviklingsmal_for(leder)
    ]
    return context
