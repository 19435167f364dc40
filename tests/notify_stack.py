"""The real moving parts for the notification integration tests: a local SMTP server (aiosmtpd),
Celery worker processes with embedded beat started against the test database, and a private
redis-server on a free port (never the machine's shared one)."""

import asyncio
import contextlib
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float = 90.0, interval: float = 0.2, what: str = "condition"):
    """Poll until `condition()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class Mailbox:
    """aiosmtpd handler recording each accepted message's X-Outbox-Key. `refuse` answers 550;
    `rcpt_delay` slows each transaction down before any data is sent."""

    def __init__(self, *, refuse: bool = False, rcpt_delay: float = 0.0):
        self.refuse = refuse
        self.rcpt_delay = rcpt_delay
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    @property
    def keys(self) -> Counter:
        return Counter(m["X-Outbox-Key"] for m in list(self.messages))


class SMTPServer:
    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        self.port = free_port()
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker --beat --pool=solo` in its own process group, its clock started at
    `fake_now` and ticking (time-machine), sweeping every second."""

    def __init__(
        self,
        *,
        var_dir: Path,
        smtp_port: int,
        fake_now: str,
        name: str,
        redis_url: str = "",
        queue: str = "",
        **extra_env,
    ):
        self.name = name
        self.log = var_dir / f"{name}.log"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "EMAIL_"))},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": settings.SECRET_KEY,
            "SITE_URL": settings.SITE_URL,
            "DATABASE_URL": database_url(),
            "VAR_DIR": str(var_dir),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "2",
            "NOTIFY_SWEEP_SECONDS": "1",
            "OUTBOX_SEND_SECONDS": "1",
            "OUTBOX_RETRY_SECONDS": "0.3",
            "OUTBOX_SENDING_TIMEOUT": "4",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "LOG_LEVEL": "WARNING",
            "FAKE_NOW": fake_now,
            **({"REDIS_URL": redis_url} if redis_url else {}),
            **({"CELERY_QUEUE": queue} if queue else {}),
            **{k: str(v) for k, v in extra_env.items()},
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "notify_worker.py"),
                "-A",
                "config",
                "worker",
                "--beat",
                "--pool=solo",
                f"--loglevel={os.environ.get('NOTIFY_TEST_LOGLEVEL', 'WARNING')}",
                f"--hostname={name}@%h",
                f"--schedule={var_dir / (name + '-beat-schedule')}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes the embedded beat too
        )

    def kill(self) -> None:
        """SIGKILL, no goodbye: the worker and its beat die mid-work."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


class RedisServer:
    """A private redis-server on a free port, stoppable and restartable on the same port."""

    def __init__(self, var_dir: Path):
        self.port = free_port()
        self.dir = var_dir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=20, what="redis-server to start")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
