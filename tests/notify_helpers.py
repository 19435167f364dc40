"""Helpers for the notification tests: frozen Shanghai times and projects with a due follow-up."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from projects.models import Stage

from .factories import FollowUpFactory, ProjectFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 9, minute: int = 0):
    """Travel to `day` (YYYY-MM-DD) at hour:minute in Asia/Shanghai, time frozen."""
    d = datetime.date.fromisoformat(day)
    return time_machine.travel(datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=SHANGHAI), tick=False)


def due_project(*, owner, organization, due_on: str, stage=Stage.CONTACTED, agreed="带样品再谈", **extra):
    """An active project of `owner` whose latest follow-up set the next one for `due_on`."""
    due = datetime.date.fromisoformat(due_on)
    project = ProjectFactory(owner=owner, organization=organization, stage=stage, next_follow_up_on=due, **extra)
    FollowUpFactory(
        project=project, author=owner, occurred_on=due - datetime.timedelta(days=7), next_due_on=due, next_action=agreed
    )
    return project
