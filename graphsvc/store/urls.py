"""Database URLs made safe to print."""

from __future__ import annotations

import re

_SECRET_QUERY = re.compile(r"(?i)([?&](?:password|pass|pwd|token|auth)=)[^&]*")


def describe_url(url: str) -> str:
    """The URL without its password, safe to print."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return _SECRET_QUERY.sub(r"\1***", url)
