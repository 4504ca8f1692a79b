"""cto/aiplan/proposals.py and its pages: a failure mode proposed by someone who saw it waits,
counted nowhere, until an operator confirms it into the register or dismisses it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cto.aiplan import proposals, services
from cto.aiplan.models import AIPlan, FailureMode, FailureModeProposal
from cto.engagements.models import ActivityEvent
from cto.users.models import Organization, User
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SEEN = "Asked for the refund policy; the answer quoted the 2023 handbook, retired in May."


def _propose(plan: AIPlan, by: User, title: str = "Cites a retired policy") -> FailureModeProposal:
    return proposals.failure_mode_propose(
        plan=plan, title=title, look_first="retrieval", evidence=SEEN, by=by
    )


def _changes(plan: AIPlan) -> list[str]:
    events = plan.engagement.events.filter(verb=ActivityEvent.Verb.PLAN_CHANGED)
    return [event.data["change"] for event in events.order_by("id")]


# --- Services ----------------------------------------------------------------------------------


def test_a_proposal_counts_nowhere_until_confirmed(plan: AIPlan, client_user: User) -> None:
    modes_before = plan.failure_modes.count()
    proposal = _propose(plan, client_user)
    assert (proposal.status, proposal.proposed_by, proposal.evidence) == (
        "proposed",
        client_user,
        SEEN,
    )
    assert plan.failure_modes.count() == modes_before
    assert _changes(plan)[-1] == "proposed the failure mode “Cites a retired policy”"


def test_confirming_writes_the_register_entry_and_links_it(
    plan: AIPlan, client_user: User, operator: User
) -> None:
    proposal = _propose(plan, client_user)
    mode = proposals.failure_mode_proposal_confirm(
        proposal=proposal,
        likelihood=3,
        impact=4,
        blocks_production=True,
        owner="Ada",
        expected_version=1,
        by=operator,
    )
    assert (mode.title, mode.look_first, mode.risk, mode.owner, mode.status) == (
        "Cites a retired policy",
        "retrieval",
        12,
        "Ada",
        FailureMode.Status.OPEN,
    )
    assert mode.blocks_production
    proposal.refresh_from_db()
    assert (proposal.status, proposal.failure_mode, proposal.decided_by) == (
        "confirmed",
        mode,
        operator,
    )
    assert proposal.version == 2
    assert _changes(plan)[-1] == "confirmed the proposed failure mode “Cites a retired policy”"


def test_only_an_operator_decides_a_proposal(plan: AIPlan, client_user: User) -> None:
    proposal = _propose(plan, client_user)
    with pytest.raises(services.PlanError, match="Only the practice's operators"):
        proposals.failure_mode_proposal_confirm(
            proposal=proposal, likelihood=3, impact=3, expected_version=1, by=client_user
        )
    with pytest.raises(services.PlanError, match="Only the practice's operators"):
        proposals.failure_mode_proposal_dismiss(
            proposal=proposal, reason="No", expected_version=1, by=client_user
        )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.version) == ("proposed", 1)


def test_a_decided_proposal_cannot_be_decided_again(
    plan: AIPlan, client_user: User, operator: User
) -> None:
    proposal = _propose(plan, client_user)
    proposals.failure_mode_proposal_dismiss(
        proposal=proposal,
        reason="Already covered by silent regression",
        expected_version=1,
        by=operator,
    )
    modes_before = plan.failure_modes.count()
    with pytest.raises(services.PlanError, match="already dismissed"):
        proposals.failure_mode_proposal_confirm(
            proposal=proposal, likelihood=2, impact=2, expected_version=None, by=operator
        )
    assert plan.failure_modes.count() == modes_before
    proposal.refresh_from_db()
    assert proposal.decision_reason == "Already covered by silent regression"


def test_a_stale_decision_is_refused(plan: AIPlan, client_user: User, operator: User) -> None:
    proposal = _propose(plan, client_user)
    proposals.failure_mode_proposal_confirm(
        proposal=proposal, likelihood=2, impact=2, expected_version=1, by=operator
    )
    with pytest.raises(services.StalePlanError):
        proposals.failure_mode_proposal_dismiss(
            proposal=proposal, reason="Too late", expected_version=1, by=operator
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "a short name"),
        ({"evidence": ""}, "what was seen"),
        ({"evidence": "x" * 4001}, "under 4000 characters"),
        ({"look_first": "vibes"}, "Say where to look first"),
    ],
)
def test_a_proposal_without_what_it_needs_is_refused(
    plan: AIPlan, client_user: User, fields: dict[str, str], message: str
) -> None:
    arguments = {"title": "Leaks", "look_first": "prompt", "evidence": SEEN, **fields}
    with pytest.raises(services.PlanError, match=message):
        proposals.failure_mode_propose(plan=plan, **arguments, by=client_user)
    assert not FailureModeProposal.objects.exists()


def test_dismissing_needs_a_reason(plan: AIPlan, client_user: User, operator: User) -> None:
    proposal = _propose(plan, client_user)
    with pytest.raises(services.PlanError, match="the reason for dismissing it"):
        proposals.failure_mode_proposal_dismiss(
            proposal=proposal, reason=" ", expected_version=1, by=operator
        )


# --- Pages -------------------------------------------------------------------------------------


def test_a_client_proposes_on_the_page_and_sees_it_waiting(
    client: Client, client_user: User, plan: AIPlan
) -> None:
    client.force_login(client_user)
    reply = client.post(
        reverse("aiplan:failure_mode_propose", args=[plan.pk]),
        {"title": "Cites a retired policy", "look_first": "retrieval", "evidence": SEEN},
        headers=HTMX,
    )
    assert reply.status_code == 200
    assert "Proposed, waiting for an operator" in reply.text
    assert "the 2023 handbook" in reply.text
    assert "Proposed: an operator will review it." in reply.text  # the live region
    assert "Add to the register" not in reply.text  # a client does not decide
    assert FailureModeProposal.objects.get().proposed_by == client_user


def test_a_client_may_not_decide(client: Client, client_user: User, plan: AIPlan) -> None:
    proposal = _propose(plan, client_user)
    client.force_login(client_user)
    for name, data in [
        ("aiplan:proposal_confirm", {"likelihood": "3", "impact": "3", "version": "1"}),
        ("aiplan:proposal_dismiss", {"reason": "no", "version": "1"}),
    ]:
        reply = client.post(reverse(name, args=[plan.pk, proposal.pk]), data, headers=HTMX)
        assert reply.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_an_operator_confirms_on_the_page(
    client: Client, operator: User, client_user: User, plan: AIPlan
) -> None:
    proposal = _propose(plan, client_user)
    client.force_login(operator)
    page = client.get(reverse("aiplan:detail", args=[plan.pk])).text
    assert "Add to the register" in page
    url = reverse("aiplan:proposal_confirm", args=[plan.pk, proposal.pk])
    refused = client.post(url, {"likelihood": "6", "impact": "3", "version": "1"}, headers=HTMX)
    assert refused.status_code == 422
    assert "whole numbers from 1 to 5" in refused.text
    reply = client.post(
        url, {"likelihood": "4", "impact": "3", "owner": "Ada", "version": "1"}, headers=HTMX
    )
    assert reply.status_code == 200
    mode = plan.failure_modes.get(title="Cites a retired policy")
    assert (mode.risk, mode.owner) == (12, "Ada")
    assert "Proposed, waiting for an operator" not in reply.text


def test_another_organisations_proposals_answer_404(
    client: Client, client_user: User, plan: AIPlan, other_organization: Organization
) -> None:
    proposal = _propose(plan, client_user)
    client.force_login(MembershipFactory(organization=other_organization).user)
    for name, args, data in [
        (
            "aiplan:failure_mode_propose",
            [plan.pk],
            {"title": "x", "look_first": "prompt", "evidence": "y"},
        ),
        ("aiplan:proposal_confirm", [plan.pk, proposal.pk], {"likelihood": "1", "impact": "1"}),
        ("aiplan:proposal_dismiss", [plan.pk, proposal.pk], {"reason": "x"}),
    ]:
        assert client.post(reverse(name, args=args), data).status_code == 404
    assert FailureModeProposal.objects.count() == 1
    assert FailureModeProposal.objects.get().status == "proposed"


def test_a_proposal_of_another_plan_answers_404_under_this_one(
    client: Client,
    operator: User,
    plan: AIPlan,
    client_user: User,
    other_organization: Organization,
) -> None:
    from tests.engagements.factories import EngagementFactory

    other = services.plan_start(
        engagement=EngagementFactory(organization=other_organization), by=operator
    )
    foreign = _propose(other, operator)
    client.force_login(operator)
    url = reverse("aiplan:proposal_dismiss", args=[plan.pk, foreign.pk])
    assert client.post(url, {"reason": "x", "version": "1"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "proposed"
