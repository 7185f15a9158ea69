"""The browser form's web application: a thin layer over :mod:`clas_bilan.web.session`.

Guards of a local server, as careful ones (Jupyter) do: only its own address in the Host
header (no DNS rebinding); the token on every request but the page's own code
(``/static``): the address printed carries it once, and the page trades it for an
HttpOnly, SameSite=Strict cookie; the page's calls also name the answers file it was
built for and come from its own origin. Bodies of limited size, answers the file can
keep, downloads of the files this run wrote only, and no traceback for a client's bad
request. Every French finding the page shows comes from ``checks`` and ``loading``, as
for ``validate``.
"""

from __future__ import annotations

import hmac
import json
import os
import stat
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from clas_bilan import keys, signature_image, textfile
from clas_bilan.advice import advice
from clas_bilan.errors import UserError
from clas_bilan.keys import is_index
from clas_bilan.report import Report, shown
from clas_bilan.values import format_number
from clas_bilan.web import fields, page
from clas_bilan.web.session import Conflict, Exists, Session

MAX_BODY = textfile.MAX_BYTES + 500_000
"""Largest request body read: the answers file's limit, plus the keys that name them."""

STATIC = Path(__file__).parent / "static"
REFUSED_PAGE = Path(__file__).parent / "templates" / "acces.html"
"""The page for a request without the token: open the address printed in the terminal."""

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


def _hosts(port: int) -> frozenset[str]:
    """This server's own names: 127.0.0.1 and localhost, alike."""
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


class _Guard:
    """Refuse a Host header not this server's; answer an unexpected failure in one line.

    A failure left to uvicorn would print a whole traceback in the user's terminal.
    """

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app = app
        self.hosts = _hosts(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if Headers(scope=scope).get("host") not in self.hosts:
            response = PlainTextResponse("Adresse refusée.", status_code=421)
            await response(scope, receive, send)
            return
        started = False

        async def sending(message: Any) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except ClientDisconnect:
            return
        except Exception as error:  # any failure: one line, the page goes on
            print(
                f"Formulaire : une requête n'a pas abouti ({type(error).__name__}) ; "
                "le formulaire continue.",
                file=sys.stderr,
            )
            if not started:
                await PlainTextResponse("Erreur du formulaire.", status_code=500)(
                    scope, receive, send
                )


class _Refused(Exception):
    def __init__(self, status: int, size: int = 0) -> None:
        super().__init__(status)
        self.status = status
        self.size = size


def create_app(session: Session, port: int) -> ASGIApp:
    """The web application of one run, serving ``session`` on 127.0.0.1:``port``."""
    import mimetypes

    for kind, suffix in (("text/javascript", ".js"), ("text/css", ".css")):
        mimetypes.add_type(kind, suffix)  # not what Windows' registry says (text/plain…)
    access = _Access(session, port)
    written: dict[str, _Written] = {}
    """The files this run wrote, by kind, as they were once written: the only ones served."""

    def guarded(
        handler: Callable[[Request, dict[str, Any]], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                access.check(request)
                body = await _json(request) if request.method == "POST" else {}
                return await handler(request, body)
            except _Refused as refused:
                if refused.status == 413:  # said in French: a long text pasted, say
                    return _user_error(textfile.too_big_to_keep(refused.size), 413)
                return PlainTextResponse("Requête refusée.", status_code=refused.status)
            except UserError as error:
                return _user_error(error)

        return endpoint

    async def home(request: Request) -> Response:
        given = request.query_params.get("jeton")
        if given is not None and access.matches(given):
            response = RedirectResponse("/", status_code=303, headers=_SECURITY_HEADERS)
            response.set_cookie(
                access.cookie, session.token, path="/", httponly=True, samesite="strict"
            )
            return response
        if given is not None or not access.signed_in(request):
            return HTMLResponse(
                REFUSED_PAGE.read_text(encoding="utf-8"), 403, headers=_SECURITY_HEADERS
            )
        try:
            values, version = await run_in_threadpool(session.values)
            draft = await run_in_threadpool(session.draft_values)
        except UserError as error:  # the answers file vanished or cannot be shown any more
            shown = page.error_json(error)
            text = f"{shown['erreur']} {shown['conseil'] or ''}".strip()
            return PlainTextResponse(text, status_code=409, headers=_SECURITY_HEADERS)
        html = page.render(
            session.path.name,
            access.page,
            values,
            draft,
            version=version,
            folder=str(session.folder),
        )
        return HTMLResponse(textfile.LONE_SURROGATE.sub("\ufffd", html), headers=_SECURITY_HEADERS)

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
        values, base = _values(body), _base(body)
        replace = body.get("remplacer") is True

        def produce_and_note() -> tuple[Report, str | None]:
            report, version = session.produce(values, base, replace=replace)
            if not report.errors:
                _note(written, session, ("docx", "pdf", "eml"))
            return report, version

        try:
            report, version = await run_in_threadpool(produce_and_note)
        except Conflict as conflict:
            return _conflict(session, conflict)
        except Exists as exists:
            return JSONResponse({"existe": exists.path.name, "version": exists.version}, 409)
        result = report_json(report)
        result["version"] = version
        result["fichiers"] = _offered(session, ("docx", "pdf")) if not report.errors else []
        result["dossier"] = str(session.folder)
        return JSONResponse(result)

    async def email(request: Request, body: dict[str, Any]) -> Response:
        def email_and_note() -> list[str]:
            _, attached = session.email(replace=body.get("remplacer") is True)
            _note(written, session, ("eml",))
            return attached

        try:
            attached = await run_in_threadpool(email_and_note)
        except Exists as exists:
            return JSONResponse({"existe": exists.path.name}, 409)
        return JSONResponse(
            {
                "fichiers": _offered(session, ("eml",)),
                "joints": attached,
                "dossier": str(session.folder),
            }
        )

    async def signature(request: Request, body: dict[str, Any]) -> Response:
        name = shown(unquote(request.headers.get("x-nom", "")) or "image choisie")
        data = await _bytes(request, signature_image.MAX_BYTES, name)
        path = await run_in_threadpool(signature_image.store, data, session.path.parent, name)
        return JSONResponse({"image": path.name})

    async def download(request: Request, body: dict[str, Any]) -> Response:
        kind = request.path_params["kind"]
        file = written.get(kind)
        content = None if file is None else await run_in_threadpool(file.read)
        if file is None or content is None:
            return PlainTextResponse(
                "Fichier introuvable : il a été déplacé ou remplacé depuis que ce formulaire "
                "l'a écrit. Produisez-le de nouveau.",
                status_code=404,
            )
        return Response(
            content,
            media_type=_DOWNLOAD_TYPES[kind],
            headers={
                **_SECURITY_HEADERS,
                "Content-Disposition": f"attachment; filename*=utf-8''{quote(file.path.name)}",
            },
        )

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
        Route("/api/signature", guarded(signature), methods=["PUT"]),
        Route("/telecharger/{kind:str}", guarded(download)),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    return _Guard(Starlette(routes=routes), port)


class _Access:
    """Who may use the form: the token's holder, by header (a program) or cookie (the page).

    A cookie is sent to every port of 127.0.0.1 and by every tab: a call from the page
    must also come from this server's origin and name the answers file the page was
    built for, so that a page left open on another file's form never writes into it.
    """

    def __init__(self, session: Session, port: int) -> None:
        self.session = session
        self.cookie = f"clas-bilan-{port}"
        self.origins = frozenset(f"http://{host}" for host in _hosts(port))
        self.page = session.key
        """Names the answers file in the page and in its calls (not a secret)."""

    def matches(self, given: str) -> bool:
        """True when ``given`` is the token."""
        return hmac.compare_digest(given.encode(), self.session.token.encode())

    def signed_in(self, request: Request) -> bool:
        """True when the request carries the token, in its header or its cookie."""
        given = request.headers.get("x-jeton") or request.cookies.get(self.cookie) or ""
        return self.matches(given)

    def check(self, request: Request) -> None:
        """Refuse a request without the token, sent by another origin, or from another page."""
        if not self.signed_in(request):
            raise _Refused(403)
        origin = request.headers.get("origin")
        if origin is not None and origin not in self.origins:
            raise _Refused(403)
        from_page = request.method != "GET" and "x-jeton" not in request.headers
        if from_page and (origin is None or request.headers.get("x-fichier") != self.page):
            raise _Refused(403)


@dataclass(frozen=True)
class _Written:
    """A file this run wrote, and its identity then: no other file is served in its place."""

    path: Path
    identity: tuple[int, int, int, int]

    @classmethod
    def of(cls, path: Path) -> _Written | None:
        """The file at ``path`` as it is now, when it is a regular file (not a link)."""
        try:
            found = path.lstat()
        except OSError:
            return None
        return cls(path, _identity(found)) if stat.S_ISREG(found.st_mode) else None

    def read(self) -> bytes | None:
        """The file's bytes; None when it was moved, replaced, or made a link since."""
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            handle = os.open(self.path, flags)
        except OSError:
            return None
        with os.fdopen(handle, "rb") as stream:
            found = os.fstat(stream.fileno())
            if not stat.S_ISREG(found.st_mode) or _identity(found) != self.identity:
                return None
            return stream.read()


def _identity(found: os.stat_result) -> tuple[int, int, int, int]:
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


def _note(written: dict[str, _Written], session: Session, kinds: tuple[str, ...]) -> None:
    """Note the identity of the files of ``kinds`` just written (or forget those gone)."""
    for kind in kinds:
        path = session.outputs.get(kind)
        file = None if path is None else _Written.of(path)
        if file is None:
            written.pop(kind, None)
        else:
            written[kind] = file


def _user_error(error: UserError, status: int = 400) -> Response:
    """A user error as the page shows it (no command-line option in its fix)."""
    return JSONResponse(page.error_json(error), status)


async def _json(request: Request) -> dict[str, Any]:
    """The request's JSON object, read no further than MAX_BODY bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not is_index(declared) or int(declared) > MAX_BODY):
        raise _Refused(413, int(declared) if is_index(declared) else MAX_BODY + 1)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise _Refused(413, len(data))
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
        raise _Refused(400) from None
    if not isinstance(body, dict):
        raise _Refused(400)
    return body


async def _bytes(request: Request, limit: int, name: str) -> bytes:
    """An image's bytes, refused in French beyond ``limit`` (the image's own limit)."""
    declared = request.headers.get("content-length")
    if declared is not None and is_index(declared):
        signature_image.check_size(int(declared), name)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            signature_image.check_size(len(data), name)
    return bytes(data)


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
    """Findings and summary as the page shows them: ``validate``'s own texts, the page's fixes."""
    result: dict[str, Any] = {
        "constats": [
            {
                "gravite": finding.severity,
                "cle": finding.key,
                "question": finding.label,
                "message": finding.message,
                "conseil": advice(finding, "page"),
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
