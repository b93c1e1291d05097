"""The printable team feedback page over HTTP: /feedback/team/{id} (HTML) and its CSV.

`GET /feedback/team/{team_id}?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]`: the one-page
report of `graphsvc feedback --team ID --format html|csv` (graphsvc.feedback_page), from the
running service. `from` defaults to 1 January of the year of `to`, `to` to 31 December of
that year (team feedback is released for calendar quarters, half-years and years only).

Guarded like the GraphQL field `teamFeedback` (`@countsPatients`): planners and admins (and
the local mode); any other role gets HTTP 403. Only the figures `TeamFeedback` carries are
rendered, so a suppressed cell reads `< k` in both formats. Every answer and every refusal is
recorded in the audit log (operation `teamFeedback`, access `aggregate`, no patient) and
fsynced before the answer leaves; an answer whose record cannot be written is withheld (503).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from graphsvc.api.access import AGGREGATE
from graphsvc.api.auth import principal_of
from graphsvc.api.context import call
from graphsvc.api.errors import UNAVAILABLE
from graphsvc.api.maps_routes import error_page
from graphsvc.core import feedback
from graphsvc.errors import DatabaseUnavailable, GraphsvcError, InputError, NotFound
from graphsvc.feedback_page import feedback_csv, feedback_html
from graphsvc.security.audit import (
    DENIED,
    ERROR,
    NOT_FOUND,
    OK,
    AuditLog,
    AuditTrail,
    AuditUnavailable,
)
from graphsvc.security.roles import Capability
from graphsvc.store import Store

OPERATION = "teamFeedback"  # as the GraphQL field: one name in the audit log
FORMATS = ("html", "csv")
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}
FORBIDDEN = "forbidden: team feedback takes a planner or admin token"


def _date(request: Request, name: str) -> dt.date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError([f"argument {name}: {raw!r} is not a date (YYYY-MM-DD)"]) from None


def period(request: Request) -> tuple[dt.date, dt.date]:
    """`from` and `to`, with the command line's defaults (the year of `to`, else of `from`,
    else this year: a release period)."""
    given_end, given_start = _date(request, "to"), _date(request, "from")
    year = (given_end or given_start or dt.date.today()).year
    end = given_end or dt.date(year, 12, 31)
    start = given_start or dt.date(end.year, 1, 1)
    return start, end


def _format(request: Request) -> str:
    chosen = request.query_params.get("format", "html").lower()
    if chosen not in FORMATS:
        raise InputError([f"argument format: {chosen!r} is not one of {', '.join(FORMATS)}"])
    return chosen


def _problem(status: int, message: str, as_html: bool) -> Response:
    if not as_html:
        return PlainTextResponse(f"{message}\n", status_code=status)
    return error_page(status, message, "team feedback", HEADERS)


def feedback_routes(
    store: Callable[[], Store],
    audit_log: AuditLog | None = None,
    suppression_k: int = feedback.SMALL_CELL_K,
    local: bool = True,
) -> list[Route]:
    """The team feedback route over the store the app opened (a getter: it opens in the
    lifespan); outside local mode, database failures say nothing about the server."""

    async def team_page(request: Request) -> Response:
        team_id = request.path_params["team_id"]
        principal = principal_of(request.scope)
        trail = AuditTrail(audit_log, principal)
        as_html = request.query_params.get("format", "html").lower() != "csv"
        answer: Response
        if not principal.can(Capability.PATIENT_AGGREGATES):
            trail.record(OPERATION, AGGREGATE, None, outcome=DENIED, team=team_id)
            answer = _problem(403, FORBIDDEN, as_html)
        else:
            try:
                answer = await _answer(request, store(), team_id, trail, suppression_k, local,
                                       as_html)  # fmt: skip
            except Exception:  # a bug: still one record, then the server's own 500
                trail.record(OPERATION, AGGREGATE, None, outcome=ERROR, team=team_id)
                await asyncio.to_thread(trail.flush)
                raise
        try:
            await asyncio.to_thread(trail.flush)
        except AuditUnavailable as exc:
            return _problem(503, f"{exc}: the answer was withheld", as_html)
        return answer

    return [Route("/feedback/team/{team_id}", team_page, methods=["GET"])]


async def _answer(
    request: Request,
    store: Store,
    team_id: str,
    trail: AuditTrail,
    k: int,
    local: bool,
    as_html: bool,
) -> Response:
    try:
        chosen = _format(request)
        start, end = period(request)
        found = await call(feedback.team_feedback, store, team_id, start, end, k, True)
    except NotFound as exc:
        trail.record(OPERATION, AGGREGATE, None, outcome=NOT_FOUND, team=team_id)
        return _problem(404, str(exc), as_html)
    except DatabaseUnavailable as exc:
        trail.record(OPERATION, AGGREGATE, None, outcome=ERROR, team=team_id)
        return _problem(503, str(exc) if local else UNAVAILABLE, as_html)
    except InputError as exc:
        trail.record(OPERATION, AGGREGATE, None, outcome=ERROR, team=team_id)
        return _problem(400, "; ".join(exc.problems), as_html)
    except GraphsvcError as exc:
        trail.record(OPERATION, AGGREGATE, None, outcome=ERROR, team=team_id)
        return _problem(400, str(exc) if local else "the report could not be made", as_html)
    trail.record(OPERATION, AGGREGATE, None, ["indicators"], OK, team=team_id, format=chosen)
    if chosen == "html":
        return HTMLResponse(feedback_html(found), headers=HEADERS)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", team_id)
    filename = f"team-feedback-{safe}-{found.start}-{found.end}.csv"
    return Response(
        "\ufeff" + feedback_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **HEADERS},
    )
