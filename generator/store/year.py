"""The year folder, `<ut>/<år>`: where every command of one period reads and writes.

`YearFolder` is the one place that knows the layout under `<ut>/<år>/`; everything else asks it
for a path, so a new record or folder (the signing round trip's `signering/`, `signert.json`) is
one line here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..model import Arbeidsbok, Leder
from .files import NAME_BYTES, safe_filename, shortened

ANSATTNR_BYTES = 40

# The layout of one year folder.
MANIFEST_NAME = "manifest.json"
JOURNAL_NAME = ".manifest-journal.jsonl"
# The secret the year's short document IDs are made with (documents.identity.short_id; store.manifest.Manifest.id_key).
ID_KEY_NAME = ".dokument-id-nokkel"
REPORT_NAME = "rapport.xlsx"
LOCK_NAME = ".lederavtale.lock"
HOLDER_NAME = ".lederavtale.lock.json"
STATUS_NAME = "status.xlsx"
STATUS_BOOK_NAME = "status (innlevert).xlsx"  # the filled-in book the last status report was made from
STATUS_REPORT_XLSX = "statusrapport.xlsx"
STATUS_REPORT_DOCX = "statusrapport.docx"
STATUS_REPORT_PDF = "statusrapport.pdf"
EPOST_DIR = "epost"
SENT_FILE = "sendt.json"
# Messages that may have been delivered (handed over, or about to be, when the run stopped
# or the reply was lost): they are not sent again without --send-igjen.
UNCERTAIN_FILE = "usikker.json"
ARKIV_DIR = "arkiv"  # everything made for the records system
ARKIV_XML = "arkivstruktur.xml"
ARKIV_CSV = "import.csv"
ARKIVERT_NAME = "arkivert.json"
FIKS_DIR = "fiks"  # inside arkiv/: one folder per leader for the Fiks IO integration
# Inside arkiv/: every Fiks message ever put in fiks/ by its klientMeldingId, so that a reply to an
# earlier version of a message (since replaced or confirmed) still finds its leader.
FIKS_LOG_NAME = "fiks-meldinger.json"
# Inside arkiv/: the PDFs are converted here first and moved into place when the whole batch is done.
ARKIV_STAGING_DIR = ".konvertering"
# The signing round trip: the copies made for signing, the list for e-signing portals, and the record
# of the signed copies that came back (each kept byte for byte in the leader's folder, `… (signert).pdf`).
SIGNERING_DIR = "signering"
SIGNATARER_NAME = "signatarer.csv"
SIGNERT_NAME = "signert.json"
SIGNED_WORD = "signert"  # a kept signed copy is `<stem> (signert).pdf`, then `(signert 2)`, …
# The web page: what it did, and the files HR uploaded into the year (signed copies, receipts, status books).
LOG_NAME = "logg.jsonl"
UPLOAD_DIR = "opplastet"
# Beside the year folders, in `<ut>/`: the CA certificates HR trusts for signatures, set once for every year.
TRUST_DIR = "tillit"


@dataclass(frozen=True)
class YearFolder:
    path: Path

    @classmethod
    def of(cls, bok: Arbeidsbok, ut: Path) -> "YearFolder":
        """Named after the year the period starts in."""
        return cls(Path(ut) / str(bok.kommune.periode.ar))

    @property
    def manifest(self) -> Path:
        return self.path / MANIFEST_NAME

    @property
    def trust(self) -> Path:
        """`<ut>/tillit/`: the trusted issuers' CA certificates, for this year and the next."""
        return self.path.parent / TRUST_DIR

    @property
    def report(self) -> Path:
        return self.path / REPORT_NAME

    @property
    def status(self) -> Path:
        return self.path / STATUS_NAME

    @property
    def statusbok(self) -> Path:
        """A copy of the filled-in status book the last status report was made from (`status` keeps it): the
        overview's Status column and next year's workbook read it, whichever front end made the report."""
        return self.path / STATUS_BOOK_NAME

    @property
    def status_report(self) -> tuple[Path, Path, Path]:
        """statusrapport.xlsx, .docx and .pdf."""
        return (self.path / STATUS_REPORT_XLSX, self.path / STATUS_REPORT_DOCX, self.path / STATUS_REPORT_PDF)

    def epost(self, subfolder: str = "") -> Path:
        """Drafts and records of one mailing: `epost/`, or `epost/<subfolder>/` for the follow-up's."""
        return self.path / EPOST_DIR / subfolder if subfolder else self.path / EPOST_DIR

    def draft(self, leder: Leder, subfolder: str = "") -> Path:
        """One leader's e-mail draft in the mailing's folder: `<Ansattnr> <Navn>.eml`."""
        return self.epost(subfolder) / f"{leader_folder(leder)}.eml"

    @property
    def arkiv(self) -> Path:
        return self.path / ARKIV_DIR

    @property
    def arkivert(self) -> Path:
        return self.arkiv / ARKIVERT_NAME

    @property
    def fiks(self) -> Path:
        return self.arkiv / FIKS_DIR

    @property
    def fiks_log(self) -> Path:
        return self.arkiv / FIKS_LOG_NAME

    @property
    def arkivstruktur(self) -> Path:
        return self.arkiv / ARKIV_XML

    @property
    def import_csv(self) -> Path:
        return self.arkiv / ARKIV_CSV

    @property
    def arkiv_staging(self) -> Path:
        return self.arkiv / ARKIV_STAGING_DIR

    @property
    def signering(self) -> Path:
        return self.path / SIGNERING_DIR

    def signering_leader(self, leder: Leder) -> Path:
        """The leader's copies for signing: `signering/<Ansattnr> <Navn>/`."""
        return self.signering / leader_folder(leder)

    @property
    def signatarer(self) -> Path:
        return self.signering / SIGNATARER_NAME

    @property
    def signert(self) -> Path:
        return self.path / SIGNERT_NAME

    def signed_copy(self, leder: Leder, stem: str, number: int = 1) -> Path:
        """Where a signed copy of the document named `stem` is kept: in the leader's folder, `<stem> (signert).pdf`,
        or, for the `number`th copy that differs from the ones kept before it, `<stem> (signert <number>).pdf`."""
        word = SIGNED_WORD if number == 1 else f"{SIGNED_WORD} {number}"
        return self.path / leader_folder(leder) / f"{stem} ({word}).pdf"

    @property
    def log(self) -> Path:
        """The web page's log of every action that changed something: `logg.jsonl`."""
        return self.path / LOG_NAME

    def uploads(self, what: str) -> Path:
        """Where the web page keeps one kind of upload: `opplastet/<what>/` (signert, kvitteringer, status)."""
        return self.path / UPLOAD_DIR / what

    def arkiv_leader(self, leder: Leder) -> Path:
        """The leader's PDFs in the Noark 5 export: named like the leader's folder of the year."""
        return self.arkiv / leader_folder(leder)

    def relative(self, path: Path) -> str:
        """A path inside the folder as the manifest writes it: relative, with forward slashes."""
        return Path(path).relative_to(self.path).as_posix()


def leader_folder(leder: Leder) -> str:
    """The leader's folder: `<Ansattnr> <Navn>`, the name shortened, the Ansattnr always whole."""
    return safe_filename(f"{shortened(leder.ansattnr, ANSATTNR_BYTES)} {shortened(leder.navn, NAME_BYTES)}")


def folder_key(name: str) -> str:
    """Two names that are one folder on a case-insensitive disk (Windows, macOS) have the same key."""
    return unicodedata.normalize("NFC", name).casefold()
