"""Word files that come back after the leader conversation: whose document each one is, and what changed.

HR downloads a leader's .docx, the conversation edits it in Word, and the file comes back, one by one
or many in a .zip. Each file is matched to its leader and kind by the document ID Word keeps in its
custom properties (documents.identity: a short ID, looked up in the year folder's manifest, or the full ID
of a file made before short IDs); a file without one by its exact file name, as `generer` wrote
it. Nothing is guessed: a file that matches nothing, or more than one document, is listed with the
reason and left alone.

The files are bounded before they are read (a .zip may hold a million tiny entries or one that
unpacks to gigabytes), and read in memory: a name inside a .zip never becomes a path on the server.
"""

from __future__ import annotations

import difflib
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from lxml import etree

from ..model import Arbeidsbok, Leder
from ..store.manifest import LeaderEntry, issued_ids
from .identity import IdRegister, InvalidDocumentId, UnknownDocumentId, docx_id_text, same_owner
from .kinds import Kind, by_role

MAX_DOCX = 30 * 1024 * 1024  # one Word file, as uploaded or unpacked
MAX_MEMBERS = 500  # entries in one .zip
MAX_UNPACKED = 300 * 1024 * 1024  # all Word files of one .zip together
MAX_SHOWN = 12  # changed paragraphs listed per document; the rest are counted
WORD_SUFFIX = ".docx"
ZIP_SUFFIX = ".zip"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass
class Returned:
    name: str  # the file's name as HR knows it: «Lederavtale 2027 - Kari.docx», or «alle.zip: Kari.docx»
    data: bytes


@dataclass
class Match:
    returned: Returned
    leder: Leder
    kind: Kind
    by_id: bool  # matched by the document ID (else by the file name)


@dataclass
class Unmatched:
    name: str
    reason: str

    def __str__(self) -> str:
        return f"«{self.name}»: {self.reason}"


def _owner_file(name: str) -> bool:
    # Word's lock file beside an open document (~$avtale.docx) and macOS' resource forks in a .zip.
    base = name.rsplit("/", 1)[-1]
    return base.startswith("~$") or base.startswith("._") or name.startswith("__MACOSX/")


def gather(files: list[tuple[str, bytes]]) -> tuple[list[Returned], list[Unmatched]]:
    """The Word files among `files` (name, bytes), a .zip unpacked in memory; what is not one is listed."""
    found, refused = [], []
    for name, data in files:
        lower = name.lower()
        if _owner_file(name):
            continue
        if lower.endswith(ZIP_SUFFIX):
            more, bad = _unzip(name, data)
            found += more
            refused += bad
        elif lower.endswith(WORD_SUFFIX):
            if len(data) > MAX_DOCX:
                refused.append(Unmatched(name, f"større enn {MAX_DOCX // (1024 * 1024)} MB"))
            else:
                found.append(Returned(name, data))
        else:
            refused.append(Unmatched(name, "ikke en Word-fil (.docx) eller en .zip med Word-filer"))
    return found, refused


def _unzip(name: str, data: bytes) -> tuple[list[Returned], list[Unmatched]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], [Unmatched(name, "en .zip-fil som ikke kan åpnes")]
    if len(members) > MAX_MEMBERS:
        return [], [Unmatched(name, f"har {len(members)} filer; høyst {MAX_MEMBERS} i én .zip")]
    words = [m for m in members if m.filename.lower().endswith(WORD_SUFFIX) and not _owner_file(m.filename)]
    # The sizes the .zip claims are checked first, and every read is bounded again: a claim may lie.
    if sum(m.file_size for m in words) > MAX_UNPACKED or any(m.file_size > MAX_DOCX for m in words):
        return [], [Unmatched(name, f"pakker ut til mer enn {MAX_DOCX // (1024 * 1024)} MB per Word-fil eller "
                                    f"{MAX_UNPACKED // (1024 * 1024)} MB i alt")]
    found, refused = [], []
    for member in members:
        shown = f"{name}: {member.filename}"
        if member not in words:
            if not _owner_file(member.filename):
                refused.append(Unmatched(shown, "ikke en Word-fil (.docx)"))
            continue
        try:
            with archive.open(member) as fh:
                content = fh.read(MAX_DOCX + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            refused.append(Unmatched(shown, "kan ikke pakkes ut (skadet eller kryptert)"))
            continue
        if len(content) > MAX_DOCX:
            refused.append(Unmatched(shown, f"større enn {MAX_DOCX // (1024 * 1024)} MB"))
            continue
        found.append(Returned(shown, content))
    return found, refused


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name.rsplit("/", 1)[-1].rsplit(": ", 1)[-1]).casefold()


def match(bok: Arbeidsbok, entries: dict[str, LeaderEntry], returned: list[Returned]) -> tuple[list[Match], list[Unmatched]]:
    """Each returned file's leader and kind; a document given twice is taken from neither file."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    for nr, entry in entries.items():
        for f in entry.filer:
            if f.format == "docx" and not f.fase:
                by_name.setdefault(_key(f.sti), []).append((nr, f.rolle))
    leaders = {l.ansattnr: l for l in bok.avtaleledere()}
    # A file carries its short ID: the manifest says which document that is.
    register = IdRegister(issued_ids(entries), bok.kommune.periode.ar)
    matches, refused = [], []
    for item in returned:
        found = _match_one(bok, entries, leaders, by_name, register, item)
        (refused if isinstance(found, Unmatched) else matches).append(found)
    twice: dict[tuple[str, str], list[Match]] = {}
    for m in matches:
        twice.setdefault((m.leder.ansattnr, m.kind.rolle), []).append(m)
    kept = []
    for group in twice.values():
        if len(group) == 1:
            kept += group
            continue
        names = ", ".join(f"«{m.returned.name}»" for m in group)
        refused += [Unmatched(m.returned.name, f"{group[0].kind.navn[0]} til {m.leder.navn} kom i flere filer "
                                               f"({names}); ingen av dem er tatt inn. Last opp bare den riktige.")
                    for m in group]
    return kept, refused


def _match_one(bok, entries, leaders, by_name, register: IdRegister, item: Returned) -> Match | Unmatched:
    try:
        from docx import Document

        text = docx_id_text(Document(io.BytesIO(item.data)))
    except Exception:  # python-docx raises many kinds on a file that is not a Word document
        return Unmatched(item.name, "ikke en Word-fil som kan åpnes (er den lagret som .docx?)")
    if text is not None:
        try:
            document_id = register.read(text)
        except UnknownDocumentId as exc:
            return Unmatched(item.name, str(exc))
        except InvalidDocumentId as exc:
            return Unmatched(item.name, f"dokument-ID-en i filens egenskaper er skadet ({exc})")
        k = bok.kommune
        why = same_owner(document_id, k.navn, k.organisasjonsnummer, k.periode.ar, document_id.ansattnr)
        if why:
            return Unmatched(item.name, why)
        leder = leaders.get(document_id.ansattnr)
        if leder is None:
            return Unmatched(item.name, f"Ansattnr {document_id.ansattnr} har ingen lederavtale i arbeidsboken")
        return _known(entries, item, leder, document_id.kind, by_id=True)
    candidates = by_name.get(_key(item.name), [])
    if not candidates:
        return Unmatched(item.name, "har ingen dokument-ID, og filnavnet er ikke navnet på noe dokument verktøyet "
                                    "har laget. Gi filen det navnet den hadde da den ble lastet ned.")
    if len(candidates) > 1:
        return Unmatched(item.name, "har ingen dokument-ID, og flere ledere har et dokument med dette navnet")
    nr, rolle = candidates[0]
    leder = leaders.get(nr)
    if leder is None:
        return Unmatched(item.name, f"Ansattnr {nr} har ingen lederavtale i arbeidsboken")
    return _known(entries, item, leder, rolle, by_id=False)


def _known(entries, item: Returned, leder: Leder, rolle: str, by_id: bool) -> Match | Unmatched:
    entry = entries.get(leder.ansattnr)
    if entry is None or entry.file(rolle, "docx") is None:
        return Unmatched(item.name, f"dokumentene til {leder.navn} er ikke laget ennå")
    return Match(item, leder, by_role(rolle), by_id)


# --- what changed ---------------------------------------------------------------------------


def paragraphs(data: bytes) -> list[str]:
    """The document's paragraphs as text, tables' cells included, in reading order; empty ones left out."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = etree.fromstring(archive.read("word/document.xml"), _SAFE_XML)
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError):
        return []
    lines = []
    for p in root.iter(f"{_W}p"):
        # Deleted text (tracked changes) is w:delText, not w:t, and is left out, as Word shows it.
        text = "".join(node.text or "" for node in p.iter(f"{_W}t")).strip()
        if text:
            lines.append(" ".join(text.split()))
    return lines


@dataclass
class Changes:
    changed: int  # paragraphs replaced by others
    added: int
    removed: int
    lines: list[str]  # «− old» / «+ new», at most MAX_SHOWN of each side

    @property
    def none(self) -> bool:
        return not (self.changed or self.added or self.removed)

    def summary(self) -> str:
        if self.none:
            return "ingen endring i teksten"
        parts = [f"{n} {word}" for n, word in ((self.changed, "endret"), (self.added, "lagt til"),
                                               (self.removed, "fjernet")) if n]
        return "avsnitt " + ", ".join(parts)


def changes(before: bytes, after: bytes) -> Changes:
    """Paragraph by paragraph, what `after` says that `before` did not."""
    old, new = paragraphs(before), paragraphs(after)
    changed = added = removed = 0
    lines: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace":
            changed += max(i2 - i1, j2 - j1)
        elif tag == "insert":
            added += j2 - j1
        else:
            removed += i2 - i1
        lines += [f"− {text}" for text in old[i1:i2]] + [f"+ {text}" for text in new[j1:j2]]
    shown = lines[:MAX_SHOWN * 2]
    if len(lines) > len(shown):
        shown.append(f"… og {len(lines) - len(shown)} linjer til")
    return Changes(changed, added, removed, shown)

