from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def heartbeat(name: str = "worker") -> None:
    services.heartbeat_record(name=name)
