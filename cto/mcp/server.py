"""The MCP server at /mcp/, and how a tool is declared on it.

django-mcpz serves the protocol: streamable HTTP as a plain synchronous Django view (so under
gunicorn's WSGI workers and the test server alike), on revision 2026-07-28 and, statelessly, to
clients still on the 2025 revisions. What is ours is the wrapping of each tool:

- who sees it: every tool needs a valid token (cto.mcp.auth); a write tool also needs the
  "read write" scope, an operator's tool an operator. A tool someone may not use is left out of
  their tools/list, and calling it is answered as calling a tool that does not exist;
- its arguments, parsed by a Pydantic schema (cto.mcp.schemas) and refused with the field and
  the message, as the API refuses them;
- the errors a model can act on, answered in-band (``isError``) rather than as failures: an id
  one may not see ("nothing to see", exactly as for an id that does not exist) and a service's
  refusal, with its message;
- a write names its token on the timeline (cto.api.via, shared with the API).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import pydantic
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django_mcpz.server import MCPServer, ToolError

from cto.api.models import ApiToken
from cto.api.via import acting_as
from cto.mcp.auth import is_operator, may_write, token_auth
from cto.mcp.schemas import Arguments
from cto.users.models import User

Args = TypeVar("Args", bound=Arguments)
NOT_FOUND = "Nothing has that id, or nothing you may see."

server = MCPServer(
    name="cto",
    version="1",
    title="cto: the practice's engagements",
    instructions=(
        "The engagements you may see, as the portal shows them to you: their tracker and next "
        "step, timeline, audits, AI plan, checklist and reports. With a “read write” token you "
        "may also answer audit questions, add checklist evidence, comment on the AI plan, "
        "propose a failure mode for an operator to confirm, and send eval results and traces "
        "as receipts, whose verdicts the gates' rules decide. Accepting a quote, moving a "
        "stage or passing a gate by hand stay a person's acts in the portal."
    ),
    auth=token_auth,
)


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # set by token_auth


def token_of(request: HttpRequest) -> ApiToken:
    return request.api_token  # type: ignore[attr-defined]  # set by token_auth


def _permission(*, write: bool, operator: bool) -> Callable[[HttpRequest], bool] | None:
    if not (write or operator):
        return None
    return lambda request: (
        (not write or may_write(request)) and (not operator or is_operator(request))
    )


def _parse(schema: type[Args], arguments: dict[str, Any]) -> Args:
    try:
        return schema.model_validate(arguments)
    except pydantic.ValidationError as error:
        fields = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'arguments'}: {problem['msg']}"
            for problem in error.errors(include_input=False, include_url=False)
        )
        raise ToolError(f"Invalid arguments: {fields}.") from None


def _input_schema(schema: type[Arguments]) -> dict[str, Any]:
    document = schema.model_json_schema()
    document.pop("title", None)
    return document


def tool(
    schema: type[Args],
    *,
    description: str,
    write: bool = False,
    operator: bool = False,
) -> Callable[[Callable[[HttpRequest, Args], Any]], Callable[[HttpRequest, Args], Any]]:
    """Declare ``func(request, arguments)`` as a tool named after it (see the module's doc)."""

    def decorator(func: Callable[[HttpRequest, Args], Any]) -> Callable[[HttpRequest, Args], Any]:
        @functools.wraps(func)
        def run(request: HttpRequest, arguments: dict[str, Any]) -> Any:
            parsed = _parse(schema, arguments)
            try:
                if write:
                    with acting_as(token_of(request)):
                        return func(request, parsed)
                return func(request, parsed)
            except Http404:
                raise ToolError(NOT_FOUND) from None
            except ValidationError as refused:  # a service's refusal, in its own words
                raise ToolError(" ".join(refused.messages)) from None

        server.tool(
            description=description,
            input_schema=_input_schema(schema),
            name=func.__name__,
            read_only=not write,
            destructive=False,
            open_world=False,
            permission=_permission(write=write, operator=operator),
        )(run)
        return func

    return decorator
