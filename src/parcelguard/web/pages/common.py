"""What every staff page shares: templates, the signed-in person, CSRF, role checks and their refusals.

A staff page is reached only with a page session (cookie ``pg_session``, see web/sessions.py): without one,
or with one that ended (expired, signed out, the person disabled or offboarded, checked against the database
on every request), a page answers a redirect to the sign-in page (``HX-Redirect`` for htmx requests). Every
unsafe request (POST) must carry the session's CSRF token, in the form field ``csrf_token`` or the
``X-CSRF-Token`` header (htmx sends the header, set once on ``<body>`` by staff.html); without it the page
answers 403 ``csrf_failed`` and nothing is done. Refusals are shown in words (reasons.py) with the HTTP status
the JSON API would answer, so monitoring sees the same thing whichever way a person came.

Every page route is a ``PageRoute``: a form whose field is missing or malformed (too long, not a number) is
answered with an HTML page in the pages' layout, 422 (400 for a body that cannot be read as a form), that
names the field and what is wrong with it but never repeats what was typed (it may be a name or a phone),
with the person's session untouched; the JSON API (``/v1``) keeps its JSON errors (web/errors.py). A page
session also ends after ``LoginPolicy.session_idle`` without a request (closed in the database,
services/auth.py): the person is sent to sign in again (``reason=session_idle``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Principal
from parcelguard.domain.people import Role, acts_as
from parcelguard.errors import (
    AccountLockedError,
    AuthenticationError,
    ErrorCode,
    ParcelGuardError,
    RateLimitedError,
    ValidationError,
)
from parcelguard.services.tracking import china_time, status_names
from parcelguard.web.api.deps import get_runtime
from parcelguard.web.client_address import client_of
from parcelguard.web.errors import status_for, validation_error_response
from parcelguard.web.pages.reasons import Problem, form_problem, problem_for
from parcelguard.web.sessions import (
    SESSION_COOKIE,
    SessionIdleError,
    check_csrf,
    clear_session_cookie,
    live_page_session,
)

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.filters["china_time"] = china_time
templates.env.filters["status_zh"] = lambda status: status_names(str(status))[0]
templates.env.filters["status_en"] = lambda status: status_names(str(status))[1]

SIGN_IN_PATH = "/signin"
SESSION_IDLE_REASON = "session_idle"  # ?reason= of the sign-in page after an idle timeout
_STAFF_STATE = "page_staff"  # request.state: the signed-in person, for a form error page's layout

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "管理员 · Administrator",
    Role.STATION_MANAGER: "站长 · Station manager",
    Role.COURIER: "快递员 · Courier",
    Role.OUTLET_CLERK: "驿站店员 · Outlet clerk",
    Role.CS_AGENT: "客服 · Customer service",
    Role.SECURITY_OFFICER: "安全员 · Security officer",
    Role.REGULATOR: "监管 · Regulator",
}


@dataclass(frozen=True, slots=True)
class PageLink:
    href: str
    label: str
    roles: frozenset[Role]


# The pages each role works in, in the order the navigation shows them; the first is the role's home.
PAGE_LINKS: tuple[PageLink, ...] = (
    PageLink("/courier", "我的派件 · Deliveries", frozenset({Role.COURIER})),
    PageLink("/courier/scan", "扫码 · Scan", frozenset({Role.COURIER})),
    PageLink("/courier/verify", "实名核验 · ID check", frozenset({Role.COURIER})),
    PageLink("/outlet", "驿站取件 · Pickup", frozenset({Role.OUTLET_CLERK, Role.STATION_MANAGER})),
    PageLink("/support", "客服查询 · Search", frozenset({Role.CS_AGENT, Role.REGULATOR})),
    PageLink("/security/approvals", "审批 · Approvals", frozenset({Role.SECURITY_OFFICER})),
    PageLink("/admin/stations", "站点 · Stations", frozenset({Role.ADMIN})),
    PageLink("/admin/users", "用户 · Users", frozenset({Role.ADMIN})),
    PageLink("/admin/dispatch", "派件分配 · Dispatch", frozenset({Role.ADMIN, Role.STATION_MANAGER})),
)


@dataclass(frozen=True, slots=True)
class ShownLink:
    href: str
    label: str
    current: bool


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in person a page is rendered for, with the CSRF token its forms carry."""

    principal: Principal
    csrf_token: str
    path: str
    links: tuple[ShownLink, ...] = field(default=())

    @property
    def username(self) -> str:
        return self.principal.username or ""

    @property
    def role(self) -> str:
        return self.principal.role.value if self.principal.role else ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.principal.role] if self.principal.role else ""


class SignInRequired(Exception):
    """No usable page session: the person is sent to the sign-in page (with why, as a code, if known)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "sign in")
        self.reason = reason


class PageRefused(Exception):
    """A whole page refused (CSRF, a role that does not use it): rendered as page_refused.html."""

    def __init__(self, error: ParcelGuardError) -> None:
        super().__init__(error.message)
        self.error = error


def home_for(role: Role | None) -> str:
    """The first page of a role (the sign-in page sends people there)."""
    if role is Role.STATION_MANAGER:  # a manager's day starts with dispatch, the counter comes second
        return "/admin/dispatch"
    for link in PAGE_LINKS:
        if role in link.roles:
            return link.href
    return "/account"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (``/x``; never ``//host`` or a URL: no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable():
        return target
    return None


async def current_staff(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Staff:
    """The person behind the page session, CSRF checked on unsafe methods; SignInRequired without one,
    or when it has been idle too long (web/sessions.py)."""
    try:
        # Database reads (and a write once a minute, or when the session is closed as idle): off the event
        # loop, like the sync routes themselves.
        principal, csrf_token = await run_in_threadpool(
            partial(live_page_session, request, runtime.ctx, client=client_of(request, runtime))
        )
    except SessionIdleError:
        raise SignInRequired(SESSION_IDLE_REASON) from None
    except AuthenticationError as error:
        reason = error.code.value if request.cookies.get(SESSION_COOKIE) else None
        raise SignInRequired(reason) from None
    try:
        await check_csrf(request, csrf_token)
    except AuthenticationError as error:
        raise PageRefused(error) from None
    links = tuple(
        ShownLink(link.href, link.label, link.href == request.url.path)
        for link in PAGE_LINKS
        if page_role(principal) in link.roles
    )
    staff = Staff(principal=principal, csrf_token=csrf_token, path=request.url.path, links=links)
    setattr(request.state, _STAFF_STATE, staff)
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def page_role(principal: Principal) -> Role | None:
    """The role whose pages a person uses: none of the carrier's (admin, dispatch, counter, courier) for
    a platform's person holding a carrier role (``domain.people.acts_as``)."""
    return acts_as(principal.role, principal.organisation_kind)


def require_role(staff: Staff, roles: Iterable[Role]) -> None:
    """PageRefused ``forbidden`` unless the person's role uses this page (the services decide the rest;
    the administration pages change the carrier's people and stations with no further check, so a
    platform's ``admin`` is refused here)."""
    if page_role(staff.principal) not in set(roles):
        raise PageRefused(
            ParcelGuardError("this page is not for your role", code=ErrorCode.FORBIDDEN),
        )


def render(
    request: Request,
    template: str,
    staff: Staff | None,
    runtime: Runtime,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    problem: Problem | None = None,
    notice: str | None = None,
    error: ParcelGuardError | None = None,
) -> HTMLResponse:
    """A page or fragment for ``staff``, with the carrier's name and an optional refusal or notice.

    With ``error``, the page shows it in words and answers with the status the API gives its code.
    """
    if error is not None:
        status_code, problem = status_for(error.code), problem_for(error)
    headers = {}
    if isinstance(error, RateLimitedError | AccountLockedError):
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
    values: dict[str, Any] = {
        "staff": staff,
        "carrier_name": runtime.settings.carrier_name,
        "problem": problem,
        "notice": notice,
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, values, status_code=status_code, headers=headers)


def render_refusal(
    request: Request,
    template: str,
    staff: Staff | None,
    runtime: Runtime,
    error: ParcelGuardError,
    context: Mapping[str, Any] | None = None,
) -> HTMLResponse:
    """``template`` showing ``error`` in words, answered with the status the API gives its code."""
    return render(request, template, staff, runtime, context, error=error)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back_path(request: Request, staff: Staff | None) -> str:
    """Where a form error page leads back to: the page the form is on (a path of this site)."""
    path = request.url.path
    if staff is not None:
        pages = [link.href for link in PAGE_LINKS if path == link.href or path.startswith(link.href + "/")]
        return max(pages, key=len) if pages else "/home"
    for start in (SIGN_IN_PATH, "/access"):
        if path == start or path.startswith(start + "/"):
            return start
    return "/"


def unreadable_form(
    request: Request, runtime: Runtime, error: ParcelGuardError, status_code: int
) -> Response:
    """A page form that could not be read, as an HTML page (``_problem.html`` for htmx) in the layout of
    the person's pages when signed in; what was typed is never shown."""
    staff = getattr(request.state, _STAFF_STATE, None)
    template = "_problem.html" if _is_htmx(request) else "page_form_invalid.html"
    context = {"back": _back_path(request, staff)}
    problem = form_problem(error)
    return render(request, template, staff, runtime, context, status_code=status_code, problem=problem)


def _form_error(invalid: RequestValidationError) -> ParcelGuardError:
    """The API's reading of a validation error (web/errors.py: the field's path, no input quoted)."""
    body = json.loads(bytes(validation_error_response(invalid).body))
    return ValidationError(str(body["message"]), code=ErrorCode(body["code"]), field=body.get("field"))


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def repeatable_fields(route: APIRoute) -> frozenset[str]:
    """The form fields of ``route`` declared as lists (a set of choices, ``fields`` of the reveal form):
    the only ones a form may repeat."""
    return frozenset(
        field.alias
        for dependant in _dependants(route.dependant)
        for field in dependant.body_params
        if _is_list(field.field_info.annotation)
    )


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, UnionType):
        return any(_is_list(member) for member in get_args(annotation))
    return get_origin(annotation) in (list, set, frozenset, tuple) or annotation in (
        list,
        set,
        frozenset,
        tuple,
    )


async def repeated_field(request: Request, repeatable: frozenset[str]) -> str | None:
    """The first form field given more than once that is not a list (``csrf_token`` included), or None.

    Starlette keeps the last of repeated fields; the JSON API refuses a repeated key (``duplicate_field``),
    so a page does too rather than let one value silently win. The form read here is the one FastAPI reads
    next (Starlette caches it on the request).
    """
    if not request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return None
    form = await request.form()
    seen: set[str] = set()
    for name, _ in form.multi_items():
        if name in seen and name not in repeatable:
            return name
        seen.add(name)
    return None


class PageRoute(APIRoute):
    """A page route: FastAPI's validation errors (a form field missing or malformed), a field given more
    than once (``duplicate_field``, as the JSON API answers a repeated key) and a body that is not a readable
    form become an HTML page instead of the JSON API's error (``unreadable_form``). A repeated field is
    refused before anything else is looked at (the session too): nothing is done either way."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        repeatable = repeatable_fields(self)

        async def page_handler(request: Request) -> Response:
            runtime = request.app.state.runtime
            error: ParcelGuardError
            try:
                repeated = await repeated_field(request, repeatable)
                if repeated is not None:
                    error = ValidationError(
                        f"{repeated} is given more than once", code=ErrorCode.DUPLICATE_FIELD, field=repeated
                    )
                    return unreadable_form(request, runtime, error, status_for(error.code))
                return await handler(request)
            except RequestValidationError as invalid:
                error = _form_error(invalid)
                return unreadable_form(request, runtime, error, status_for(error.code))
            except StarletteHTTPException as failed:
                if failed.status_code != 400:  # FastAPI's "error parsing the body" (a broken multipart)
                    raise
                error = ValidationError("the form could not be read", code=ErrorCode.INVALID_REQUEST)
                return unreadable_form(request, runtime, error, 400)

        return page_handler


def install_page_handlers(app: FastAPI) -> None:
    """Sign-in redirects and whole-page refusals as HTML (the JSON API's handlers are left as they are)."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: SignInRequired) -> Response:
        query = []
        if error.reason:
            query.append(f"reason={quote(error.reason)}")
        if request.method == "GET" and safe_next(request.url.path):
            query.append(f"next={quote(request.url.path)}")
        target = SIGN_IN_PATH + ("?" + "&".join(query) if query else "")
        response: Response
        if _is_htmx(request):
            response = Response(status_code=401, headers={"HX-Redirect": target})
        else:
            response = RedirectResponse(target, status_code=303)
        if error.reason == SESSION_IDLE_REASON:
            clear_session_cookie(response)  # closed on the server already; the browser forgets it too
        return response

    @app.exception_handler(PageRefused)
    async def _refused(request: Request, error: PageRefused) -> Response:
        runtime: Runtime = request.app.state.runtime
        template = "_problem.html" if _is_htmx(request) else "page_refused.html"
        return render_refusal(request, template, None, runtime, error.error)
