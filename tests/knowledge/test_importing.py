"""kb_import: every format, every kind of bad file (each its own clear error, the good files still
imported), re-import without duplicates, --delete-missing, --if-empty."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from supportbot.knowledge.importing import Limits, parse_html, parse_markdown, read_path
from supportbot.knowledge.models import Article, Chunk
from supportbot.knowledge.store import import_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lexical_only")]

GOOD_MD = """---
title: Reset your password
url: https://help.example/en/reset-password
lang: en
tags: [account, password]
---

# Reset your password

Use **Forgot password** on the sign-in page.

## The email did not arrive

Check your spam folder. You can ask for a new link once a minute.
"""

HTML = """<!doctype html><html lang="zh-Hans"><head><title>申请发票</title>
<link rel="canonical" href="https://help.example/zh/fapiao"><style>p{color:red}</style></head>
<body><h1>申请发票</h1><p>所有发票均为<b>电子发票</b>。</p><script>alert(1)</script>
<h2>申请时间</h2><p>订单发货后才能申请。</p></body></html>"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_markdown_front_matter_gives_title_url_lang_tags():
    article = parse_markdown(GOOD_MD, "reset-password")
    assert (article.title, article.slug, article.lang) == ("Reset your password", "reset-password", "en")
    assert article.url == "https://help.example/en/reset-password"
    assert article.tags == ["account", "password"]
    assert "## The email did not arrive" in article.body


def test_html_takes_the_title_and_strips_tags_scripts_and_styles():
    article = parse_html(HTML, "fapiao")
    assert article.title == "申请发票"
    assert article.lang == "zh" and article.url == "https://help.example/zh/fapiao"
    assert "<" not in article.body and "alert" not in article.body and "color" not in article.body
    assert "## 申请时间" in article.body  # headings survive, so chunking still finds sections


def test_a_folder_of_markdown_and_html(tmp_path):
    write(tmp_path, "en/reset-password.md", GOOD_MD)
    write(tmp_path, "zh/fapiao.html", HTML)
    write(tmp_path, "README.md", "# Notes about this folder\n\nNot an article.")
    report = import_path(tmp_path)
    assert report.ok and report.created == 2
    assert set(Article.objects.values_list("lang", "slug")) == {("en", "reset-password"), ("zh", "fapiao")}


def test_a_zip_archive(tmp_path):
    archive = tmp_path / "help.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("help/en/reset-password.markdown", GOOD_MD)
        zipped.writestr("help/zh/fapiao.htm", HTML)
    report = import_path(archive)
    assert report.ok and report.created == 2


def test_a_json_list(tmp_path):
    items = [
        {"title": "Plans", "body": "## Prices\n\nPlus costs 4.99 a month.", "url": "https://h.example/plans", "lang": "en"},
        {"title": "退款", "body": "14 天内可退款。", "url": "https://h.example/zh/refund", "lang": "zh-CN", "tags": ["billing"]},
        {"title": "No body"},
    ]
    report = import_path(write(tmp_path, "articles.json", json.dumps(items)))
    assert report.created == 2
    assert report.errors == ["articles.json[2]: `body` must be a string"]
    assert Article.objects.get(slug="退款").lang == "zh"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.md", "---\ntitle: [unclosed\n---\nbody", "broken front matter"),
        ("unclosed.md", "---\ntitle: x\nbody without the closing line", "never closed"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.md", "---\ntitle: Caf\xe9\n---\nbody".encode("latin-1"), "not UTF-8"),
        ("huge.md", "---\ntitle: Huge\n---\n" + "a" * 2048, "too large"),
        ("untitled.md", "no title anywhere", "no title"),
    ],
)
def test_a_bad_file_gets_its_error_and_the_good_ones_are_imported(tmp_path, name, content, message):
    write(tmp_path, "good.md", GOOD_MD)
    write(tmp_path, name, content)
    report = import_path(tmp_path, limits=Limits(file_bytes=1024))
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{name}: ")
    assert message in report.errors[0]
    assert report.created == 1 and Article.objects.get().slug == "good"


def test_zip_bomb_and_path_traversal_are_refused(tmp_path):
    write(tmp_path, "good.md", GOOD_MD)
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("zeros.md", b"\0" * 3_000_000)  # a few KB packed, MBs unpacked
    with zipfile.ZipFile(tmp_path / "many.zip", "w") as zipped:
        for number in range(20):
            zipped.writestr(f"a{number}.md", f"# A{number}\n\nx")
    with zipfile.ZipFile(tmp_path / "sneaky.zip", "w") as zipped:
        zipped.writestr("../../etc/evil.md", GOOD_MD)
        zipped.writestr("/abs/evil.md", GOOD_MD)
        zipped.writestr("fine/ok.md", "# Fine\n\nA fine article.")
    report = import_path(tmp_path, limits=Limits(file_bytes=1024 * 1024, archive_bytes=2_000_000, archive_members=10))
    errors = "\n".join(report.errors)
    assert "bomb.zip: archive would unpack to 3,000,000 bytes" in errors
    assert "many.zip: archive has 20 files" in errors
    assert "sneaky.zip:../../etc/evil.md: unsafe path" in errors
    assert "sneaky.zip:/abs/evil.md: unsafe path" in errors
    assert set(Article.objects.values_list("slug", flat=True)) == {"good", "ok"}


def test_a_member_lying_about_its_size_is_cut_at_the_limit(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("big.md", "# Big\n\n" + "b" * 5000)
    archive = write(tmp_path, "liar.zip", buffer.getvalue())
    parsed = list(read_path(archive, Limits(file_bytes=1024)))
    assert parsed[0].problem.startswith("too large")


def test_reimport_updates_by_url_and_does_not_duplicate(tmp_path, committed):
    write(tmp_path, "reset-password.md", GOOD_MD)
    with committed():
        import_path(tmp_path)
    first = Article.objects.get()
    write(tmp_path, "reset-password.md", GOOD_MD.replace("once a minute", "every 60 seconds"))
    write(tmp_path, "renamed.md", GOOD_MD.replace("Reset your password", "Password reset"))
    with committed():
        report = import_path(tmp_path)
    assert report.ok and report.created == 0
    article = Article.objects.get()  # same URL: one article, updated in place
    assert article.pk == first.pk
    assert "every 60 seconds" in article.body  # reset-password.md sorts last: its text wins
    assert report.notes == ["reset-password.md: same URL or slug as an earlier file; it replaced it"]
    assert Chunk.objects.filter(article=article).count() == 2


def test_unchanged_reimport_saves_nothing(tmp_path):
    write(tmp_path, "reset-password.md", GOOD_MD)
    import_path(tmp_path)
    report = import_path(tmp_path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_delete_missing_removes_only_what_the_import_lacked(tmp_path):
    write(tmp_path, "a/reset-password.md", GOOD_MD)
    write(tmp_path, "a/other.md", "# Other\n\nSomething else.")
    import_path(tmp_path / "a")
    write(tmp_path, "b/reset-password.md", GOOD_MD)
    assert import_path(tmp_path / "b").deleted == 0  # nothing is deleted unless asked
    assert Article.objects.count() == 2
    report = import_path(tmp_path / "b", delete_missing=True)
    assert report.deleted == 1
    assert list(Article.objects.values_list("slug", flat=True)) == ["reset-password"]


def test_delete_missing_is_skipped_when_a_file_failed(tmp_path):
    write(tmp_path, "reset-password.md", GOOD_MD)
    write(tmp_path, "other.md", "# Other\n\nSomething else.")
    import_path(tmp_path)
    (tmp_path / "other.md").write_bytes(b"\x00\x01binary")
    report = import_path(tmp_path, delete_missing=True)
    assert report.deleted == 0 and Article.objects.count() == 2
    assert any("--delete-missing skipped" in note for note in report.notes)


def test_command_exits_non_zero_on_any_failure_and_prints_one_line_per_file(tmp_path, capsys):
    write(tmp_path, "good.md", GOOD_MD)
    write(tmp_path, "bad.md", "---\ntitle: [\n---\nx")
    with pytest.raises(CommandError) as failure:
        call_command("kb_import", str(tmp_path))
    assert failure.value.returncode == 1
    assert "error: bad.md: broken front matter" in capsys.readouterr().err
    assert Article.objects.count() == 1


def test_if_empty_imports_only_into_an_empty_base(tmp_path):
    write(tmp_path, "good.md", GOOD_MD)
    call_command("kb_import", str(tmp_path), "--if-empty")
    write(tmp_path, "second.md", "# Second\n\nMore.")
    call_command("kb_import", str(tmp_path), "--if-empty")
    assert Article.objects.count() == 1
