"""The week-one report the PDF benchmarks render: the demo's AI engagement with its two audits
(charts), AI plan, three-option quote, and a checklist of CHECKLIST_ITEMS items, half with
evidence. Shared by bench/report_render.py (in process) and bench/report_pipeline.py (through a
worker), so that both measure the same report. Needs Django set up and a migrated database."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cto.engagements.models import Engagement

CHECKLIST_ITEMS = 40


def realistic_engagement() -> Engagement:
    """Seed the demo and fill the AI engagement's checklist up to CHECKLIST_ITEMS items."""
    from cto.checklists.models import Checklist, ChecklistItem
    from cto.checklists.services import checklist_apply, evidence_add, item_add
    from cto.demo.seed import OPERATOR, seed_demo
    from cto.engagements.models import Engagement
    from cto.users.models import User

    seed_demo()
    operator = User.objects.get(email=OPERATOR.email)
    engagement = Engagement.objects.get(title="AI support agent to production")
    checklist_apply(engagement=engagement, by=operator)
    checklist = Checklist.objects.get(engagement=engagement)
    for index in range(CHECKLIST_ITEMS - checklist.items.live().count()):
        item_add(
            checklist=checklist,
            section="Delivery",
            title=f"Extra week-one item {index + 1}: confirm the owner and the deadline",
            done_when="The owner has written down the deadline and the first step.",
            owner_side=ChecklistItem.Side.CLIENT,
            due_day=index % 5 + 1,
            by=operator,
        )
    for item in list(checklist.items.live())[::2]:
        evidence_add(
            item=item,
            url="https://example.com/evidence/" + item.key if item.key else "",
            note="Reviewed with the client's engineering lead on Tuesday.",
            by=operator,
        )
    return engagement
