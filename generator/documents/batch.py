"""A run's documents: each selected leader's documents of the run's kinds (the agreement and the
appendix, or the follow-up document), from one template set.

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
from ..exceptions import LederavtaleError, TemplateError
from ..model import Arbeidsbok, Leder
from ..progress import Progress
from ..store.files import sha256_file
from ..store.year import leader_folder
from ..workbook import read_workbook
from ..workbook.selection import select_leaders
from .check import check_templates
from .context import babel_locale
from .identity import DocumentId, InvalidDocumentId, format_id, make_id, new_key
from .jinja import make_jinja_env
from .kinds import AGREEMENTS, Kind
from .naming import document_properties, file_stem
from .privacy import Leak, PrivacyGuard
from .render import DocxRenderer
from .text import document_text
from .templates import TemplateSet


@dataclass
class Document:
    kind: Kind
    filename: str  # without extension
    docx: bytes
    dokument_id: str = ""  # documents.identity: the full ID, the manifest's record of which document it is
    kort_id: str = ""  # the short ID the document carries (footer, QR code, properties)

    @property
    def rolle(self) -> str:
        return self.kind.rolle


@dataclass
class Verdict:
    """What rendering one leader's documents showed, without the documents."""

    leder: Leder
    mappe: str  # the leader's folder in the year folder
    antall_oppdrag: int
    basis: str  # fingerprint of everything the documents are made from
    failures: list[str] = field(default_factory=list)  # a public document was refused (privacy guard), one line each
    warnings: list[str] = field(default_factory=list)  # the workbook's warnings about this leader
    # What the privacy guard found in the refused documents: a run says it per leader whose goal it is
    # (privacy.findings), not once per document.
    leaks: list[Leak] = field(default_factory=list)


def prepare(workbook: Path, maler: Path | None = None, ledere=(), enhet: str | None = None,
            today: date | None = None, alle_maler: bool = False,
            kinds: tuple[Kind, ...] = AGREEMENTS.kinds,
            bok: Arbeidsbok | None = None) -> tuple[Arbeidsbok, list[Leder], TemplateSet]:
    """Read and validate the workbook and check the kinds' templates; nothing is written.

    `alle_maler` (for `sjekk`) also checks the templates no leader uses and the e-mail texts.
    `bok` is the workbook already read as the command's job reads it (`Job.bok`: handed over by the
    web page, or read as uploaded); None, and it is read from `workbook` here.
    """
    if bok is None:
        bok = read_workbook(Path(workbook))
    selected = select_leaders(bok, tuple(ledere), enhet)
    templates = TemplateSet(bok, maler)
    problems = templates.problems(selected, kinds)
    if problems:
        raise TemplateError(problems)
    # Points at the paragraph or table cell of a broken tag; the renderer's own errors stay the backstop.
    today = today or date.today()
    problems = check_templates(bok, templates, selected, today, every=alle_maler, kinds=kinds)
    if problems:
        raise TemplateError(problems)
    return bok, selected, templates


class Batch:
    """Renders the kinds' documents. Each kind is filled from its own context; a public one is
    read by the privacy guard, and one the guard refuses is not written (named in `failures`)."""

    def __init__(self, bok: Arbeidsbok, templates: TemplateSet, today: date,
                 kinds: tuple[Kind, ...] = AGREEMENTS.kinds):
        self.bok = bok
        self.templates = templates
        self.today = today
        self.kinds = kinds
        self.env = make_jinja_env(autoescape=True, locale=babel_locale(bok.kommune))
        self.guard = PrivacyGuard(bok)
        # The year folder's secret for the short document IDs (store.manifest.Manifest.id_key), which the
        # writer sets before it renders the documents it keeps. Until then a key of this batch's own: a
        # document rendered outside a year folder still carries a short ID (never the full one with the
        # Ansattnr), one that no manifest knows.
        self.id_key: bytes = new_key()
        self._renderers: dict[tuple[Path, bool], DocxRenderer] = {}
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
        """The leader's documents, in the kinds' order; a public one the privacy guard refuses is
        left out (with every other public one) and named in `failures`.

        Without `keep`, the documents are filled in but not packed, and none are returned.
        """
        bok = self.bok
        contexts: dict = {}  # one per context builder: the agreement and the follow-up share one
        for kind in self.kinds:
            if kind.context not in contexts:
                contexts[kind.context] = kind.context(bok, leder, self.today)
        templates = [self.templates.path(kind, leder) for kind in self.kinds]
        inputs = templates + ([bok.kommune.logo] if bok.kommune.logo else [])
        everything: dict = {}
        for context in contexts.values():
            everything.update(context)  # the appendix's context holds all of the agreement's, plus the goals
        verdict = Verdict(leder, leader_folder(leder), len(everything["oppdrag"]),
                          _basis(everything, [self._file_hash(p) for p in inputs]),
                          warnings=list(self._warnings.get(leder.ansattnr, [])))
        filled = []
        for kind, template in zip(self.kinds, templates):
            renderer = self._renderer(template, kind.carries_id)
            document = renderer.fill(contexts[kind.context])
            # Read once: the privacy guard reads a public document's text, the document ID its body's.
            texts = {name: document_text(xml) for name, xml in document.items()} if kind.public else None
            filled.append((kind, renderer, document, texts))
            if kind.public:
                leaks = self.guard.leaks("\n".join(texts.values()), leder, kind.navn)
                if leaks:
                    verdict.failures.append(leaks[0].message())
                    verdict.leaks += leaks
        if not keep:
            return verdict, []
        documents = []
        for kind, renderer, document, texts in filled:
            if kind.public and verdict.failures:
                continue
            document_id = (document_id_of(bok, leder, kind, renderer.version(kind.rolle, document, texts),
                                          self.id_key) if kind.carries_id else None)
            data = renderer.pack(document, contexts[kind.context], document_properties(kind, bok, leder), document_id)
            documents.append(Document(kind, file_stem(kind, bok, leder), data,
                                      format_id(document_id) if document_id else "",
                                      document_id.short if document_id else ""))
        return verdict, documents

    def _renderer(self, path: Path, identity: bool) -> DocxRenderer:
        if (path, identity) not in self._renderers:
            self._renderers[path, identity] = DocxRenderer(self.templates.prepared(path), self.env,
                                                           self.bok.kommune.logo, identity=identity)
        return self._renderers[path, identity]

    def _file_hash(self, path: Path) -> str:
        if path not in self._hashes:
            self._hashes[path] = sha256_file(path)
        return self._hashes[path]


def document_id_of(bok: Arbeidsbok, leder: Leder, kind: Kind, version: str, key: bytes) -> DocumentId:
    """The ID of a leader's document of `kind` in the workbook's municipality and year, with the short ID
    it carries under the year folder's `key`."""
    try:
        return make_id(bok.kommune.navn, bok.kommune.organisasjonsnummer, bok.kommune.periode.ar, leder.ansattnr,
                       kind.rolle, version, key)
    except InvalidDocumentId as exc:
        raise LederavtaleError(f"Ledere rad {leder.rad} ({leder.ansattnr}): {exc}. Ingenting er skrevet.") from None


def _plain(value):
    # A measure is a dataclass (its text and its extra columns); both count.
    return asdict(value) if is_dataclass(value) else str(value)


def _basis(context: dict, file_hashes: list[str]) -> str:
    """A fingerprint of everything a leader's documents are made from (not the date of the run).

    `context` is every context the leader's documents are filled from, merged.
    """
    data = {k: v for k, v in context.items() if k != "dato"}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=_plain, ensure_ascii=False).encode())
    digest.update(__version__.encode())
    for file_hash in file_hashes:
        digest.update(file_hash.encode())
    return digest.hexdigest()
