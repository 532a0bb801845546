"""`manifest.json`: what `generer` and `oppfolging` wrote, so later runs and commands know what is whose."""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from ..exceptions import LederavtaleError, NothingGenerated
from .files import atomic_write_bytes, read_json_object, sha256_bytes, sha256_file
from .year import ID_KEY_NAME, JOURNAL_NAME, MANIFEST_NAME
from ..advice import run

# The fingerprint keys every leader entry has (a run's key, documents.kinds.Run.basis_key, starts
# with the prefix): written for every leader, empty until that run has written for the leader,
# so a manifest from before a run existed loads as one in which it never ran.
BASIS_PREFIX = "grunnlag"
BASIS_KEYS = ("grunnlag", "grunnlag_oppfolging")


@dataclass
class FileEntry:
    sti: str  # relative to the year folder, with forward slashes
    rolle: str  # "avtale", "vedlegg" or "oppfolging"
    format: str  # "docx" or "pdf"
    offentlig: bool
    sha256: str
    # A PDF: the sha256 of the .docx it was made from, so a PDF that no longer shows its .docx
    # is known. Empty for a .docx, and for PDFs in manifests from before it was recorded.
    kilde: str = ""
    # The full document ID (documents.identity, LA1:…) of the file: the record of which document it is;
    # empty in manifests from before IDs.
    dokument_id: str = ""
    # "" for what `generer`/`oppfolging` wrote (the drafts); SIGNING for the copy `signering` made.
    fase: str = ""
    # A .docx a person handed back after the conversation (uploaded, or `innlevert`): its sha256. `sha256`
    # stays that of the tool's own version, so the file counts as a person's edit everywhere and is never
    # overwritten without --overskriv; this says that the file on disk is the one handed in.
    innlevert: str = ""
    # The short document ID (LA2-…) the file carries in its footer, QR code and properties; empty for a
    # file made before short IDs, which carries `dokument_id` itself.
    kort_id: str = ""

    @property
    def carried_id(self) -> str:
        """The ID text the file carries (short, or for an older file its full ID); "" for none."""
        return self.kort_id or self.dokument_id


SIGNING = "signering"  # FileEntry.fase of a copy made for signing


@dataclass
class LeaderEntry:
    ansattnr: str
    navn: str
    mappe: str
    # A fingerprint of everything a run's documents were made from, under the run's key
    # (documents.kinds: `grunnlag` for the agreement and appendix, `grunnlag_oppfolging` for the
    # follow-up document): each command must see only whether its own documents' sources changed.
    grunnlag: dict[str, str] = field(default_factory=lambda: dict.fromkeys(BASIS_KEYS, ""))
    filer: list[FileEntry] = field(default_factory=list)
    # Every short document ID the leader's documents were given, with the full ID it stands for: kept
    # when a document is made again, so a copy of an earlier version still finds its document.
    ider: dict[str, str] = field(default_factory=dict)

    def basis(self, key: str) -> str:
        return self.grunnlag.get(key, "")

    def set_basis(self, key: str, value: str) -> None:
        self.grunnlag[key] = value

    def file(self, rolle: str, fmt: str, fase: str = "") -> FileEntry | None:
        return next((f for f in self.filer if f.rolle == rolle and f.format == fmt and f.fase == fase), None)

    def set_file(self, entry: FileEntry) -> None:
        if entry.kort_id and entry.dokument_id:
            self.ider.setdefault(entry.kort_id, entry.dokument_id)
        key = (entry.rolle, entry.format, entry.fase)
        self.filer = [f for f in self.filer if (f.rolle, f.format, f.fase) != key]
        self.filer.append(entry)
        self.filer.sort(key=lambda f: (f.fase, f.format, f.rolle))

    def to_dict(self) -> dict:
        """As manifest.json holds it: each fingerprint a key of its own beside the files."""
        data = {"ansattnr": self.ansattnr, "navn": self.navn, "mappe": self.mappe, **self.grunnlag,
                "filer": [asdict(f) for f in self.filer]}
        if self.ider:  # a leader whose documents never carried a short ID is written as before them
            data["ider"] = dict(sorted(self.ider.items()))
        return data


def _leader_entry(data: dict) -> LeaderEntry:
    files = [FileEntry(**f) for f in data.get("filer", [])]
    bases = dict.fromkeys(BASIS_KEYS, "")
    bases.update({key: value for key, value in data.items() if key.startswith(BASIS_PREFIX)})
    ider = {str(short): str(full) for short, full in (data.get("ider") or {}).items()}
    return LeaderEntry(data["ansattnr"], data["navn"], data["mappe"], bases, files, ider)


def issued_ids(entries: dict[str, LeaderEntry]) -> dict[str, set[str]]:
    """Every short document ID a year folder's documents were given, and the full IDs it stands for
    (one, unless two documents ever shared a short ID): what documents.identity.IdRegister reads."""
    issued: dict[str, set[str]] = {}
    for entry in entries.values():
        pairs = list(entry.ider.items()) + [(f.kort_id, f.dokument_id) for f in entry.filer]
        for short, full in pairs:
            if short and full:
                issued.setdefault(short, set()).add(full)
    return issued


class Manifest:
    """The manifest of one year folder.

    During a run each finished leader is appended to a journal beside it (cheap, and a
    killed run loses nothing); `save` folds the journal into `manifest.json`. Before a file
    is written, the journal also records the intent (`intend`), so that a file an
    interrupted run wrote is known as the tool's own, never taken for a person's edit.
    """

    def __init__(self, year_dir: Path, data: dict | None = None):
        self.year_dir = Path(year_dir)
        self.path = self.year_dir / MANIFEST_NAME
        self.journal_path = self.year_dir / JOURNAL_NAME
        data = data or {}
        self.ar = data.get("ar")
        self.kommune = data.get("kommune", "")
        self.arbeidsbok = data.get("arbeidsbok", "")
        self.ledere: dict[str, LeaderEntry] = {nr: _leader_entry(e) for nr, e in data.get("ledere", {}).items()}
        # The year's own files a person may edit (status.xlsx): path -> sha256 of what the tool wrote
        # (two while a new one is being written; see `owns_year_file`).
        self.arsfiler: dict[str, list[str]] = {sti: list(shas) for sti, shas in data.get("arsfiler", {}).items()}
        # Path -> sha256 of files an unfinished run set out to write (None: a PDF, whose
        # bytes LibreOffice decides).
        self.intended: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._id_key: bytes | None = None

    @classmethod
    def load(cls, year_dir: Path) -> "Manifest":
        path = Path(year_dir) / MANIFEST_NAME
        try:
            manifest = cls(year_dir, read_json_object(path))
        except (ValueError, KeyError, TypeError) as exc:
            raise LederavtaleError(
                f"{path}: manifestet kan ikke leses ({exc}). Flytt filen bort og kjør på nytt; "
                "da regnes alle eksisterende dokumenter som endret og blir ikke overskrevet."
            ) from exc
        manifest._replay_journal()
        return manifest

    def _replay_journal(self) -> None:
        if not self.journal_path.exists():
            return
        for line in self.journal_path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(line)
                if "skriver" in data:
                    self.intended[data["skriver"]["sti"]] = data["skriver"]["sha256"]
                    continue
                if "glemmer" in data:
                    self._drop(data["glemmer"]["ansattnr"], data["glemmer"]["sti"])
                    continue
                entry = _leader_entry(data)
            except (ValueError, KeyError, TypeError):
                continue  # the last line of a run killed while writing it
            self.ledere[entry.ansattnr] = entry

    def exists(self) -> bool:
        return self.path.exists()

    def id_key(self) -> bytes:
        """The year folder's secret for its short document IDs (documents.identity.short_id): made the first
        time a document needs it and kept in ID_KEY_NAME beside the manifest (call under the run lock).

        Losing the file loses nothing recorded: the manifest keeps every short ID given with its full ID
        (LeaderEntry.ider), and documents made afterwards get their short IDs under a new key.
        """
        if self._id_key is None:
            path = self.year_dir / ID_KEY_NAME
            try:
                key = bytes.fromhex(path.read_text(encoding="ascii").strip())
            except (FileNotFoundError, ValueError):
                key = b""
            except OSError as exc:
                raise LederavtaleError(f"{path}: nøkkelen til dokument-ID-ene kan ikke leses "
                                       f"({exc.strerror or exc})") from exc
            if len(key) < 16:
                key = secrets.token_bytes(32)
                atomic_write_bytes(path, key.hex().encode("ascii") + b"\n", durable=True)
            self._id_key = key
        return self._id_key

    def to_dict(self) -> dict:
        return {
            "versjon": 1,
            "ar": self.ar,
            "kommune": self.kommune,
            "arbeidsbok": self.arbeidsbok,
            "oppdatert": datetime.now().isoformat(timespec="seconds"),
            "ledere": {nr: entry.to_dict() for nr, entry in sorted(self.ledere.items())},
            "arsfiler": dict(sorted(self.arsfiler.items())),
        }

    def save(self) -> None:
        """Fold the journal into `manifest.json`, at the end of a run that finished."""
        with self._lock:
            data = json.dumps(self.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
            atomic_write_bytes(self.path, data, durable=True)
            self.journal_path.unlink(missing_ok=True)
            self.intended.clear()

    def save_leader(self, ansattnr: str) -> None:
        """Record one leader's current entry in the journal."""
        with self._lock:
            self._journal(self.ledere[ansattnr].to_dict())

    def intend(self, sti: str, sha256: str | None) -> None:
        """Record that this run is about to write `sti` (with these bytes), before it does."""
        with self._lock:
            self.intended[sti] = sha256
            self._journal({"skriver": {"sti": sti, "sha256": sha256}})

    def wrote(self, sti: str, sha256: str) -> bool:
        """Whether the file at `sti` is one this tool set out to write in a run that did not finish."""
        if sti not in self.intended:
            return False
        return self.intended[sti] in (None, sha256)

    def owns(self, entry: FileEntry | None, sti: str, sha256: str) -> bool:
        """Whether the file at `sti` is as the tool left it: as recorded, or from an unfinished run."""
        recorded = entry is not None and entry.sti == sti and entry.sha256 == sha256
        return recorded or self.wrote(sti, sha256)

    def _journal(self, record: dict) -> None:
        with open(self.journal_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    def forget(self, ansattnr: str, sti: str) -> None:
        """Stop vouching for a file (a PDF whose .docx is about to change), in the journal at once."""
        with self._lock:
            self._drop(ansattnr, sti)
            self._journal({"glemmer": {"ansattnr": ansattnr, "sti": sti}})

    def _drop(self, ansattnr: str, sti: str) -> None:
        entry = self.ledere.get(ansattnr)
        if entry is not None:
            entry.filer = [f for f in entry.filer if f.sti != sti]

    def update(self, ansattnr: str, entry: FileEntry) -> None:
        """Record one finished file (called from conversion threads too)."""
        with self._lock:
            self.ledere[ansattnr].set_file(entry)
        self.save_leader(ansattnr)

    # -- the year's own files (status.xlsx), apart from the leaders'

    def owns_year_file(self, sti: str, sha256: str) -> bool:
        """Whether the year file at `sti` is as the tool left it. A file it has no record of (an older
        version wrote it, or someone else) is not: it may be a person's work."""
        return sha256 in self.arsfiler.get(sti, [])

    def write_year_file(self, sti: str, data: bytes) -> None:
        """Write a year file the tool owns (call under the run lock, after `owns_year_file`).

        Both the old and the new sha256 are recorded before the write and only the new one after it,
        so a run killed at any point leaves a file the next run knows as the tool's own.
        """
        path = self.year_dir / sti
        sha = sha256_bytes(data)
        old = sha256_file(path) if path.exists() else None
        self.arsfiler[sti] = [s for s in (old, sha) if s is not None and (s == sha or self.owns_year_file(sti, s))]
        self.save()
        atomic_write_bytes(path, data)
        self.arsfiler[sti] = [sha]
        self.save()


# What a document on disk is, as the pages and the run report say it (`document_state`).
MISSING, AS_MADE, EDITED, HANDED_IN = "mangler", "som laget", "endret av en person", "levert inn etter samtalen"


def document_state(manifest: Manifest, entry: FileEntry, sha_of=sha256_file) -> str:
    """Whether a leader's document is as the tool made it, edited by hand, or the version handed back.

    One answer for every front end: a file is the tool's own when the manifest (or an unfinished run's
    journal) vouches for its bytes. `sha_of` lets a page that lists 5,000 leaders remember hashes."""
    path = manifest.year_dir / entry.sti
    if not path.is_file():
        return MISSING
    sha = sha_of(path)
    if manifest.owns(entry, entry.sti, sha):
        return AS_MADE
    return HANDED_IN if entry.innlevert == sha else EDITED


def require_generated(folder: Path, workbook: Path, then: str) -> None:
    """NothingGenerated unless `generer` has written a manifest into the year folder."""
    # Anything at the manifest's place counts: Manifest.load says what is wrong with a link or folder.
    if not os.path.lexists(folder / MANIFEST_NAME):
        raise NothingGenerated(
            f"Fant ingen genererte dokumenter i «{folder}». "
            f"{run('generer')} først, og deretter {run(then)}."
        )


def load_generated(folder: Path, workbook: Path, then: str) -> dict[str, LeaderEntry]:
    """The manifest's entries by Ansattnr (call while holding the folder's RunLock)."""
    require_generated(folder, workbook, then)
    entries = Manifest.load(folder).ledere
    if not entries:
        raise NothingGenerated(
            f"Manifestet i «{folder}» lister ingen dokumenter. {run('generer')} først."
        )
    return entries
