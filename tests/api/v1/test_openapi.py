"""The OpenAPI document and the docs page of /api/v1/."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from openapi_spec_validator import validate

from cto.api.v1.urls import urlpatterns

pytestmark = pytest.mark.django_db


def test_the_document_is_valid_openapi_3_1_and_needs_no_token(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # raises on an invalid document
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/v1/engagements",
        "/api/v1/engagements/{pk}",
        "/api/v1/engagements/{pk}/timeline",
        "/api/v1/intake-responses",
        "/api/v1/intake-responses/{pk}",
        "/api/v1/engagements/{pk}/audits",
        "/api/v1/audits/{pk}",
        "/api/v1/audits/{pk}/answers/{question}",
        "/api/v1/plans/{pk}",
        "/api/v1/plans/{pk}/comments",
        "/api/v1/plans/{pk}/failure-mode-proposals",
        "/api/v1/plans/{pk}/gates/{gate_pk}/result",
        "/api/v1/plans/{pk}/failure-modes/{mode_pk}",
        "/api/v1/plans/{pk}/traces",
        "/api/v1/gates/{gate_pk}/receipts",
        "/api/v1/engagements/{pk}/checklist",
        "/api/v1/checklist-items/{pk}",
        "/api/v1/checklist-items/{pk}/evidence",
        "/api/v1/engagements/{pk}/quotes",
        "/api/v1/quotes/{pk}",
        "/api/v1/engagements/{pk}/reports",
        "/api/v1/reports/{pk}",
        "/api/v1/reports/{pk}/download",
    }
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_document_says_errors_are_problem_documents(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                media = set(response.get("content", {}))
                if int(status) >= 400:
                    assert media == {"application/problem+json"}, (status, media)
                elif operation["operationId"] == "report_download":
                    assert media == {"application/pdf"}
                else:
                    assert media == {"application/json"}


def test_the_docs_page_loads_swagger_from_this_site_only(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in response.text
    assert "cdn" not in response.text.lower()
    assert "https://" not in response.text


def test_every_api_url_pattern_is_named() -> None:
    # The authorisation matrix finds patterns by name: an unnamed one would escape it.
    assert all(isinstance(pattern, URLPattern) and pattern.name for pattern in urlpatterns)
    assert reverse("api:engagement_list") == "/api/v1/engagements"
