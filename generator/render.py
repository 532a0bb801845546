"""Fills the Word templates.

docxtpl reloads and re-parses a template for every document (about 25 ms each). Here each
template is prepared once per run: docxtpl's own preprocessing (which mends tags Word split
over several runs) is applied once, each XML part is compiled to a Jinja template once, and a
document is then one Jinja render per part written into a copy of the template's zip.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from lxml import etree
from markupsafe import Markup

from .context import long_date
from .exceptions import TemplateError
from .model import Arbeidsbok, Leder, Problem

AGREEMENT = "lederavtale.docx"
TOP_LEADER_AGREEMENT = "lederavtale_kommunedirektor.docx"
APPENDIX = "vedlegg.docx"
EMAIL = "epost.txt"
NYNORSK_DIR = "nynorsk"
CORE_XML = "docProps/core.xml"

LOGO_HEIGHT = Mm(20)
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so that equal content gives equal bytes
_BODY_MARK = "LEDERAVTALE-BODY-PLACEHOLDER"
_LISTING_CHARS = re.compile(r"[\t\n\a\f]")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)


def dato_filter(value, form: str = "kort", locale: str = "nb") -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    if form == "lang":
        return long_date(value, locale)
    return value.strftime("%d.%m.%Y")


def make_jinja_env(autoescape: bool = True, locale: str = "nb") -> jinja2.Environment:
    """The one Jinja environment for documents (autoescape) and e-mail text (no autoescape).

    StrictUndefined turns a misspelt name into an error instead of a silent blank.
    """
    env = jinja2.Environment(autoescape=autoescape, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["dato"] = lambda value, form="kort": dato_filter(value, form, locale)
    return env


def describe_template_error(template_name: str, exc: Exception) -> Problem:
    """A Norwegian message for a Jinja error, naming the template and the culprit."""
    text = str(exc)
    undefined = re.search(r"'([^']+)' is undefined", text)
    attribute = re.search(r"has no attribute '([^']+)'", text)
    if undefined:
        message = f"ukjent navn «{undefined.group(1)}»"
    elif attribute:
        message = f"ukjent felt «{attribute.group(1)}»"
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"feil i malkoden: {exc.message}"
    else:
        message = f"malen kan ikke fylles ut: {text}"
    return Problem(template_name, message)


def document_text(xml: str) -> str:
    """The visible text of WordprocessingML, paragraphs on their own lines."""
    xml = re.sub(r"</w:p>|<w:br/>|<w:br [^>]*/>", "\n", xml)
    xml = re.sub(r"<w:tab/>", "\t", xml)
    texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|(\n)", xml)
    return html.unescape("".join(t or nl for t, nl in texts))


@dataclass
class _Part:
    zip_name: str
    prefix: str  # for the body: the document XML around the rendered <w:body>
    suffix: str
    template: jinja2.Template
    logo: Markup


class DocxRenderer:
    """One agreement or appendix template, prepared once, rendered for many leaders."""

    def __init__(self, template_path: Path, env: jinja2.Environment | None = None, logo: Path | None = None):
        self.path = Path(template_path)
        self.env = env or make_jinja_env()
        tpl = DocxTemplate(str(self.path))
        try:
            tpl.render_init()
        except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
            raise TemplateError([Problem(self.path.name, f"kan ikke leses som Word-dokument (.docx): {exc}")]) from exc
        tpl.docx.core_properties  # makes python-docx add docProps/core.xml if the template lacks it
        self._needs_table_fix = False
        self._parts = [self._prepare_body(tpl, logo)]
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for _rel, part in tpl.get_headers_footers(uri):
                self._parts.append(self._prepare_part(tpl, part, tpl.get_part_xml(part), "", "", logo))
        buffer = io.BytesIO()
        tpl.docx.save(buffer)  # now holds the logo's image part and relationships, if any
        self._tpl = tpl
        self._base_zip = self._zip_without(buffer.getvalue(), {p.zip_name for p in self._parts} | {CORE_XML})

    @staticmethod
    def _zip_without(data: bytes, names: set[str]) -> bytes:
        """The template's zip minus the parts each render replaces, compressed once."""
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename not in names:
                    dst.writestr(zipfile.ZipInfo(info.filename, _ZIP_TIME), src.read(info.filename), zipfile.ZIP_DEFLATED)
        return out.getvalue()

    def _prepare_body(self, tpl: DocxTemplate, logo: Path | None) -> _Part:
        root = tpl.docx._element
        shell = etree.fromstring(etree.tostring(root))
        body = shell.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body")
        for child in list(body):
            body.remove(child)
        body.text = _BODY_MARK
        shell_xml = etree.tostring(shell, encoding="unicode")
        body_open = shell_xml.index(_BODY_MARK)
        prefix = shell_xml[: shell_xml.rindex("<", 0, body_open)]
        suffix = shell_xml[shell_xml.index(">", body_open) + 1 :]
        header = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        return self._prepare_part(tpl, tpl.docx._part, tpl.get_xml(), header + prefix, suffix, logo)

    def _prepare_part(self, tpl, part, xml: str, prefix: str, suffix: str, logo: Path | None) -> _Part:
        source = tpl.patch_xml(xml)
        if "{%tc" in source or "{% tc" in source:
            self._needs_table_fix = True
        # As docxtpl does: a line per paragraph, so that Jinja's line numbers point somewhere useful.
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
        try:
            template = self.env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError([describe_template_error(self.path.name, exc)]) from exc
        logo_markup = Markup("")
        if logo is not None and "logo" in source:
            tpl.current_rendering_part = part
            logo_markup = Markup(InlineImage(tpl, str(logo), height=LOGO_HEIGHT)._insert_image())
        if not prefix:
            prefix = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        return _Part(part.partname.lstrip("/"), prefix, suffix, template, logo_markup)

    def render(self, context: dict, properties: dict | None = None) -> bytes:
        return self.render_with_text(context, properties)[0]

    def render_with_text(self, context: dict, properties: dict | None = None) -> tuple[bytes, str]:
        """The finished .docx and its visible text (for the privacy guard)."""
        rendered: dict[str, str] = {}
        texts = []
        for part in self._parts:
            part_context = context
            if part.logo:
                part_context = dict(context, kommune=dict(context["kommune"], logo=part.logo))
            try:
                xml = part.template.render(part_context)
            except jinja2.TemplateError as exc:
                raise TemplateError([describe_template_error(self.path.name, exc)]) from exc
            xml = self._finish_xml(xml)
            texts.append(document_text(xml))
            rendered[part.zip_name] = part.prefix + xml + part.suffix
        rendered[CORE_XML] = _core_xml(properties or {}, context.get("dato"))
        return self._zip(rendered), "\n".join(texts)

    def _finish_xml(self, xml: str) -> str:
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        # docxtpl's resolve_listing (tabs, line breaks, page breaks in values) is the costliest
        # step; only paragraphs that hold such a character need it.
        if _LISTING_CHARS.search(xml):
            xml = _PARAGRAPH.sub(
                lambda m: self._tpl.resolve_listing(m.group(0)) if _LISTING_CHARS.search(m.group(0)) else m.group(0), xml)
        if self._needs_table_fix:
            xml = self._tpl.xml_to_string(self._tpl.fix_tables(xml))
        return xml

    def _zip(self, replaced: dict[str, str]) -> bytes:
        # Appending to a copy of the precompressed base is what makes a document cost
        # milliseconds: only the rendered parts are compressed.
        out = io.BytesIO(self._base_zip)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
            for name, xml in replaced.items():
                zf.writestr(zipfile.ZipInfo(name, _ZIP_TIME), xml.encode("utf-8"), zipfile.ZIP_DEFLATED)
        return out.getvalue()


def _core_xml(properties: dict, when) -> str:
    stamp = (when or date.today()).strftime("%Y-%m-%dT00:00:00Z")
    fields = "".join(
        f"<{tag}>{xml_escape(str(properties[key]))}</{tag}>"
        for key, tag in (("title", "dc:title"), ("subject", "dc:subject"), ("author", "dc:creator"),
                         ("keywords", "cp:keywords"), ("author", "cp:lastModifiedBy"))
        if properties.get(key)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'{fields}<dc:language>{xml_escape(properties.get("language", "nb-NO"))}</dc:language>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def naive_render(template_path: Path, context: dict, env: jinja2.Environment, logo: Path | None = None) -> bytes:
    """The plain docxtpl way (reload and re-parse per document): the benchmarks' baseline."""
    tpl = DocxTemplate(str(template_path))
    if logo is not None:
        context = dict(context, kommune=dict(context["kommune"], logo=InlineImage(tpl, str(logo), height=LOGO_HEIGHT)))
    tpl.render(context, jinja_env=env, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


class TemplateSet:
    """Which template file each document comes from, per the spec's rules."""

    def __init__(self, bok: Arbeidsbok, maler_dir: Path | None = None):
        from . import DEFAULT_TEMPLATE_DIR

        self.bok = bok
        if maler_dir is None:
            maler_dir = Path("maler") if Path("maler").is_dir() else DEFAULT_TEMPLATE_DIR
        self.dir = Path(maler_dir)
        nynorsk = self.dir / NYNORSK_DIR
        self.base = nynorsk if bok.kommune.malform == "nynorsk" and nynorsk.is_dir() else self.dir

    @property
    def appendix(self) -> Path:
        return self.base / APPENDIX

    @property
    def epost(self) -> Path:
        return self.base / EMAIL

    def agreement_for(self, leder: Leder) -> Path:
        if leder.mal:
            own = self.dir / leder.mal
            return own if own.is_file() else self.base / leder.mal
        superior = self.bok.overordnet(leder)
        top = self.base / TOP_LEADER_AGREEMENT
        if superior is not None and not superior.avtale and superior.niva.strip().casefold() == "ordfører" and top.is_file():
            return top
        return self.base / AGREEMENT

    def problems(self, ledere: list[Leder]) -> list[Problem]:
        """Template files that are named or needed but missing."""
        if not self.dir.is_dir():
            return [Problem("", f"malmappen «{self.dir}» finnes ikke")]
        found = []
        if not self.appendix.is_file():
            found.append(Problem(str(self.base), f"malen «{self.appendix.name}» mangler i malmappen"))
        for leder in ledere:
            path = self.agreement_for(leder)
            place = f"Ledere rad {leder.rad}" if leder.mal else str(self.base)
            problem = Problem(place, f"malen «{path.name}» finnes ikke i malmappen «{self.dir}»")
            if not path.is_file() and problem not in found:  # one line per missing default, not per leader
                found.append(problem)
        return found
