"""The API's root: /api/v1/, its OpenAPI document and its docs page."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger

from cto.api.v1 import (
    audits,
    checklists,
    engagements,
    intake,
    plans,
    problems,
    quotes,
    receipts,
    reports,
)
from cto.api.v1.auth import TokenAuth


class Api(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)  # engagement_list, not the module's path

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, saying what the API really sends: errors are problem documents
        (application/problem+json), not application/json."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {problems.MEDIA_TYPE: content["application/json"]}
        return schema


api = Api(
    title="cto API",
    version="1",
    description=(
        "The engagements you may see and their audits, AI plan, checklist, quotes and "
        "reports, as the portal shows them to you; writes go through the pages' own rules. "
        "Authenticate with a personal access token from /portal/tokens/: "
        "`Authorization: Bearer <token>` (`read write` for the writes). A write names the "
        "`version` it read; a stale one is 409 with the current state. Errors are RFC 9457 "
        "problem documents; lists page with `limit` and `offset`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    # Swagger UI from ninja's own static files (ninja is in INSTALLED_APPS), not from a CDN:
    # the site's CSP allows scripts from this origin only.
    docs=Swagger(settings={"persistAuthorization": False}),
)
problems.install(api)
api.add_router("/", engagements.router)
api.add_router("/", audits.router)
api.add_router("/", checklists.router)
api.add_router("/", quotes.router)
api.add_router("/", reports.router)
api.add_router("/", plans.router)
api.add_router("/", receipts.router)
api.add_router("/", intake.router)
