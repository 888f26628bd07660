"""Agents for the handoff tests: teams, agent accounts in the right groups, online or not."""

from __future__ import annotations

import importlib

from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from supportbot.agents.models import AgentProfile, ConsolePresence, Team

PASSWORD = "agent-password-1"
# Transactional tests flush the tables, groups of the data migration included: recreate them.
_roles = importlib.import_module("supportbot.agents.migrations.0002_roles")


def role(name: str) -> Group:
    group, created = Group.objects.get_or_create(name=name)
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="agents", codename__in=_roles.ROLE_PERMISSIONS[name]
            )
        )
    return group


def team(name: str = "Support", reasons: list[str] | None = None, default: bool = True) -> Team:
    return Team.objects.create(name=name, reasons=reasons or [], is_default=default)


def agent(
    username: str,
    on_team: Team,
    online: bool = True,
    max_concurrent: int = 3,
    role_name: str = "agents",
) -> User:
    user = User.objects.create_user(
        username, f"{username}@example.com", PASSWORD, is_staff=True, first_name=username.title()
    )
    user.groups.add(role(role_name))
    AgentProfile.objects.create(user=user, team=on_team, max_concurrent=max_concurrent)
    if online:
        go_online(user)
    return user


def go_online(user: User, channel_name: str | None = None) -> None:
    ConsolePresence.objects.create(
        channel_name=channel_name or f"test.{user.username}", user=user, last_seen=timezone.now()
    )
