"""`<år>/arkiv/arkivert.json`: which leaders the archive has confirmed, from its receipts.

One entry per Ansattnr, written only from a valid receipt. A leader with an entry is never
packaged again without being asked for by name, so the file is read strictly: a damaged file
stops the run rather than let everyone be sent to the archive a second time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..exceptions import LederavtaleError
from ..store.files import atomic_write_bytes, read_json_object
from ..store.report import update_column
from ..store.year import YearFolder
from .record import norsk_tid
from ..advice import advice as say


@dataclass
class Kvittering:
    """A registrering the archive created or already had."""

    fil: str  # as the user sees it: relative to the receipts folder
    fagsystem: str
    noekkel: str
    system_id: str
    opprettet_eller_eksisterende: str  # "Opprettet" or "Eksisterende"
    journalaar: int | None = None
    journalsekvensnummer: int | None = None
    journalpostnummer: int | None = None
    opprettet_dato: str = ""  # the archive's opprettetDato (xs:dateTime) as it wrote it
    journalstatus: str = ""  # the code, when the archive says (it may have journalført it: J)
    # The archive's documents: {"dokumentnummer", "systemID", "dokumentobjekter": [systemID, …]}.
    dokumenter: list[dict] = field(default_factory=list)
    klient_melding_id: str = ""  # the message it answers, when the integration stored it so
    # The archive's mappeKvittering, when the message made or found a mappe (Plassering = personalmappe):
    # {"systemID", "mappeID", "saksaar", "sakssekvensnummer", "opprettetEllerEksisterende", "opprettetDato",
    # "noekkel"} (receipts._mappe).
    mappe: dict | None = None


REPORT_COLUMN = "Arkivert"  # the column of rapport.xlsx that shows the archive's record
# What identifies the archive's record; a receipt that repeats these adds nothing new.
_IDENTITY = ("systemID", "journalaar", "journalsekvensnummer", "journalpostnummer")


class ArkivertUnreadable(LederavtaleError):
    pass


class Arkivert:
    def __init__(self, path: Path):
        self.path = Path(path)  # YearFolder.arkivert
        self.ledere: dict[str, dict] = _read(self.path)

    def has(self, ansattnr: str) -> bool:
        return ansattnr in self.ledere

    def record(self, ansattnr: str, navn: str, kvittering: Kvittering, lest: datetime) -> str:
        """Note the receipt; returns "ny", "uendret" (a record already noted, now or earlier) or "endret"
        (the archive reports another record than before: the earlier one is kept under «tidligere»)."""
        entry = {
            "navn": navn,
            "systemID": kvittering.system_id,
            "journalaar": kvittering.journalaar,
            "journalsekvensnummer": kvittering.journalsekvensnummer,
            "journalpostnummer": kvittering.journalpostnummer,
            "opprettetEllerEksisterende": kvittering.opprettet_eller_eksisterende,
            "opprettetDato": kvittering.opprettet_dato or None,
            "journalstatus": kvittering.journalstatus or None,
            "dokumenter": kvittering.dokumenter,
            "noekkel": kvittering.noekkel or None,
            "klientMeldingId": kvittering.klient_melding_id or None,
            "kvittering": kvittering.fil,
            "lest": lest.isoformat(timespec="seconds"),
        }
        if kvittering.mappe is not None:  # only when the archive sent one: older entries have no such key
            entry["mappe"] = kvittering.mappe
        earlier = self.ledere.get(ansattnr)
        if earlier is None:
            self.ledere[ansattnr] = entry
            return "ny"
        # Read before, or the archive answering «Eksisterende» for the same record. The earlier
        # records count too: two conflicting receipts left in one folder must not swap places
        # (and grow «tidligere») on every reread.
        if any(all(known.get(key) == entry[key] for key in _IDENTITY)
               for known in [earlier, *earlier.get("tidligere", [])]):
            return "uendret"
        previous = {key: value for key, value in earlier.items() if key != "tidligere"}
        entry["tidligere"] = [*earlier.get("tidligere", []), previous]
        self.ledere[ansattnr] = entry
        return "endret"

    def save(self) -> None:
        text = json.dumps(self.ledere, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        # Synced: after a power cut the file must still show who the archive has confirmed.
        atomic_write_bytes(self.path, text.encode("utf-8"), durable=True)


def _read(path: Path) -> dict[str, dict]:
    advice = f"Rett eller fjern filen, og {say('kvitteringer')}."
    try:
        data = read_json_object(path)
    except ValueError as exc:
        raise ArkivertUnreadable(f"«{path}» kan ikke leses ({exc}). {advice}") from None
    if not all(isinstance(v, dict) for v in data.values()):
        raise ArkivertUnreadable(f"«{path}» har feil innhold. {advice}")
    return data


def description(entry: dict) -> str:
    """The archive's record in words, for the report: «2027/4567, nr. 5 i saken (Opprettet 03.02.2027)»,
    dated by the archive's opprettetDato (when it created the record, not when its receipt was read), and
    the mappe when the receipt had one («…; mappen 2027/12 (Eksisterende)»)."""
    parts = []
    if entry.get("journalaar") is not None and entry.get("journalsekvensnummer") is not None:
        parts.append(f"{entry['journalaar']}/{entry['journalsekvensnummer']}")
    if entry.get("journalpostnummer") is not None:
        parts.append(f"nr. {entry['journalpostnummer']} i saken")
    text = ", ".join(parts) or f"systemID {entry.get('systemID', '')}"
    dato = _archive_date(entry.get("opprettetDato"))
    note = " ".join(x for x in (str(entry.get("opprettetEllerEksisterende") or ""), dato) if x)
    text = f"{text} ({note})" if note else text
    mappe = entry.get("mappe")
    if isinstance(mappe, dict):
        text += f"; {_mappe_description(mappe)}"
    return text


def _mappe_description(mappe: dict) -> str:
    """«mappen 2027/12 (Eksisterende)»: its saksnummer when the archive gave one, else its systemID."""
    if mappe.get("saksaar") is not None and mappe.get("sakssekvensnummer") is not None:
        which = f"{mappe['saksaar']}/{mappe['sakssekvensnummer']}"
    else:
        which = f"systemID {mappe.get('systemID', '')}"
    svar = str(mappe.get("opprettetEllerEksisterende") or "")
    return f"mappen {which} ({svar})" if svar else f"mappen {which}"


def _archive_date(text: object) -> str:
    """dd.mm.åååå of an xs:dateTime, in Norwegian time when it has a zone; "" when there is none."""
    if not isinstance(text, str):
        return ""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        # xs:dateTime allows forms Python does not read (24:00:00, years past 9999): keep its date.
        match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
        return f"{match[3]}.{match[2]}.{match[1]}" if match else ""
    if when.tzinfo is not None:
        try:
            when = norsk_tid(when)
        except OverflowError:  # year 1 or 9999 moved across midnight: its own date will do
            pass
    return f"{when:%d.%m.%Y}"


def update_report(year: YearFolder) -> str:
    """The report's «Arkivert» column as `arkivert.json` has it now; a warning when the report could
    not be written, "" otherwise (also when there is no report yet)."""
    report = year.report
    if not report.is_file():
        return ""
    try:
        update_column(report, REPORT_COLUMN, report_column(year.path))
    except OSError as exc:
        # The receipts are safe in arkivert.json; the report catches up on the next run.
        return (f"«{report}» kunne ikke oppdateres ({exc.strerror or exc}); er den åpen i Excel? "
                "Kvitteringene er likevel registrert.")
    return ""


def report_column(year_dir: Path) -> dict[str, str]:
    """Ansattnr → the report's «Arkivert» text; empty when nothing is recorded or the file is damaged
    (the report is about the documents, and `arkiv` will say what is wrong with the file)."""
    try:
        ledere = _read(YearFolder(Path(year_dir)).arkivert)
    except ArkivertUnreadable:
        return {}
    return {ansattnr: description(entry) for ansattnr, entry in ledere.items()}
