"""The metrics dashboard: the numbers come out right for known data, every chart is drawn as
inline SVG, the period can be chosen, and only the ops role (or a superuser) sees it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from supportbot.agents.models import Handoff
from supportbot.chat.models import Conversation
from supportbot.ops import stats
from supportbot.ops.demo_data import generate
from tests.agent_fixtures import PASSWORD, team
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import bot_turn, escalated, ops_user

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/ops/dashboard/"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_known_numbers_show_up_in_the_tiles():
    today = timezone.localdate()
    for ttft in (100, 200, 300, 400):
        bot_turn(new_conversation(), "Hello", ttft_ms=ttft)  # 300 prompt tokens, 200 cached, 40 generated
    escalated(Conversation.objects.first(), Handoff.Reason.ABUSE, team(), score=4)
    period = stats.period_from({"days": "7"}, today)
    assert stats.time_to_first_token(period)["period"] == [200, 400]
    assert stats.generation_per_day(period)["period"] == [pytest.approx(40 / 0.9), pytest.approx(200 / 3)]
    assert stats.escalations_by_trigger(period, 4) == [("Abuse", 1, 0.25)]
    assert stats.ratings(period) == [0, 0, 0, 1, 0]
    page = logged_in(ops_user()).get(DASHBOARD + "?days=7").content.decode()
    for text in ("25.0 <small>%</small>", "200 <small>ms</small>", "p95 400 ms", "44.4 <small>tokens/s</small>",
                 "66.7 <small>%</small>", "4.00 <small>/ 5</small>"):
        assert text in page, text


def test_a_month_of_demo_data_draws_every_chart():
    generate(days=30, per_day=6, seed=3)
    response = logged_in(ops_user()).get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<svg class="ops-chart"') == 8
    assert page.count("<rect class=\"series-") > 60 and page.count("<polyline") >= 4
    # every demo conversation is in the last 30 days, today included
    assert f"<strong>{Conversation.objects.count():,}</strong>" in page


def test_the_period_can_be_chosen():
    today = date(2026, 3, 31)
    assert stats.period_from({"days": "7"}, today).first == today - timedelta(days=6)
    assert stats.period_from({"days": "90"}, today).first == today - timedelta(days=89)
    assert stats.period_from({"days": "12"}, today).first == today - timedelta(days=29)  # not offered
    chosen = stats.period_from({"from": "2026-02-01", "to": "2026-02-10", "days": "7"}, today)
    assert (chosen.first, chosen.last, len(chosen.days)) == (date(2026, 2, 1), date(2026, 2, 10), 10)
    assert stats.period_from({"from": "2026-02-10", "to": "2026-02-01"}, today).last == today  # backwards
    old = new_conversation()
    Conversation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
    bot_turn(new_conversation(), "Hi")
    client = logged_in(ops_user())
    assert "<strong>1</strong>" in client.get(DASHBOARD + "?days=7").content.decode()
    assert "<strong>2</strong>" in client.get(DASHBOARD + "?days=30").content.decode()
    since = (timezone.localdate() - timedelta(days=25)).isoformat()
    until = (timezone.localdate() - timedelta(days=15)).isoformat()
    assert "<strong>1</strong>" in client.get(DASHBOARD + f"?from={since}&to={until}").content.decode()


def test_staff_without_the_ops_role_is_refused():
    clerk = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    assert logged_in(clerk).get(DASHBOARD).status_code == 403
