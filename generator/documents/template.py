"""One Word template, read once per run and shared by the template check and the renderer.

docxtpl reloads and re-parses a template for every document (about 25 ms each). Here the
file is opened once: docxtpl's own preprocessing, which mends tags Word split over several
runs, is applied once per XML part, and the result is what both the check and the renderer
compile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from docxtpl import DocxTemplate

from ..exceptions import TemplateError
from ..model import Problem


@dataclass
class Part:
    """One XML part that holds template code: the body, a header or a footer."""

    area: str  # "" for the body, else "topptekst", "bunntekst 2", … as HR finds it in Word
    xml: str  # as Word saved it: the check reads the visible paragraphs from this
    source: str  # mended by docxtpl, one paragraph per line: what Jinja compiles
    docx_part: object  # python-docx's part, to add the logo's image relationship to


class PreparedTemplate:
    def __init__(self, path: Path):
        self.path = Path(path)
        tpl = DocxTemplate(str(self.path))
        try:
            tpl.render_init()
        except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
            raise TemplateError([Problem(self.path.name, f"kan ikke leses som Word-dokument (.docx): {exc}")]) from exc
        tpl.docx.core_properties  # makes python-docx add docProps/core.xml if the template lacks it
        self.tpl = tpl
        self.parts = [_part(tpl, "", tpl.docx._part, tpl.get_xml())]
        for uri, label in ((tpl.HEADER_URI, "topptekst"), (tpl.FOOTER_URI, "bunntekst")):
            found = list(tpl.get_headers_footers(uri))
            for n, (_rel, part) in enumerate(found, 1):
                area = label if len(found) == 1 else f"{label} {n}"
                self.parts.append(_part(tpl, area, part, tpl.get_part_xml(part)))


def _part(tpl: DocxTemplate, area: str, docx_part, xml: str) -> Part:
    # As docxtpl does: a line per paragraph, so that Jinja's line numbers point somewhere useful.
    source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
    return Part(area, xml, source, docx_part)
