"""When to retry a failed request and how long to wait: the official SDK's rules.

Retried: connection errors, timeouts, and statuses 408, 409, 429 and >= 500, unless the server says
otherwise with ``x-should-retry: true|false``. The wait is the server's ``retry-after-ms`` or
``retry-after`` (seconds or an HTTP date) when 0 < wait <= 120 s; a longer ``retry-after`` means
no retry at all. Otherwise 0.5 s doubling per retry up to 8 s, less up to 25 % of jitter.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Mapping
from typing import Final

INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
MAX_RETRY_AFTER: Final = 120.0
RETRY_STATUSES: Final = frozenset({408, 409, 429})


def retry_after(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, then ``retry-after``), or None."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            delay = float(value)
        except ValueError:
            continue
        if math.isnan(delay):
            continue
        return delay / divisor
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return float(email.utils.mktime_tz(parsed) - now())
    except (TypeError, ValueError, OverflowError):
        return None


def should_retry(status_code: int, headers: Mapping[str, str]) -> bool:
    """Whether an error response is worth another attempt."""
    wait = retry_after(headers)
    if wait is not None and math.isfinite(wait) and wait > MAX_RETRY_AFTER:
        return False
    if wait == math.inf:
        return False
    verdict = headers.get("x-should-retry")
    if verdict == "true":
        return True
    if verdict == "false":
        return False
    return status_code in RETRY_STATUSES or status_code >= 500


def retry_delay(
    retries_taken: int,
    headers: Mapping[str, str] | None = None,
    *,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``retries_taken + 1``."""
    if headers is not None:
        wait = retry_after(headers)
        if wait is not None and math.isfinite(wait) and 0 < wait <= MAX_RETRY_AFTER:
            return wait
    backoff = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 1000), MAX_RETRY_DELAY)
    return max(backoff * (1 - 0.25 * jitter()), 0.0)
