"""What can be said of each tag on its own, and of the order of the tags."""

from __future__ import annotations

import jinja2

from ..jinja import BLOCKS, ENDS, jinja_message
from .paragraphs import Paragraph, Report, Tag

_DOCXTPL_ONLY = {"colspan", "cellbg", "vm", "hm"}
_BAD_QUOTES = "«»„‚‹›‟″′"


def tag_checks(paras: list[Paragraph], report: Report, env: jinja2.Environment) -> None:
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
    end = BLOCKS.get(keyword, "end" + keyword)
    message = f"{{% {keyword} %}} er ikke avsluttet med {{% {end} %}}"
    if tag.prefix:
        message += f"; sett inn «{{%{tag.prefix} {end} %}}» der den skal slutte"
    if before is not None:
        message += f" (før «{before.raw}»)"
    return message


def _nesting(tag: Tag, para: Paragraph, stack: list, report: Report) -> None:
    kw = tag.keyword
    if kw in BLOCKS or (kw == "set" and "=" not in tag.statement):
        stack.append((kw, para, tag))
    elif kw in ("else", "elif"):
        allowed = ("if",) if kw == "elif" else ("if", "for")
        if not stack or stack[-1][0] not in allowed:
            report.add(para, f"«{{% {kw} %}}» uten «{{% if … %}}» foran", tag.start)
    elif kw in ENDS:
        start = ENDS[kw]
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


def _one_tag(tag: Tag, para: Paragraph, report: Report, env: jinja2.Environment) -> None:
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
    if tag.keyword in _DOCXTPL_ONLY or tag.keyword in ENDS:
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
    if kw in BLOCKS:
        return "{% " + tag.statement + " %}{% " + BLOCKS[kw] + " %}"
    if kw == "set" and "=" not in tag.statement:
        return "{% " + tag.statement + " %}{% endset %}"
    if kw in ("else", "elif"):
        return "{% if x %}{% " + tag.statement + " %}{% endif %}"
    return "{% " + tag.statement + " %}"
