"""Where a problem is: a template's paragraphs as HR sees them in Word, and the tags in them.

Word splits a tag over many runs; a paragraph's visible text joins them again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...model import Problem

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

QUOTE_LENGTH = 60

# docxtpl's tag prefixes: {%p …%} paragraph, {%tr …%} table row, {%tc …%} table cell, {%r …%} run.
_PREFIX = re.compile(r"^(tr|tc|p|r) ")
_DELIMS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
# docxtpl straightens these inside tags; the ones below are left as they are and break the tag.
_FIXED_QUOTES = {"“": '"', "”": '"', "‘": "'", "’": "'"}


@dataclass
class Tag:
    delim: str  # "{{", "{%" or "{#"
    raw: str  # as it stands in the text, e.g. "{%tr for o in omrade.oppdrag %}"
    inner: str  # between the delimiters, with curly quotes straightened as docxtpl does
    prefix: str  # "p", "tr", "tc", "r" or ""
    start: int  # position in the paragraph's text

    @property
    def statement(self) -> str:
        text = self.inner[len(self.prefix):] if self.prefix else self.inner
        return text.strip().strip("-+").strip()

    @property
    def keyword(self) -> str:
        words = self.statement.split(None, 1)
        return words[0] if words else ""


@dataclass
class Paragraph:
    place: str  # "avsnitt 12", "tabell 2, rad 3, kolonne 1", "bunntekst, avsnitt 1"
    text: str
    in_table: bool
    row_text: str = ""  # the whole table row's text, for {%tr %}
    tags: list[Tag] = field(default_factory=list)
    delimiter_problems: list[tuple[str, int]] = field(default_factory=list)  # (message, position)

    def quote(self, at: int = 0) -> str:
        """A short quote around position `at`, as HR would search for it in Word."""
        text = self.text
        start = max(0, at - 15) if len(text) > QUOTE_LENGTH else 0
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < at else start
        piece = " ".join(text[start:start + QUOTE_LENGTH].split())
        if start:
            piece = "… " + piece
        if start + QUOTE_LENGTH < len(text):
            piece += " …"
        return piece


class Report:
    """Problems of one template, without repeats, each naming file and place."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []

    def add(self, para: Paragraph | None, message: str, at: int = 0, place: str | None = None) -> None:
        if para is not None:
            where = f"{self.name}, {para.place} («{para.quote(at)}»)"
        else:
            where = f"{self.name}, {place}" if place else self.name
        problem = Problem(where, message)
        if problem not in self.problems:
            self.problems.append(problem)


def _own_texts(p) -> str:
    """The text of paragraph `p`'s own runs (not of a text box's paragraphs inside it)."""
    texts = []
    for t in p.iter(f"{W}t"):
        owner = next(a for a in t.iterancestors(f"{W}p", MC_FALLBACK))
        if owner is p:
            texts.append(t.text or "")
    return "".join(texts)


def paragraphs_of(root, area: str = "") -> list[Paragraph]:
    """Every paragraph of one XML part in document order, named as HR can find it."""
    result = []
    tables = {}
    count = 0
    for p in root.iter(f"{W}p"):
        if any(a.tag == MC_FALLBACK for a in p.iterancestors()):
            continue  # Word's duplicate of a text box for old readers
        text = _own_texts(p)
        cell = next(p.iterancestors(f"{W}tc"), None)
        if cell is None:
            count += 1
            place = f"avsnitt {count}"
            para = Paragraph(f"{area}, {place}" if area else place, text, False)
        else:
            # Content controls may wrap rows and cells, so count through them.
            row = next(cell.iterancestors(f"{W}tr"))
            table = next(row.iterancestors(f"{W}tbl"))
            if table not in tables:
                tables[table] = len(tables) + 1
            row_no = [r for r in table.iter(f"{W}tr") if next(r.iterancestors(f"{W}tbl")) is table].index(row) + 1
            col_no = [c for c in row.iter(f"{W}tc") if next(c.iterancestors(f"{W}tr")) is row].index(cell) + 1
            cell_paras = [q for q in cell if q.tag == f"{W}p"]
            place = f"tabell {tables[table]}, rad {row_no}, kolonne {col_no}"
            if len(cell_paras) > 1 and p in cell_paras:
                place += f", avsnitt {cell_paras.index(p) + 1}"
            row_text = "".join(_own_texts(q) for q in row.iter(f"{W}p"))
            para = Paragraph(f"{area}, {place}" if area else place, text, True, row_text)
        find_tags(para)
        result.append(para)
    return result


def straighten(text: str) -> str:
    for curly, plain in _FIXED_QUOTES.items():
        text = text.replace(curly, plain)
    return text


def find_tags(para: Paragraph) -> None:
    """Fill in the paragraph's tags, and the problems with their delimiters."""
    problems = []
    text = para.text
    open_at, open_delim = -1, ""
    for m in _DELIMS.finditer(text):
        token = m.group()
        if token in _CLOSE:
            if open_delim:
                problems.append((f"«{open_delim}» er ikke avsluttet med «{_CLOSE[open_delim]}»", open_at))
            open_at, open_delim = m.start(), token
            continue
        if not open_delim:
            if token != "#}":
                problems.append((f"«{token}» uten «{_opener(token)}» foran", m.start()))
            continue
        if open_delim == "{#" and token != "#}":
            continue
        if token != _CLOSE[open_delim]:
            problems.append((f"«{open_delim}» er avsluttet med «{token}»; skriv «{_CLOSE[open_delim]}»", open_at))
        else:
            raw = text[open_at:m.end()]
            inner = straighten(raw[2:-2])
            prefix = _PREFIX.match(inner)
            para.tags.append(Tag(open_delim, raw, inner, prefix.group(1) if prefix else "", open_at))
        open_at, open_delim = -1, ""
    if open_delim:
        problems.append((f"«{open_delim}» er ikke avsluttet med «{_CLOSE[open_delim]}»", open_at))
    para.delimiter_problems = problems


def _opener(closer: str) -> str:
    return {"}}": "{{", "%}": "{%", "#}": "{#"}[closer]
