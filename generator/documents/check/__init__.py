"""Checks the Word and e-mail templates before anything is rendered, and says where they are wrong.

A Jinja error on its own names a line of WordprocessingML that HR never sees. The check reads
each paragraph's visible text, finds the tags in it, and reports each problem with the
template file, the paragraph or table cell, a short quote, and in Norwegian what is wrong,
with a suggestion for a misspelt field.
"""

from __future__ import annotations

import html
import re
import traceback
from datetime import date
from pathlib import Path

import jinja2
from lxml import etree

from ...exceptions import TemplateError
from ...model import Problem
from ..context import agreement_context, babel_locale
from ..jinja import jinja_message, make_jinja_env, render_message
from ..fields import MAIL_FIELDS, MAIL_SAMPLES
from ..kinds import AGREEMENT, AGREEMENTS, BY_TEMPLATE, KINDS, REMINDER_TEXT, Kind, by_role
from ..template import PreparedTemplate
from .names import NameChecker
from .paragraphs import Paragraph, Report, Tag, find_tags, paragraphs_of, straighten
from .tags import tag_checks


def _locate_name(paras: list[Paragraph], dotted: str) -> list[tuple[Paragraph, Tag]]:
    pieces = [re.escape(p) for p in dotted.split(".")]
    pattern = re.compile(r"(?<![\w.])" + r"\s*(?:\.\s*|\[\s*[\"'])".join(pieces) + r"(?!\w)")
    return [(para, tag) for para in paras for tag in para.tags if pattern.search(tag.inner)]


def _line_text(source: str, lineno: int | None) -> str:
    lines = source.split("\n")
    if not lineno or lineno > len(lines):
        return ""
    return straighten(html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1])))


def _line_paragraph(source: str, lineno: int | None, paras: list[Paragraph], hint: str = "") -> Paragraph | None:
    """The paragraph that Jinja's line number points into (one `<w:p` per line, as rendered)."""
    text = _line_text(source, lineno)
    if not text:
        return None
    candidates = [p for p in paras if p.tags and straighten(p.text) and straighten(p.text) in text]
    preferred = [p for p in candidates if hint and hint in straighten(p.text)]
    return (preferred or candidates or [None])[0]


def _template_lineno(exc: BaseException) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == "<template>"]
    return lines[-1] if lines else getattr(exc, "lineno", None)


# What a public Word template's message calls the text a development goal cannot go into.
_PUBLIC_WORD = "lederavtalen"


def check_template(template: Path | PreparedTemplate, contexts: list[dict], kind: str = AGREEMENT.rolle,
                   name: str | None = None, env: jinja2.Environment | None = None) -> list[Problem]:
    """Every problem of one Word template, in Norwegian, with places. `kind` is the role of the
    document it makes ("avtale", "vedlegg", "oppfolging"): only one that is not public may use
    the development goals.

    `contexts` are real template contexts (the kind's own) to render with.
    """
    return _check_word(template, contexts, not by_role(kind).public, name, env)


def _check_word(template: Path | PreparedTemplate, contexts: list[dict], goals: bool, name: str | None,
                env: jinja2.Environment | None) -> list[Problem]:
    env = env or make_jinja_env()
    path = template.path if isinstance(template, PreparedTemplate) else Path(template)
    report = Report(name or path.name)
    try:
        prepared = template if isinstance(template, PreparedTemplate) else PreparedTemplate(path)
    except TemplateError as exc:
        report.problems += [Problem(report.name, p.message) for p in exc.problems]
        return report.problems
    for part in prepared.parts:
        paras = paragraphs_of(etree.fromstring(part.xml.encode("utf-8")), part.area)
        before = len(report.problems)
        tag_checks(paras, report, env)
        if len(report.problems) > before:
            continue  # the whole part would not compile; the tag messages say why
        _check_source(part.source, paras, contexts, goals, _PUBLIC_WORD, env, report,
                      area=part.area)
    return report.problems


def _check_source(source: str, paras: list[Paragraph] | None, contexts: list[dict], goals: bool, where: str,
                  env: jinja2.Environment, report: Report, area: str = "", own: frozenset[str] = frozenset()) -> None:
    """Compile, check names, and render with each context; `paras` None means a text template.

    `goals` and `where` as for `NameChecker`; `own`: the names this kind of template has besides the
    agreement's (an e-mail text's, fields.MAIL_FIELDS)."""

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
    unknown = NameChecker(goals, where, set(env.globals) | own).run(tree)
    for item in unknown:
        found = _locate_name(paras, item.dotted) if paras is not None else []
        line = _line_text(source, item.lineno)
        exact = [(para, tag) for para, tag in found if straighten(para.text) == line]
        on_line = [(para, tag) for para, tag in found if straighten(para.text) in line]
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
            message, hint = render_message(exc)
            para, place = place_of(_template_lineno(exc), hint)
            report.add(para, message, place=place)
            return
        except Exception as exc:  # e.g. a filter given text where it wants a number
            para, place = place_of(_template_lineno(exc))
            report.add(para, f"malen kan ikke fylles ut: {exc}", place=place)
            return


def check_email_template(path: Path, contexts: list[dict], name: str | None = None, locale: str = "nb") -> list[Problem]:
    """Problems of `epost.txt`: Jinja text without autoescape, first line `Emne: …`."""
    path = Path(path)
    report = Report(name or path.name)
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
    # The e-mail's own fields (fields.MAIL_FIELDS) beside each context, each way round.
    contexts = [{**context, **sample} for context in contexts for sample in MAIL_SAMPLES]
    _check_source(source, None, contexts, False, "e-posten", env, report, own=frozenset(MAIL_FIELDS))
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


def _read(templates, path: Path) -> Path | PreparedTemplate:
    """The template as the renderer will use it; its path when unreadable, which the check reports."""
    try:
        return templates.prepared(path)
    except TemplateError:
        return path


def _label(path: Path, templates) -> str:
    try:
        return path.relative_to(templates.dir).as_posix()
    except ValueError:
        return path.name


def check_templates(bok, templates, selected: list, today: date | None = None, every: bool = False,
                    kinds: tuple[Kind, ...] = AGREEMENTS.kinds) -> list[Problem]:
    """Problems of the kinds' templates, rendered as their run does: the agreement's with the
    selected leaders who use each one, the others with a few of the selected leaders.

    With `every` (what `sjekk` does), also every other template in the folder, as the kind its
    name says (an unknown name is an agreement template), and every kind's e-mail text.
    """
    locale = babel_locale(bok.kommune)
    env = make_jinja_env(autoescape=True, locale=locale)
    everyone = selected or bok.avtaleledere()
    problems: list[Problem] = []
    done: set[Path] = set()

    def check(path: Path, kind: Kind, leaders: list) -> None:
        done.add(path)
        contexts = [kind.context(bok, leder, today) for leder in _samples(leaders, lambda lr: kind.samples(bok, lr))]
        problems.extend(_check_word(_read(templates, path), contexts, not kind.public, _label(path, templates), env))

    for kind in kinds:
        if kind.per_leader:
            by_template: dict[Path, list] = {}
            for leder in selected:
                by_template.setdefault(templates.path(kind, leder), []).append(leder)
            for path, leaders in by_template.items():
                check(path, kind, leaders)
        elif templates.path(kind).is_file():
            check(templates.path(kind), kind, everyone)
    if not every:
        return problems
    for folder in dict.fromkeys((templates.dir, templates.base)):
        for path in sorted(folder.glob("*.docx")):
            if path in done or path.name.startswith(("~$", ".")):
                continue  # Word's lock file of an open document is not a template
            # oppfolging.docx, like every agreement template, has the agreement's fields: it
            # must never use the development goals.
            check(path, BY_TEMPLATE.get(path.name, AGREEMENT), everyone)
    mail_contexts = [agreement_context(bok, leder, today) for leder in _samples(everyone, bok.oppdrag_for)]
    emails = [templates.base / kind.email for kind in KINDS.values() if kind.email] + [templates.base / REMINDER_TEXT]
    for email in dict.fromkeys(emails):
        if email.is_file():
            problems += check_email_template(email, mail_contexts, _label(email, templates), locale)
    return problems
