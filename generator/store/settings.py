"""`<ut>/innstillinger.json`: the output folder's settings, made on the web page's Innstillinger.

The SMTP server (with its password), the sender that replaces the workbook's Avsender, the e-mail
texts that replace the template folder's `epost.txt`, `epost_oppfolging.txt` and `epost_paminnelse.txt`,
and whether the exempt appendix is attached. The command line's `epost` reads the same file, so both
front ends send the same way. For the SMTP fields, an option on the command line wins over an environment variable,
which wins over this file (`mail/smtp.py`).

The file holds the password in plain text, so it is written readable by its owner only (0600), the
user the server runs as (README, «Innstillinger»).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..exceptions import LederavtaleError
from .files import atomic_write_bytes

SETTINGS_FILE = "innstillinger.json"
SETTINGS_MODE = 0o600
MAX_SETTINGS_BYTES = 1024 * 1024  # three e-mail texts and a few fields; anything larger is not ours


@dataclass
class Innstillinger:
    """The settings; an empty text field means: not set here (the environment, the workbook or the template folder decides)."""

    smtp_vert: str = ""
    smtp_port: int | None = None  # None: the default port (587)
    smtp_bruker: str = ""
    smtp_passord: str = field(default="", repr=False)  # never in a traceback or log line
    smtp_tls: bool = True
    avsender: str = ""  # replaces the sheet Kommune's Avsender when set
    epost_tekst: str = ""  # replaces epost.txt when set
    epost_oppfolging_tekst: str = ""  # replaces epost_oppfolging.txt when set
    epost_paminnelse_tekst: str = ""  # replaces epost_paminnelse.txt (the reminder) when set
    med_vedlegg: bool = True  # False: the agreement alone, as --uten-vedlegg


_TYPES = {"smtp_port": (int, type(None)), "smtp_tls": (bool,), "med_vedlegg": (bool,)}


def settings_path(ut: Path) -> Path:
    return Path(ut) / SETTINGS_FILE


def load(ut: Path) -> Innstillinger:
    """The output folder's settings; the defaults when there is no file. A file that cannot be read, or
    holds something else than settings, is a LederavtaleError: sending with half the settings would
    send from the wrong server or with the wrong text."""
    path = settings_path(ut)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return Innstillinger()
    except IsADirectoryError:
        raise _broken("det er en mappe, ikke en fil") from None
    except PermissionError:
        raise _broken("du mangler tilgang til å lese filen") from None
    except OSError as exc:
        raise _broken(f"filen kan ikke leses ({exc.strerror or 'ukjent feil'})") from None
    if len(data) > MAX_SETTINGS_BYTES:
        raise _broken("filen er større enn 1 MB")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _broken("filen er ikke UTF-8-tekst") from None
    except json.JSONDecodeError as exc:
        raise _broken(f"filen er ikke gyldig JSON (linje {exc.lineno})") from None
    if not isinstance(raw, dict):
        raise _broken("innholdet har feil form")
    values = {}
    for f in fields(Innstillinger):
        if f.name not in raw:
            continue  # a setting added in a later version: its default
        value = raw[f.name]
        # bool is an int in Python: a port of `true` must not pass as 1.
        wanted = _TYPES.get(f.name, (str,))
        if not isinstance(value, wanted) or (f.name == "smtp_port" and isinstance(value, bool)):
            raise _broken(f"feltet «{f.name}» har feil type")
        values[f.name] = value
    if values.get("smtp_port") is not None and not 0 < values["smtp_port"] < 65536:
        raise _broken(f"feltet «smtp_port» er ikke en gyldig port ({values['smtp_port']})")
    return Innstillinger(**values)


def save(ut: Path, innstillinger: Innstillinger) -> None:
    """Write the settings atomically, readable by the owner only (on POSIX; Windows has no such mode,
    and the folder's access rights decide there)."""
    data = json.dumps(asdict(innstillinger), ensure_ascii=False, indent=2) + "\n"
    atomic_write_bytes(settings_path(ut), data.encode("utf-8"), durable=True, mode=SETTINGS_MODE)


def _broken(reason: str) -> LederavtaleError:
    # The file's name, not its path: the message is shown on the web page, which never shows server paths.
    return LederavtaleError(f"Innstillingene i «{SETTINGS_FILE}» kan ikke leses: {reason}. Lagre innstillingene på "
                            f"nytt på siden Innstillinger, eller slett filen (da brukes standardinnstillingene).")
