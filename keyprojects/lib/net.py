"""The client's address, the same for login throttling and the security log."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind KP_TRUSTED_PROXIES (nginx) reverse proxies the address the outermost of them
    saw: the entry that many places from the right of X-Forwarded-For. A client can prepend anything to
    that header, so only the proxies' own entries count."""
    address = request.META.get("REMOTE_ADDR") or None
    hops = settings.KP_TRUSTED_PROXIES
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
