"""Settings for `make bench`'s web run: the app's own settings, with a URL configuration that
adds the ceiling page. Kept out of `cto.urls` so that the app never serves it."""

from __future__ import annotations

from cto.settings import *  # noqa: F403  # the app's settings, unchanged but for what follows
from cto.settings import CACHES

ROOT_URLCONF = "bench.urls"

# The bench shares whatever Redis it is given: keep its keys apart from anyone else's.
CACHES["default"]["KEY_PREFIX"] = "cto-bench-web"
