"""Split an article's Markdown into passages by its ## and ### headings.

Each passage's text starts with the article's title and the heading path, so that a passage read
alone (by the ranker, by the model, by a person) still says what it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHUNK_CHARS = 1200
_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Section:
    heading: str
    body: str


@dataclass(frozen=True)
class ChunkText:
    position: int
    heading: str
    text: str


def sections(markdown: str) -> list[Section]:
    """The text before the first ## heading, then one section per ## or ### heading. A leading
    # heading is the title repeated and is dropped; fenced code never counts as a heading."""
    found: list[Section] = []
    h2, heading, lines, in_fence = "", "", [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            lines.append(line)
            continue
        level, title = len(match.group(1)), match.group(2)
        if level == 1:
            continue
        found.append(Section(heading, "\n".join(lines).strip()))
        h2 = title if level == 2 else h2
        heading = title if level == 2 or not h2 else f"{h2} › {title}"
        lines = []
    found.append(Section(heading, "\n".join(lines).strip()))
    return [section for section in found if section.body]


def split_long(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph boundaries where there are any
    (then at line ends, then anywhere) so that a passage is rarely cut mid-sentence."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n"):
        parts = text.split(separator)
        if len(parts) > 1:
            return _pack(parts, separator, limit)
    return [text[i : i + limit] for i in range(0, len(text), limit)]


def _pack(parts: list[str], separator: str, limit: int) -> list[str]:
    pieces, current = [], ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if len(part) > limit:
            pieces.extend(split_long(part, limit))
            current = ""
        else:
            current = part
    if current:
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def chunk_article(title: str, body: str) -> list[ChunkText]:
    chunks = []
    for section in sections(body):
        context = f"{title}\n{section.heading}" if section.heading else title
        for piece in split_long(section.body, MAX_CHUNK_CHARS - len(context) - 2):
            chunks.append(ChunkText(len(chunks), section.heading, f"{context}\n\n{piece}"))
    if not chunks:  # an article with a title only still gets found by its title
        chunks.append(ChunkText(0, "", title))
    return chunks
