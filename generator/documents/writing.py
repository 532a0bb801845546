"""Writing a run's documents into the year folder, shared by `generer` and `oppfolging`.

Every document is rendered once before anything is written (`Batch.check`), so a template
that fails for any leader stops the run with nothing written. Writing then goes leader by
leader, with each finished leader journalled in the manifest, so an interrupted run is
completed by running it again. A file a person has changed since the tool wrote it is never
overwritten without --overskriv (and then only after a copy is taken); every write is atomic
and announced in the manifest's journal first, so a file an interrupted run left is known as
the tool's own.

A PDF counts only while it shows the .docx beside it: its manifest entry names the sha256 of
the .docx it was made from (`kilde`). A .docx about to be rewritten loses its PDF first, and
a run with PDFs makes every one that is missing or made from another .docx.

What differs between the commands is only which kinds of document a leader gets: a `Run` of
kinds (documents.kinds).
"""

from __future__ import annotations

import re
import shutil
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable

from ..exceptions import Interrupted, LederavtaleError
from ..result import Item, Result
from ..model import Arbeidsbok, Leder, Problem
from ..plural import antall
from ..store.files import atomic_write_bytes, remove_stale_temp_files, sha256_bytes, sha256_file
from ..store.lock import RunLock
from ..store.manifest import FileEntry, LeaderEntry, Manifest
from ..store.year import YearFolder
from ..workbook import open_in_excel
from .batch import Batch, Document, Verdict, prepare
from .identity import pdf_edit
from .kinds import AGREEMENTS, FOLLOW_UPS, Kind, Run  # the runs, which the commands take from here
from .naming import file_stem
from .pdf import DRAFT_MARK, PdfSettings
from .privacy import Leak, findings
from ..advice import advice

STATUS_NEW = "ny"
STATUS_UPDATED = "oppdatert"
STATUS_UNCHANGED = "uendret"
STATUS_EDITED = "endret av en person – ikke overskrevet"
STATUS_BACKED_UP = "endret av en person – overskrevet, kopi tatt"
STATUS_FAILED = "feilet"
FAILURE_HEADING = "Ferdig, men noen dokumenter feilet (de andre er komplette):"


@dataclass
class LeaderResult:
    leder: Leder
    mappe: str
    antall_oppdrag: int
    status: str = STATUS_UNCHANGED
    filer: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    endret: list[str] = field(default_factory=list)  # files a person changed, kept as they are, and why
    backups: list[str] = field(default_factory=list)
    # The public documents the privacy guard refused, one line each, and what it found in them. Kept apart
    # from `failures`: the run's failures say the findings once per leader whose goal shows, not per document.
    sperret: list[str] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)

    @property
    def notices(self) -> list[str]:
        """Everything to say about the leader's documents, as the run report shows it."""
        return (self.warnings + self.endret + self.sperret + self.failures
                + [f"Kopi av endret fil: {b}" for b in self.backups])

    def item(self) -> Item:
        return Item(self.leder.ansattnr, self.leder.navn, self.status, sorted(set(self.filer)), self.notices,
                    self.antall_oppdrag)


@dataclass
class WriteResult:
    year: YearFolder
    leaders: list[LeaderResult]
    warnings: list[Problem]
    removed: list[LeaderEntry]  # in the manifest, no longer in the workbook
    privacy: list[str] = field(default_factory=list)  # the privacy guard's findings, one line per goal's owner
    templates: list[str] = field(default_factory=list)  # templates taken from the tool's own (TemplateSet.notices)

    @property
    def failures(self) -> list[str]:
        return self.privacy + [f"{r.leder.ansattnr} {r.leder.navn}: {f}" for r in self.leaders for f in r.failures]

    @property
    def edited(self) -> list[LeaderResult]:
        return [r for r in self.leaders if r.status == STATUS_EDITED or r.endret]

    def result(self, where: str, notices: list[str] | None = None) -> Result:
        """The run as a job's `Result`: the leaders, what a person should know about their files
        (then the command's own `notices`), and one last line ending with `where`, the command's
        own file («Oversikt: …/rapport.xlsx»)."""
        found = list(self._notices()) + self.templates + list(notices or [])
        files = sum(len(set(r.filer)) for r in self.leaders)
        # «Ferdig» only when nothing failed, since the list of failures that follows begins «Ferdig, men …».
        done = "Skrevet" if self.failures else "Ferdig"
        summary = (f"{done}: {antall(len(self.leaders), 'leder', 'ledere')}, {antall(files, 'fil', 'filer')} "
                   f"i {self.year.path}. {where}")
        return Result(items=[r.item() for r in self.leaders], warnings=[str(w) for w in self.warnings],
                      notices=found, summary=[summary], failures=self.failures, failure_heading=FAILURE_HEADING)

    def _notices(self):
        """Documents edited by hand and kept, documents replaced after a copy, leaders gone."""
        edited = self.edited
        if edited:
            yield (f"Advarsel: {antall(len(edited), 'leder', 'ledere')} har dokumenter som er endret for hånd "
                   "etter forrige kjøring. "
                   f"De er ikke overskrevet ({advice('overskriv')} for å erstatte dem; en kopi tas vare på):")
        for r in edited:
            yield f"  {r.leder.ansattnr} {r.leder.navn}"
            for note in r.endret:
                yield f"    {note}"
        for r in self.leaders:
            if r.status == STATUS_BACKED_UP:
                yield f"Overskrevet etter kopi: {r.leder.ansattnr} {r.leder.navn} ({', '.join(r.backups)})"
        for entry in self.removed:
            yield f"Merk: {entry.ansattnr} {entry.navn} er ikke lenger i arbeidsboken; filene er beholdt."


_BACKUP = re.compile(r" \(endret \d{4}-\d{2}-\d{2}(?: \d+)?\)$")


def backups(year_dir: Path, entry: LeaderEntry) -> list[Path]:
    """The copies kept of the leader's files before something replaced them (`_backup_name`), newest first."""
    folder = year_dir / entry.mappe
    stems = {Path(f.sti).stem for f in entry.filer if not f.fase}
    found = [p for p in folder.glob("* (endret *)*") if p.is_file()
             and _BACKUP.search(p.stem) and _BACKUP.sub("", p.stem) in stems] if folder.is_dir() else []
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def _backup_name(path: Path, today: date) -> Path:
    """`<name> (endret <date>).<ext>` beside `path`, or the first of `… <date> 2`, `… 3`, … not taken."""
    candidate = path.with_name(f"{path.stem} (endret {today.isoformat()}){path.suffix}")
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} (endret {today.isoformat()} {counter}){path.suffix}")
        counter += 1
    return candidate


@dataclass
class _Written:
    """A .docx handed to the converter: whose it is, for recording its PDF."""

    result: LeaderResult
    kind: Kind
    kilde: str  # the .docx's sha256, which the PDF is made from
    dokument_id: str  # the .docx's full document ID, the record
    kort_id: str  # the short ID the .docx carries, which the PDF carries in its XMP too


def _edited(year_dir: Path, manifest: Manifest, recorded: FileEntry | None, rel: str) -> bool:
    """A file on disk that is not as this tool left it: a person has changed (or signed) it."""
    path = year_dir / rel
    return path.exists() and not manifest.owns(recorded, rel, sha256_file(path))


def keep_copy(path: Path, today: date) -> Path:
    """A copy of a file a person changed, taken before the tool writes over it; its path."""
    backup = _backup_name(path, today)
    shutil.copy2(path, backup)
    return backup


def _back_up(path: Path, today: date, result: LeaderResult) -> None:
    result.backups.append(keep_copy(path, today).name)
    result.status = STATUS_BACKED_UP


def _write_leader(run: Run, verdict: Verdict, result: LeaderResult, batch: Batch, year_dir: Path,
                  manifest: Manifest, overskriv: bool, today: date, converter, written: dict[Path, _Written]) -> None:
    leder = verdict.leder
    previous = manifest.ledere.get(leder.ansattnr)
    left_behind = _left_behind(previous, result, year_dir, manifest, overskriv)
    if left_behind is None:
        return  # renamed, with edited files in the old folder: nothing is touched
    entry = manifest.ledere.setdefault(leder.ansattnr, LeaderEntry(leder.ansattnr, leder.navn, result.mappe))
    entry.navn, entry.mappe = leder.navn, result.mappe
    unchanged_basis = previous is not None and previous.basis(run.basis_key) == verdict.basis and not left_behind
    rendered: dict[str, Document] = {}

    def docx(kind: Kind) -> Document:
        # Rendered again only now that it is known to be written; the check pass kept no bytes.
        if not rendered:
            rendered.update({doc.rolle: doc for doc in batch.render(leder)[1]})
        return rendered[kind.rolle]

    wrote_any = False
    for kind in run.written(bool(verdict.failures)):
        rolle = kind.rolle
        filename = file_stem(kind, batch.bok, leder)
        rel, pdf_rel = f"{result.mappe}/{filename}.docx", f"{result.mappe}/{filename}.pdf"
        path, pdf_path = year_dir / rel, year_dir / pdf_rel
        recorded, pdf_recorded = entry.file(rolle, "docx"), entry.file(rolle, "pdf")
        pdf_edited = _edited(year_dir, manifest, pdf_recorded, pdf_rel)
        # Without PDFs this run never writes a PDF, so an edited one does not hold the .docx back.
        edited = [p for p, is_edited in ((rel, _edited(year_dir, manifest, recorded, rel)),
                                         (pdf_rel, pdf_edited and converter is not None)) if is_edited]
        if edited and not overskriv:
            result.status = STATUS_EDITED
            result.filer.append(rel)
            result.endret += [f"endret for hånd etter forrige kjøring, ikke overskrevet: {p}" for p in edited]
            continue
        for p in edited:
            _back_up(year_dir / p, today, result)
        pdf_theirs = pdf_edited and pdf_rel not in edited  # a person's PDF, and no copy of it taken
        if path.exists() and rel not in edited and unchanged_basis and recorded is not None and recorded.sti == rel:
            source, dokument_id, kort_id = sha256_file(path), recorded.dokument_id, recorded.kort_id
            result.filer.append(rel)  # same data, same template: nothing to do
        else:
            document = docx(kind)
            data, dokument_id, kort_id = document.docx, document.dokument_id, document.kort_id
            source = sha256_bytes(data)
            # The old PDF shows the old text: it goes before the new .docx exists, so that no
            # crash in between leaves it beside a .docx it does not match, vouched for.
            _drop_pdf(year_dir, manifest, entry, rolle, pdf_rel, pdf_theirs, result)
            manifest.intend(rel, source)
            atomic_write_bytes(path, data)
            entry.set_file(FileEntry(rel, rolle, "docx", kind.public, source, dokument_id=dokument_id, kort_id=kort_id))
            wrote_any = True
            result.filer.append(rel)
        if _pdf_current(entry, rolle, pdf_rel, pdf_path, source, path):
            if converter is not None:
                result.filer.append(pdf_rel)
        elif not pdf_theirs:
            # Made from another .docx, or a run stopped before recording it: the tool's own,
            # so it is made again (or, without PDFs, removed rather than left as if current).
            _drop_pdf(year_dir, manifest, entry, rolle, pdf_rel, False, result)
            if converter is not None:
                written[path] = _Written(result, kind, source, dokument_id, kort_id)
                manifest.intend(pdf_rel, None)
                converter.submit(path, pdf_path, pdf_edit(kort_id or dokument_id))
    if wrote_any and result.status == STATUS_UNCHANGED:
        result.status = STATUS_UPDATED if previous else STATUS_NEW
    if result.status != STATUS_EDITED:
        _clear_old_folder(left_behind, entry, year_dir, today, result)
    entry.set_basis(run.basis_key, verdict.basis if result.status != STATUS_EDITED
                    else (previous.basis(run.basis_key) if previous else ""))
    manifest.save_leader(leder.ansattnr)


def _pdf_current(entry: LeaderEntry, rolle: str, pdf_rel: str, pdf_path: Path, source: str, docx_path: Path) -> bool:
    """Whether the PDF on disk is the tool's, as recorded, and made from the .docx whose sha256 is `source`."""
    pdf = entry.file(rolle, "pdf")
    if pdf is None or pdf.sti != pdf_rel or not pdf_path.exists() or sha256_file(pdf_path) != pdf.sha256:
        return False
    if pdf.kilde:
        return pdf.kilde == source
    # A manifest from before PDFs named their source: LibreOffice wrote a PDF made from this
    # .docx after the .docx, so an older one was made from an earlier .docx. Once trusted,
    # the PDF gets its source recorded.
    if pdf_path.stat().st_mtime < docx_path.stat().st_mtime:
        return False
    entry.set_file(replace(pdf, kilde=source))
    return True


def _drop_pdf(year_dir: Path, manifest: Manifest, entry: LeaderEntry, rolle: str, pdf_rel: str, theirs: bool,
              result: LeaderResult) -> None:
    """The PDF beside a .docx stops counting: the tool's own goes from the disk, then from the manifest.

    In that order, so that a crash in between never leaves a PDF nobody vouches for, which
    the next run would take for a person's. A person's PDF (`theirs`) stays on the disk.
    """
    pdf_path = year_dir / pdf_rel
    if theirs:
        result.endret.append(f"{pdf_rel} er endret for hånd og er beholdt, men Word-filen er laget på nytt, "
                                f"så PDF-en viser ikke lenger dokumentet. {advice('overskriv_pdf')} for å lage den "
                                "på nytt (en kopi tas vare på).")
    else:
        pdf_path.unlink(missing_ok=True)
    recorded = entry.file(rolle, "pdf")
    # A PDF in a renamed leader's old folder is left to `_clear_old_folder`.
    if recorded is not None and recorded.sti == pdf_rel:
        manifest.forget(entry.ansattnr, pdf_rel)


def _left_behind(previous: LeaderEntry | None, result: LeaderResult, year_dir: Path, manifest: Manifest,
                 overskriv: bool) -> list[tuple[FileEntry, bool]] | None:
    """A renamed leader's files in the old folder, each with whether a person has edited it.

    None when an edited file would be left behind and --overskriv is not given: the leader
    is then reported and nothing is written, so the manifest, `epost` and `arkiv` keep
    using the edited documents.
    """
    if previous is None or previous.mappe == result.mappe:
        return []
    found = [(f, _edited(year_dir, manifest, f, f.sti)) for f in previous.filer
             if f.sti.split("/")[0] == previous.mappe and (year_dir / f.sti).exists()]
    edited = [f.sti for f, is_edited in found if is_edited]
    if edited and not overskriv:
        result.status = STATUS_EDITED
        result.filer += edited
        result.endret.append(
            f"navnet er endret, men {', '.join(edited)} er endret for hånd og ligger i den gamle mappen "
            f"«{previous.mappe}»; ingenting er skrevet for lederen. {advice('overskriv')} for å lage nye dokumenter "
            "(de endrede flyttes da til den nye mappen som kopi).")
        return None
    return found


def _clear_old_folder(left_behind: list[tuple[FileEntry, bool]], entry: LeaderEntry, year_dir: Path, today: date,
                      result: LeaderResult) -> None:
    """After a rename: the tool's own old files go, edited ones move beside the new documents as copies."""
    for old, is_edited in left_behind:
        path = year_dir / old.sti
        if is_edited:
            backup = _backup_name(year_dir / entry.mappe / path.name, today)
            shutil.move(path, backup)
            result.backups.append(backup.name)
            result.status = STATUS_BACKED_UP
        else:
            path.unlink(missing_ok=True)
        entry.filer = [f for f in entry.filer if f.sti != old.sti]
    folders = {(year_dir / old.sti).parent for old, _ in left_behind}
    for folder in folders:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _check_space(run: Run, year_dir: Path, manifest: Manifest, verdicts: list[Verdict], pdf: bool) -> None:
    """Stop before the first file when the disk clearly cannot hold the documents about to change."""
    changing = sum(1 for v in verdicts
                   if (e := manifest.ledere.get(v.leder.ansattnr)) is None or e.basis(run.basis_key) != v.basis)
    need, free = changing * run.space_per_leader(pdf), shutil.disk_usage(year_dir).free
    if need > free:
        raise LederavtaleError(
            f"For lite ledig plass der dokumentene skal skrives («{year_dir}»): {free / 1e6:.0f} MB ledig, men "
            f"om lag {need / 1e6:.0f} MB trengs for {changing} ledere. Frigjør plass og kjør igjen. "
            "Ingenting er skrevet.")


def _record_pdf(manifest: Manifest, year_dir: Path, written: dict[Path, _Written], conversion) -> None:
    doc = written.pop(conversion.docx)
    result = doc.result
    if conversion.ok:
        rel = conversion.pdf.relative_to(year_dir).as_posix()
        manifest.update(result.leder.ansattnr,
                        FileEntry(rel, doc.kind.rolle, "pdf", doc.kind.public, sha256_file(conversion.pdf), doc.kilde,
                                  doc.dokument_id, kort_id=doc.kort_id))
        result.filer.append(rel)
    else:
        result.failures.append(f"PDF av «{conversion.docx.name}» feilet: {conversion.feil}")
        result.status = STATUS_FAILED


# What a command adds once every document is written, under the same lock: its report, its status workbook.
Finish = Callable[[YearFolder, Arbeidsbok, list[LeaderResult], list[LeaderEntry]], None]


def run(job, kind: Run, ledere=(), enhet: str | None = None, pdf: bool = True,
        overskriv: bool = False, finish: Finish | None = None) -> WriteResult:
    """A whole run of the kinds in `kind`: check LibreOffice, the workbook and the templates, render every
    document once (nothing is written if any fails), then write them, and say what was done.

    `job` is the command's `job.Job`, not imported here: job.py stands above documents/ (a Job
    holds a TemplateSet and PdfSettings), and documents/ only reads its fields."""
    libreoffice = job.pdf.checked() if pdf else None  # fail before any work when LibreOffice is missing
    bok, selected, templates = prepare(job.workbook, job.maler, ledere, enhet, job.today,
                                       kinds=kind.kinds, bok=job.bok)
    batch = Batch(bok, templates, job.today, kind.kinds)
    verdicts = batch.check(selected, job.progress)
    return write_documents(job, kind, batch, verdicts, libreoffice, overskriv, finish)


def write_documents(job, kind: Run, batch: Batch, verdicts: list[Verdict],
                    libreoffice: PdfSettings | None, overskriv: bool, finish: Finish | None = None) -> WriteResult:
    """Write the verdicts' documents under the run lock; `finish` adds the command's own files
    (its report) once every document is written, before the lock is let go.

    `libreoffice` is None for a run without PDFs, and already checked otherwise.
    """
    bok, today, progress = batch.bok, job.today, job.progress
    results = []
    for verdict in verdicts:
        result = LeaderResult(verdict.leder, verdict.mappe, verdict.antall_oppdrag, warnings=list(verdict.warnings),
                              sperret=list(verdict.failures), leaks=list(verdict.leaks))
        if verdict.failures:
            result.status = STATUS_FAILED
        results.append(result)

    year = YearFolder.of(bok, job.ut)
    year_dir = year.path
    with RunLock(year_dir):
        remove_stale_temp_files(year_dir)
        manifest = Manifest.load(year_dir)
        manifest.ar, manifest.kommune, manifest.arbeidsbok = bok.kommune.periode.ar, bok.kommune.navn, Path(job.workbook).name
        batch.id_key = manifest.id_key()
        _check_space(kind, year_dir, manifest, verdicts, libreoffice is not None)
        written: dict[Path, _Written] = {}
        done = 0
        try:
            # The agreement and the appendix are drafts for a conversation until a person has filled
            # them in and signed: their PDFs carry the UTKAST mark (`arkiv` and `signering` make clean
            # PDFs of their own). The follow-up form is filled in and signed as it is (Kind.draft).
            converter = libreoffice.converter(lambda c: _record_pdf(manifest, year_dir, written, c),
                                              watermark=DRAFT_MARK if kind.draft else None) \
                if libreoffice is not None else None
            with converter or nullcontext():
                for verdict, result in zip(verdicts, results):
                    _write_leader(kind, verdict, result, batch, year_dir, manifest, overskriv, today, converter,
                                  written)
                    done += 1
                    if progress:
                        progress("Skriver dokumenter", done, len(verdicts))
                if converter is not None:
                    # A stage of its own after the .docx files (PDF_STAGE): the PDFs take most of the time.
                    converter.wait(progress)
            manifest.save()
            current = {leder.ansattnr for leder in bok.ledere}
            removed = [entry for nr, entry in manifest.ledere.items() if nr not in current]
            if finish is not None:
                finish(year, bok, results, removed)
        except OSError as exc:
            # A full disk or a folder without write access: what was finished is recorded.
            raise LederavtaleError(
                f"Kunne ikke skrive «{exc.filename or year_dir}»: {exc.strerror or exc}. "
                f"{done} av {len(verdicts)} ledere var ferdige; ingen halvskrevne filer er lagt igjen. "
                f"Rett feilen og {advice('igjen')}."
            ) from exc
        except KeyboardInterrupt:
            raise Interrupted(
                f"Avbrutt. {done} av {len(verdicts)} ledere var ferdige med Word-dokumentene. "
                f"{advice('igjen')} for å fullføre; ferdige dokumenter lages ikke på nytt."
            ) from None
    return WriteResult(year, results, open_in_excel(job.workbook) + bok.warnings, removed,
                       findings([leak for r in results for leak in r.leaks], bok), batch.templates.notices())
