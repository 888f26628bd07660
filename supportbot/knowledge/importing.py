"""Reading help-center files into article data: a folder or .zip of Markdown/HTML files, or a
JSON list. Plain functions with no database, so tests call them directly; store.py writes.

Every file is judged on its own: a bad one (broken front matter, binary or undecodable, too big,
an archive member with an absolute or .. path, an archive that would unpack too big or too many)
becomes a Problem with a clear message, and the rest still import.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml
from django.utils.text import slugify

from supportbot.knowledge.html_text import html_to_markdown

TEXT_SUFFIXES = {".md", ".markdown", ".html", ".htm"}
# Notes about a folder, not articles of the help center.
SKIPPED_NAMES = re.compile(r"^(readme|license|licence|changelog)(\.|$)", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class ImportProblem(Exception):
    """A file that cannot become an article; the message says why, for a person to fix."""


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 1024 * 1024
    archive_bytes: int = 64 * 1024 * 1024
    archive_members: int = 5000

    @classmethod
    def from_settings(cls) -> "Limits":
        from django.conf import settings

        return cls(
            settings.KB_IMPORT_MAX_FILE_BYTES,
            settings.KB_IMPORT_MAX_ARCHIVE_BYTES,
            settings.KB_IMPORT_MAX_ARCHIVE_MEMBERS,
        )


@dataclass
class ArticleData:
    title: str
    body: str
    slug: str
    url: str = ""
    lang: str = "en"
    tags: list[str] = field(default_factory=list)
    status: str = "published"


@dataclass(frozen=True)
class Parsed:
    """One source (a file, an archive member, an item of a JSON list) and what came of it."""

    source: str
    article: ArticleData | None = None
    problem: str = ""


def normalise_lang(value: object, default: str = "en") -> str:
    text = str(value or "").strip().lower().replace("_", "-")
    if not text:
        return default
    if text.startswith("zh"):
        return "zh"  # the sample and the evaluation set are Simplified Chinese
    return text.split("-")[0]


def normalise_tags(value: object) -> list[str]:
    if value in (None, ""):
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ImportProblem("tags must be a list or a comma-separated string")
    return [str(item).strip() for item in items if str(item).strip()]


def decode(raw: bytes, limits: Limits) -> str:
    if len(raw) > limits.file_bytes:
        raise ImportProblem(f"too large ({len(raw):,} bytes; the limit is {limits.file_bytes:,})")
    if b"\x00" in raw[:8192]:
        raise ImportProblem("binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblem(f"not UTF-8 text (byte {error.start})") from None


def split_front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ImportProblem("front matter opened with --- but never closed")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise ImportProblem(f"broken front matter{where}: {getattr(error, 'problem', error)}") from None
    if not isinstance(meta, dict):
        raise ImportProblem("front matter is not a mapping of keys to values")
    return meta, text[match.end() :]


def article_from_fields(meta: dict, body: str, name: str, default_lang: str) -> ArticleData:
    """Common to every format: the title (else the first # heading), slug (else from the file
    name or title), URL, language, tags and status."""
    title = str(meta.get("title") or "").strip()
    if not title and (heading := _H1.search(body)):
        title = heading.group(1).strip()
    if not title:
        raise ImportProblem("no title (front matter `title:` or a first `# ` heading)")
    slug = slugify(str(meta.get("slug") or name or title), allow_unicode=True)[:200]
    if not slug:
        raise ImportProblem("cannot make a slug from the name or title")
    if not body.strip():
        raise ImportProblem("empty body")
    status = str(meta.get("status") or "published").strip().lower()
    if status not in {"published", "draft"}:
        raise ImportProblem(f"status {status!r} is neither published nor draft")
    return ArticleData(
        title=title[:300],
        body=body.strip() + "\n",
        slug=slug,
        url=str(meta.get("url") or "").strip(),
        lang=normalise_lang(meta.get("lang"), default_lang),
        tags=normalise_tags(meta.get("tags")),
        status=status,
    )


def parse_markdown(text: str, name: str, default_lang: str = "en") -> ArticleData:
    meta, body = split_front_matter(text)
    return article_from_fields(meta, body, name, default_lang)


def parse_html(text: str, name: str, default_lang: str = "en") -> ArticleData:
    page = html_to_markdown(text)
    meta = {"title": page.title, "url": page.canonical_url, "lang": page.lang, "tags": page.keywords}
    return article_from_fields(meta, page.markdown, name, default_lang)


def parse_json_list(text: str, source: str, default_lang: str = "en") -> list[Parsed]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        return [Parsed(source, problem=f"invalid JSON at line {error.lineno}: {error.msg}")]
    if not isinstance(items, list):
        return [Parsed(source, problem="the JSON must be a list of {title, body, url, lang}")]
    parsed = []
    for number, item in enumerate(items):
        where = f"{source}[{number}]"
        try:
            if not isinstance(item, dict):
                raise ImportProblem("not an object")
            body = item.get("body")
            if not isinstance(body, str):
                raise ImportProblem("`body` must be a string")
            name = item.get("slug") or item.get("title") or ""
            parsed.append(Parsed(where, article_from_fields(item, body, str(name), default_lang)))
        except ImportProblem as problem:
            parsed.append(Parsed(where, problem=str(problem)))
    return parsed


def parse_file(raw: bytes, name: str, limits: Limits) -> list[Parsed]:
    """One file's bytes, by its suffix; `name` is its path as shown in messages."""
    path = PurePosixPath(name)
    default_lang = _lang_from_folder(path)
    try:
        if path.suffix.lower() == ".json":
            # A JSON list is a whole help center: it may be as large as an archive.
            json_limits = Limits(limits.archive_bytes, limits.archive_bytes, limits.archive_members)
            return parse_json_list(decode(raw, json_limits), name, default_lang)
        text = decode(raw, limits)
        if path.suffix.lower() in {".html", ".htm"}:
            return [Parsed(name, parse_html(text, path.stem, default_lang))]
        return [Parsed(name, parse_markdown(text, path.stem, default_lang))]
    except ImportProblem as problem:
        return [Parsed(name, problem=str(problem))]


def _lang_from_folder(path: PurePosixPath) -> str:
    """sample/zh/x.md is Chinese unless its front matter says otherwise."""
    parent = path.parent.name.lower()
    return normalise_lang(parent) if re.fullmatch(r"[a-z]{2}(-[a-z]+)?", parent) else "en"


def wanted(name: str) -> bool:
    path = PurePosixPath(name)
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return False
    return path.suffix.lower() in TEXT_SUFFIXES | {".json"} and not SKIPPED_NAMES.match(path.name)


def read_path(path: Path, limits: Limits | None = None) -> Iterator[Parsed]:
    """Everything at `path`: a folder (searched recursively), a .zip, or a single file."""
    limits = limits or Limits.from_settings()
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            relative = file.relative_to(path).as_posix()
            if file.suffix.lower() == ".zip" and wanted(relative[:-4] + ".md"):
                yield from read_zip(file, limits)
            elif wanted(relative):
                yield from _read_file(file, relative, limits)
    elif path.suffix.lower() == ".zip":
        yield from read_zip(path, limits)
    elif path.is_file():
        yield from _read_file(path, path.name, limits)
    else:
        yield Parsed(str(path), problem="no such file or folder")


def _read_file(file: Path, name: str, limits: Limits) -> Iterator[Parsed]:
    cap = limits.archive_bytes if file.suffix.lower() == ".json" else limits.file_bytes
    size = file.stat().st_size
    if size > cap:
        yield Parsed(name, problem=f"too large ({size:,} bytes; the limit is {cap:,})")
        return
    yield from parse_file(file.read_bytes(), name, limits)


def read_zip(path: Path, limits: Limits) -> Iterator[Parsed]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield Parsed(path.name, problem=f"not a readable zip archive ({error})")
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        declared = sum(info.file_size for info in members)
        if len(members) > limits.archive_members:
            yield Parsed(path.name, problem=f"archive has {len(members):,} files; the limit is {limits.archive_members:,}")
            return
        if declared > limits.archive_bytes:
            yield Parsed(path.name, problem=f"archive would unpack to {declared:,} bytes; the limit is {limits.archive_bytes:,}")
            return
        for info in members:
            name = f"{path.name}:{info.filename}"
            if _unsafe_member(info.filename):
                yield Parsed(name, problem="unsafe path in archive (absolute or containing ..)")
            elif wanted(info.filename):
                yield from _read_member(archive, info, name, limits)


def _unsafe_member(filename: str) -> bool:
    member = PurePosixPath(filename.replace("\\", "/"))
    return member.is_absolute() or ".." in member.parts or re.match(r"^[A-Za-z]:", filename) is not None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits) -> Iterator[Parsed]:
    cap = limits.archive_bytes if info.filename.lower().endswith(".json") else limits.file_bytes
    if info.file_size > cap:
        yield Parsed(name, problem=f"too large ({info.file_size:,} bytes; the limit is {cap:,})")
        return
    try:
        # Read one byte past the cap: a header that lies about the size cannot make us unpack more.
        with archive.open(info) as member:
            raw = member.read(cap + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        yield Parsed(name, problem=f"cannot unpack ({error})")
        return
    if len(raw) > cap:
        yield Parsed(name, problem=f"too large (more than {cap:,} bytes unpacked)")
        return
    yield from parse_file(raw, info.filename, limits)
