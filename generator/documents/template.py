"""One Word template, read once per run and shared by the template check and the renderer.

docxtpl reloads and re-parses a template for every document (about 25 ms each). Here the
file is opened once: docxtpl's own preprocessing, which mends tags Word split over several
runs, is applied once per XML part (through docx_engine, the one door to docxtpl's insides),
and the result is what both the check and the renderer compile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from docx import Document

from ..exceptions import TemplateError
from ..model import Problem
from . import docx_engine


@dataclass
class Part:
    """One XML part that holds template code: the body, a header or a footer."""

    area: str  # "" for the body, else "topptekst", "bunntekst på første side", … as HR finds it in Word
    zip_name: str  # where the part is in the .docx: "word/document.xml", "word/header1.xml", …
    xml: str  # as Word saved it: the check reads the visible paragraphs from this
    source: str  # mended by docxtpl, one paragraph per line: what Jinja compiles
    docx_part: object  # python-docx's part, to add the logo's image relationship to


class PreparedTemplate:
    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.document = Document(str(self.path))
        except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
            raise TemplateError([Problem(self.path.name, f"kan ikke leses som Word-dokument (.docx): {exc}")]) from exc
        self.document.core_properties  # makes python-docx add docProps/core.xml if the template lacks it
        found = docx_engine.template_parts(self.document)
        self.parts = []
        for kind, label in (("body", ""), ("header", "topptekst"), ("footer", "bunntekst")):
            of_kind = [p for p in found if p.kind == kind]
            # Named as Word's dialog names them: the first page's, the even pages', the others'; numbered
            # only when several sections have their own.
            areas = [label + _PAGES[p.pages] for p in of_kind]
            for n, (area, found_part) in enumerate(zip(areas, of_kind), 1):
                self.parts.append(_part(area if areas.count(area) == 1 else f"{area} {n}", found_part))


_PAGES = {"first": " på første side", "even": " på partallssider", "default": ""}


def _part(area: str, found: docx_engine.DocxPart) -> Part:
    # As docxtpl does: a line per paragraph, so that Jinja's line numbers point somewhere useful.
    source = re.sub(r"<w:p([ >])", r"\n<w:p\1", docx_engine.mend_tags(found.xml))
    return Part(area, found.zip_name, found.xml, source, found.part)
