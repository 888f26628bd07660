"""An HTML help-center page as Markdown-ish text: its <title>, canonical URL, language and
keywords, and its body with headings kept as ## / ### (so chunking finds the sections), scripts
and styles dropped, every other tag stripped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "li", "tr", "br", "section", "article", "table", "ul", "ol", "pre", "blockquote"}
_HIDDEN = {"script", "style", "template", "noscript", "head"}


@dataclass
class Page:
    title: str = ""
    canonical_url: str = ""
    lang: str = ""
    keywords: list[str] = field(default_factory=list)
    markdown: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.parts: list[str] = []
        self.hidden = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "html" and values.get("lang"):
            self.page.lang = values["lang"]
        elif tag == "link" and "canonical" in values.get("rel", "").split():
            self.page.canonical_url = values.get("href", "")
        elif tag == "meta" and values.get("name", "").lower() == "keywords":
            self.page.keywords = [k.strip() for k in values.get("content", "").split(",") if k.strip()]
        if tag == "title":
            self.in_title = True
        elif tag in _HIDDEN:
            self.hidden += 1
        elif tag in {"h1", "h2", "h3", "h4"}:
            self.parts.append("\n\n" + "#" * min(int(tag[1]), 3) + " ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in {"h1", "h2", "h3", "h4", "p"}:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        elif not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_markdown(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    text = "".join(reader.parts)
    lines = [line.strip() for line in text.splitlines()]
    page = reader.page
    page.title = re.sub(r"\s+", " ", page.title).strip()
    page.markdown = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return page
