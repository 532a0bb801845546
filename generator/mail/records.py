"""`sendt.json` and `usikker.json`: which leaders' messages went out, and which may have.

Written atomically after every message, so a rerun sends only what is missing. Nothing of a
message's text is kept, since it could quote the agreement.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ..exceptions import MailError
from ..store.files import atomic_write_bytes
from .message import Epost

EPOST_DIR = "epost"
SENT_FILE = "sendt.json"
# Messages whose server reply was lost after the whole message had been sent: they may
# have been delivered, so they are not sent again without --send-igjen.
UNCERTAIN_FILE = "usikker.json"


def read_records(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        # Guessing here could send everyone a second message.
        raise MailError(f"{path} kan ikke leses ({exc}). Rett eller fjern filen før du sender.")
    if not isinstance(data, dict):
        raise MailError(f"{path} har feil innhold. Rett eller fjern filen før du sender.")
    return data


def _write_records(path: Path, records: dict[str, dict]) -> None:
    text = json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


class Records:
    """sendt.json and usikker.json, rewritten atomically after every message."""

    def __init__(self, mappe: Path):
        self.sent_path, self.uncertain_path = mappe / SENT_FILE, mappe / UNCERTAIN_FILE
        self.sent_records = read_records(self.sent_path)
        self.uncertain_records = read_records(self.uncertain_path)

    def sent(self, nr: str, record: dict) -> None:
        self.sent_records[nr] = record
        _write_records(self.sent_path, self.sent_records)
        if self.uncertain_records.pop(nr, None) is not None:
            _write_records(self.uncertain_path, self.uncertain_records)

    def uncertain(self, nr: str, record: dict) -> None:
        self.uncertain_records[nr] = record
        _write_records(self.uncertain_path, self.uncertain_records)


def record(epost: Epost, accepted: list[str]) -> dict:
    """What sendt.json keeps of a message: never its text, which could quote goals."""
    return {
        "message_id": epost.message["Message-ID"],
        "tid": datetime.now().astimezone().isoformat(timespec="seconds"),
        "mottakere": accepted,
    }
