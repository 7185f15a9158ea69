"""The browser form's web application: a thin layer over :mod:`clas_bilan.web.session`.

Guards of a local server: only its own address in the Host header (no DNS rebinding),
the per-run token on every request that reads answers or changes a file, bodies of
limited size, and the only files touched are the session's. Every French finding the
page shows comes from ``checks`` and ``loading``, as for ``validate``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from clas_bilan import keys, textfile
from clas_bilan.errors import UserError
from clas_bilan.keys import is_index
from clas_bilan.report import Report
from clas_bilan.values import format_number
from clas_bilan.web import fields, page
from clas_bilan.web.session import Conflict, Exists, Session

MAX_BODY = textfile.MAX_BYTES + 500_000
"""Largest request body read: the answers file's limit, plus the keys that name them."""

STATIC = Path(__file__).parent / "static"

_SECURITY_HEADERS = {
    # Nothing but this server: no CDN, no external request, no inline script.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_DOWNLOAD_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "eml": "message/rfc822",
}


class _HostGuard:
    """Refuse any request whose Host header is not this server's own address."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app = app
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and Headers(scope=scope).get("host") not in self.hosts:
            response = PlainTextResponse("Adresse refusée.", status_code=421)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def create_app(session: Session, port: int) -> ASGIApp:
    """The web application of one run, serving ``session`` on 127.0.0.1:``port``."""
    import mimetypes

    for kind, suffix in (("text/javascript", ".js"), ("text/css", ".css")):
        mimetypes.add_type(kind, suffix)  # not what Windows' registry says (text/plain…)
    origin = f"http://127.0.0.1:{port}"

    def guarded(
        handler: Callable[[Request, dict[str, Any]], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                _authorize(request, session.token, origin)
                body = await _json(request) if request.method == "POST" else {}
                return await handler(request, body)
            except _Refused as refused:
                return PlainTextResponse("Requête refusée.", status_code=refused.status)
            except UserError as error:
                return JSONResponse({"erreur": error.message, "conseil": error.hint}, 400)

        return endpoint

    async def home(request: Request) -> Response:
        try:
            values, version = await run_in_threadpool(session.values)
            draft = await run_in_threadpool(session.draft_values)
        except UserError as error:  # the answers file vanished or cannot be shown any more
            text = f"{error.message} {error.hint or ''}".strip()
            return PlainTextResponse(text, status_code=500, headers=_SECURITY_HEADERS)
        html = page.render(
            session.path.name, session.token, values, draft, version=version, file_key=session.key
        )
        return HTMLResponse(html, headers=_SECURITY_HEADERS)

    async def reload(request: Request, body: dict[str, Any]) -> Response:
        values, version = await run_in_threadpool(session.values)
        return JSONResponse({"valeurs": values, "version": version})

    async def verify(request: Request, body: dict[str, Any]) -> Response:
        report = await run_in_threadpool(session.check, _values(body))
        return JSONResponse(report_json(report))

    async def save(request: Request, body: dict[str, Any]) -> Response:
        values, base = _values(body), _base(body)
        drop_draft = body.get("oublier_brouillon") is True
        try:
            version = await run_in_threadpool(
                lambda: session.save(values, base, drop_draft=drop_draft)
            )
        except Conflict as conflict:
            return _conflict(session, conflict)
        return JSONResponse({"enregistre": True, "version": version})

    async def keep_draft(request: Request, body: dict[str, Any]) -> Response:
        draft = await run_in_threadpool(session.keep_draft, _values(body))
        return JSONResponse({"brouillon": draft})

    async def forget(request: Request, body: dict[str, Any]) -> Response:
        await run_in_threadpool(session.forget_draft)
        return JSONResponse({"oublie": True})

    async def produce(request: Request, body: dict[str, Any]) -> Response:
        values, base, replace = _values(body), _base(body), body.get("remplacer") is True
        try:
            report, version = await run_in_threadpool(
                lambda: session.produce(values, base, replace=replace)
            )
        except Conflict as conflict:
            return _conflict(session, conflict)
        except Exists as exists:
            return JSONResponse({"existe": exists.path.name, "version": exists.version}, 409)
        result = report_json(report)
        result["version"] = version
        result["fichiers"] = _offered(session, ("docx", "pdf")) if not report.errors else []
        return JSONResponse(result)

    async def email(request: Request, body: dict[str, Any]) -> Response:
        try:
            await run_in_threadpool(lambda: session.email(replace=body.get("remplacer") is True))
        except Exists as exists:
            return JSONResponse({"existe": exists.path.name}, 409)
        return JSONResponse({"fichiers": _offered(session, ("eml",))})

    async def download(request: Request, body: dict[str, Any]) -> Response:
        kind = request.path_params["kind"]
        path = session.outputs.get(kind)
        if path is None or not path.is_file():
            return PlainTextResponse("Fichier introuvable.", status_code=404)
        return FileResponse(path, media_type=_DOWNLOAD_TYPES[kind], filename=path.name)

    routes = [
        Route("/", home),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/fichier", guarded(reload), methods=["POST"]),
        Route("/api/verifier", guarded(verify), methods=["POST"]),
        Route("/api/enregistrer", guarded(save), methods=["POST"]),
        Route("/api/brouillon", guarded(keep_draft), methods=["POST"]),
        Route("/api/brouillon/oublier", guarded(forget), methods=["POST"]),
        Route("/api/produire", guarded(produce), methods=["POST"]),
        Route("/api/courriel", guarded(email), methods=["POST"]),
        Route("/telecharger/{kind:str}", guarded(download)),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    return _HostGuard(Starlette(routes=routes), port)


def _authorize(request: Request, token: str, origin: str) -> None:
    """Refuse a request without the run's token, or sent by another site."""
    given = request.headers.get("x-jeton") or request.query_params.get("jeton") or ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise _Refused(403)
    sent_from = request.headers.get("origin")
    if sent_from is not None and sent_from != origin:
        raise _Refused(403)


async def _json(request: Request) -> dict[str, Any]:
    """The request's JSON object, read no further than MAX_BODY bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not is_index(declared) or int(declared) > MAX_BODY):
        raise _Refused(413)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise _Refused(413)
    try:
        body = json.loads(data)
    except ValueError:
        raise _Refused(400) from None
    if not isinstance(body, dict):
        raise _Refused(400)
    return body


def _values(body: dict[str, Any]) -> dict[str, str]:
    """The page's answers: known keys only, texts only, lists of bounded length."""
    values = body.get("valeurs")
    if not isinstance(values, dict):
        raise _Refused(400)
    known = fields.all_patterns()
    for key, value in values.items():
        if not isinstance(value, str) or fields.pattern_of(key) not in known:
            raise _Refused(400)
        if any(is_index(part) and int(part) >= fields.MAX_ITEMS for part in keys.split(key)):
            raise _Refused(400)
    return values


def _base(body: dict[str, Any]) -> str | None:
    """The version of the answers file the page's values were built on (None: no file)."""
    base = body.get("version", "")
    if base is not None and not (isinstance(base, str) and len(base) == 64):
        raise _Refused(400)
    return base


def _conflict(session: Session, conflict: Conflict) -> Response:
    """The answer to a save over a version the file no longer is: the page must ask."""
    body = {"conflit": True, "brouillon": conflict.draft, "version": conflict.version}
    return JSONResponse(body, 409)


def _offered(session: Session, kinds: tuple[str, ...]) -> list[dict[str, str]]:
    """Download links of the files produced, by kind."""
    return [
        {"nom": session.outputs[kind].name, "adresse": f"/telecharger/{kind}"}
        for kind in kinds
        if kind in session.outputs
    ]


def _number(value: float | None, decimals: int = 0) -> str:
    return "—" if value is None else format_number(value, decimals=decimals)


def report_json(report: Report) -> dict[str, Any]:
    """Findings and summary as the page shows them: ``validate``'s own texts."""
    result: dict[str, Any] = {
        "constats": [
            {
                "gravite": finding.severity,
                "cle": finding.key,
                "question": finding.label,
                "message": finding.message,
                "conseil": finding.hint,
                "code": finding.code,
            }
            for finding in report.findings
        ],
        "erreurs": len(report.errors),
        "avertissements": len(report.warnings),
    }
    summary = report.summary
    if summary is not None:
        result["resume"] = {
            "renseignees": f"{summary.answered} / {summary.questions}",
            "etp_salaries": _number(summary.etp_salaries, 2),
            "etp_benevoles": _number(summary.etp_benevoles, 2),
            **{name: _number(value) for name, value in summary.subtotals.items()},
            "total": _number(summary.total),
            "moyenne": _number(summary.average_per_collectif, 1),
            "bonus_enfants": [summary.bonus_enfants.eligible, summary.bonus_enfants.reason],
            "bonus_parents": [summary.bonus_parents.eligible, summary.bonus_parents.reason],
        }
    return result
