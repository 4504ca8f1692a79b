"""Reads of the operator dashboard: the pipeline board, what needs attention, and search.

Operators see every organisation, so nothing here is scoped to a user: the views let only
staff in. Each read runs a fixed number of queries, however many engagements there are.
"""

from __future__ import annotations

from cto.ops.selectors.attention import (  # noqa: F401  # the dashboard's reads, in one place
    ATTENTION_SHOWN,
    AUDIT_QUIET_DAYS,
    EMPTY_STATES,
    QUOTE_EXPIRY_WARNING_DAYS,
    RESTING_STAGES,
    STALE_LEAD_DAYS,
    AttentionGroup,
    AttentionItem,
    AttentionKind,
    attention_groups,
    attention_list,
)
from cto.ops.selectors.board import (  # noqa: F401  # the dashboard's reads, in one place
    BOARD_STAGES,
    CLOSED_SHOWN,
    CLOSED_STAGES,
    OPEN_SHOWN,
    PipelineBoard,
    StageColumn,
    pipeline_board,
)
from cto.ops.selectors.search import (  # noqa: F401  # the dashboard's reads, in one place
    SEARCH_LIMIT,
    SEARCH_MIN_LENGTH,
    SearchResults,
    ops_search,
)
