"""Run the browser form: a uvicorn server on 127.0.0.1 only, until Ctrl+C."""

from __future__ import annotations

import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from clas_bilan import scaffold
from clas_bilan.errors import UsageError
from clas_bilan.web.session import Session

HOST = "127.0.0.1"


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


def bind(port: int | None) -> socket.socket:
    """A listening socket on 127.0.0.1: ``port``, or a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port or 0))
    except OSError:
        sock.close()
        raise UsageError(
            f"le port {port} est déjà utilisé (ou interdit) sur cet ordinateur.",
            hint="choisissez-en un autre avec --port, ou retirez --port pour qu'un port libre "
            "soit choisi.",
        ) from None
    sock.listen(64)
    return sock


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

    port = sock.getsockname()[1]
    url = f"http://{HOST}:{port}/"
    config = uvicorn.Config(
        create_app(session, port),
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=3,
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
