"""docxtpl behind one door: generator/documents/docx_engine.py.

The renderer runs docxtpl's steps one by one instead of its public render (see the module's
docstring). These tests fail, with a message naming the function and the versions, when an
upgrade of docxtpl or python-docx changes something the door relies on; and they keep
everything else in generator/ on the documented API of both.
"""

from __future__ import annotations

import ast
import inspect
import io
import zipfile
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import jinja2
import pytest
from docx import Document
from docx.parts.story import StoryPart
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from lxml import etree
from packaging.specifiers import SpecifierSet
from PIL import Image

from generator.documents import docx_engine
from generator.documents.check.paragraphs import _FIXED_QUOTES
from generator.documents.check.tags import _BAD_QUOTES
from generator.documents.jinja import make_jinja_env
from generator.documents.render import DocxRenderer
from generator.documents.template import PreparedTemplate

ROOT = Path(__file__).resolve().parent.parent
DOOR = "generator/documents/docx_engine.py"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W}"'


def changed(name: str) -> str:
    return (f"docxtpl {version('docxtpl')} / python-docx {version('python-docx')} changed {name}; "
            f"see {DOOR}")


@contextmanager
def relied_on(name: str):
    """Any failure inside becomes one clear line: what changed and where it is used."""
    try:
        yield
    except Exception as exc:  # an AssertionError as much as a TypeError from a new signature
        raise pytest.fail.Exception(f"{changed(name)}\n{type(exc).__name__}: {exc}", pytrace=False) from None


# What the door calls, with the parameters it was written against.
SIGNATURES = [
    ("DocxTemplate.__init__", DocxTemplate.__init__, ["self", "template_file"]),
    ("DocxTemplate.patch_xml", DocxTemplate.patch_xml, ["self", "src_xml"]),
    ("DocxTemplate.resolve_listing", DocxTemplate.resolve_listing, ["self", "xml"]),
    ("DocxTemplate.fix_tables", DocxTemplate.fix_tables, ["self", "xml"]),
    ("DocxTemplate.xml_to_string", DocxTemplate.xml_to_string, ["self", "xml", "encoding"]),
    ("InlineImage.__init__", InlineImage.__init__, ["self", "tpl", "image_descriptor", "width", "height", "anchor"]),
    ("python-docx StoryPart.new_pic_inline", StoryPart.new_pic_inline, ["self", "image_descriptor", "width", "height"]),
]


@pytest.mark.parametrize("name,function,parameters", SIGNATURES, ids=[s[0] for s in SIGNATURES])
def test_what_the_door_calls_has_the_signature_it_was_written_for(name, function, parameters):
    with relied_on(name):
        assert list(inspect.signature(function).parameters) == parameters


def render(xml: str, **context) -> str:
    return jinja2.Environment().from_string(xml).render(context)


def test_mend_tags_joins_split_tags_and_makes_docxtpls_prefixed_tags_jinjas():
    split = (f'<w:body {NS}><w:p><w:r><w:t>{{</w:t></w:r><w:r w:rsidR="00B2"><w:t>{{ leder.</w:t></w:r>'
             '<w:proofErr w:type="spellStart"/><w:r><w:t>navn }</w:t></w:r><w:r><w:t>}</w:t></w:r></w:p>'
             '<w:p><w:r><w:t>{%p if vis %}</w:t></w:r></w:p><w:p><w:r><w:t>Synlig</w:t></w:r></w:p>'
             '<w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>'
             '<w:tbl><w:tblGrid><w:gridCol w:w="3000"/></w:tblGrid>'
             '<w:tr><w:tc><w:p><w:r><w:t>{%tr for r in rader %}</w:t></w:r></w:p></w:tc></w:tr>'
             '<w:tr><w:tc><w:p><w:r><w:t>{%tc for c in r %}</w:t></w:r></w:p></w:tc>'
             '<w:tc><w:p><w:r><w:t>{{ c }}</w:t></w:r></w:p></w:tc>'
             '<w:tc><w:p><w:r><w:t>{%tc endfor %}</w:t></w:r></w:p></w:tc></w:tr>'
             '<w:tr><w:tc><w:p><w:r><w:t>{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
             '<w:p><w:r><w:t>{%r if fet %}</w:t></w:r><w:r><w:t>fet</w:t></w:r><w:r><w:t>{%r endif %}</w:t></w:r></w:p>'
             '</w:body>')
    with relied_on("DocxTemplate.patch_xml"):
        mended = docx_engine.mend_tags(split)
        assert "{{ leder.navn }}" in mended
        for prefix in ("{%p", "{%tr", "{%tc", "{%r"):
            assert prefix not in mended
        filled = render(mended, leder={"navn": "Åse"}, vis=False, rader=[["a1", "a2"], ["b1"]], fet=True)
        texts = [t.text for t in etree.fromstring(filled).iter(f"{{{W}}}t")]
        assert [t for t in texts if t] == ["Åse", "a1", "a2", "b1", "fet"]  # «Synlig» went with its paragraph
        rows = etree.fromstring(filled).findall(f".//{{{W}}}tr")
        assert [len(row.findall(f"{{{W}}}tc")) for row in rows] == [2, 1]
        assert docx_engine.mend_tags(split) == mended  # one instance serves every template


def test_mend_tags_straightens_the_quotes_the_template_check_expects_and_no_others():
    curly = "".join(_FIXED_QUOTES)
    xml = f'<w:p {NS}><w:r><w:t>{{{{ x ~ "{curly}{_BAD_QUOTES}" }}}} {{% if a &lt; b %}}</w:t></w:r></w:p>'
    with relied_on("DocxTemplate.patch_xml (quotes and &lt; inside tags, mirrored by documents/check)"):
        mended = docx_engine.mend_tags(xml)
        assert "".join(_FIXED_QUOTES.values()) + _BAD_QUOTES in mended
        assert "{% if a < b %}" in mended


def test_resolve_listing_makes_tabs_breaks_and_page_breaks_words_own():
    xml = (f'<w:p {NS}><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
           '<w:t>a\tb\nc\ad\fe</w:t></w:r></w:p>')
    with relied_on("DocxTemplate.resolve_listing"):
        body = etree.fromstring(f"<w:body {NS}>{docx_engine.resolve_listing(xml)}</w:body>")
        paragraphs = body.findall(f"{{{W}}}p")
        assert len(paragraphs) == 4  # "a b c", "d", the page break, "e"
        first = paragraphs[0]
        assert first.find(f".//{{{W}}}tab") is not None and first.find(f".//{{{W}}}br") is not None
        assert paragraphs[2].find(f".//{{{W}}}br").get(f"{{{W}}}type") == "page"
        for paragraph in (paragraphs[1], paragraphs[3]):  # the new paragraphs keep the style
            assert paragraph.find(f"{{{W}}}pPr/{{{W}}}jc") is not None
            assert paragraph.find(f".//{{{W}}}rPr/{{{W}}}b") is not None
        texts = ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in paragraphs]
        assert texts == ["abc", "d", "", "e"]


def test_fix_tables_fits_the_grid_to_repeated_cells():
    xml = (f'<w:body {NS}><w:tbl><w:tblGrid><w:gridCol w:w="3000"/><w:gridCol w:w="3000"/></w:tblGrid>'
           '<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body>')
    with relied_on("DocxTemplate.fix_tables / xml_to_string"):
        fixed = docx_engine.fix_tables(xml)
        assert isinstance(fixed, str)
        widths = [c.get(f"{{{W}}}w") for c in etree.fromstring(fixed).iter(f"{{{W}}}gridCol")]
        assert widths == ["2000", "2000", "2000"]  # three columns, the table as wide as before


def test_inline_image_xml_adds_the_image_to_the_part_it_is_given(tmp_path):
    logo = io.BytesIO()
    Image.new("RGB", (200, 100), "navy").save(logo, "PNG")
    document = Document()
    header = document.sections[0].header.part
    with relied_on("InlineImage / DocxTemplate.current_rendering_part"):
        runs = docx_engine.inline_image_xml(header, logo, Mm(20))
        assert runs.startswith("</w:t></w:r><w:r><w:drawing>") and runs.endswith('<w:t xml:space="preserve">')
        paragraph = etree.fromstring(f"<w:p {NS}><w:r><w:t>{runs}</w:t></w:r></w:p>")
        blip = paragraph.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
        rid = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        assert header.rels[rid].reltype.endswith("/image")  # in the header's relationships, not the body's
        assert rid not in document.part.rels or document.part.rels[rid].reltype != header.rels[rid].reltype
        extent = paragraph.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
        assert int(extent.get("cy")) == Mm(20)
    document.save(tmp_path / "med-logo.docx")
    with zipfile.ZipFile(tmp_path / "med-logo.docx") as zf:
        assert any(name.startswith("word/media/") for name in zf.namelist())


def test_template_parts_are_the_parts_docxtpl_renders(tmp_path):
    document = Document()
    document.add_paragraph("{{ leder.navn }}")
    section = document.sections[0]
    section.header.paragraphs[0].text = "Topp {{ kommune.navn }}"
    section.footer.paragraphs[0].text = "Bunn"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Første side"
    document.save(tmp_path / "mal.docx")
    with relied_on("python-docx Document.part / Part.rels / blob / partname (as docxtpl's get_headers_footers)"):
        parts = docx_engine.template_parts(Document(tmp_path / "mal.docx"))
        tpl = DocxTemplate(str(tmp_path / "mal.docx"))
        tpl.render_init()
        expected = [("body", tpl.get_xml())] + [
            (kind, tpl.get_part_xml(part))
            for uri, kind in ((tpl.HEADER_URI, "header"), (tpl.FOOTER_URI, "footer"))
            for _rel, part in tpl.get_headers_footers(uri)
        ]
        assert [(p.kind, p.xml) for p in parts] == expected
        with zipfile.ZipFile(tmp_path / "mal.docx") as zf:
            names = set(zf.namelist())
        assert parts[0].zip_name == "word/document.xml"
        assert all(p.zip_name in names for p in parts)
        assert [p.kind for p in parts].count("header") == 2


def test_the_renderers_body_is_docxtpls_own(tmp_path):
    """template.py and render.py repeat the steps around Jinja of DocxTemplate.render_xml_part
    (a line per paragraph; `{_{` for a literal `{{`): the XML is the same as docxtpl's."""
    document = Document()
    for text in ("Hei {{ leder.navn }},", "{{ leder.stilling }}", "{%p for t in tiltak %}", "- {{ t }}",
                 "{%p endfor %}", "Kode: {_{ ikke }_}"):
        document.add_paragraph(text)
    document.save(tmp_path / "mal.docx")
    context = {"leder": {"navn": "Åse & «co»", "stilling": "Rektor\nTestvik skole\tA"}, "tiltak": ["én", "to"]}
    env = make_jinja_env()
    ours = DocxRenderer(PreparedTemplate(tmp_path / "mal.docx"), env).fill(context)["word/document.xml"]
    with relied_on("DocxTemplate.render_xml_part (the steps template.py and render.py repeat)"):
        tpl = DocxTemplate(str(tmp_path / "mal.docx"))
        tpl.render_init()
        assert ours == tpl.build_xml(context, env)


def test_table_element_is_the_tables_xml():
    document = Document()
    table = document.add_table(rows=1, cols=2)
    with relied_on("python-docx Table._tbl"):
        element = docx_engine.table_element(table)
        assert element.tag == f"{{{W}}}tbl"
        assert element.getparent() is document.element.body
        assert len(element.findall(f"{{{W}}}tr")) == 1


def install_requires() -> dict[str, str]:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {}
    for line in project["dependencies"]:
        name = line.split(">")[0].split("<")[0].split("=")[0].strip()
        pins[name] = line[len(name):].replace(" ", "")
    return pins


@pytest.mark.parametrize("package,tested", [("docxtpl", docx_engine.TESTED_DOCXTPL),
                                            ("python-docx", docx_engine.TESTED_PYTHON_DOCX)])
def test_pyproject_pins_the_tested_range_and_that_is_what_is_installed(package, tested):
    assert install_requires()[package] == tested, (
        f"pyproject.toml pins {package}{install_requires()[package]}, but {DOOR} was tested with {package}{tested}")
    assert SpecifierSet(tested).contains(version(package)), (
        f"{package} {version(package)} is installed, but {DOOR} was tested with {package}{tested}: "
        f"run tests/test_docxtpl_door.py against it before widening the pin")
    assert any(spec.operator == "<" for spec in SpecifierSet(tested)), f"{package} needs an upper bound"


# docxtpl's API as its documentation gives it; any other name of DocxTemplate's is its inside.
DOCXTPL_PUBLIC = {"render", "save", "get_docx", "get_undeclared_template_variables", "new_subdoc", "replace_pic",
                  "replace_media", "replace_embedded", "replace_zipname", "reset_replacements", "build_url_id",
                  "allow_missing_pics"}
DOCXTPL_NAMES = {"DocxTemplate", "InlineImage", "RichText", "R", "RichTextParagraph", "RP", "Listing", "Subdoc"}


def docxtpl_insides(tmp_path) -> set[str]:
    Document().save(tmp_path / "tom.docx")
    probe = DocxTemplate(str(tmp_path / "tom.docx"))
    probe.render_init()  # the attributes a render sets up, such as current_rendering_part
    names = set(dir(DocxTemplate)) | set(vars(probe))
    # `.docx` (the template's python-docx Document, get_docx() publicly) is too common a name of
    # this project's own to search for; `._part`, `._element` under it are found as private.
    return {n for n in names if not n.startswith("__")} - DOCXTPL_PUBLIC - {"docx"}


def uses_word_libraries(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("docx", "docxtpl") for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] in ("docx", "docxtpl") or module.endswith("docx_engine"):
                return True
            if any(a.name == "docx_engine" for a in node.names):  # from . import docx_engine
                return True
    return False


@pytest.mark.slow
def test_nothing_outside_the_door_reaches_inside_docxtpl_or_python_docx(tmp_path):
    insides = docxtpl_insides(tmp_path)
    found = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name == DOOR:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        word = uses_word_libraries(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("docxtpl"):
                if node.module != "docxtpl" or any(a.name not in DOCXTPL_NAMES for a in node.names):
                    found.append((name, node.lineno, f"from {node.module} import …"))
            elif isinstance(node, ast.Import) and any(a.name.startswith("docxtpl.") for a in node.names):
                found.append((name, node.lineno, "import of docxtpl's modules"))
            elif isinstance(node, ast.Attribute):
                # the door's own functions bear the names of the docxtpl steps they call
                own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls", "docx_engine")
                private = node.attr.startswith("_") and not node.attr.startswith("__")
                if not own and (node.attr in insides or (word and private)):
                    found.append((name, node.lineno, f".{node.attr}"))
    assert not found, f"docxtpl's or python-docx's insides used outside {DOOR}:\n" + "\n".join(
        f"{name}:{line}: {what}" for name, line, what in sorted(found))
