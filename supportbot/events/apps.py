import logging

from django.apps import AppConfig
from django.conf import settings

log = logging.getLogger("supportbot.celery")


class EventsConfig(AppConfig):
    name = "supportbot.events"
    verbose_name = "Conversation event log"

    def ready(self) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            beat = "the web process runs beat's schedule" if settings.EMBEDDED_BEAT else "no beat"
            log.info("no REDIS_URL: Celery tasks run eagerly in this process; %s", beat)
