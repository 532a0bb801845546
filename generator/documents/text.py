"""The visible text of WordprocessingML: what the privacy guard, the placeholder count and the
document ID's version read."""

from __future__ import annotations

import html
import re


def document_text(xml: str) -> str:
    """The visible text of WordprocessingML, paragraphs on their own lines."""
    xml = re.sub(r"</w:p>|<w:br/>|<w:br [^>]*/>", "\n", xml)
    xml = re.sub(r"<w:tab/>", "\t", xml)
    texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|(\n)", xml)
    return html.unescape("".join(t or nl for t, nl in texts))


def text_of(filled: dict[str, str]) -> str:
    """The visible text of a filled-in document, part by part."""
    return "\n".join(document_text(xml) for xml in filled.values())
