"""The review desk over HTTP: a Starlette app (served by uvicorn), pages from Jinja2 templates with autoescape,
JavaScript and CSS from the package's data. Every request needs an editor's session; every POST its CSRF
token and a JSON body of known fields; ids come from the URL and are looked up, never opened as paths."""

from __future__ import annotations

import json
import re
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from importlib.resources import files
from typing import Any

import uvicorn
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from toolkit.desk.access import COOKIE, Access, Session, csrf_ok
from toolkit.desk.desk import Desk, NotFound, PacketPage, RebuildJob, SaveOutcome, SegmentDetail, SegmentView
from toolkit.desk.segments import STATUS_LABELS, Piece, diff_json, finding_json, note_json
from toolkit.errors import BriefkitError
from toolkit.review.status import ReviewCounts

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
STATIC = {"desk.js": "text/javascript; charset=utf-8", "desk.css": "text/css; charset=utf-8"}
MAX_BODY = 256 * 1024
# an id names a packet or segment the desk holds: one path segment, nothing a file system would follow
ID = re.compile(r"[A-Za-z0-9][^/\\\x00-\x1f]{0,299}")
NOT_LOGGED_IN = (
    "Not logged in to the review desk: open the link that `briefkit review serve` printed "
    "(http://HOST:PORT/?token=…), or send Authorization: Bearer TOKEN."
)

Endpoint = Callable[[Request], Awaitable[Response]]


def _static_files() -> dict[str, bytes]:
    folder = files("toolkit.desk").joinpath("static")
    return {name: folder.joinpath(name).read_bytes() for name in STATIC}


def _templates() -> Environment:
    environment = Environment(loader=PackageLoader("toolkit.desk", "templates"), autoescape=select_autoescape(["html"]))
    environment.globals["status_labels"] = STATUS_LABELS
    return environment


class Guard(BaseHTTPMiddleware):
    """Sessions, CSRF and the security headers, for every request."""

    def __init__(self, app: Any, access: Access) -> None:
        super().__init__(app)
        self.access = access

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await self._guarded(request, call_next)
        response.headers.update(HEADERS)
        return response

    async def _guarded(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        token = request.query_params.get("token")
        if token is not None and request.method == "GET":
            session_id = self.access.log_in(token)
            if session_id is None:
                return PlainTextResponse("This token is not one of the desk's.", 403)
            response = RedirectResponse(request.url.path, 303)  # the token leaves the address bar
            response.set_cookie(COOKIE, session_id, httponly=True, samesite="strict", path="/")
            return response
        session = self._session(request)
        if session is None:
            return PlainTextResponse(NOT_LOGGED_IN, 403)
        if request.method not in ("GET", "HEAD"):
            if not csrf_ok(session, request.headers.get("x-csrf-token", "")):
                return JSONResponse({"error": "the request has no valid CSRF token; reload the page"}, 403)
            origin = request.headers.get("origin")
            if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
                return JSONResponse({"error": "a request from another site"}, 403)
        request.state.session = session
        return await call_next(request)

    def _session(self, request: Request) -> Session | None:
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            return self.access.bearer_session(bearer[7:].strip())
        cookie = request.cookies.get(COOKIE)
        return self.access.session(cookie) if cookie else None


class BadRequest(BriefkitError):
    pass


async def json_body(request: Request, fields: dict[str, type]) -> dict[str, Any]:
    """The request's JSON object, holding only the fields named, each of its type (all of them required)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise BadRequest("send JSON (Content-Type: application/json)")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadRequest(f"the request is over {MAX_BODY // 1024} KB")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the request is not JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("the request is not a JSON object")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise BadRequest(f"unknown field “{unknown[0][:40]}” (the desk takes no file names or paths)")
    for name, kind in fields.items():
        if not isinstance(data.get(name), kind):
            raise BadRequest(f"the field “{name}” is missing or not a {kind.__name__}")
    return data


def path_id(request: Request, name: str) -> str:
    value = str(request.path_params.get(name, ""))
    if not ID.fullmatch(value) or ".." in value:
        raise NotFound(f"no such {name.replace('_', ' ')}: ids name what the desk holds, never a file")
    return value


def handled(work: Endpoint) -> Endpoint:
    """User errors as JSON with a status (404 for an unknown id), never a traceback."""

    async def endpoint(request: Request) -> Response:
        try:
            return await work(request)
        except NotFound as exc:
            return JSONResponse({"error": exc.message}, 404)
        except BriefkitError as exc:
            return JSONResponse({"error": " ".join(str(exc).split())}, 400)

    return endpoint


def pieces_json(found: list[Piece]) -> list[dict[str, object]]:
    return [piece.to_json() for piece in found]


def counts_json(counts: ReviewCounts | None) -> dict[str, int] | None:
    return {**asdict(counts), "done": counts.reviewed + counts.approved} if counts is not None else None


def view_json(view: SegmentView) -> dict[str, object]:
    row = view.row
    return {
        "id": view.id,
        "status": view.status,
        "status_label": STATUS_LABELS[view.status],
        "base": row.base,
        "english": row.fingerprint,
        "target": pieces_json(view.target),
        "findings": list(view.findings),
        "open_notes": view.open_notes,
        "notes": len(row.notes),
    }


def detail_json(detail: SegmentDetail) -> dict[str, object]:
    row = detail.view.row
    return {
        **view_json(detail.view),
        "context": detail.context,
        "source_as_target": pieces_json(detail.source_as_target),
        "required": detail.view.required,
        "notes_list": [note_json(note) for note in row.notes],
        "earlier": row.earlier,
        "matches": [
            {
                "similarity": match.similarity,
                "status": match.status,
                "by": match.produced_by,
                "at": match.updated,
                "differences": diff_json(match.differences),
                "target_text": match.target_text,
                "take": pieces_json(taken),
            }
            for match, taken in detail.matches
        ],
        "hints": [asdict(hint) for hint in detail.hints],
        "unknown": list(detail.unknown),
    }


def outcome_json(outcome: SaveOutcome) -> dict[str, object]:
    conflict = outcome.conflict
    return {
        "result": outcome.result,
        "message": outcome.message,
        "flagged": list(outcome.flagged),
        "conflict": asdict(conflict) if conflict else None,
        "segment": view_json(outcome.view) if outcome.view else None,
        "summary_counts": counts_json(outcome.counts),
        "total": counts_json(outcome.total),
    }


def job_json(job: RebuildJob | None) -> dict[str, object]:
    if job is None:
        return {"state": "idle"}
    return {
        "state": job.state,
        "steps": job.steps,
        "current": job.current,
        "translated": list(job.translated),
        "message": job.message,
        "files": [name.rsplit("/", 1)[-1] for name in job.files],
        "seconds": job.seconds,
    }


def desk_app(desk: Desk, access: Access) -> Starlette:
    templates = _templates()
    static = _static_files()

    def session(request: Request) -> Session:
        found: Session = request.state.session
        return found

    async def index(request: Request) -> Response:
        packets = list(desk.packets.values())
        if len(packets) == 1:
            return RedirectResponse(f"/packets/{packets[0].id}", 303)
        page = templates.get_template("index.html").render(packets=packets, editor=session(request).editor)
        return HTMLResponse(page)

    async def static_file(request: Request) -> Response:
        name = str(request.path_params["name"])
        if name not in static:
            return PlainTextResponse("not found", 404)
        return Response(static[name], media_type=STATIC[name])

    async def packet_page(request: Request) -> Response:
        try:
            page: PacketPage = await run_in_threadpool(desk.page, path_id(request, "packet_id"))
        except NotFound as exc:
            return PlainTextResponse(exc.message, 404)
        except BriefkitError as exc:  # a summary made unreadable while the desk runs: say which, as the CLI would
            return PlainTextResponse(" ".join(str(exc).split()), 400)
        me = session(request)
        html = templates.get_template("desk.html").render(
            page=page, editor=me.editor, csrf=me.csrf, done=lambda c: c.reviewed + c.approved
        )
        return HTMLResponse(html)

    async def whoami(request: Request) -> Response:
        me = session(request)
        return JSONResponse({"editor": me.editor, "csrf": me.csrf, "packets": list(desk.packets)})

    async def detail(request: Request) -> Response:
        found = await run_in_threadpool(desk.detail, path_id(request, "packet_id"), path_id(request, "segment_id"))
        return JSONResponse(detail_json(found))

    async def save(request: Request) -> Response:
        body = await json_body(request, {"text": str, "status": str, "base": str, "english": str})
        if body["status"] not in ("reviewed", "approved"):
            raise BadRequest("status is reviewed or approved")
        ids = path_id(request, "packet_id"), path_id(request, "segment_id")
        outcome = await run_in_threadpool(
            desk.save, *ids, body["english"], body["base"], body["text"], body["status"], session(request).editor
        )
        status = {"stored": 200, "unchanged": 200, "conflict": 409, "refused": 422}[outcome.result]
        return JSONResponse(outcome_json(outcome), status)

    async def check(request: Request) -> Response:
        body = await json_body(request, {"text": str})
        ids = path_id(request, "packet_id"), path_id(request, "segment_id")
        result = await run_in_threadpool(desk.check, *ids, body["text"])
        return JSONResponse({"refused": result.refused, "findings": [finding_json(f) for f in result.findings]})

    async def preview(request: Request) -> Response:
        body = await json_body(request, {"text": str})
        ids = path_id(request, "packet_id"), path_id(request, "segment_id")
        return JSONResponse({"html": await run_in_threadpool(desk.preview, *ids, body["text"])})

    async def add_note(request: Request) -> Response:
        body = await json_body(request, {"text": str})
        ids = path_id(request, "packet_id"), path_id(request, "segment_id")
        added = await run_in_threadpool(desk.add_note, *ids, body["text"], session(request).editor)
        return JSONResponse({"added": added})

    async def resolve_note(request: Request) -> Response:
        body = await json_body(request, {"author": str, "at": str, "text": str})
        ids = path_id(request, "packet_id"), path_id(request, "segment_id")
        await run_in_threadpool(desk.resolve_note, *ids, body["author"], body["at"], body["text"])
        return JSONResponse({"resolved": True})

    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "")
        hits = await run_in_threadpool(desk.concordance, path_id(request, "packet_id"), query)
        return JSONResponse({"hits": [asdict(hit) for hit in hits]})

    async def rebuild(request: Request) -> Response:
        packet_id = path_id(request, "packet_id")
        if request.method == "POST":
            await json_body(request, {})
            return JSONResponse(job_json(desk.rebuild(packet_id)), 202)
        return JSONResponse(job_json(desk.rebuild_status(packet_id)))

    segment = "/api/packets/{packet_id}/segments/{segment_id}"
    routes = [
        Route("/", index),
        Route("/static/{name}", static_file),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/packets/{packet_id}", packet_page),
        Route("/api/session", whoami),
        Route(segment, handled(detail)),
        Route(segment + "/save", handled(save), methods=["POST"]),
        Route(segment + "/check", handled(check), methods=["POST"]),
        Route(segment + "/preview", handled(preview), methods=["POST"]),
        Route(segment + "/notes", handled(add_note), methods=["POST"]),
        Route(segment + "/notes/resolve", handled(resolve_note), methods=["POST"]),
        Route("/api/packets/{packet_id}/concordance", handled(search)),
        Route("/api/packets/{packet_id}/rebuild", handled(rebuild), methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(Guard, access=access)])


def listening_socket(host: str, port: int) -> socket.socket:
    """The desk's socket, bound now: a port in use is one line, before anything is served."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted connections inherit it: a socket handed to uvicorn is not set up as its own are, and without
    # it every reply on a kept-alive connection waited ~40 ms for the client's delayed ACK
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == 98:
            raise BriefkitError(f"port {port} on {host} is in use", hint="give another with --port") from None
        raise BriefkitError(f"cannot listen on {host}:{port}: {exc.strerror}", hint="check --host and --port") from None
    sock.listen(128)
    return sock


def serve(desk: Desk, access: Access, sock: socket.socket) -> None:
    """Serve until interrupted (Ctrl+C)."""
    config = uvicorn.Config(desk_app(desk, access), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    sys.stdout.flush()
    server.run(sockets=[sock])
