"""A job's words as the web page says them: advice named by its button or page, files as links, no server path.

The jobs write for both front ends (generator/advice.py); the terminal shows paths and options as they
are. On the page a path on the server means nothing to HR and tells an outsider how the server is laid
out, so each one becomes a link to the file when the page may serve it, and otherwise just its name.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Callable

from markupsafe import Markup, escape

from ..advice import WEB, words

# An absolute path: POSIX, a Windows drive or a UNC share. Spaces end it, unless it stands in «…».
_QUOTED = re.compile(r"«((?:/|[A-Za-z]:[\\/]|\\\\)[^«»]*)»")
# Bare, a POSIX path needs two parts, so that «</b>» or «og/eller» is not one.
_BARE = re.compile(r"(?<![\w/\\.:<])(?:/[^\s/«»\"'()<>,;]+/|[A-Za-z]:[\\/]|\\\\)[^\s«»\"'()<>,;]*")

Link = Callable[[Path], str | None]  # the page's address of a file it may serve, or None


def _name(path: str) -> str:
    if "\\" in path:
        return PureWindowsPath(path).name or path
    return PurePosixPath(path).name or path


def for_web(text: str, link: Link, roots: tuple[Path, ...] = (), pages: tuple[tuple[str, str], ...] = ()) -> Markup:
    """`text` as the page shows it: advice in the page's words, each path a link or a name, and each «siden
    X» of the menu's `pages` ((path, title)) a link to that page (HTML, escaped)."""
    text = words(str(text), WEB)
    parts: list[str] = []
    last = 0
    for match in _paths(text, roots):
        start, end, path = match
        parts.append(_page_links(str(escape(text[last:start])), pages))
        address = link(Path(path))
        name = escape(_name(path.rstrip("/\\.")))
        parts.append(f'«<a href="{escape(address)}">{name}</a>»' if address else f"«{name}»")
        last = end
    parts.append(_page_links(str(escape(text[last:])), pages))
    return Markup("".join(parts))


def _page_links(html: str, pages: tuple[tuple[str, str], ...]) -> str:
    """«siden Avtaler» in escaped text as a link to the page: advice names the page HR is to go to."""
    for path, title in pages:
        html = re.sub(rf"\bsiden {re.escape(str(escape(title)))}\b",
                      f'siden <a href="{escape(path)}">{escape(title)}</a>', html)
    return html


def _paths(text: str, roots: tuple[Path, ...]):
    """(start, end, path) of each server path in `text`, in order; a path in «…» with its quotes."""
    found = []
    taken = []
    for m in _QUOTED.finditer(text):
        found.append((m.start(), m.end(), m.group(1)))
        taken.append((m.start(), m.end()))
    # A path under one of the roots may hold spaces (a leader's folder): the longest one that exists.
    for root in roots:
        prefix = str(root)
        at = text.find(prefix)
        while at != -1:
            if not any(s <= at < e for s, e in taken):
                end = _longest(text, at, prefix)
                found.append((at, end, text[at:end]))
                taken.append((at, end))
            at = text.find(prefix, at + 1)
    for m in _BARE.finditer(text):
        if not any(s <= m.start() < e for s, e in taken):
            path = m.group(0).rstrip(".:")
            found.append((m.start(), m.start() + len(path), path))
    return sorted(found)


def _longest(text: str, at: int, prefix: str) -> int:
    """The end of the longest path from `at` that exists on disk, cut at a space or a sentence's end."""
    stop = len(text)
    for ch in "«»\n":
        i = text.find(ch, at + len(prefix))
        if i != -1:
            stop = min(stop, i)
    best = at + len(prefix)
    for m in re.finditer(r"[\s,;)]|\.(?:\s|$)", text[at:stop] + " "):
        end = at + m.start()
        if end > best and Path(text[at:end]).exists():
            best = end
    return best
