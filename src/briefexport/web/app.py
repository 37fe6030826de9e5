"""The ASGI app: one page and the HTTP API behind it (documented at ``GET /api``).

Starlette: a small, well-kept ASGI toolkit (the base of FastAPI) with no dependencies
beyond anyio, served by uvicorn. The API is plain JSON and file downloads, so a framework
with request validation models would add weight without adding safety: every input is
checked by the outline reader and theme loader anyway, whose errors the API returns as
they are (``FILE:LINE:COL: error: …``, plus line and column as numbers).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from .._yaml import MAX_BYTES
from ..builder.api import FORMATS, creation_time
from ..builder.engine import BuildTimeout, WorkerLost
from ..errors import BriefexportError, Coded, LocatedError, SourcePos, coded
from ..theme.loader import load_theme, preset_names
from ._render import Notice, RenderJob, RenderResult
from .downloads import content_disposition, file_stem, zip_files
from .engine import Busy, Engine, EngineLimits
from ..importer.plain import note_text
from .intake import Imported, check, import_upload, review_notes
from .preview import Preview, Previews, UnknownBuild
from .tree import outline_yaml, tree_of

__all__ = ["API_DOC", "CSP", "create_app"]

#: Everything the page loads comes from this server; images may also be data: (preview pages) and blob: (downloads).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
#: Resolution of the preview's page images: an A4 page is about 500 px wide, enough to read headings.
PREVIEW_DPI = 60
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "epub": "application/epub+zip",
    "zip": "application/zip",
    "yaml": "application/yaml; charset=utf-8",
}

API_DOC: Mapping[str, str] = {
    "GET /api": "this list",
    "GET /api/themes": "the presets: [{name, description}]",
    "POST /api/import": "body: the briefing's bytes (text in UTF-8, GB18030 or UTF-16; Content-Type text/html for HTML; "
    "?filename=NAME.yaml for an outline); ?keep_junk=1 keeps anti-copy junk. Answer: {yaml, summary, notes: [{message, code, params}], "
    "tree}",
    "POST /api/check": "body: outline YAML. Answer: {yaml, tree} with every heading's printed label",
    "POST /api/outline": "body: {tree} as /api/check returns it, edited. Answer: {yaml, tree}",
    "POST /api/build": "body: {outline, format: docx|pdf|epub|zip|yaml, theme: PRESET, theme_file: THEME YAML}. "
    "Answer: the file, named from the title; the bytes equal `briefexport build` of the same outline and theme",
    "POST /api/preview": "body as /api/build. Answer: {build, pages: [image URLs], sizes: [[width, height] in points], "
    "notices: [{level, message, line, col}]}; the same outline and theme are not rendered twice",
    "GET /api/preview/{build}/{page}.png": "page PAGE (from 1) of a preview's PDF as a PNG image, drawn when first asked for",
    "POST /api/preview/{page}": "body as /api/build. Answer: page PAGE (from 1) of the PDF as a PNG image",
    "codes": "notes, notices, the server's own errors and the usual outline errors carry {code, params} beside the English message, for a page "
    "to say in its language",
    "errors": "status 400 (bad input), 404 (a preview no longer kept: ask again), 413 (body over 8 MiB), "
    "500 (a worker died), 503 (busy), 504 (too slow): "
    "{error: {message, file, line, col}}; message is the CLI's one line",
}


class _TooLarge(BriefexportError):
    """The request body is over the size limit."""


class _BadRequest(BriefexportError):
    """The request is not shaped as the API says."""


def _error_body(exc: BriefexportError) -> dict[str, Any]:
    error: dict[str, Any] = {"message": str(exc) if isinstance(exc, LocatedError) else f"briefexport: error: {exc}"}
    if isinstance(exc, LocatedError) and isinstance(exc.pos, SourcePos):
        error.update(file=exc.pos.file, line=exc.pos.line, col=exc.pos.col)
    error.update(_said(_error_code(exc)))
    return {"error": error}


def _error_code(exc: BriefexportError) -> Coded | None:
    """The code of the server's own errors, or of an outline's or theme's, for the page to say in its language."""
    codes = {_TooLarge: coded("too_large", limit=MAX_BYTES // 2**20), Busy: coded("busy"), BuildTimeout: coded("too_slow"),
             WorkerLost: coded("worker_lost"), UnknownBuild: coded("preview_gone")}
    own = next((said for kind, said in codes.items() if isinstance(exc, kind)), None)
    return own if own is not None or not isinstance(exc, LocatedError) else exc.said


def _status(exc: BriefexportError) -> int:
    if isinstance(exc, _TooLarge):
        return 413
    if isinstance(exc, UnknownBuild):
        return 404
    if isinstance(exc, Busy):
        return 503
    if isinstance(exc, BuildTimeout):
        return 504
    if isinstance(exc, WorkerLost):
        return 500
    return 400


async def _body(request: Request) -> bytes:
    """The request body, refused past the loader's limit without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise _TooLarge(f"the request is {int(declared) / 2**20:.1f} MiB; the limit is {MAX_BYTES // 2**20} MiB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise _TooLarge(f"the request is over the limit of {MAX_BYTES // 2**20} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


async def _text_body(request: Request) -> str:
    data = await _body(request)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadRequest("the request body is not UTF-8 text") from None


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        value = json.loads(await _text_body(request))
    except json.JSONDecodeError as exc:
        raise _BadRequest(f"the request body is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(value, dict):
        raise _BadRequest("the request body must be a JSON object")
    return value


Handler = Callable[[Request], Awaitable[Response]]


def _api(handler: Handler) -> Handler:
    """Turn the library's errors into the API's JSON errors; API answers are never cached."""

    async def wrapped(request: Request) -> Response:
        try:
            response = await handler(request)
        except BriefexportError as exc:
            response = JSONResponse(_error_body(exc), status_code=_status(exc))
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return wrapped


def _checked(text: str) -> dict[str, Any]:
    return {"yaml": text, "tree": tree_of(check(text), text)}


async def _import(request: Request) -> Response:
    data = await _body(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    filename = request.query_params.get("filename", "")
    keep_junk = request.query_params.get("keep_junk", "") in ("1", "true")
    imported = await run_in_threadpool(import_upload, data, filename, content_type, keep_junk)
    checked = await run_in_threadpool(_checked, imported.yaml)
    return JSONResponse({**checked, "summary": imported.summary, "notes": _review(imported)})


def _review(imported: Imported) -> list[dict[str, Any]]:
    """The importer's review notes, each with its code; an outline file's own top comments as they are."""
    if imported.notes:
        return [{"message": note_text(note), **_said(note)} for note in imported.notes]
    return [{"message": note} for note in review_notes(imported.yaml)]


async def _check(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(_checked, await _text_body(request)))


async def _outline(request: Request) -> Response:
    body = await _json_body(request)
    text = outline_yaml(body.get("tree"))
    return JSONResponse(await run_in_threadpool(_checked, text))


def _job_fields(body: Mapping[str, Any]) -> tuple[str, str, str | None]:
    outline, theme, theme_file = body.get("outline"), body.get("theme") or "handout", body.get("theme_file")
    if not isinstance(outline, str) or not outline.strip():
        raise _BadRequest("'outline' must be the outline's YAML text")
    if theme_file is not None and not isinstance(theme_file, str):
        raise _BadRequest("'theme_file' must be the theme's YAML text")
    if theme_file is None and theme not in preset_names():
        raise _BadRequest(f"no preset named '{theme}'; presets: {', '.join(preset_names())}")
    return outline, str(theme), theme_file


def _said(said: Coded | None) -> dict[str, Any]:
    """A message's code and parameters for the page to say in its language (nothing when it has none)."""
    return {} if said is None else {"code": said.code, "params": said.as_dict()}


def _notices(notices: tuple[Notice, ...]) -> list[dict[str, Any]]:
    return [{"level": n.level, "message": n.message, "line": n.line, "col": n.col, **_said(n.said)} for n in notices]


class Api:
    """The handlers that render, sharing one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.previews = Previews(engine, PREVIEW_DPI)

    async def _render(self, body: Mapping[str, Any], formats: tuple[str, ...]) -> tuple[str, RenderResult]:
        outline, theme, theme_file = _job_fields(body)
        result = await self.engine.run(RenderJob(outline, formats, theme, theme_file))
        return outline, result

    async def _preview(self, body: Mapping[str, Any]) -> Preview:
        outline, theme, theme_file = _job_fields(body)
        return await self.previews.preview(RenderJob(outline, ("pdf",), theme, theme_file))

    async def build(self, request: Request) -> Response:
        body = await _json_body(request)
        kind = body.get("format")
        if kind not in (*FORMATS, "zip", "yaml"):
            raise _BadRequest(f"'format' must be one of {', '.join((*FORMATS, 'zip', 'yaml'))} (got {kind!r})")
        outline, *_ = _job_fields(body)
        numbered = await run_in_threadpool(check, outline)
        stem = file_stem(numbered.doc.meta.title)
        if kind == "yaml":
            data = outline.encode("utf-8")
        else:
            _, result = await self._render(body, FORMATS if kind == "zip" else (str(kind),))
            if kind == "zip":
                named = {f"{stem}.{name}": result.files[name] for name in FORMATS}
                data = await run_in_threadpool(zip_files, named, creation_time(numbered.doc))
            else:
                data = result.files[str(kind)]
        return Response(data, media_type=MIME[str(kind)], headers={"Content-Disposition": content_disposition(f"{stem}.{kind}")})

    async def preview(self, request: Request) -> Response:
        made = await self._preview(await _json_body(request))
        pages = [f"/api/preview/{made.build}/{number}.png" for number in range(1, len(made.sizes) + 1)]
        sizes = [[round(width, 2), round(height, 2)] for width, height in made.sizes]
        return JSONResponse({"build": made.build, "pages": pages, "sizes": sizes, "notices": _notices(made.notices)})

    async def preview_image(self, request: Request) -> Response:
        image = await self.previews.image(str(request.path_params["build"]), int(request.path_params["page"]) - 1)
        # The address names the content (a hash of outline and theme), so the browser may keep it.
        return Response(image, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    async def preview_page(self, request: Request) -> Response:
        made = await self._preview(await _json_body(request))
        image = await self.previews.image(made.build, int(request.path_params["page"]) - 1)
        return Response(image, media_type="image/png")


async def _themes(request: Request) -> Response:
    return JSONResponse([{"name": name, "description": load_theme(name).description} for name in preset_names()])


async def _api_doc(request: Request) -> Response:
    return JSONResponse(dict(API_DOC))


def _page_language(request: Request) -> str:
    """English when the browser ranks English above Chinese, else Chinese (the users' language)."""
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "zh-CN"


def _static() -> Any:
    return resources.files("briefexport.web") / "static"


async def _index(request: Request) -> Response:
    page = (_static() / "index.html").read_text(encoding="utf-8")
    lang = _page_language(request)
    return HTMLResponse(page.replace('lang="zh-CN"', f'lang="{lang}"', 1), headers={"Cache-Control": "no-store"})


class _SecurityHeaders:
    """Adds the Content-Security-Policy and related headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class _SameOriginWrites:
    """Refuses a state-changing request that a browser sent from another site's page.

    Any page a user visits could otherwise POST to the loopback server (its renders cost CPU and
    its imports read what is sent). Browsers mark such requests with ``Origin`` and
    ``Sec-Fetch-Site``; scripts and office systems calling the API send neither and pass.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS") and _cross_site(scope):
            response = JSONResponse({"error": {"message": "briefexport: error: requests from other web pages are refused; "
                                                          "use the page this server serves", "code": "cross_site", "params": {}}},
                                    status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _cross_site(scope: Scope) -> bool:
    headers: dict[str, str] = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    return origin == "null" or origin.partition("://")[2] != headers.get("host", "")


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def host_name(header: str) -> str | None:
    """The name in a Host header without its port (``[::1]:8765`` → ``::1``); None when it is malformed."""
    header = header.strip().lower()
    if header.startswith("["):  # an IPv6 address, bracketed as URLs write it
        name, closed, rest = header[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    elif header.count(":") > 1:  # an unbracketed IPv6 address is no Host header
        return None
    else:
        name, _, port = header.partition(":")
    if not name or (port and not port.isdigit()):
        return None
    return name


class _KnownHosts:
    """Answers only requests whose Host header names one of ``allowed`` (``*``: any).

    Starlette's TrustedHostMiddleware cuts the header at its first colon, which turns
    ``[::1]:8765`` into ``[``; this reads bracketed IPv6 addresses with their port.
    """

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = frozenset(name.strip("[]").lower() for name in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and "*" not in self.allowed:
            header = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            if host_name(header) not in self.allowed:
                response = JSONResponse({"error": {"message": "briefexport: error: this server answers only to the names of "
                                                              "this computer (127.0.0.1, localhost, [::1])", "code": "foreign_host",
                                                   "params": {}}}, status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(limits: EngineLimits = EngineLimits(), *, allowed_hosts: tuple[str, ...] = ("*",)) -> Starlette:
    """The page and its API, with an engine started when the server starts and stopped when it stops.

    ``allowed_hosts`` lists the Host header values accepted; a loopback-only server accepts
    only loopback names, so a web page elsewhere cannot reach it by DNS rebinding.
    """
    holder: dict[str, Api] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        engine = Engine(limits)
        holder["api"] = Api(engine)
        try:
            yield
        finally:
            await run_in_threadpool(engine.close)

    def route(name: str) -> Handler:
        async def call(request: Request) -> Response:
            method: Handler = getattr(holder["api"], name)
            return await method(request)

        return _api(call)

    routes = [
        Route("/", _index),
        Route("/api", _api(_api_doc)),
        Route("/api/themes", _api(_themes)),
        Route("/api/import", _api(_import), methods=["POST"]),
        Route("/api/check", _api(_check), methods=["POST"]),
        Route("/api/outline", _api(_outline), methods=["POST"]),
        Route("/api/build", route("build"), methods=["POST"]),
        Route("/api/preview", route("preview"), methods=["POST"]),
        Route("/api/preview/{page:int}", route("preview_page"), methods=["POST"]),
        Route("/api/preview/{build:str}/{page:int}.png", route("preview_image")),
        Mount("/static", StaticFiles(packages=[("briefexport.web", "static")]), name="static"),
    ]
    middleware = [Middleware(_KnownHosts, allowed=allowed_hosts), Middleware(_SecurityHeaders),
                  Middleware(_SameOriginWrites)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
