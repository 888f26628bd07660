"""The agent console page's door: the same rule as its socket (staff in agents or supervisors)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.agent_fixtures import PASSWORD, agent, team

pytestmark = pytest.mark.django_db

CONSOLE = "/admin/console/"


def logged_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def test_anonymous_and_non_staff_users_are_sent_to_the_admin_login():
    visitor = User.objects.create_user("visitor", password=PASSWORD)
    for client in (Client(), logged_in(visitor)):
        response = client.get(CONSOLE)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/admin/console/")


def test_staff_outside_the_agent_groups_is_refused():
    clerk = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    assert logged_in(clerk).get(CONSOLE).status_code == 403


def test_an_agent_gets_the_console_without_the_supervisors_tab():
    alice = agent("alice", team(), online=False)
    response = logged_in(alice).get(CONSOLE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/agents/console.js" in page and 'data-tab="pending"' in page
    assert 'data-tab="all"' not in page


def test_a_supervisor_also_gets_the_all_tab():
    boss = agent("boss", team(), online=False, role_name="supervisors")
    page = logged_in(boss).get(CONSOLE).content.decode()
    assert 'data-tab="all"' in page


def test_the_console_is_not_writable_by_post():
    alice = agent("alice", team(), online=False)
    assert logged_in(alice).post(CONSOLE).status_code == 405
