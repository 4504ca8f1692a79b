"""cto/aiplan/views.py through the client: who may do what, isolation on every endpoint, the
export, and the page's query count."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from cto.aiplan import services
from cto.aiplan.models import AIPlan, EvalGate, FailureMode, PlanComment
from cto.receipts.services import receipt_add, trace_add
from cto.users.models import Organization, User
from tests.receipts.conftest import upload as fixture_upload
from tests.users.factories import MembershipFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


# --- Pages: who may do what ------------------------------------------------------------------


def plan_urls(plan: AIPlan) -> dict[str, tuple[str, str, dict]]:
    gate, mode = plan.gates.first(), plan.failure_modes.first()
    criterion = plan.criteria.first()
    return {
        "detail": ("get", reverse("aiplan:detail", args=[plan.pk]), {}),
        "export": ("get", reverse("aiplan:export", args=[plan.pk]), {}),
        "weight": (
            "post",
            reverse("aiplan:criterion_weight", args=[plan.pk, criterion.pk]),
            {"weight": "1"},
        ),
        "criterion": (
            "post",
            reverse("aiplan:criterion_add", args=[plan.pk]),
            {"label": "Vibes", "weight": "1"},
        ),
        "candidate": ("post", reverse("aiplan:candidate_add", args=[plan.pk]), {"name": "Z"}),
        "score": ("post", reverse("aiplan:cell_score", args=[plan.pk]), {"score": "3"}),
        "choose": ("post", reverse("aiplan:choose", args=[plan.pk]), {"rationale": "x"}),
        "gate": ("post", reverse("aiplan:gate_result", args=[plan.pk, gate.pk]), {"value": "1"}),
        "mode": (
            "post",
            reverse("aiplan:failure_mode_status", args=[plan.pk, mode.pk]),
            {"status": "mitigated"},
        ),
        "comment": ("post", reverse("aiplan:comment_add", args=[plan.pk]), {"text": "Hi"}),
    }


@pytest.mark.parametrize(
    "name",
    [
        "detail",
        "export",
        "weight",
        "criterion",
        "candidate",
        "score",
        "choose",
        "gate",
        "mode",
        "comment",
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_another_organisations_plan_answers_404_everywhere(
    client: Client, plan: AIPlan, other_organization: Organization, name: str, htmx: bool
) -> None:
    client.force_login(MembershipFactory(organization=other_organization).user)
    method, url, data = plan_urls(plan)[name]
    reply = getattr(client, method)(url, data, headers=HTMX if htmx else {})
    assert reply.status_code == 404
    assert not PlanComment.objects.exists()
    assert not plan.candidates.exists()


@pytest.mark.parametrize(
    "name", ["weight", "criterion", "candidate", "score", "choose", "gate", "mode"]
)
def test_a_client_reads_but_cannot_edit(
    client: Client, client_user: User, plan: AIPlan, name: str
) -> None:
    client.force_login(client_user)
    method, url, data = plan_urls(plan)[name]
    assert getattr(client, method)(url, data, headers=HTMX).status_code == 403
    plan.refresh_from_db()
    assert plan.version == 1
    assert not plan.candidates.exists()
    assert client.get(reverse("aiplan:detail", args=[plan.pk])).status_code == 200


def test_a_client_may_comment_on_a_row(client: Client, client_user: User, plan: AIPlan) -> None:
    client.force_login(client_user)
    gate = plan.gates.first()
    reply = client.post(
        reverse("aiplan:comment_add", args=[plan.pk]),
        {"row": f"gate:{gate.pk}", "text": "Who owns this dataset?"},
        headers=HTMX,
    )
    assert reply.status_code == 200
    assert "Who owns this dataset?" in reply.text
    comment = PlanComment.objects.get()
    assert (comment.row_kind, comment.row_id, comment.author) == ("gate", gate.pk, client_user)


def test_a_comment_on_a_foreign_row_is_refused(
    client: Client,
    client_user: User,
    plan: AIPlan,
    operator: User,
    other_organization: Organization,
) -> None:
    from tests.engagements.factories import EngagementFactory

    other = services.plan_start(
        engagement=EngagementFactory(organization=other_organization), by=operator
    )
    client.force_login(client_user)
    reply = client.post(
        reverse("aiplan:comment_add", args=[plan.pk]),
        {"row": f"gate:{other.gates.first().pk}", "text": "Sneaky"},
        headers=HTMX,
    )
    assert reply.status_code == 422
    assert "not part of this plan" in reply.text
    assert not PlanComment.objects.exists()


def test_changing_a_weight_returns_the_new_ranking_at_once(
    client: Client, operator: User, filled: AIPlan
) -> None:
    client.force_login(operator)
    criterion = filled.criteria.get(key="latency")
    reply = client.post(
        reverse("aiplan:criterion_weight", args=[filled.pk, criterion.pk]),
        {"weight": "50", "version": "1"},
        headers=HTMX,
    )
    assert reply.status_code == 200
    assert reply.text.lstrip().startswith('<section id="matrix"')
    assert 'name="weight" value="50"' in reply.text
    # The matrix is replaced: what changed is said in the page's live region.
    assert '<div id="announcer" hx-swap-oob="innerHTML">Weight saved.</div>' in reply.text
    stale = client.post(
        reverse("aiplan:criterion_weight", args=[filled.pk, criterion.pk]),
        {"weight": "7", "version": "1"},
        headers=HTMX,
    )
    assert stale.status_code == 409
    assert "Someone changed this since you opened the page" in stale.text
    assert "announcer" not in stale.text  # the refusal's role="alert" is what is read out
    criterion.refresh_from_db()
    assert criterion.weight == 50


def test_the_export_holds_the_whole_plan(client: Client, client_user: User, filled: AIPlan) -> None:
    client.force_login(client_user)
    reply = client.get(reverse("aiplan:export", args=[filled.pk]))
    assert reply["Content-Disposition"] == f'attachment; filename="ai-plan-{filled.pk}.json"'
    data = json.loads(reply.content)
    assert data["ranking"][0]["candidate"] == "Model A"
    assert len(data["criteria"]) == 9
    assert len(data["candidates"][0]["scores"]) == 9
    assert {g["latest"]["verdict"] for g in data["eval_gates"]} == {"no result"}
    assert data["failure_modes"][0]["risk"] >= data["failure_modes"][-1]["risk"]


@pytest.mark.parametrize(("extra_candidates", "receipts"), [(0, 0), (6, 3)])
def test_plan_page_query_count_does_not_grow(
    client: Client,
    client_user: User,
    filled: AIPlan,
    operator: User,
    extra_candidates: int,
    receipts: int,
    django_assert_num_queries,
) -> None:
    for index in range(extra_candidates):
        services.candidate_add(plan=filled, name=f"Extra {index}", by=operator)
    for gate in filled.gates.all():
        for _ in range(receipts):
            receipt_add(
                gate=gate, upload=fixture_upload("promptfoo/results-fail.json"), by=operator
            )
    for _ in range(receipts):
        trace_add(plan=filled, upload=fixture_upload("otlp/trace-fail.jsonl"), by=client_user)
    EvalGate.objects.filter(plan=filled).update(owner="Practice")
    FailureMode.objects.filter(plan=filled).update(owner="Client")
    client.force_login(client_user)
    url = reverse("aiplan:detail", args=[filled.pk])
    # user, plan, criteria, candidates, cells, gates (with their latest receipts), the gates'
    # receipts, failure modes, proposals, comments, traces, the trace drawn
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200


# --- The matrix: direction and the best of each row -------------------------------------------


def _matrix_rows(page: str) -> list[str]:
    """The body rows of the matrix table, as markup, in criterion order."""
    table = re.search(r'<table class="table matrix">(.*?)</table>', page, re.S)
    assert table is not None
    body = table.group(1).split("<tbody>", 1)[1]
    return body.split("<tr>")[1:]


def test_the_matrix_says_each_criterions_direction_and_marks_the_best_score_by_it(
    client: Client, client_user: User, filled: AIPlan
) -> None:
    client.force_login(client_user)
    page = client.get(reverse("aiplan:detail", args=[filled.pk])).text
    criteria = list(filled.criteria.all())
    rows = _matrix_rows(page)
    assert len(rows) == len(criteria)
    assert {c.higher_is_better for c in criteria} == {True, False}  # both directions shown
    for criterion, row in zip(criteria, rows, strict=True):
        assert criterion.label in row
        words = "higher is better" if criterion.higher_is_better else "lower is better"
        other = "lower is better" if criterion.higher_is_better else "higher is better"
        assert words in row
        assert other not in row
        # Model A (the first column: candidates are in name order) is best on every criterion:
        # a 5 where higher is better, a 1 where lower is.
        cells = row.split("<td")[2:]  # after the weight's cell
        best = [index for index, cell in enumerate(cells) if cell.startswith(' class="best"')]
        assert best == [0]
        score = "5" if criterion.higher_is_better else "1"
        assert cells[0].startswith(f' class="best"><strong>{score}</strong>')
