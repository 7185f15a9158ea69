"""Run the browser form: a uvicorn server on 127.0.0.1 only, until Ctrl+C.

Access is kept per answers file in the user's configuration folder (:class:`Access`): the
token and the port of the last run. A form relaunched on the same file comes back on the
same address with the same token, so that a page left open (its cookie, its journal in the
browser, both tied to the address) saves again by itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clas_bilan import files, scaffold
from clas_bilan.errors import UsageError, UserError
from clas_bilan.web.session import Session

HOST = "127.0.0.1"
MAX_CONNECTIONS = 64
"""Connections open at once; beyond, the oldest idle one is closed (a browser uses six)."""
IDLE_TIMEOUT = 5
"""Seconds a connection may stay silent, before its first request as between two."""
MAX_HEADERS = 16_384
"""Largest request line and headers, in bytes."""


def prepare(path: Path) -> tuple[Session, bool]:
    """The session for ``path``, created like ``init`` when missing; True when created.

    The file is read once here so that a file the page cannot show is refused before
    any server starts.
    """
    created = False
    if not path.exists():
        scaffold.write_new(path, scaffold.init_text())
        created = True
    elif path.is_dir():
        raise UsageError(f"« {path} » est un dossier : donnez un fichier de réponses (.yaml).")
    session = Session(path)
    session.values()
    return session, created


@dataclass
class Access:
    """The token and port a form on one answers file used last, kept readable by its user only."""

    token: str
    port: int | None = None
    kept_in: Path | None = None

    def keep(self, port: int) -> None:
        """Remember ``port`` and the token; a folder not writable only loses the memory."""
        self.port = port
        if self.kept_in is None:
            return
        data = json.dumps({"jeton": self.token, "port": port}).encode()
        with contextlib.suppress(OSError, UserError):
            self.kept_in.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.kept_in.touch(mode=0o600)  # the atomic write keeps the mode of the file replaced
            os.chmod(self.kept_in, 0o600)
            files.write_atomic(self.kept_in, data, force=True)


def remember(session: Session, folder: Path) -> Access:
    """The access kept for ``session``'s file in ``folder``; the session takes its token."""
    name = hashlib.sha256(str(session.path.resolve()).encode()).hexdigest()[:32]
    kept_in = folder / "formulaire" / f"{name}.json"
    access = Access(session.token, None, kept_in)
    with contextlib.suppress(OSError, ValueError):
        data: Any = json.loads(kept_in.read_bytes())
        token, port = data.get("jeton"), data.get("port")
        if isinstance(token, str) and len(token) >= 32 and token.isascii():
            access.token = token
        if isinstance(port, int) and 0 < port < 65536:
            access.port = port
    session.token = access.token
    return access


def bind(port: int | None, access: Access | None = None) -> socket.socket:
    """A listening socket on 127.0.0.1: ``port``, else the file's port of last time, else any."""
    if port is not None:
        sock = _listen(port)
        if sock is None:
            raise UsageError(
                f"le port {port} est déjà utilisé (ou interdit) sur cet ordinateur.",
                hint="choisissez-en un autre avec --port, ou retirez --port pour qu'un port "
                "libre soit choisi.",
            )
    else:
        sock = (access and access.port and _listen(access.port)) or _listen(0)
        if sock is None:
            raise UsageError("aucun port n'est libre sur cet ordinateur pour le formulaire.")
    if access is not None:
        access.keep(sock.getsockname()[1])
    return sock


def _listen(port: int) -> socket.socket | None:
    """A socket listening on 127.0.0.1:``port``, at once even after a restart; None if taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform == "win32":  # there, SO_REUSEADDR would let a second server take the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    else:  # a port left in TIME_WAIT by the run before is free to listen on again
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        return None
    sock.listen(64)
    return sock


def address(sock: socket.socket, token: str) -> str:
    """The address to open: it carries the token once, traded by the page for a cookie."""
    return f"http://{HOST}:{sock.getsockname()[1]}/?jeton={token}"


def serve(
    session: Session,
    sock: socket.socket,
    *,
    browser: bool,
    ready: Callable[[str], None],
) -> None:
    """Serve the form on ``sock`` until Ctrl+C; ``ready`` gets the address once listening."""
    import uvicorn

    from clas_bilan.web.app import create_app

    url = address(sock, session.token)
    config = uvicorn.Config(
        create_app(session, sock.getsockname()[1]),
        http=_connection_class(),
        log_level="error",
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=3,
        ws="none",
        timeout_keep_alive=IDLE_TIMEOUT,
        limit_concurrency=2 * MAX_CONNECTIONS,  # a backstop: closing connections count too
        h11_max_incomplete_event_size=MAX_HEADERS,
        backlog=64,
    )
    server = uvicorn.Server(config)

    def announce() -> None:
        deadline = time.monotonic() + 30
        while not server.started and not server.should_exit and time.monotonic() < deadline:
            time.sleep(0.02)
        if server.started:
            ready(url)
            if browser:
                webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    server.run(sockets=[sock])


def _connection_class() -> type[Any]:
    """Uvicorn's HTTP/1.1 connection, bounded: silent ones time out, idle ones make room.

    uvicorn closes a kept-alive connection after ``timeout_keep_alive``, but not one that
    never sent a request; and its ``limit_concurrency`` answers 503 to every request once
    that many connections are open, which idle connections alone would reach. Here a new
    connection is given the same timeout, and above MAX_CONNECTIONS the oldest connection
    without a request in progress is closed to make room.
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Connection(H11Protocol):
        opened = 0.0

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self.opened = time.monotonic()
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )
            live: list[Any] = [c for c in self.connections if not c.transport.is_closing()]
            if len(live) > MAX_CONNECTIONS:
                idle = [other for other in live if _idle(other)]
                (min(idle, key=lambda other: other.opened) if idle else self).transport.close()

    return Connection


def _idle(connection: Any) -> bool:
    """True when no request is in progress on the connection (none yet, or answered)."""
    return connection.cycle is None or bool(connection.cycle.response_complete)
