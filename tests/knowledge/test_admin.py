"""Who may do what with articles in the admin: editors edit, agents read, visitors log in first."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from supportbot.knowledge.models import Article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lexical_only")]


def staff_in(group: str) -> User:
    user = User.objects.create_user(f"{group}-user", password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def article(committed):
    with committed():
        return Article.objects.create(slug="plans", title="Plans", body="## Prices\n\n**Plus** is 4.99.<script>x</script>")


def test_an_editor_adds_an_article_and_it_is_indexed(client, committed):
    client.force_login(staff_in("editors"))
    with committed():
        response = client.post("/admin/knowledge/article/add/", {
            "title": "Refunds", "slug": "refunds", "lang": "en", "status": "published",
            "url": "", "tags": '["billing"]', "body": "## Window\n\n14 days.",
        })
    assert response.status_code == 302, response.content[:2000]
    assert Article.objects.get(slug="refunds").chunks.count() == 1


def test_supervisors_may_edit_too(client, article):
    client.force_login(staff_in("supervisors"))
    assert client.get(f"/admin/knowledge/article/{article.pk}/change/").status_code == 200
    assert client.get("/admin/knowledge/article/add/").status_code == 200


def test_an_agent_can_only_view(client, article):
    client.force_login(staff_in("agents"))
    assert client.get("/admin/knowledge/article/").status_code == 200
    page = client.get(f"/admin/knowledge/article/{article.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/admin/knowledge/article/add/").status_code == 403
    assert client.post(f"/admin/knowledge/article/{article.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_the_change_page_previews_rendered_markdown_without_raw_html(client, article):
    client.force_login(staff_in("editors"))
    page = client.get(f"/admin/knowledge/article/{article.pk}/change/").content.decode()
    assert "<strong>Plus</strong>" in page and "<h2>Prices</h2>" in page
    assert "<script>x</script>" not in page


def test_anonymous_visitors_get_the_login_page(client, article):
    response = client.get("/admin/knowledge/article/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
