"""The plain docxtpl way to fill a template (reload and re-parse per document).

The oracle the fast renderer is compared with in the tests, and the benchmarks' baseline.
"""

from __future__ import annotations

import io
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate, InlineImage

from generator.documents.render import LOGO_HEIGHT


def naive_render(template_path: Path, context: dict, env: jinja2.Environment, logo: Path | None = None) -> bytes:
    tpl = DocxTemplate(str(template_path))
    if logo is not None:
        context = dict(context, kommune=dict(context["kommune"], logo=InlineImage(tpl, str(logo), height=LOGO_HEIGHT)))
    tpl.render(context, jinja_env=env, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
