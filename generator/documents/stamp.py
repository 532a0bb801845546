"""Where a Word document carries its document ID (documents.identity), and putting it there.

Three places in the .docx, each found by a name that survives editing in Word:
- the footer line «Dokument-ID …», a paragraph of its own (found by its text, so python-docx, Word's
  search and a person read it as the text it is; a content control would hide it from python-docx);
- the QR code, a picture whose name (`wp:docPr/@name`) is `QR_NAME`, on the signature page;
- the custom property «Dokument-ID» (`docProps/custom.xml`).

What each place holds is the short ID (documents.identity: «LA2-2027-K7QH3M9XPA2B-4F»), never the full
one with the Ansattnr: the agreement is a public document, its properties included.

The default templates hold the first two where they belong (maler/). A template
from elsewhere that lacks them gets them added: the line at the foot of every footer, the QR code
after the last paragraph. The version in the ID is a fingerprint of the body's text, so the copy for
signing made from an unchanged .docx has the ID of the draft, and any edit gives a new one.

Two paths use this: rendering (`render.DocxRenderer`, thousands of documents, so plain string
replacement of `SENTINEL` in parts prepared once) and `restamp_docx` (one document a person has
edited, for `signering`: lxml over the parts as Word saved them).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Callable

from lxml import etree

from .identity import CODE_LENGTH, FOOTER_LABEL, SHORT_PREFIX, DocumentId, carried_text, custom_xml, fingerprint, qr_png
from .text import document_text

QR_NAME = "lederavtale-qr"
QR_DESCRIPTION = "QR-kode med dokumentets dokument-ID"
QR_WIDTH_MM = 20  # a short ID is 29 modules and the quiet zone 8: 0.54 mm a module, 6 scan pixels at 300 dpi
# What a template holds where the ID goes, until a document's own ID replaces it.
SENTINEL = "LA1:DOKUMENT-ID"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"

BODY = "word/document.xml"
CUSTOM_XML = "docProps/custom.xml"
QR_MEMBER = "word/media/lederavtale-qr.png"  # where a QR code added to a template lives
QR_RID = "rIdLederavtaleQr"
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
# An ID as documents.identity writes it: a full one (seven parts of the encoded alphabet), a short one, or
# the template's sentinel.
_ID_PATTERN = re.compile(r"LA1:(?:[A-Za-z0-9_.~+%-]+:){5}[0-9a-f]{4}|"
                         rf"{SHORT_PREFIX}-[0-9]{{4}}-[0-9A-Z]{{{CODE_LENGTH}}}-[0-9A-Z]{{2}}|" + re.escape(SENTINEL))
_DOCPR = re.compile(r'<wp:docPr\b[^>]*\bname="' + QR_NAME + r'"')
_EMBED = re.compile(r'r:embed="([^"]+)"')


# --- the parts' XML ----------------------------------------------------------------------------

def id_line_xml() -> str:
    """A footer paragraph with the ID, small and grey, for a template without one."""
    return ('<w:p><w:pPr><w:spacing w:before="40" w:after="0"/></w:pPr><w:r><w:rPr><w:color w:val="6E6E6E"/>'
            f'<w:sz w:val="13"/></w:rPr><w:t xml:space="preserve">{FOOTER_LABEL} {SENTINEL}</w:t></w:r></w:p>')


def qr_drawing_xml(rid: str, width_mm: float = QR_WIDTH_MM, shape_id: int = 7301) -> str:
    """A run with the QR picture, inline, `width_mm` square, with alternative text for screen readers."""
    emu = int(width_mm * 36000)
    return (
        f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0" xmlns:wp="{WP}">'
        f'<wp:extent cx="{emu}" cy="{emu}"/><wp:docPr id="{shape_id}" name="{QR_NAME}" descr="{QR_DESCRIPTION}"/>'
        f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{A}" noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        f'<a:graphic xmlns:a="{A}"><a:graphicData uri="{PIC}"><pic:pic xmlns:pic="{PIC}">'
        f'<pic:nvPicPr><pic:cNvPr id="{shape_id}" name="{QR_NAME}.png" descr="{QR_DESCRIPTION}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip xmlns:r="{R}" r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{emu}" cy="{emu}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
        f'</wp:inline></w:drawing></w:r>')


def qr_paragraph_xml(rid: str) -> str:
    return f'<w:p><w:pPr><w:jc w:val="right"/><w:spacing w:before="120" w:after="0"/></w:pPr>{qr_drawing_xml(rid)}</w:p>'


def qr_rid(body_xml: str) -> str | None:
    """The relationship of the QR picture in a body part's XML, or None when it has none."""
    found = _DOCPR.search(body_xml)
    if found is None:
        return None
    end = body_xml.find("</w:drawing>", found.end())
    embed = _EMBED.search(body_xml, found.end(), end if end > 0 else len(body_xml))
    return embed.group(1) if embed else None


def with_qr(body_xml: str, rid: str) -> str:
    """The body with the QR paragraph after its last paragraph, before the body's own section
    properties (a part as Word saved it, or the body's content as the renderer holds it)."""
    end = body_xml.rfind("</w:body>")
    end = len(body_xml) if end < 0 else end
    at = body_xml.rfind("<w:sectPr", 0, end)
    at = end if at < 0 else at
    return body_xml[:at] + qr_paragraph_xml(rid) + body_xml[at:]


def with_id_line(footer_xml: str) -> str:
    """A footer part with the ID line as its last paragraph."""
    at = footer_xml.rfind("</w:ftr>")
    return footer_xml[:at] + id_line_xml() + footer_xml[at:] if at >= 0 else footer_xml


def has_id_line(xml: str) -> bool:
    """Whether a template part holds the ID line (its sentinel, as the template has it)."""
    return SENTINEL in xml


def fill_ids(xml: str, document_id: DocumentId | None) -> str:
    """Every sentinel in a part replaced by the ID the document carries (its short ID), or, without an
    ID, the ID line removed."""
    if document_id is None:
        return drop_id_lines(xml)
    return xml.replace(SENTINEL, carried_text(document_id))


def drop_id_lines(xml: str) -> str:
    """A part without the paragraphs holding the sentinel (a document that carries no ID)."""
    return re.sub(r"<w:p[ >](?:(?!</w:p>).)*?" + re.escape(SENTINEL) + r".*?</w:p>", "", xml, flags=re.S)


def content_version(rolle: str, body_text: str) -> str:
    """The ID's version: a fingerprint of the kind and the body's visible text (`document_text` of the
    body part; any ID in it left out)."""
    # Line by line without blank lines and edge spaces: what the XML holds between paragraphs (the
    # declaration's line break, Word's own) is no content.
    lines = (line.strip() for line in _ID_PATTERN.sub("", body_text).splitlines())
    return fingerprint(rolle, "\n".join(line for line in lines if line))


# --- the package: relationships, content types, custom properties -------------------------------

def _add_relationship(rels: bytes | None, rid: str, reltype: str, target: str) -> tuple[bytes, str]:
    """The relationships part with one to `target` (kept when there is one already), and its Id."""
    root = etree.fromstring(rels, _SAFE_XML) if rels else etree.Element(f"{{{PKG_REL}}}Relationships",
                                                                        nsmap={None: PKG_REL})
    same = [r for r in root if r.get("Type") == reltype and r.get("Target", "").lstrip("/") == target.lstrip("/")]
    if same:
        rid = same[0].get("Id")
    else:
        taken, n, base = {r.get("Id") for r in root}, 2, rid
        while rid in taken:
            rid, n = f"{base}{n}", n + 1
        etree.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=rid, Type=reltype, Target=target)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), rid


def _with_content_types(types: bytes) -> bytes:
    root = etree.fromstring(types, _SAFE_XML)
    if not any(d.get("Extension", "").lower() == "png" for d in root.findall(f"{{{CT_NS}}}Default")):
        etree.SubElement(root, f"{{{CT_NS}}}Default", Extension="png", ContentType="image/png")
    if not any(o.get("PartName") == f"/{CUSTOM_XML}" for o in root.findall(f"{{{CT_NS}}}Override")):
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName=f"/{CUSTOM_XML}", ContentType=CUSTOM_CT)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _target(rels: bytes, rid: str) -> str | None:
    """The zip name of the part a relationship of word/document.xml points to."""
    for rel in etree.fromstring(rels, _SAFE_XML):
        if rel.get("Id") == rid and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"word/{target}"
    return None


def custom_part_name(members: dict[str, bytes]) -> str | None:
    rels = members.get("_rels/.rels")
    if rels:
        for rel in etree.fromstring(rels, _SAFE_XML):
            if rel.get("Type") == CUSTOM_REL:
                return rel.get("Target", "").lstrip("/")
    return None


def prepare_package(members: dict[str, bytes], body_rid: str | None) -> tuple[dict[str, bytes], str, str]:
    """The package's members made ready to carry an ID: (members, the QR's relationship, the QR's zip name).

    `body_rid` is the QR picture's relationship when the body has one; without, one is added
    for `QR_MEMBER`. The custom properties part is made when missing (`CUSTOM_XML`), holding
    the sentinel; the content types name both.
    """
    members = dict(members)
    qr_member = _target(members["word/_rels/document.xml.rels"], body_rid) if body_rid else None
    if qr_member is None:
        members["word/_rels/document.xml.rels"], body_rid = _add_relationship(
            members.get("word/_rels/document.xml.rels"), QR_RID, IMAGE_REL, "media/lederavtale-qr.png")
        qr_member = QR_MEMBER
    custom = custom_part_name(members)
    if custom is None:
        members["_rels/.rels"], _ = _add_relationship(members.get("_rels/.rels"), "rIdLederavtaleProps", CUSTOM_REL,
                                                      CUSTOM_XML)
        custom = CUSTOM_XML
    members[custom] = custom_xml(members.get(custom), SENTINEL)
    members["[Content_Types].xml"] = _with_content_types(members["[Content_Types].xml"])
    return members, body_rid, qr_member


# --- an edited .docx, stamped again (for `signering`) ----------------------------------------------

def _footer_parts(members: dict[str, bytes]) -> list[str]:
    return [name for name in members if re.fullmatch(r"word/footer\d*\.xml", name)]


def restamp_docx(data: bytes, rolle: str, make_id: Callable[[str], DocumentId]) -> tuple[bytes, DocumentId]:
    """A .docx as a person left it, carrying the ID of its content now: (the new .docx, its ID).

    `make_id(version)` gives the ID for the version read from the body. The ID line and the QR
    code are put back if a person removed them; nothing else in the document changes.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        members = {info.filename: zf.read(info.filename) for info in infos}
    body = members[BODY].decode("utf-8")
    document_id = make_id(content_version(rolle, document_text(body)))
    text = carried_text(document_id)
    if qr_rid(body) is None:
        members, rid, qr_member = prepare_package(members, None)
        body = with_qr(body, rid)
    else:
        members, rid, qr_member = prepare_package(members, qr_rid(body))
    members[BODY] = body.encode("utf-8")
    footers = _footer_parts(members)
    if footers and not any(_id_lines(etree.fromstring(members[name], _SAFE_XML)) for name in footers):
        for name in footers:
            members[name] = with_id_line(members[name].decode("utf-8")).encode("utf-8")
    for name in footers:
        members[name] = _set_id_lines(members[name], f"{FOOTER_LABEL} {text}")
    members[qr_member] = qr_png(document_id)
    members[custom_part_name(members)] = custom_xml(members.get(custom_part_name(members)), text)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        written = set()
        for info in infos:
            zf.writestr(info, members[info.filename])
            written.add(info.filename)
        for name in sorted(set(members) - written):
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), members[name], zipfile.ZIP_DEFLATED)
    return out.getvalue(), document_id


# The ID line as a person may have left it: the label, then an ID of either form or the sentinel (Word may
# split the text).
_ID_LINE = re.compile(rf"\s*{re.escape(FOOTER_LABEL)}\s+(?:LA1:\S*|{SHORT_PREFIX}-\S*|{re.escape(SENTINEL)})\s*")


def _id_lines(root) -> list:
    return [p for p in root.iter(f"{{{W}}}p")
            if _ID_LINE.fullmatch("".join(t.text or "" for t in p.iter(f"{{{W}}}t")))]


def _set_id_lines(xml: bytes, value: str) -> bytes:
    """Every ID line of a footer part holding `value` as its one text."""
    root = etree.fromstring(xml, _SAFE_XML)
    lines = _id_lines(root)
    if not lines:
        return xml
    for paragraph in lines:
        texts = list(paragraph.iter(f"{{{W}}}t"))
        texts[0].text = value
        texts[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        for extra in texts[1:]:
            extra.text = ""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
