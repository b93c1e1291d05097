"""Patient pseudonyms: HMAC-SHA256 of the caller's external identifier, keyed by a secret.

The external identifier (a national number, a file number: whatever the case manager's own
records use) is hashed with the key from GRAPHSVC_PSEUDONYM_KEY and never stored: the same
identifier and key always give the same pseudonym, another key gives another, and without
the key a pseudonym cannot be tied back to a person by trying identifiers. Surrounding white
space is ignored; everything else in the identifier counts.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from graphsvc.errors import ConfigError, InputError

KEY_VARIABLE = "GRAPHSVC_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
MAX_EXTERNAL_ID = 200
PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def require_key(key: str | None) -> bytes:
    """The key as bytes, or ConfigError when it is missing or too short to be a secret."""
    if not key:
        raise ConfigError(
            f"{KEY_VARIABLE} is not set: patients cannot be written without the pseudonym key "
            "(a secret of at least 16 characters, the same for every graphsvc process)"
        )
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(f"{KEY_VARIABLE} is too short: use at least {MIN_KEY_LENGTH} characters")
    return key.encode("utf-8")


def pseudonym(external_id: str, key: str | None, argument: str = "externalId") -> str:
    """The patient id for an external identifier: 64 lowercase hex characters."""
    secret = require_key(key)
    if not isinstance(external_id, str) or not external_id.strip():
        raise InputError([f"{argument}: required, the identifier your own records use"])
    value = external_id.strip()
    if len(value) > MAX_EXTERNAL_ID or _CONTROL.search(value):
        raise InputError(
            [f"{argument}: at most {MAX_EXTERNAL_ID} characters, no control characters"]
        )
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()


def is_pseudonym(value: object) -> bool:
    """True for a well-formed pseudonym (64 lowercase hex characters)."""
    return isinstance(value, str) and bool(PSEUDONYM.match(value))
