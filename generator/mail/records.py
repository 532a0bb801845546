"""`sendt.json` and `usikker.json`: which leaders' messages went out, and which may have.

A message is marked in usikker.json before the server sees it, and moved to sendt.json once
the server has accepted it. Whatever stops the run in between (a crash, Ctrl-C, a full disk)
leaves it in usikker.json, which a rerun never sends again by itself: every message goes out
at most once. Each write is atomic and synced to disk before the next step. Nothing of a
message's text is kept, since it could quote the agreement.

A mailing that is sent again in later rounds (the reminder) keeps every time the server took one: the
latest in `tid`, as for the others, the ones before it in `tidligere` (`send_times`).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ..exceptions import MailError
from ..store.files import atomic_write_bytes, read_json_object
from ..store.year import SENT_FILE, UNCERTAIN_FILE
from .message import Epost



def read_records(path: Path) -> dict[str, dict]:
    try:
        return read_json_object(path)
    except ValueError as exc:
        # Not "remove it": without the file every message would go out again.
        raise MailError(f"«{path}» kan ikke leses ({exc}). Legg den riktige filen på plass før du sender; "
                        "uten den vet ikke lederavtale hvem som allerede har fått e-posten.") from None


class RecordsUnwritable(MailError):
    """sendt.json or usikker.json cannot be written: sending has to stop."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


class Records:
    """sendt.json and usikker.json, rewritten atomically and durably at every step of a message."""

    def __init__(self, mappe: Path, history: bool = False):
        self.sent_path, self.uncertain_path = mappe / SENT_FILE, mappe / UNCERTAIN_FILE
        self.history = history  # keep the earlier send times of a leader sent again (the reminder)
        self.sent_records = read_records(self.sent_path)
        self.uncertain_records = read_records(self.uncertain_path)
        # A mark's earlier value: an older run's doubt about a resent message is kept if
        # the resend is refused.
        self._before_mark: dict[str, dict | None] = {}

    def in_flight(self, nr: str, record: dict) -> None:
        """Mark a message as maybe delivered; called before it goes to the server."""
        self._before_mark[nr] = self.uncertain_records.get(nr)
        self.uncertain_records = _save(self.uncertain_path, {**self.uncertain_records, nr: record},
                                       "e-posten er ikke sendt")

    def not_sent(self, nr: str) -> None:
        """The server refused the message, or the connection broke before it was handed over."""
        earlier = self._before_mark.pop(nr, None)
        records = _without(self.uncertain_records, nr)
        if earlier is not None:
            records[nr] = earlier
        self.uncertain_records = _save(self.uncertain_path, records,
                                       "e-posten ble ikke sendt, men står fortsatt som usikker")

    def sent(self, nr: str, record: dict) -> None:
        """The server accepted the message: into sendt.json, then out of usikker.json."""
        self._before_mark.pop(nr, None)
        earlier = self.sent_records.get(nr)
        if self.history and earlier:
            record = {**record, "tidligere": send_times(earlier)}
        self.sent_records = _save(self.sent_path, {**self.sent_records, nr: record},
                                  f"serveren tok imot e-posten, men den står som usikker i «{self.uncertain_path}» "
                                  "og sendes ikke på nytt automatisk")
        if nr in self.uncertain_records:
            self.uncertain_records = _save(self.uncertain_path, _without(self.uncertain_records, nr),
                                           "e-posten er sendt og registrert")


def _without(records: dict[str, dict], nr: str) -> dict[str, dict]:
    return {k: v for k, v in records.items() if k != nr}


def _save(path: Path, records: dict[str, dict], outcome: str) -> dict[str, dict]:
    """Write `records` to `path` and return them; RecordsUnwritable says `outcome` for the message."""
    text = json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        if records:
            # Synced: after a power cut the records must still show what reached the server.
            atomic_write_bytes(path, text.encode("utf-8"), durable=True)
        else:
            path.unlink(missing_ok=True)  # nothing in doubt: no usikker.json to worry anyone
    except OSError as exc:
        raise RecordsUnwritable(f"«{path}» kan ikke skrives ({exc.strerror or exc}); {outcome}", path) from None
    return records


def send_times(record: dict) -> list[str]:
    """Every time (ISO, as written) a leader's message of this mailing was taken by the server, oldest first."""
    earlier = record.get("tidligere")
    times = [t for t in earlier if isinstance(t, str)] if isinstance(earlier, list) else []
    return times + [record["tid"]] if isinstance(record.get("tid"), str) else times


def record(epost: Epost, accepted: list[str]) -> dict:
    """What sendt.json keeps of a message: never its text, which could quote goals."""
    return {
        "message_id": epost.message["Message-ID"],
        "tid": datetime.now().astimezone().isoformat(timespec="seconds"),
        "mottakere": accepted,
    }
