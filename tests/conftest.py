"""Shared test helpers: real .xlsx workbooks written with openpyxl."""

from __future__ import annotations

import copy
import re
import shutil
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

GOAL_TEXT = "Bli tryggere i krevende personalsamtaler"

# A small, valid municipality: ordfører (party only), kommunedirektør, two kommunalsjefer,
# three virksomhetsledere and one avdelingsleder.
BASIC = {
    "Kommune": [
        ["Felt", "Verdi"],
        ["Kommunenavn", "Testvik kommune"],
        ["Periode", 2027],
        ["Adresse", "Rådhusgata 1, 9999 Testvik"],
        ["Telefon", "12 34 56 78"],
        ["E-post", "postmottak@testvik.kommune.no"],
        ["Nettside", "www.testvik.kommune.no"],
        ["Sted", "Testvik"],
        ["Avsender", "hr@testvik.kommune.no"],
        ["Arkivsak", "2027/123"],
    ],
    "Ledere": [
        ["Ansattnr", "Navn", "Stilling", "Enhet", "Nivå", "E-post", "Overordnet", "Avtale", "Mal", "Signert"],
        [1, "Ola Ordfører", "Ordfører", "Politisk ledelse", "ordfører", "ordforer@testvik.kommune.no", None, "nei", None, None],
        [100, "Kari Direktør", "Kommunedirektør", "Kommunedirektørens stab", "kommunedirektør", "kari@testvik.kommune.no", 1, "ja", None, date(2027, 1, 20)],
        [200, "Per Helse", "Kommunalsjef helse", "Helse og omsorg", "kommunalsjef", "per@testvik.kommune.no", 100, "ja", None, date(2027, 1, 22)],
        [300, "Åse Oppvekst", "Kommunalsjef oppvekst", "Oppvekst", "kommunalsjef", "ase@testvik.kommune.no", 100, "ja", None, None],
        [210, "Øystein Sykehjem", "Virksomhetsleder", "Testvik sykehjem", "virksomhetsleder", "oystein@testvik.kommune.no", 200, "ja", None, None],
        [310, "Liv Skole", "Rektor", "Testvik skole", "virksomhetsleder", "liv@testvik.kommune.no", 300, "ja", None, None],
        [320, "Nils Barnehage", "Styrer", "Testvik barnehage", "virksomhetsleder", None, 300, "ja", None, None],
        [211, "Berit Avdeling", "Avdelingsleder", "Testvik sykehjem", "avdelingsleder", "berit@testvik.kommune.no", 210, "ja", None, None],
    ],
    "Oppdrag": [
        ["Nr", "Område", "Oppdrag", "Mål", "Målemetode", "Utgangspunkt", "Frist", "Gjelder"],
        ["1", "Økonomi", "Drive innenfor vedtatt budsjett", "Avvik under 1 %", "Månedsrapport", "Avvik 2,3 % i 2026", date(2027, 12, 31), "alle"],
        ["2", "Sykefravær", "Redusere sykefraværet\nmed systematisk oppfølging", "Sykefravær under 6,7 %", "Fraværsstatistikk", "8,1 %", "31.12.2027", "nivå:virksomhetsleder; nivå:avdelingsleder"],
        ["3", "Digitalisering", "Ta i bruk digitalt fagsystem", "Alle ansatte opplært", "Opplæringslogg", "", None, "enhet:Testvik skole"],
        ["4", "Helse", "Etablere hverdagsrehabilitering", "", "", "", None, "under:200"],
        ["5", "Strategi", "Lede arbeidet med ny kommuneplan", "Vedtatt plan", "", "", None, "100, 300"],
    ],
    "Tiltak": [
        ["Ansattnr", "Nr", "Tiltak"],
        [210, "2", "Ukentlige oppfølgingssamtaler med sykmeldte"],
        [210, "2", "Tilrettelegging i samarbeid med NAV"],
        [310, "3", "Kurs for alle lærere i august"],
    ],
    "Utviklingsmål": [
        ["Ansattnr", "Mål", "Tiltak", "Oppfølging"],
        [210, GOAL_TEXT, "Lederutviklingsprogram", "Samtale i juni"],
        [310, "Delegere mer til teamlederne", "Ukentlige teammøter", "Høst"],
    ],
}


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a real .xlsx with one sheet per entry, rows as given (first row = headers)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def basic_sheets() -> dict[str, list[list]]:
    """A fresh deep copy of BASIC, for a test to modify."""
    return copy.deepcopy(BASIC)


def example_folder(root: Path) -> Path:
    """`root` holding a copy of the example workbook and the logo it names, as HR keeps them."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("eksempel.xlsx", "logo.png"):
        shutil.copy(ROOT / "input" / name, root / name)
    return root


@pytest.fixture
def basic_workbook(tmp_path) -> Path:
    return write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())


def docx_text(path) -> str:
    """All visible text of a .docx (body, tables, headers, footers), as python-docx reads it."""
    from docx import Document

    doc = Document(str(path))
    parts = []

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)
            else:
                parts.append(block.text)

    walk(doc)
    for section in doc.sections:
        for hf in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if not hf.is_linked_to_previous:
                walk(hf)
    return "\n".join(parts)


_RUN = re.compile(r"<w:r(?: [^>]*)?>(<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?<w:t(?: [^>]*)?>([^<]*)</w:t></w:r>", re.S)


def word_split(path: Path) -> Path:
    """Save `path` as Word does after editing: runs in 3-character pieces, rsid, proofErr."""
    with zipfile.ZipFile(path) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}

    def split_run(match):
        props, text = match.group(1) or "", match.group(2)
        pieces = [text[i:i + 3] for i in range(0, len(text), 3)] or [""]
        runs = []
        for n, piece in enumerate(pieces):
            runs.append(f'<w:r w:rsidR="00B2{n:04d}" w:rsidRPr="00C3{n:04d}">{props}'
                        f'<w:t xml:space="preserve">{piece}</w:t></w:r>')
            if n % 2:
                runs.append('<w:proofErr w:type="spellStart"/>')
        return "".join(runs)

    for name in entries:
        if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
            entries[name] = _RUN.sub(split_run, entries[name].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path
