"""A run's documents: each selected leader's agreement and appendix, from one template set.

`prepare` reads and checks the workbook and the templates. `Batch.check` then renders every
document once and keeps only the verdict (a fingerprint of what the documents are made of,
and any privacy failure), so a template that fails for any leader stops the run before the
first file is written, without holding thousands of documents in memory. Writing renders a
leader's documents again as it reaches them, which costs milliseconds, and only for the
leaders whose documents change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date
from pathlib import Path

from .. import __version__
from ..exceptions import PrivacyViolation, TemplateError
from ..model import Arbeidsbok, Leder
from ..progress import Progress
from ..store.files import sha256_file
from ..store.year import leader_folder
from ..workbook import read_workbook
from ..workbook.selection import select_leaders
from .check import check_followup_template, check_templates
from .context import agreement_context, appendix_context, babel_locale
from .jinja import make_jinja_env
from .naming import AVTALE, OPPFOLGING, VEDLEGG, document_properties, file_stem
from .privacy import PrivacyGuard
from .render import DocxRenderer, text_of
from .templates import TemplateSet


@dataclass
class Document:
    rolle: str  # "avtale", "vedlegg" or "oppfolging"
    offentlig: bool
    filename: str  # without extension
    docx: bytes


@dataclass
class Verdict:
    """What rendering one leader's documents showed, without the documents."""

    leder: Leder
    mappe: str  # the leader's folder in the year folder
    antall_oppdrag: int
    basis: str  # fingerprint of everything the documents are made from
    feil: list[str] = field(default_factory=list)  # the agreement was refused (privacy guard)
    advarsler: list[str] = field(default_factory=list)  # the workbook's warnings about this leader


def prepare(workbook: Path, maler: Path | None = None, ledere=(), enhet: str | None = None,
            today: date | None = None, alle_maler: bool = False,
            oppfolging: bool = False) -> tuple[Arbeidsbok, list[Leder], TemplateSet]:
    """Read and validate the workbook and check the templates; nothing is written.

    `alle_maler` (for `sjekk`) also checks the templates no leader uses and the e-mail texts;
    `oppfolging` checks the follow-up template instead of the agreements'.
    """
    bok = read_workbook(Path(workbook))
    selected = select_leaders(bok, tuple(ledere), enhet)
    templates = TemplateSet(bok, maler)
    problems = templates.followup_problems() if oppfolging else templates.problems(selected)
    if problems:
        raise TemplateError(problems)
    # Points at the paragraph or table cell of a broken tag; the renderer's own errors stay the backstop.
    today = today or date.today()
    problems = (check_followup_template(bok, templates, selected, today) if oppfolging
                else check_templates(bok, templates, selected, today, every=alle_maler))
    if problems:
        raise TemplateError(problems)
    return bok, selected, templates


class Batch:
    def __init__(self, bok: Arbeidsbok, templates: TemplateSet, today: date):
        self.bok = bok
        self.templates = templates
        self.today = today
        self.env = make_jinja_env(autoescape=True, locale=babel_locale(bok.kommune))
        self.guard = PrivacyGuard(bok)
        self._renderers: dict[Path, DocxRenderer] = {}
        self._hashes: dict[Path, str] = {}
        self._warnings: dict[str, list[str]] = {}
        for problem in bok.warnings:
            if problem.ansattnr:
                self._warnings.setdefault(problem.ansattnr, []).append(problem.message)

    def check(self, ledere: list[Leder], progress: Progress | None = None) -> list[Verdict]:
        """Render every leader's documents once; TemplateError if any template fails for anyone."""
        verdicts = []
        for index, leder in enumerate(ledere, 1):
            verdicts.append(self.render(leder, keep=False)[0])
            if progress:
                progress("Kontrollerer dokumentene", index, len(ledere))
        return verdicts

    def render(self, leder: Leder, keep: bool = True) -> tuple[Verdict, list[Document]]:
        """The leader's documents; an agreement the privacy guard refuses is left out and named in `feil`.

        Without `keep`, the documents are filled in but not packed, and none are returned.
        """
        bok = self.bok
        agreement_ctx = agreement_context(bok, leder, self.today)
        appendix_ctx = appendix_context(bok, leder, self.today)
        agreement_tpl, appendix_tpl = self.templates.agreement_for(leder), self.templates.appendix
        inputs = [agreement_tpl, appendix_tpl] + ([bok.kommune.logo] if bok.kommune.logo else [])
        verdict = Verdict(leder, leader_folder(leder), len(agreement_ctx["oppdrag"]),
                          _basis(appendix_ctx, [self._file_hash(p) for p in inputs]),
                          advarsler=list(self._warnings.get(leder.ansattnr, [])))
        agreement, appendix = self._renderer(agreement_tpl), self._renderer(appendix_tpl)
        filled = agreement.fill(agreement_ctx)
        appendix_filled = appendix.fill(appendix_ctx)
        try:
            self.guard.check(text_of(filled), leder)
        except PrivacyViolation as exc:
            verdict.feil.append(str(exc))
        if not keep:
            return verdict, []
        documents = []
        if not verdict.feil:
            data = agreement.pack(filled, agreement_ctx, document_properties(AVTALE, bok, leder))
            documents.append(Document(AVTALE, True, file_stem(AVTALE, bok, leder), data))
        data = appendix.pack(appendix_filled, appendix_ctx, document_properties(VEDLEGG, bok, leder))
        documents.append(Document(VEDLEGG, False, file_stem(VEDLEGG, bok, leder), data))
        return verdict, documents

    def _renderer(self, path: Path) -> DocxRenderer:
        if path not in self._renderers:
            self._renderers[path] = DocxRenderer(self.templates.prepared(path), self.env, self.bok.kommune.logo)
        return self._renderers[path]

    def _file_hash(self, path: Path) -> str:
        if path not in self._hashes:
            self._hashes[path] = sha256_file(path)
        return self._hashes[path]


class FollowUpBatch(Batch):
    """The follow-up documents: one public document per leader, from the agreement's context.

    The appendix context is never used, so no development goal can reach the document; the
    privacy guard still reads every filled-in document, since a template HR has edited (or a
    goal copied into an assignment's text) could bring one in.
    """

    def render(self, leder: Leder, keep: bool = True) -> tuple[Verdict, list[Document]]:
        bok = self.bok
        context = agreement_context(bok, leder, self.today)
        template = self.templates.followup
        inputs = [template] + ([bok.kommune.logo] if bok.kommune.logo else [])
        verdict = Verdict(leder, leader_folder(leder), len(context["oppdrag"]),
                          _basis(context, [self._file_hash(p) for p in inputs]),
                          advarsler=list(self._warnings.get(leder.ansattnr, [])))
        renderer = self._renderer(template)
        filled = renderer.fill(context)
        try:
            self.guard.check(text_of(filled), leder, ("oppfølgingsdokumentet", "Dokumentet"))
        except PrivacyViolation as exc:
            verdict.feil.append(str(exc))
        if not keep or verdict.feil:
            return verdict, []
        data = renderer.pack(filled, context, document_properties(OPPFOLGING, bok, leder))
        return verdict, [Document(OPPFOLGING, True, file_stem(OPPFOLGING, bok, leder), data)]


def _plain(value):
    # A measure is a dataclass (its text and its extra columns); both count.
    return asdict(value) if is_dataclass(value) else str(value)


def _basis(context: dict, file_hashes: list[str]) -> str:
    """A fingerprint of everything a leader's documents are made from (not the date of the run).

    For the agreements, the appendix context: it holds all of the agreement's, plus the goals.
    """
    data = {k: v for k, v in context.items() if k != "dato"}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=_plain, ensure_ascii=False).encode())
    digest.update(__version__.encode())
    for file_hash in file_hashes:
        digest.update(file_hash.encode())
    return digest.hexdigest()
