"""`innlevert`: Word files edited in the leader conversation come back into the year folder.

Each file is matched to its leader and kind (documents.returned), never guessed. The server's file
it replaces is kept as a copy beside it, as `generer --overskriv` keeps one, and the manifest records
the new file as handed in: it counts as a person's edit from then on, so `generer` never overwrites
it without being told. The draft PDF follows the new .docx, and `signering` makes the copy for
signing from it. A document that is already signed is not replaced: the signed copy is the truth.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..documents.identity import pdf_edit
from ..documents.pdf import DRAFT_MARK
from ..documents.privacy import PrivacyGuard
from ..documents.placeholders import placeholders_left
from ..documents.returned import MAX_UNPACKED, WORD_SUFFIX, ZIP_SUFFIX, Match, Unmatched, changes, gather, match
from ..documents.writing import keep_copy
from ..exceptions import LederavtaleError
from ..job import Job
from ..plural import antall
from ..progress import Progress, continued
from ..result import Item, Result
from ..signing.record import load_signed
from ..store.files import atomic_write_bytes, sha256_bytes, sha256_file
from ..store.lock import RunLock
from ..store.manifest import FileEntry, Manifest, load_generated
from ..store.year import YearFolder

TAKEN, SAME, REFUSED, FAILED = "levert inn", "uendret (lik filen på serveren)", "ikke tatt inn", "feilet"
FAILURE_HEADING = "Ferdig, men noen filer er ikke tatt inn (de andre er det):"


def _read(sources: list[Path]) -> tuple[list[tuple[str, bytes]], list[Unmatched]]:
    """(name, bytes) of the .docx and .zip files given, or found in a given folder; each bounded."""
    paths, refused = [], []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            paths += sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in (WORD_SUFFIX, ZIP_SUFFIX))
        elif source.is_file():
            paths.append(source)
        else:
            raise LederavtaleError(f"Finner ikke «{source}».")
    files = []
    for path in paths:
        if path.stat().st_size > MAX_UNPACKED:
            refused.append(Unmatched(path.name, f"større enn {MAX_UNPACKED // (1024 * 1024)} MB"))
            continue
        files.append((path.name, path.read_bytes()))
    return files, refused


def innlevert(job: Job, sources: list[Path], pdf: bool = True) -> Result:
    """Take the edited Word files in `sources` (files or folders; .docx, or .zip of them) into the year folder."""
    libreoffice = job.pdf.checked() if pdf else None  # fail before any work when LibreOffice is missing
    bok = job.bok
    year = job.year
    files, refused = _read(sources)
    returned, bad = gather(files)
    refused += bad
    if not returned and not refused:
        raise LederavtaleError("Fant ingen Word-filer (.docx) eller .zip-filer å levere inn. Ingenting er endret.")
    result = Result(failure_heading=FAILURE_HEADING, per_item=True)
    with RunLock(year.path):
        load_generated(year.path, job.workbook, "innlevert")
        manifest = Manifest.load(year.path)
        signed = load_signed(year.signert)
        matches, unmatched = match(bok, manifest.ledere, returned)
        refused += unmatched
        guard = PrivacyGuard(bok)
        converting: list[tuple[Match, Item, Path]] = []
        for m in matches:
            item, path = _take(m, year, manifest, signed, guard, job, result)
            result.items.append(item)
            if path is not None and libreoffice is not None:
                converting.append((m, item, path))
        _convert(converting, libreoffice, year, manifest, result, job.progress)
        manifest.save()
    result.failures += [str(u) for u in refused]
    taken = sum(1 for item in result.items if item.status == TAKEN)
    done = "Skrevet" if result.failures else "Ferdig"
    result.summary.append(f"{done}: {antall(taken, 'Word-fil', 'Word-filer')} levert inn. Kopiene til signering "
                          "lages fra dem.")
    return result.after("innlevert")


def _take(m: Match, year: YearFolder, manifest: Manifest, signed: dict, guard: PrivacyGuard, job: Job,
          result: Result) -> tuple[Item, Path | None]:
    """Put one matched file in place of the leader's .docx; its Item, and the path when a PDF is to follow."""
    leder, kind, data = m.leder, m.kind, m.returned.data
    entry = manifest.ledere[leder.ansattnr]
    docx = entry.file(kind.rolle, "docx")
    path = year.path / docx.sti
    item = Item(leder.ansattnr, leder.navn, TAKEN, [docx.sti], [f"Fra «{m.returned.name}»"
                                                               f"{'' if m.by_id else ' (koblet på filnavnet)'}."])
    copy = signed.get(leder.ansattnr)
    if copy is not None and copy.document(kind.rolle) is not None:
        item.status = REFUSED
        why = (f"{kind.navn[1]} er allerede signert, så den signerte kopien gjelder. Word-filen på serveren er ikke "
               "byttet.")
        item.notices.append(why)
        result.failures.append(f"{leder.ansattnr} {leder.navn}: «{m.returned.name}»: {why}")
        return item, None
    current = path.read_bytes() if path.is_file() else b""
    if current == data:
        item.status = SAME
        return item, None
    found = changes(current, data)
    # The appendix is exempt from public access: what changed in it is counted, never quoted.
    item.notices.append(f"Endringer mot filen på serveren: {found.summary()}.")
    if kind.public:
        item.notices += found.lines
        hits = guard.found("\n".join(found.lines))
        if hits:
            item.notices.append(f"Personvernsperre: {kind.navn[0]} har tekst fra utviklingsmålet i Utviklingsmål "
                                  f"rad {hits[0][0].rad}. Fjern den i Word og lever inn på nytt før avtalen signeres.")
    left = placeholders_left(data)
    if left:
        item.notices.append(f"Har fortsatt {antall(left, 'felt', 'felt')} som skal fylles ut; den kan ikke signeres "
                              "før de er fylt ut.")
    if path.is_file():
        item.notices.append(f"Filen som lå på serveren, er tatt vare på som «{keep_copy(path, job.today).name}».")
    _drop_pdf(year, manifest, entry.ansattnr, entry.file(kind.rolle, "pdf"), job, item)
    atomic_write_bytes(path, data)
    manifest.update(leder.ansattnr, replace(docx, innlevert=sha256_bytes(data)))
    return item, path


def _drop_pdf(year: YearFolder, manifest: Manifest, ansattnr: str, pdf: FileEntry | None, job: Job, item: Item) -> None:
    """The PDF of the replaced .docx no longer shows it: the tool's own goes, a person's is kept as a copy."""
    if pdf is None:
        return
    path = year.path / pdf.sti
    if path.is_file():
        if not manifest.owns(pdf, pdf.sti, sha256_file(path)):
            item.notices.append(f"PDF-en som var endret, er tatt vare på som «{keep_copy(path, job.today).name}».")
        path.unlink()
    manifest.forget(ansattnr, pdf.sti)


def _convert(converting: list[tuple[Match, Item, Path]], libreoffice, year: YearFolder, manifest: Manifest,
             result: Result, progress: Progress | None = None) -> None:
    """The draft PDFs of the new Word files, as `generer` makes them (the UTKAST mark where the kind has it)."""
    before = 0
    for draft in (True, False):
        batch = [(m, item, path) for m, item, path in converting if m.kind.draft == draft]
        if not batch:
            continue
        counted = continued(progress, before, len(converting))  # one converter per mark, one stage
        before += len(batch)
        with libreoffice.converter(watermark=DRAFT_MARK if draft else None) as converter:
            for m, item, path in batch:
                docx = manifest.ledere[m.leder.ansattnr].file(m.kind.rolle, "docx")
                # As `generer` does: a PDF a stopped run left is known as the tool's own.
                manifest.intend(year.relative(path.with_suffix(".pdf")), None)
                converter.submit(path, path.with_suffix(".pdf"), pdf_edit(docx.carried_id))
            for (m, item, path), done in zip(batch, converter.wait(counted)):
                if not done.ok:
                    item.status = FAILED
                    result.failures.append(f"{m.leder.ansattnr} {m.leder.navn}: PDF av «{path.name}» feilet: {done.feil}")
                    continue
                docx = manifest.ledere[m.leder.ansattnr].file(m.kind.rolle, "docx")
                rel = year.relative(done.pdf)
                manifest.update(m.leder.ansattnr, FileEntry(rel, m.kind.rolle, "pdf", m.kind.public,
                                                            sha256_file(done.pdf), docx.innlevert,
                                                            docx.dokument_id, kort_id=docx.kort_id))
                item.filer.append(rel)
