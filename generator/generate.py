"""`generer`: workbook → validated model → contexts → .docx (→ PDF/A) → manifest and report.

Every document is rendered in memory before anything is written, so a template that fails
for any leader stops the run with nothing written. Writing then goes leader by leader, with
the manifest saved after each one, so an interrupted run is completed by running it again.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from . import __version__
from .context import agreement_context, appendix_context, babel_locale
from .exceptions import InvalidInput, LederavtaleError, PartialFailure, PrivacyViolation, TemplateError
from .model import Arbeidsbok, Leder, Problem
from .output import (
    REPORT_NAME,
    FileEntry,
    LeaderEntry,
    Manifest,
    RunLock,
    atomic_write_bytes,
    remove_stale_temp_files,
    safe_filename,
    sha256_bytes,
    sha256_file,
    write_report,
)
from .render import DocxRenderer, TemplateSet, make_jinja_env
from .workbook import read_workbook

Progress = Callable[[str, int, int], None]

# Goal texts shorter than this ("Høst", "Samtale i juni") occur naturally in agreements.
GUARD_MIN_LENGTH = 20

STATUS_NEW = "ny"
STATUS_UPDATED = "oppdatert"
STATUS_UNCHANGED = "uendret"
STATUS_EDITED = "endret av en person – ikke overskrevet"
STATUS_BACKED_UP = "endret av en person – overskrevet, kopi tatt"
STATUS_FAILED = "feilet"
STATUS_NOT_SELECTED = "ikke med i denne kjøringen"
STATUS_REMOVED = "ikke lenger i arbeidsboken – filene er beholdt"


class Interrupted(LederavtaleError):
    exit_code = 130


@dataclass
class Document:
    rolle: str  # "avtale" or "vedlegg"
    offentlig: bool
    filename: str  # without extension
    docx: bytes


@dataclass
class LeaderResult:
    leder: Leder
    mappe: str
    antall_oppdrag: int
    status: str = STATUS_UNCHANGED
    filer: list[str] = field(default_factory=list)
    feil: list[str] = field(default_factory=list)
    advarsler: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)


@dataclass
class GenerateResult:
    year_dir: Path
    leaders: list[LeaderResult]
    warnings: list[Problem]
    removed: list[LeaderEntry]  # in the manifest, no longer in the workbook

    @property
    def failures(self) -> list[str]:
        return [f"{r.leder.ansattnr} {r.leder.navn}: {f}" for r in self.leaders for f in r.feil]

    @property
    def edited(self) -> list[LeaderResult]:
        return [r for r in self.leaders if r.status == STATUS_EDITED]


def select_leaders(bok: Arbeidsbok, ledere=(), enhet: str | None = None) -> list[Leder]:
    problems = []
    known = {leder.ansattnr: leder for leder in bok.ledere}
    for nr in ledere:
        if nr not in known:
            problems.append(Problem("--leder", f"«{nr}» finnes ikke i arket Ledere"))
        elif not known[nr].avtale:
            problems.append(Problem("--leder", f"«{nr}» har Avtale=nei og får ingen avtale"))
    selected = [leder for leder in bok.avtaleledere() if not ledere or leder.ansattnr in ledere]
    if enhet:
        selected = [leder for leder in selected if leder.enhet.strip().casefold() == enhet.strip().casefold()]
        if not selected:
            problems.append(Problem("--enhet", f"ingen ledere med avtale i enheten «{enhet}»"))
    if problems:
        raise InvalidInput(problems, heading="Ugyldig utvalg. Ingenting er skrevet.")
    return selected


def file_stem(rolle: str, bok: Arbeidsbok, leder: Leder) -> str:
    ar = bok.kommune.periode.ar
    nynorsk = bok.kommune.malform == "nynorsk"
    if rolle == "avtale":
        return safe_filename(f"{'Leiaravtale' if nynorsk else 'Lederavtale'} {ar} - {leder.navn}", 120)
    exempt = "unnateke offentlegheit" if nynorsk else "unntatt offentlighet"
    return safe_filename(f"Utviklingsmål {ar} - {leder.navn} ({exempt})", 120)


def document_properties(rolle: str, bok: Arbeidsbok, leder: Leder) -> dict:
    """Title, subject and author of the .docx, which LibreOffice carries into the PDF."""
    ar = bok.kommune.periode.ar
    language = "nn-NO" if bok.kommune.malform == "nynorsk" else "nb-NO"
    if rolle == "avtale":
        return {"language": language, "title": f"Lederavtale {ar} – {leder.navn}", "subject": f"Lederavtale {ar}, {leder.enhet}",
                "author": bok.kommune.navn, "keywords": "lederavtale"}
    return {"language": language, "title": f"Personlige utviklingsmål {ar} – {leder.navn}",
            "subject": f"Unntatt offentlighet, {bok.kommune.skjermingshjemmel}",
            "author": bok.kommune.navn, "keywords": "unntatt offentlighet"}


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def privacy_guard(bok: Arbeidsbok, leder: Leder, public_text: str) -> None:
    """Last line of defence: a public document must not contain the leader's development goals.

    The message names the leader and the cells, never the goal's text.
    """
    haystack = _normalise(public_text)
    for goal in bok.utviklingsmal_for(leder):
        for text in (goal.mal, goal.tiltak, goal.oppfolging):
            needle = _normalise(text)
            if len(needle) >= GUARD_MIN_LENGTH and needle in haystack:
                sources = [f"Tiltak rad {t.rad}" for t in bok.tiltak if t.ansattnr == leder.ansattnr and needle in _normalise(t.tekst)]
                sources += [f"Oppdrag rad {o.rad}" for o in bok.oppdrag_for(leder) if needle in _normalise(" ".join(
                    (o.tekst, o.mal, o.malemetode, o.utgangspunkt)))]
                where = f" (samme tekst står i {', '.join(sources)})" if sources else ""
                raise PrivacyViolation(
                    f"Personvernsperre: lederavtalen inneholder tekst fra utviklingsmålet i "
                    f"Utviklingsmål rad {goal.rad}{where}. Avtalen er ikke skrevet; rett arbeidsboken og kjør på nytt."
                )


def _basis(appendix: dict, file_hashes: list[str]) -> str:
    """A fingerprint of everything a leader's documents are made from (not the date of the run).

    The appendix context holds all of the agreement's, plus the goals.
    """
    data = {k: v for k, v in appendix.items() if k != "dato"}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode())
    digest.update(__version__.encode())
    for file_hash in file_hashes:
        digest.update(file_hash.encode())
    return digest.hexdigest()


@dataclass
class _Plan:
    result: LeaderResult
    basis: str
    documents: list[Document]


def _render_all(bok, selected, templates: TemplateSet, today, progress: Progress | None) -> list[_Plan]:
    env = make_jinja_env(autoescape=True, locale=babel_locale(bok.kommune))
    renderers: dict[Path, DocxRenderer] = {}
    hashes: dict[Path, str] = {}

    def file_hash(path: Path) -> str:
        if path not in hashes:
            hashes[path] = sha256_file(path)
        return hashes[path]

    def renderer(path: Path) -> DocxRenderer:
        if path not in renderers:
            renderers[path] = DocxRenderer(path, env, bok.kommune.logo)
        return renderers[path]

    plans = []
    for index, leder in enumerate(selected, 1):
        agreement_ctx = agreement_context(bok, leder, today)
        appendix_ctx = appendix_context(bok, leder, today)
        agreement_tpl, appendix_tpl = templates.agreement_for(leder), templates.appendix
        result = LeaderResult(leder, safe_filename(f"{leder.ansattnr} {leder.navn}"), len(agreement_ctx["oppdrag"]))
        result.advarsler = [p.message for p in bok.warnings if _concerns(p, leder)]
        documents = []
        data, text = renderer(agreement_tpl).render_with_text(agreement_ctx, document_properties("avtale", bok, leder))
        try:
            privacy_guard(bok, leder, text)
            documents.append(Document("avtale", True, file_stem("avtale", bok, leder), data))
        except PrivacyViolation as exc:
            result.feil.append(str(exc))
            result.status = STATUS_FAILED
        data = renderer(appendix_tpl).render(appendix_ctx, document_properties("vedlegg", bok, leder))
        documents.append(Document("vedlegg", False, file_stem("vedlegg", bok, leder), data))
        inputs = [agreement_tpl, appendix_tpl] + ([bok.kommune.logo] if bok.kommune.logo else [])
        plans.append(_Plan(result, _basis(appendix_ctx, [file_hash(p) for p in inputs]), documents))
        if progress:
            progress("Lager Word-dokumenter", index, len(selected))
    return plans


def _concerns(problem: Problem, leder: Leder) -> bool:
    """A warning about this leader's row in Ledere (`Ledere!F7`, `Ledere rad 7`)."""
    match = re.fullmatch(r"Ledere(?:![A-Z]+| rad )(\d+)", problem.place)
    return bool(match) and int(match.group(1)) == leder.rad


def _backup_name(path: Path, today: date) -> Path:
    candidate = path.with_name(f"{path.stem} (endret {today.isoformat()}){path.suffix}")
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} (endret {today.isoformat()} {counter}){path.suffix}")
        counter += 1
    return candidate


def _write_leader(plan: _Plan, year_dir: Path, manifest: Manifest, overskriv: bool, today: date, converter) -> None:
    result, leder = plan.result, plan.result.leder
    previous = manifest.ledere.get(leder.ansattnr)
    entry = manifest.ledere.setdefault(leder.ansattnr, LeaderEntry(leder.ansattnr, leder.navn, result.mappe))
    entry.navn, entry.mappe = leder.navn, result.mappe
    unchanged_basis = previous is not None and previous.grunnlag == plan.basis
    wrote_any = False
    for doc in plan.documents:
        rel = f"{result.mappe}/{doc.filename}.docx"
        path = year_dir / rel
        recorded = entry.file(doc.rolle, "docx")
        on_disk = sha256_file(path) if path.exists() else None
        edited = on_disk is not None and (recorded is None or recorded.sti != rel or on_disk != recorded.sha256)
        if edited and not overskriv:
            result.status = STATUS_EDITED
            result.filer.append(rel)
            continue
        if edited:
            backup = _backup_name(path, today)
            shutil.copy2(path, backup)
            result.backups.append(backup.name)
            result.status = STATUS_BACKED_UP
        pdf_rel = f"{result.mappe}/{doc.filename}.pdf"
        pdf_recorded = entry.file(doc.rolle, "pdf")
        pdf_current = (pdf_recorded is not None and pdf_recorded.sti == pdf_rel and (year_dir / pdf_rel).exists()
                       and sha256_file(year_dir / pdf_rel) == pdf_recorded.sha256)
        if on_disk is not None and not edited and unchanged_basis:
            result.filer.append(rel)  # same data, same template: nothing to do
        else:
            atomic_write_bytes(path, doc.docx)
            entry.set_file(FileEntry(rel, doc.rolle, "docx", doc.offentlig, sha256_bytes(doc.docx)))
            wrote_any, pdf_current = True, False
            result.filer.append(rel)
        if converter is not None and not pdf_current:
            converter.submit(path, year_dir / pdf_rel)
        elif converter is not None:
            result.filer.append(pdf_rel)
    if wrote_any and result.status == STATUS_UNCHANGED:
        result.status = STATUS_UPDATED if previous else STATUS_NEW
    entry.grunnlag = plan.basis if result.status != STATUS_EDITED else (previous.grunnlag if previous else "")
    manifest.save_leader(leder.ansattnr)


def _record_pdf(manifest: Manifest, year_dir: Path, by_docx: dict, conversion) -> None:
    result, doc = by_docx[conversion.docx]
    if conversion.ok:
        rel = conversion.pdf.relative_to(year_dir).as_posix()
        manifest.update(result.leder.ansattnr, FileEntry(rel, doc.rolle, "pdf", doc.offentlig, sha256_file(conversion.pdf)))
        result.filer.append(rel)
    else:
        result.feil.append(f"PDF av «{conversion.docx.name}» feilet: {conversion.feil}")
        result.status = STATUS_FAILED


def prepare(workbook: Path, maler: Path | None = None, ledere=(), enhet: str | None = None,
            today: date | None = None, progress: Progress | None = None,
            alle_maler: bool = False) -> tuple[Arbeidsbok, list[_Plan]]:
    """Read and validate everything and render every document in memory; nothing is written.

    This is all of `sjekk`, and the first half of `generer`. `alle_maler` (for `sjekk`) also
    checks the templates no leader uses and `epost.txt`.
    """
    bok = read_workbook(Path(workbook))
    selected = select_leaders(bok, tuple(ledere), enhet)
    templates = TemplateSet(bok, maler)
    problems = templates.problems(selected)
    if problems:
        raise TemplateError(problems)
    # Points at the paragraph or table cell of a broken tag; the renderer's own errors stay the backstop.
    from .template_check import check_templates

    problems = check_templates(bok, templates, selected, today or date.today(), every=alle_maler)
    if problems:
        raise TemplateError(problems)
    return bok, _render_all(bok, selected, templates, today or date.today(), progress)


def generate(
    workbook: Path,
    maler: Path | None = None,
    ut: Path = Path("output"),
    ledere=(),
    enhet: str | None = None,
    pdf: bool = True,
    overskriv: bool = False,
    jobber: int | None = None,
    soffice: str | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> GenerateResult:
    today = today or date.today()
    if pdf:
        from .pdf import find_soffice

        soffice = find_soffice(soffice)  # fail before any work when LibreOffice is missing
    bok, plans = prepare(workbook, maler, ledere, enhet, today, progress)

    year_dir = Path(ut) / str(bok.kommune.periode.ar)
    with RunLock(year_dir):
        remove_stale_temp_files(year_dir)
        manifest = Manifest.load(year_dir)
        manifest.ar, manifest.kommune, manifest.arbeidsbok = bok.kommune.periode.ar, bok.kommune.navn, Path(workbook).name
        by_docx = {}
        done = 0
        try:
            converter = _open_converter(pdf, jobber, soffice, lambda c: _record_pdf(manifest, year_dir, by_docx, c))
            with converter or nullcontext():
                for plan in plans:
                    for doc in plan.documents:
                        by_docx[year_dir / plan.result.mappe / f"{doc.filename}.docx"] = (plan.result, doc)
                    _write_leader(plan, year_dir, manifest, overskriv, today, converter)
                    done += 1
                    if progress:
                        progress("Skriver dokumenter", done, len(plans))
                if converter is not None:
                    converter.wait()
        except OSError as exc:
            # A full disk or a folder without write access: what was finished is recorded.
            raise LederavtaleError(
                f"Kunne ikke skrive «{exc.filename or year_dir}»: {exc.strerror or exc}. "
                f"{done} av {len(plans)} ledere var ferdige; ingen halvskrevne filer er lagt igjen. "
                "Rett feilen og kjør samme kommando igjen."
            ) from exc
        except KeyboardInterrupt:
            raise Interrupted(
                f"Avbrutt. {done} av {len(plans)} ledere var ferdige med Word-dokumentene. "
                "Kjør samme kommando igjen for å fullføre; ferdige dokumenter lages ikke på nytt."
            ) from None
        manifest.save()
        current = {leder.ansattnr for leder in bok.ledere}
        removed = [entry for nr, entry in manifest.ledere.items() if nr not in current]
        results = [p.result for p in plans]
        _write_run_report(year_dir, bok, results, removed)
    return GenerateResult(year_dir, results, bok.warnings, removed)


def _open_converter(pdf: bool, jobber, soffice, on_done):
    if not pdf:
        return None
    from .pdf import PdfConverter

    return PdfConverter(jobber=jobber, soffice=soffice, on_done=on_done)


def _write_run_report(year_dir: Path, bok: Arbeidsbok, results: list[LeaderResult], removed: list[LeaderEntry]) -> None:
    headers = ["Ansattnr", "Navn", "Enhet", "Antall oppdrag", "Status", "Filer", "Advarsler og feil"]
    by_nr = {r.leder.ansattnr: r for r in results}
    rows = []
    for leder in bok.avtaleledere():
        r = by_nr.get(leder.ansattnr)
        if r is None:
            rows.append([leder.ansattnr, leder.navn, leder.enhet, len(bok.tildeling.get(leder.ansattnr, [])), STATUS_NOT_SELECTED, "", ""])
            continue
        notes = r.advarsler + r.feil + [f"Kopi av endret fil: {b}" for b in r.backups]
        rows.append([leder.ansattnr, leder.navn, leder.enhet, r.antall_oppdrag, r.status, "\n".join(sorted(set(r.filer))), "\n".join(notes)])
    for entry in removed:
        rows.append([entry.ansattnr, entry.navn, "", "", STATUS_REMOVED, "\n".join(f.sti for f in entry.filer), ""])
    write_report(year_dir / REPORT_NAME, headers, rows)


def raise_for_failures(result: GenerateResult) -> None:
    if result.failures:
        raise PartialFailure(result.failures, heading="Ferdig, men noen dokumenter feilet (de andre er komplette):")
