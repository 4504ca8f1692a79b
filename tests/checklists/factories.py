"""Checklists for tests, made through the services: applied from the newest published template
(the shipped one is loaded when none is), and items added by hand."""

from __future__ import annotations

import factory

from cto.checklists.models import Checklist, ChecklistItem
from cto.checklists.playbooks import checklist_template_load_shipped
from cto.checklists.services import checklist_apply, current_template, item_add
from cto.engagements.models import Engagement
from cto.users.models import User
from tests.engagements.factories import EngagementFactory
from tests.users.factories import OperatorFactory


class ChecklistFactory(factory.django.DjangoModelFactory):
    """The engagement's checklist as ``checklist_apply`` makes it, with the template's items
    for the engagement's kind."""

    class Meta:
        model = Checklist

    engagement = factory.SubFactory(EngagementFactory)
    by = factory.LazyAttribute(lambda checklist: checklist.engagement.lead)

    @classmethod
    def _create(
        cls, model_class: type[Checklist], *, engagement: Engagement, by: User | None
    ) -> Checklist:
        if current_template() is None:
            checklist_template_load_shipped(publish=True)
        return checklist_apply(engagement=engagement, by=by).checklist


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    """An item added by hand through ``item_add`` (the template's come with the checklist)."""

    class Meta:
        model = ChecklistItem

    checklist = factory.SubFactory(ChecklistFactory)
    section = "Added by hand"
    title = factory.Sequence(lambda n: f"Item {n}")
    done_when = "A written answer"
    owner_side = ChecklistItem.Side.PRACTICE
    due_day = 1
    by = factory.LazyAttribute(lambda item: item.checklist.engagement.lead or OperatorFactory())

    @classmethod
    def _create(
        cls,
        model_class: type[ChecklistItem],
        *,
        checklist: Checklist,
        section: str,
        title: str,
        done_when: str,
        owner_side: ChecklistItem.Side,
        due_day: int,
        by: User,
    ) -> ChecklistItem:
        return item_add(
            checklist=checklist,
            section=section,
            title=title,
            done_when=done_when,
            owner_side=owner_side,
            due_day=due_day,
            by=by,
        )
