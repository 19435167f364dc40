"""The client's IP address behind a known number of trusted reverse proxies.

Each proxy appends the address it received the request from to X-Forwarded-For, so with
PROXY_COUNT trusted proxies the client is the PROXY_COUNT-th entry from the right. Entries to
the left of it were written by the client itself and are never trusted: a forged
X-Forwarded-For can neither dodge the login throttle nor lock out somebody else.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    count = settings.PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
