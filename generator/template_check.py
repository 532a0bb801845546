"""Checks the Word and e-mail templates before anything is rendered, and says where they are wrong.

A Jinja error on its own names a line of WordprocessingML that HR never sees. This module reads
each paragraph's visible text (Word splits a tag over many runs; the text joins them again),
finds the tags in it, and reports each problem with the template file, the paragraph or table
cell, a short quote, and in Norwegian what is wrong, with a suggestion for a misspelt field.

The same field table (`FIELDS`) drives the suggestions and the `lederavtale maler` listing.
"""

from __future__ import annotations

import difflib
import html
import re
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
from jinja2 import nodes
from lxml import etree

from .model import Problem

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

AVTALE = "avtale"
VEDLEGG = "vedlegg"
EPOST = "epost"

QUOTE_LENGTH = 60


@dataclass(frozen=True)
class Field:
    name: str
    forklaring: str
    bare_vedlegg: bool = False


def _person_fields(who: str, label: str) -> list[Field]:
    return [
        Field(f"{who}.navn", f"{label}s fulle navn"),
        Field(f"{who}.stilling", f"{label}s stilling"),
        Field(f"{who}.enhet", f"{label}s enhet"),
        Field(f"{who}.niva", f"{label}s nivå (kommunedirektør, kommunalsjef, virksomhetsleder …)"),
        Field(f"{who}.epost", f"{label}s e-postadresse"),
        Field(f"{who}.ansattnr", f"{label}s ansattnummer"),
        Field(f"{who}.ekstra", f"egne kolonner i arket Ledere for {label.lower()}, f.eks. {who}.ekstra[\"Telefon\"]"),
    ]


# Every name a template may use, in the order HR reads them. Loop variables (`omrade`, `o`,
# `t`, `u`) are the names the default templates give them; a template may choose others.
FIELDS: list[Field] = [
    Field("kommune.navn", "kommunens navn (arket Kommune, Kommunenavn)"),
    Field("kommune.adresse", "postadresse til brevhodet/bunnteksten"),
    Field("kommune.telefon", "sentralbordets telefonnummer"),
    Field("kommune.epost", "kommunens e-postadresse (postmottak)"),
    Field("kommune.nettside", "kommunens nettside"),
    Field("kommune.sted", "stedet som skrives over underskriftene («Sted og dato»)"),
    Field("kommune.logo", "logoen som bilde (tom hvis ingen logo): {% if kommune.logo %}{{ kommune.logo }}{% endif %}"),
    Field("kommune.skjermingshjemmel", "hjemmel for unntak fra offentlighet, f.eks. «Offl. § 13 …»"),
    Field("kommune.arkivsak", "saksnummeret i sak/arkiv, f.eks. 2027/123"),
    Field("periode.tekst", "avtaleperioden som tekst: «1. januar 2027–31. desember 2027»"),
    Field("periode.fra", "periodens første dag (dato; skriv {{ periode.fra|dato }})"),
    Field("periode.til", "periodens siste dag (dato; skriv {{ periode.til|dato(\"lang\") }} for «31. desember 2027»)"),
    Field("periode.ar", "året, f.eks. 2027"),
    *_person_fields("leder", "lederen"),
    *_person_fields("overordnet", "overordnet leder"),
    Field("dato", "datoen dokumentet lages (skriv {{ dato|dato }})"),
    Field("omrader", "lederens oppdrag gruppert på område: {%p for omrade in omrader %} … {%p endfor %}"),
    Field("oppdrag", "alle lederens oppdrag i én liste: {%p for o in oppdrag %} … {%p endfor %}"),
    Field("omrade.navn", "områdets navn, f.eks. Økonomi (inne i løkken over omrader)"),
    Field("omrade.oppdrag", "områdets oppdrag: {%tr for o in omrade.oppdrag %} … {%tr endfor %}"),
    Field("o.nr", "oppdragets nummer (arket Oppdrag, Nr)"),
    Field("o.omrade", "oppdragets område"),
    Field("o.tekst", "selve oppdraget"),
    Field("o.mal", "målet for oppdraget"),
    Field("o.malemetode", "hvordan målet måles"),
    Field("o.utgangspunkt", "utgangspunktet (resultat før start)"),
    Field("o.frist", "fristen (dato; skriv {{ o.frist|dato }}, tom hvis ingen frist)"),
    Field("o.tiltak", "lederens egne tiltak for oppdraget: {%p for t in o.tiltak %}{{ t }}{%p endfor %}"),
    Field("t", "ett tiltak (tekst), inne i løkken over o.tiltak"),
    Field("utviklingsmal", "personlige utviklingsmål: {%tr for u in utviklingsmal %} … {%tr endfor %}", True),
    Field("u.mal", "utviklingsmålet", True),
    Field("u.tiltak", "tiltak for å nå utviklingsmålet", True),
    Field("u.oppfolging", "hvordan og når målet følges opp", True),
]

# A list field and the loop-variable prefix that describes one of its elements.
LISTS = {"omrader": "omrade", "oppdrag": "o", "omrade.oppdrag": "o", "o.tiltak": "t", "utviklingsmal": "u"}
LOOP_PREFIXES = {"omrade", "o", "t", "u"}
# Dictionaries whose keys come from the workbook; checked only when rendering.
FREE = {"leder.ekstra", "overordnet.ekstra"}
_KNOWN = {f.name for f in FIELDS}

FILTERS = [
    ("dato", "dato som 31.12.2027: {{ o.frist|dato }}"),
    ("dato(\"lang\")", "dato som 31. desember 2027: {{ periode.til|dato(\"lang\") }}"),
]

ANY = "any"
LEAF = "leaf"

# docxtpl's tag prefixes: {%p …%} paragraph, {%tr …%} table row, {%tc …%} table cell, {%r …%} run.
_PREFIX = re.compile(r"^(tr|tc|p|r) ")
_DELIMS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
_BLOCKS = {"for": "endfor", "if": "endif", "with": "endwith", "macro": "endmacro", "call": "endcall",
           "filter": "endfilter", "block": "endblock", "autoescape": "endautoescape", "raw": "endraw"}
_ENDS = {end: start for start, end in _BLOCKS.items()} | {"endset": "set"}
_DOCXTPL_ONLY = {"colspan", "cellbg", "vm", "hm"}
# docxtpl straightens these inside tags; the ones below are left as they are and break the tag.
_FIXED_QUOTES = {"“": '"', "”": '"', "‘": "'", "’": "'"}
_BAD_QUOTES = "«»„‚‹›‟″′"


# --- Where a problem is --------------------------------------------------------------------


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


class _Report:
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


def _straighten(text: str) -> str:
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
            inner = _straighten(raw[2:-2])
            prefix = _PREFIX.match(inner)
            para.tags.append(Tag(open_delim, raw, inner, prefix.group(1) if prefix else "", open_at))
        open_at, open_delim = -1, ""
    if open_delim:
        problems.append((f"«{open_delim}» er ikke avsluttet med «{_CLOSE[open_delim]}»", open_at))
    para.delimiter_problems = problems


def _opener(closer: str) -> str:
    return {"}}": "{{", "%}": "{%", "#}": "{#"}[closer]


# --- Field types -----------------------------------------------------------------------------


def _field_type(path: str) -> str | None:
    """"list:<prefix>", "rec:<prefix>", LEAF or ANY for a canonical dotted name; None if unknown."""
    if path in LISTS:
        return "list:" + LISTS[path]
    if path in FREE:
        return ANY
    if any(name.startswith(path + ".") for name in _KNOWN):
        return "rec:" + path
    if path in _KNOWN:
        return LEAF
    return None


def _root_names(kind: str) -> dict[str, str]:
    roots = {}
    for f in FIELDS:
        head = f.name.split(".")[0]
        if head in LOOP_PREFIXES or (f.bare_vedlegg and kind != VEDLEGG):
            continue
        roots[head] = _field_type(head)
    return roots


def _record_fields(prefix: str) -> list[str]:
    return [f.name[len(prefix) + 1:] for f in FIELDS if f.name.startswith(prefix + ".") and "." not in f.name[len(prefix) + 1:]]


def _dotted(node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _dotted(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


@dataclass
class Unknown:
    dotted: str  # as written in the template, e.g. "leder.fornavn"
    message: str
    lineno: int


class _NameChecker:
    """Walks a parsed template and finds every name that is not in the context.

    Scopes follow Jinja's loops, so `o.malemetod` inside `{% for o in omrade.oppdrag %}` is
    checked against an assignment's fields, and the suggestion uses the template's own loop name.
    """

    def __init__(self, kind: str, globals_: set[str]):
        self.kind = kind
        self.roots = _root_names(kind)
        self.globals = globals_
        self.unknown: list[Unknown] = []

    def run(self, tree: nodes.Template) -> list[Unknown]:
        scope: dict[str, str] = {}
        for child in tree.body:
            self.visit(child, scope)
        return self.unknown

    def visit(self, node, scope: dict[str, str]) -> str:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method:
            return method(node, scope)
        for child in node.iter_child_nodes():
            self.visit(child, scope)
        return ANY

    def visit_For(self, node, scope):
        iter_type = self.visit(node.iter, scope)
        inner = dict(scope, loop=ANY)
        element = "rec:" + iter_type[5:] if iter_type.startswith("list:") else ANY
        if element == "rec:t":
            element = LEAF
        for target in _targets(node.target):
            inner[target] = element if isinstance(node.target, nodes.Name) else ANY
        for child in node.body:
            self.visit(child, inner)
        if node.test is not None:
            self.visit(node.test, inner)
        for child in node.else_:
            self.visit(child, scope)
        return ANY

    def visit_Assign(self, node, scope):
        self.visit(node.node, scope)
        for target in _targets(node.target):
            scope[target] = ANY
        return ANY

    def visit_AssignBlock(self, node, scope):
        for child in node.body:
            self.visit(child, scope)
        for target in _targets(node.target):
            scope[target] = ANY
        return ANY

    def visit_With(self, node, scope):
        inner = dict(scope)
        for value in node.values:
            self.visit(value, scope)
        for target in node.targets:
            for name in _targets(target):
                inner[name] = ANY
        for child in node.body:
            self.visit(child, inner)
        return ANY

    def visit_Macro(self, node, scope):
        inner = dict(scope, caller=ANY, varargs=ANY, kwargs=ANY)
        for arg in node.args:
            inner[arg.name] = ANY
        scope[node.name] = ANY
        for child in node.body:
            self.visit(child, inner)
        return ANY

    def visit_CallBlock(self, node, scope):
        self.visit(node.call, scope)
        inner = dict(scope)
        for arg in node.args:
            inner[arg.name] = ANY
        for child in node.body:
            self.visit(child, inner)
        return ANY

    def visit_Name(self, node, scope):
        if node.ctx != "load":
            return ANY
        if node.name in scope:
            return scope[node.name]
        if node.name in self.roots:
            return self.roots[node.name]
        if node.name in self.globals:
            return ANY
        self._unknown(node.name, node.lineno, scope)
        return ANY

    def visit_Getattr(self, node, scope):
        return self._member(node, node.attr, scope)

    def visit_Getitem(self, node, scope):
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            return self._member(node, node.arg.value, scope)
        self.visit(node.node, scope)
        self.visit(node.arg, scope)
        return ANY

    def _member(self, node, attr: str, scope) -> str:
        dotted = _dotted(node)
        root = dotted.split(".")[0] if dotted else None
        if root and root not in scope and root not in self.roots and root not in self.globals:
            # Report `komune.navn` as a whole, so the suggestion can be `kommune.navn`.
            self._unknown(dotted, node.lineno, scope)
            return ANY
        base = self.visit(node.node, scope)
        if base.startswith("rec:"):
            kind = _field_type(f"{base[4:]}.{attr}")
            if kind is None:
                self._unknown(_dotted(node) or attr, node.lineno, scope, record=base[4:])
                return ANY
            return kind
        if base.startswith("list:"):
            dotted = _dotted(node) or attr
            name = _dotted(node.node) or "listen"
            var = base[5:]
            self.unknown.append(Unknown(dotted, (
                f"«{name}» er en liste, så «{dotted}» finnes ikke; bruk «{var}.{attr}» inne i "
                f"{{%p for {var} in {name} %}} … {{%p endfor %}}"), node.lineno))
            return ANY
        return ANY

    def _unknown(self, dotted: str, lineno: int, scope: dict[str, str], record: str | None = None) -> None:
        head = dotted.split(".")[0]
        if head == "utviklingsmal" and self.kind != VEDLEGG:
            where = "e-posten" if self.kind == EPOST else "lederavtalen"
            message = (f"«{dotted}» finnes bare i vedlegg.docx: personlige utviklingsmål er unntatt "
                       f"offentlighet og kan ikke stå i {where}")
        elif record is None and head in LOOP_PREFIXES and dotted in _KNOWN | {head}:
            lists = [name for name, prefix in LISTS.items() if prefix == head]
            message = (f"ukjent felt «{dotted}»: «{head}» finnes bare inne i en løkke, "
                       f"f.eks. {{%p for {head} in {lists[0]} %}} … {{%p endfor %}}")
        else:
            message = f"ukjent felt «{dotted}»" if "." in dotted else f"ukjent navn «{dotted}»"
            suggestion = self._suggest(dotted, scope, record)
            if suggestion:
                message += f". Mente du «{suggestion}»?"
        self.unknown.append(Unknown(dotted, message, lineno))

    def _suggest(self, dotted: str, scope: dict[str, str], record: str | None) -> str | None:
        if record is not None:
            base = dotted.rsplit(".", 1)[0]
            siblings = [f"{base}.{a}" for a in _record_fields(record)]
            close = difflib.get_close_matches(dotted, siblings, n=1, cutoff=0.5)
            if close:
                return close[0]
        candidates = [f.name for f in FIELDS if f.name.split(".")[0] in self.roots]
        for var, kind in scope.items():
            if kind.startswith("rec:"):
                candidates += [var] + [f"{var}.{a}" for a in _record_fields(kind[4:])]
            elif kind == LEAF:
                candidates.append(var)
        close = difflib.get_close_matches(dotted, candidates, n=1, cutoff=0.6)
        return close[0] if close else None


def _targets(node) -> list[str]:
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Tuple):
        return [name for item in node.items for name in _targets(item)]
    return []


# --- Jinja messages in Norwegian ------------------------------------------------------------


def jinja_message(exc: jinja2.TemplateSyntaxError) -> str:
    text = exc.message or str(exc)
    if m := re.search(r"unknown tag '([^']+)'", text):
        tag = m.group(1)
        if tag in ("p", "tr", "tc", "r"):
            return f"ukjent kode «{tag}»: skriv «{{%{tag}» uten mellomrom mellom «{{%» og «{tag}»"
        if tag in _ENDS or tag in ("else", "elif"):
            return f"«{tag}» uten tilhørende start foran"
        return f"ukjent kode «{tag}»"
    if m := re.search(r"unexpected char '(.)'", text):
        return f"tegnet «{m.group(1)}» kan ikke stå i koden"
    if m := re.search(r"expected token '([^']+)', got '([^']+)'", text):
        return f"uventet «{m.group(2)}» i koden"
    if m := re.search(r"unexpected '([^']+)'", text):
        return f"uventet «{m.group(1)}» i koden"
    if m := re.search(r"No filter named '([^']+)'", text):
        return f"ukjent filter «{m.group(1)}» (kjente filter: dato, dato(\"lang\"), upper, lower …)"
    if "unexpected end of template" in text.lower():
        return "koden slutter før den er ferdig"
    return f"feil i malkoden: {text}"


# --- The checks ------------------------------------------------------------------------------


def _tag_checks(paras: list[Paragraph], report: _Report, env: jinja2.Environment) -> None:
    """Everything that can be said of each tag and of the order of the tags."""
    stack: list[tuple[str, Paragraph, Tag]] = []
    for para in paras:
        for message, at in para.delimiter_problems:
            report.add(para, message, at)
        for tag in para.tags:
            _one_tag(tag, para, report, env)
            if tag.delim == "{%":
                _nesting(tag, para, stack, report)
    for keyword, para, tag in stack:
        report.add(para, _unclosed(keyword, tag), tag.start)


def _unclosed(keyword: str, tag: Tag, before: Tag | None = None) -> str:
    end = _BLOCKS.get(keyword, "end" + keyword)
    message = f"{{% {keyword} %}} er ikke avsluttet med {{% {end} %}}"
    if tag.prefix:
        message += f"; sett inn «{{%{tag.prefix} {end} %}}» der den skal slutte"
    if before is not None:
        message += f" (før «{before.raw}»)"
    return message


def _nesting(tag: Tag, para: Paragraph, stack: list, report: _Report) -> None:
    kw = tag.keyword
    if kw in _BLOCKS or (kw == "set" and "=" not in tag.statement):
        stack.append((kw, para, tag))
    elif kw in ("else", "elif"):
        allowed = ("if",) if kw == "elif" else ("if", "for")
        if not stack or stack[-1][0] not in allowed:
            report.add(para, f"«{{% {kw} %}}» uten «{{% if … %}}» foran", tag.start)
    elif kw in _ENDS:
        start = _ENDS[kw]
        # `{%p endfor %}` closes the nearest `{%p for %}`: with docxtpl's prefixes the author's
        # intent is clearer than Jinja's innermost-first rule when a `{%tr endfor %}` is missing.
        same = [i for i, entry in enumerate(stack) if entry[0] == start and entry[2].prefix == tag.prefix]
        any_prefix = [i for i, entry in enumerate(stack) if entry[0] == start]
        if not any_prefix:
            report.add(para, f"«{{% {kw} %}}» uten «{{% {start} … %}}» foran", tag.start)
            return
        match = (same or any_prefix)[-1]
        while len(stack) - 1 > match:
            inner_kw, inner_para, inner_tag = stack.pop()
            report.add(inner_para, _unclosed(inner_kw, inner_tag, tag), inner_tag.start)
        stack.pop()


def _one_tag(tag: Tag, para: Paragraph, report: _Report, env: jinja2.Environment) -> None:
    if tag.delim == "{#":
        return
    bad = [c for c in _BAD_QUOTES if c in tag.inner]
    if bad:
        report.add(para, f"typografiske anførselstegn ({' '.join(bad)}) i koden «{tag.raw}»; "
                   "skriv vanlige anførselstegn (\" eller ')", tag.start)
        return
    if tag.prefix in ("tr", "tc") and not para.in_table:
        what = "tabellrad" if tag.prefix == "tr" else "tabellcelle"
        report.add(para, f"«{{%{tag.prefix} … %}}» kan bare stå i en {what}; bruk «{{%p … %}}» i vanlig tekst", tag.start)
        return
    if tag.prefix in ("p", "tr"):
        around = (para.row_text if tag.prefix == "tr" else para.text).replace(tag.raw, "", 1)
        if around.strip():
            unit = "tabellraden" if tag.prefix == "tr" else "avsnittet"
            report.add(para, f"«{tag.raw}» må stå alene i {unit}: resten av {unit} "
                       f"(«{' '.join(around.split())[:40]}») forsvinner", tag.start)
            return
    if tag.keyword in _DOCXTPL_ONLY or tag.keyword in _ENDS:
        return
    source = _probe(tag)
    try:
        env.compile(source, raw=True)  # generating the code also finds unknown filters
    except jinja2.TemplateSyntaxError as exc:
        report.add(para, f"{jinja_message(exc)} i «{tag.raw}»", tag.start)


def _probe(tag: Tag) -> str:
    """The tag alone as a complete template, so that Jinja checks just this tag."""
    if tag.delim == "{{":
        return "{{ " + tag.statement + " }}"
    kw = tag.keyword
    if kw in _BLOCKS:
        return "{% " + tag.statement + " %}{% " + _BLOCKS[kw] + " %}"
    if kw == "set" and "=" not in tag.statement:
        return "{% " + tag.statement + " %}{% endset %}"
    if kw in ("else", "elif"):
        return "{% if x %}{% " + tag.statement + " %}{% endif %}"
    return "{% " + tag.statement + " %}"


def _locate_name(paras: list[Paragraph], dotted: str) -> list[tuple[Paragraph, Tag]]:
    pieces = [re.escape(p) for p in dotted.split(".")]
    pattern = re.compile(r"(?<![\w.])" + r"\s*(?:\.\s*|\[\s*[\"'])".join(pieces) + r"(?!\w)")
    return [(para, tag) for para in paras for tag in para.tags if pattern.search(tag.inner)]


def _line_text(source: str, lineno: int | None) -> str:
    lines = source.split("\n")
    if not lineno or lineno > len(lines):
        return ""
    return _straighten(html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1])))


def _line_paragraph(source: str, lineno: int | None, paras: list[Paragraph], hint: str = "") -> Paragraph | None:
    """The paragraph that Jinja's line number points into (one `<w:p` per line, as rendered)."""
    text = _line_text(source, lineno)
    if not text:
        return None
    candidates = [p for p in paras if p.tags and _straighten(p.text) and _straighten(p.text) in text]
    preferred = [p for p in candidates if hint and hint in _straighten(p.text)]
    return (preferred or candidates or [None])[0]


def _template_lineno(exc: BaseException) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == "<template>"]
    return lines[-1] if lines else getattr(exc, "lineno", None)


def _render_message(exc: Exception) -> tuple[str, str]:
    """(message, name to look for) for an error while filling in the template."""
    text = str(exc)
    if m := re.search(r"'([^']+)' is undefined", text):
        return f"ukjent navn «{m.group(1)}»", m.group(1)
    if m := re.search(r"has no attribute '([^']+)'", text):
        return f"ukjent felt «{m.group(1)}» (finnes ikke for alle ledere i arbeidsboken)", m.group(1)
    if m := re.search(r"^'([^']+)'$", text):  # a missing dict key, e.g. leder.ekstra["Telefon"]
        return f"ukjent felt «{m.group(1)}» (finnes ikke i arbeidsboken)", m.group(1)
    return f"malen kan ikke fylles ut: {text}", ""


@dataclass
class _Part:
    area: str
    xml: str


def _docx_parts(path: Path):
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(path))
    tpl.render_init()
    parts = [_Part("", tpl.get_xml())]
    for uri, label in ((tpl.HEADER_URI, "topptekst"), (tpl.FOOTER_URI, "bunntekst")):
        found = [tpl.get_part_xml(part) for _rel, part in tpl.get_headers_footers(uri)]
        for n, xml in enumerate(found, 1):
            parts.append(_Part(label if len(found) == 1 else f"{label} {n}", xml))
    return parts, tpl


def check_template(path: Path, contexts: list[dict], kind: str = AVTALE, name: str | None = None,
                   env: jinja2.Environment | None = None) -> list[Problem]:
    """Every problem of one Word template (`kind` "avtale" or "vedlegg"), in Norwegian, with places.

    `contexts` are real template contexts (agreement or appendix, to match `kind`) to render with.
    """
    from .render import make_jinja_env

    path = Path(path)
    env = env or make_jinja_env()
    report = _Report(name or path.name)
    try:
        parts, tpl = _docx_parts(path)
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        report.add(None, f"kan ikke leses som Word-dokument (.docx): {exc}")
        return report.problems
    for part in parts:
        paras = paragraphs_of(etree.fromstring(part.xml.encode("utf-8")), part.area)
        before = len(report.problems)
        _tag_checks(paras, report, env)
        if len(report.problems) > before:
            continue  # the whole part would not compile; the tag messages say why
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(part.xml))
        _check_source(source, paras, contexts, kind, env, report, area=part.area)
    return report.problems


def _check_source(source: str, paras: list[Paragraph] | None, contexts: list[dict], kind: str,
                  env: jinja2.Environment, report: _Report, area: str = "") -> None:
    """Compile, check names, and render with each context; `paras` None means a text template."""

    def place_of(lineno, hint=""):
        if paras is None:
            return None, f"linje {lineno}" if lineno else None
        para = _line_paragraph(source, lineno, paras, hint)
        return para, (area or None)

    try:
        tree = env.parse(source)
        template = env.from_string(tree)
    except jinja2.TemplateSyntaxError as exc:
        para, place = place_of(exc.lineno)
        report.add(para, jinja_message(exc), place=place)
        return
    unknown = _NameChecker(kind, set(env.globals)).run(tree)
    for item in unknown:
        found = _locate_name(paras, item.dotted) if paras is not None else []
        line = _line_text(source, item.lineno)
        exact = [(para, tag) for para, tag in found if _straighten(para.text) == line]
        on_line = [(para, tag) for para, tag in found if _straighten(para.text) in line]
        found = exact or on_line or found
        for para, tag in found:
            report.add(para, item.message, tag.start)
        if not found:
            para, place = place_of(item.lineno, item.dotted.split(".")[-1])
            report.add(para, item.message, place=place)
    if unknown:
        return
    for context in contexts:
        try:
            template.render(context)
        except jinja2.TemplateError as exc:
            message, hint = _render_message(exc)
            para, place = place_of(_template_lineno(exc), hint)
            report.add(para, message, place=place)
            return
        except Exception as exc:  # e.g. a filter given text where it wants a number
            para, place = place_of(_template_lineno(exc))
            report.add(para, f"malen kan ikke fylles ut: {exc}", place=place)
            return


def check_email_template(path: Path, contexts: list[dict], name: str | None = None, locale: str = "nb") -> list[Problem]:
    """Problems of `epost.txt`: Jinja text without autoescape, first line `Emne: …`."""
    from .render import make_jinja_env

    path = Path(path)
    report = _Report(name or path.name)
    try:
        source = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        report.add(None, f"kan ikke leses som UTF-8-tekst: {exc}")
        return report.problems
    first = source.lstrip().split("\n", 1)[0]
    key, colon, _ = first.partition(":")
    if not colon or key.strip().lower() != "emne":
        report.add(None, "første linje må være «Emne: …» (e-postens emne)", place="linje 1")
    for lineno, line in enumerate(source.split("\n"), 1):
        para = Paragraph(f"linje {lineno}", line, False)
        find_tags(para)
        for message, at in para.delimiter_problems:
            report.add(para, message, at)
    env = make_jinja_env(autoescape=False, locale=locale)
    _check_source(source, None, contexts, EPOST, env, report)
    return report.problems


# --- Which templates, with which contexts -------------------------------------------------------


def _samples(leaders: list, has_data) -> list:
    """A few leaders that exercise both branches of a template: first, with and without data."""
    chosen = leaders[:1]
    for want in (False, True):
        extra = next((leder for leder in leaders if bool(has_data(leder)) == want), None)
        if extra is not None and extra not in chosen:
            chosen.append(extra)
    return chosen


def _label(path: Path, templates) -> str:
    try:
        return path.relative_to(templates.dir).as_posix()
    except ValueError:
        return path.name


def check_templates(bok, templates, selected: list, today: date | None = None, every: bool = False) -> list[Problem]:
    """Problems of the templates the selected leaders use; with `every`, also of every other
    template in the folder and of `epost.txt` (what `sjekk` does)."""
    from .context import agreement_context, appendix_context, babel_locale
    from .render import APPENDIX, make_jinja_env

    locale = babel_locale(bok.kommune)
    env = make_jinja_env(autoescape=True, locale=locale)
    by_template: dict[Path, list] = {}
    for leder in selected:
        by_template.setdefault(templates.agreement_for(leder), []).append(leder)
    everyone = selected or bok.avtaleledere()
    problems: list[Problem] = []
    for path, leaders in by_template.items():
        contexts = [agreement_context(bok, leder, today) for leder in _samples(leaders, bok.oppdrag_for)]
        problems += check_template(path, contexts, AVTALE, _label(path, templates), env)
    appendix_contexts = [appendix_context(bok, leder, today) for leder in _samples(everyone, bok.utviklingsmal_for)]
    if templates.appendix.is_file():
        problems += check_template(templates.appendix, appendix_contexts, VEDLEGG, _label(templates.appendix, templates), env)
    if not every:
        return problems
    done = set(by_template) | {templates.appendix}
    agreement_contexts = [agreement_context(bok, leder, today) for leder in _samples(everyone, bok.oppdrag_for)]
    for folder in dict.fromkeys((templates.dir, templates.base)):
        for path in sorted(folder.glob("*.docx")):
            if path in done or path.name.startswith(("~$", ".")):
                continue  # Word's lock file of an open document is not a template
            done.add(path)
            if path.name == APPENDIX:
                problems += check_template(path, appendix_contexts, VEDLEGG, _label(path, templates), env)
            else:
                problems += check_template(path, agreement_contexts, AVTALE, _label(path, templates), env)
    if templates.epost.is_file():
        problems += check_email_template(templates.epost, agreement_contexts, _label(templates.epost, templates), locale)
    return problems


# --- The field list for HR -------------------------------------------------------------------


def field_lines() -> list[str]:
    """The `lederavtale maler` listing: every field, ready to copy into Word, with what it is."""
    def row(code: str, text: str) -> str:
        return f"  {code:<34} {text}"

    lines = ["Felt i lederavtale.docx og vedlegg.docx (kopier koden som står til venstre):", ""]
    loops = {"omrade": "Inne i {%p for omrade in omrader %} … {%p endfor %}:",
             "o": "Inne i {%tr for o in omrade.oppdrag %} … {%tr endfor %} (eller {%p for o in oppdrag %}):",
             "t": "Inne i {%p for t in o.tiltak %} … {%p endfor %}:",
             "u": "Bare i vedlegg.docx (unntatt offentlighet), inne i {%tr for u in utviklingsmal %} … {%tr endfor %}:"}
    shown_heading = set()
    for f in FIELDS:
        head = f.name.split(".")[0]
        if head in loops and head not in shown_heading:
            shown_heading.add(head)
            lines += ["", loops[head]]
        elif f.name == "utviklingsmal":
            lines += ["", "Bare i vedlegg.docx (personlige utviklingsmål, unntatt offentlighet):"]
        is_list = f.name in LISTS
        code = f.name if is_list else f"{{{{ {f.name} }}}}"
        lines.append(row(code, f.forklaring))
    lines += ["", "Filter for datoer:"]
    lines += [row(f"|{name}", text) for name, text in FILTERS]
    lines += ["", "Styrekoder: {%p … %} styrer et helt avsnitt, {%tr … %} en hel tabellrad; de må stå alene der.",
              "epost.txt har de samme feltene som lederavtalen, men ikke utviklingsmålene."]
    return lines
