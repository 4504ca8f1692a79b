"""The fixtures of the apps' waiting rows, which the dashboard's attention tests put into words."""

from __future__ import annotations

from tests.audits.test_selectors import audit  # noqa: F401  # a fixture, shared
from tests.checklists.test_selectors import running  # noqa: F401  # a fixture, shared
from tests.pricing.test_selectors import sent_quote  # noqa: F401  # a fixture, shared
