"""Requests per second of one page through gunicorn, measured by wrk from a second process."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def requests_per_second(path: str, username: str, *, seconds: int = 10, connections: int = 8) -> float:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = _free_port()
    env = {**os.environ, "SESSION_COOKIE_SECURE": "0", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        url = f"http://127.0.0.1:{port}{path}"
        subprocess.run(["wrk", "-t2", "-c2", "-d2s", "-H", f"Cookie: {cookie}", url], capture_output=True, timeout=30)
        result = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
        )
        if "Non-2xx" in result.stdout:
            raise RuntimeError(f"{path} answered errors under load:\n{result.stdout}")
        match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
        return float(match.group(1)) if match else 0.0
    finally:
        server.terminate()
        server.wait(10)
