"""The leader's own measures (tiltak) as they stand in the agreement on disk.

The default templates give each assignment's table the alternative text (`w:tblCaption`)
`lederavtale-tiltak:<Nr>` (maler/lederavtale.docx and the others). The draft invites the
leader to write measures in Word during the conversation, so the signed agreement may hold
measures the workbook does not. `oppfolging` uses those (through `with_measures`, an Arbeidsbok
whose measures are the agreement's), and `sjekk` warns where the two differ.

Only a .docx a person has changed counts: one as the tool wrote it holds the workbook's measures.
The measures are the paragraphs of the table's first row below its heading rows, after the
label: each non-empty one is one measure; the placeholder (`[Fylles ut …]`) and a typed list
mark are not. A table that no longer names its Nr (deleted in Word, or an older template) leaves
that assignment's measures unknown: the workbook's stand, with a warning.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..model import Arbeidsbok, Leder, Tiltak
from ..store.files import sha256_file
from ..store.manifest import Manifest
from ..store.year import YearFolder
from .placeholders import MARKS
from .privacy import PrivacyGuard

TAG_PREFIX = "lederavtale-tiltak:"
LABEL_STYLE = "Feltnavn"  # the label over the measures («Lederens tiltak») in the default templates
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W}
DOCUMENT_XML = "word/document.xml"
# An agreement is some hundred kB; these bound what a damaged or hostile file can cost.
MAX_DOCX_BYTES = 100_000_000
MAX_DOCUMENT_XML_BYTES = 50_000_000

_PLACEHOLDER = re.compile("|".join(re.escape(mark) + r"[^\]]*\]?" for mark in MARKS))
# What a person types to make a list by hand: the measure is the text after it.
# Not «1.»: a measure may begin «2. tertial …».
_LIST_MARK = re.compile(r"^(?:[\u2022\u2023\u2043\u2219\u25aa\u25cf\u25e6\u00b7]\s*|[*\-\u2013\u2014](?:\s+|$))")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def clean(text: str) -> str:
    """One paragraph as a measure: "" for a placeholder, a list mark or nothing."""
    text = _PLACEHOLDER.sub("", text.replace("\u00a0", " "))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    return _LIST_MARK.sub("", text).strip()


def same(a: list[str], b: list[str]) -> bool:
    """The same measures, whatever the spacing and line breaks."""
    return [" ".join(t.split()) for t in a] == [" ".join(t.split()) for t in b]


class Unreadable(ValueError):
    """The .docx cannot be read; the message says why, in Norwegian."""


def read_measures(docx: Path) -> dict[str, list[str]]:
    """Nr -> the measures in that assignment's table, in document order; Unreadable when the
    file is not a readable .docx. An assignment whose table is not marked is not a key."""
    docx = Path(docx)
    try:
        if docx.stat().st_size > MAX_DOCX_BYTES:
            raise Unreadable("filen er for stor til å være en lederavtale")
        with zipfile.ZipFile(docx) as archive:
            info = archive.getinfo(DOCUMENT_XML)
            if info.file_size > MAX_DOCUMENT_XML_BYTES:
                raise Unreadable("dokumentet er for stort til å være en lederavtale")
            root = etree.fromstring(archive.read(info), _PARSER)
    except Unreadable:
        raise
    except KeyError:
        raise Unreadable("filen er ikke et Word-dokument (word/document.xml mangler)") from None
    except zipfile.BadZipFile:
        raise Unreadable("filen er skadet eller ikke et Word-dokument (.docx)") from None
    except etree.XMLSyntaxError as exc:
        raise Unreadable(f"dokumentet er skadet ({exc})") from None
    except (OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        # RuntimeError: an encrypted zip; NotImplementedError: an unknown compression.
        raise Unreadable(f"filen kan ikke leses ({exc})") from None
    found: dict[str, list[str]] = {}
    for table in root.iter(_w("tbl")):
        caption = table.find("w:tblPr/w:tblCaption", _NS)
        value = caption.get(_w("val"), "") if caption is not None else ""
        if value.startswith(TAG_PREFIX):
            # A table copied in Word names the same Nr twice: both hold that assignment's measures.
            found.setdefault(value[len(TAG_PREFIX):].strip(), []).extend(_measures_of(table))
    return found


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


def _measures_of(table) -> list[str]:
    """The measures in the table's first row below the heading rows (the assignment and its targets)."""
    row = next((tr for tr in table.findall("w:tr", _NS) if tr.find("w:trPr/w:tblHeader", _NS) is None), None)
    if row is None:
        return []
    measures = []
    for cell in row.findall("w:tc", _NS):
        paragraphs = [p for p in cell.iter(_w("p")) if _table_of(p) is table]
        if paragraphs and _style(paragraphs[0]) == LABEL_STYLE:
            paragraphs = paragraphs[1:]
        measures += [text for p in paragraphs if (text := clean(_paragraph_text(p)))]
    return measures


def _table_of(p):
    """The innermost table a paragraph is in (a table a person put in the cell reads as its own)."""
    node = p.getparent()
    while node is not None and node.tag != _w("tbl"):
        node = node.getparent()
    return node


def _style(p) -> str:
    style = p.find("w:pPr/w:pStyle", _NS)
    return style.get(_w("val"), "") if style is not None else ""


def _paragraph_text(p) -> str:
    """The paragraph's visible text: deleted text (w:delText) and field codes are not w:t."""
    parts = []
    for node in p.iter(_w("t"), _w("tab"), _w("br"), _w("cr")):
        # A text box's paragraphs inside this one are read as their own.
        if _owner(node) is not p:
            continue
        name = etree.QName(node).localname
        parts.append(node.text or "" if name == "t" else " " if name == "tab" else "\n")
    return "".join(parts)


def _owner(node):
    while node is not None and node.tag != _w("p"):
        node = node.getparent()
    return node


# --------------------------------------------------------------------------- the year folder


@dataclass
class AgreementMeasures:
    """What one leader's edited agreement says about the measures, beside the workbook."""

    leder: Leder
    fil: str  # the agreement, relative to the year folder
    # Nr -> the measures in the agreement, where they differ from the workbook's and may be used.
    differ: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # a table no longer marked, a file unreadable
    # A measure typed into the agreement holds a development goal's text: the agreement's
    # measures are not used for that leader, and the run says so as a failure.
    refused: list[str] = field(default_factory=list)

    @property
    def notice(self) -> str:
        return (f"Tiltak for {self.leder.ansattnr} {self.leder.navn} er hentet fra lederavtalen (endret i Word), "
                f"ikke fra arbeidsboken: oppdrag {', '.join(self.differ)} i «{self.fil}».")

    def difference_warnings(self, workbook: Arbeidsbok) -> list[str]:
        """For `sjekk`: each assignment whose measures in the agreement differ from the workbook's."""
        lines = []
        for nr, measures in self.differ.items():
            had = len(workbook.tiltak_for(self.leder, nr))
            lines.append(f"{self.leder.ansattnr} {self.leder.navn}: lederavtalen «{self.fil}» har andre tiltak for "
                         f"oppdrag {nr} enn arbeidsboken ({len(measures)} i avtalen, {had} i arket Tiltak). "
                         "Oppfølgingsdokumentet bruker tiltakene i avtalen; før dem gjerne inn i arbeidsboken.")
        return lines


def edited_agreements(bok: Arbeidsbok, year_dir: Path, ledere: list[Leder]) -> list[AgreementMeasures]:
    """The leaders among `ledere` whose agreement on disk a person has changed since the tool wrote
    it, with what its measures say; a leader without anything to say is left out."""
    year_dir = Path(year_dir)
    if not YearFolder(year_dir).manifest.is_file():
        return []
    manifest = Manifest.load(year_dir)
    guard = PrivacyGuard(bok)
    found = []
    for leder in ledere:
        entry = manifest.ledere.get(leder.ansattnr)
        recorded = entry.file("avtale", "docx") if entry is not None else None
        if recorded is None:
            continue
        path = year_dir / recorded.sti
        if not path.is_file() or manifest.owns(recorded, recorded.sti, sha256_file(path)):
            continue
        result = _compare(bok, leder, recorded.sti, path, guard)
        if result.differ or result.warnings or result.refused:
            found.append(result)
    return found


def _compare(bok: Arbeidsbok, leder: Leder, rel: str, path: Path, guard: PrivacyGuard) -> AgreementMeasures:
    result = AgreementMeasures(leder, rel)
    who = f"{leder.ansattnr} {leder.navn}"
    try:
        read = read_measures(path)
    except Unreadable as exc:
        result.warnings.append(f"Tiltakene i lederavtalen «{rel}» for {who} kan ikke leses ({exc}); "
                               "tiltakene fra arbeidsboken er brukt.")
        return result
    assigned = bok.tildeling.get(leder.ansattnr, [])
    if not read and assigned:
        result.warnings.append(f"Lederavtalen «{rel}» for {who} er endret i Word, men ingen av tabellene i den "
                               "er merket med oppdragets Nr (avtalen er laget med en eldre mal, eller merkingen er "
                               "fjernet), så tiltakene i den kan ikke leses; tiltakene fra arbeidsboken er brukt.")
        return result
    for nr in assigned:
        if nr not in read:
            result.warnings.append(f"I lederavtalen «{rel}» for {who} er tabellen for oppdrag {nr} slettet "
                                   "eller ikke lenger merket med Nr; tiltakene fra arbeidsboken er brukt for det "
                                   "oppdraget.")
            continue
        workbook = [t.tekst for t in bok.tiltak_for(leder, nr)]
        if not same(read[nr], workbook):
            result.differ[nr] = read[nr]
    for nr in read:
        if nr not in assigned:
            result.warnings.append(f"Lederavtalen «{rel}» for {who} har en tabell for oppdrag {nr}, som ikke "
                                   "(lenger) gjelder lederen i arbeidsboken; tiltakene i den er ikke brukt.")
    for nr, measures in result.differ.items():
        hits = guard.found("\n".join(measures))
        if hits:
            goal = hits[0][0]
            result.refused.append(
                f"Personvernsperre: tiltakene for oppdrag {nr} i lederavtalen «{rel}» ({who}) inneholder tekst fra "
                f"utviklingsmålet i Utviklingsmål rad {goal.rad}. Tiltakene fra avtalen er ikke brukt; rett "
                "lederavtalen og kjør på nytt.")
    if result.refused:
        result.differ = {}
    return result


def with_measures(bok: Arbeidsbok, found: list[AgreementMeasures]) -> Arbeidsbok:
    """The workbook with each edited agreement's differing measures in place of the workbook's."""
    replaced = {(m.leder.ansattnr, nr): [Tiltak(m.leder.ansattnr, nr, text) for text in measures]
                for m in found for nr, measures in m.differ.items()}
    return bok.with_tiltak(replaced) if replaced else bok
