#!/usr/bin/env python3
"""Print a .docx as text: its paragraphs and tables in order, then header and footer.

Used as git's textconv so that a change to a template in maler/ shows as a readable diff:

    git config diff.docx.textconv "python tools/docx_text.py"

(`.gitattributes` says `*.docx diff=docx`). Each paragraph is one line, with its style in
brackets when it is not Normal; a table cell is `| `-prefixed, one line per paragraph in it.

Usage: python tools/docx_text.py FILE.docx
"""

from __future__ import annotations

import sys
import zipfile
from xml.etree import ElementTree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _paragraph(p) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    text = []
    for el in p.iter():
        if el.tag == f"{W}t":
            text.append(el.text or "")
        elif el.tag == f"{W}tab":
            text.append("\t")
        elif el.tag in (f"{W}br", f"{W}cr"):
            text.append("\n")
    line = "".join(text)
    name = style.get(f"{W}val") if style is not None else ""
    return f"[{name}] {line}" if name and name != "Normal" else line


def _block(element, indent: str = "") -> list[str]:
    lines = []
    for child in element:
        if child.tag == f"{W}p":
            lines.append(indent + _paragraph(child))
        elif child.tag == f"{W}tbl":
            lines.append(indent + "+ tabell")
            for row in child.findall(f"{W}tr"):
                lines.append(indent + "+ rad")
                for cell in row.findall(f"{W}tc"):
                    lines.extend(_block(cell, indent + "| "))
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                lines.extend(_block(content, indent))
    return lines


def docx_text(path: str) -> str:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        parts = ["word/document.xml"] + sorted(n for n in names if n.startswith("word/header"))
        parts += sorted(n for n in names if n.startswith("word/footer"))
        lines = []
        for name in parts:
            root = ElementTree.fromstring(archive.read(name))
            body = root.find(f"{W}body")
            if name != "word/document.xml":
                lines.append(f"=== {name.removeprefix('word/')}")
            lines.extend(_block(body if body is not None else root))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    sys.stdout.write(docx_text(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
