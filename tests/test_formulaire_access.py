"""Who gets in the browser form, and what bad requests, restarts and links do to it.

Over plain HTTP where the browser adds nothing, in Debian's chromium (driven by Playwright)
where the page's own code is the point: its cookie, its saving, what it says.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import re
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from clas_bilan import textfile
from clas_bilan.loading import load_file
from helpers_answers import REFERENCE
from helpers_formulaire import Running, config_home, running
from test_formulaire import _page_values
from test_formulaire_browser import BILAN, SAVED

ANSWER = "Réussir ensemble"
"""An answer of the reference file: what no one without the token may read."""
NO_LIBREOFFICE = {"PATH": "/nonexistent"}
"""The bilan produced without its PDF (quicker): the form finds no LibreOffice."""


def _answers(tmp_path: Path) -> Path:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    return answers


def _http(
    server: Running,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _over_current(server: Running, values: dict[str, str]) -> bytes:
    """A page's call with ``values``, over the version of the file the server shows now."""
    headers = {"Content-Type": "application/json", **server.signed}
    _, _, shown = _http(server, "POST", "/api/fichier", b"{}", headers)
    return json.dumps({"valeurs": values, "version": json.loads(shown)["version"]}).encode()


def _save(server: Running, values: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """Save as the page does."""
    headers = {"Content-Type": "application/json", **server.signed}
    saving = _over_current(server, values)
    status, _, body = _http(server, "POST", "/api/enregistrer", saving, headers)
    return status, json.loads(body) if body.startswith(b"{") else {}


def _wait_saved(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#etat-enregistrement")).to_contain_text(SAVED, timeout=15_000)


def _type(page: Any, name: str, text: str) -> None:
    field = page.locator(f'[name="{name}"]')
    field.click()
    field.press_sequentially(text)


def _paste(page: Any, name: str, text: str) -> None:
    """Put the text the JavaScript ``text`` makes in a field at once, as a paste does."""
    page.locator(f'[name="{name}"]').evaluate(
        f"(field) => {{ field.value = {text};"
        " field.dispatchEvent(new Event('input', { bubbles: true })); }"
    )


def _kept(answers: Path) -> Path:
    """Where the form keeps the token and port of ``answers``."""
    name = hashlib.sha256(str(answers.resolve()).encode()).hexdigest()[:32]
    return config_home() / "clas-bilan" / "formulaire" / f"{name}.json"


# Who gets in ---------------------------------------------------------------------------


def test_without_the_token_the_page_gives_neither_the_token_nor_any_answer(
    tmp_path: Path,
) -> None:
    with running(_answers(tmp_path)) as server:
        for path, headers in (
            ("/", {}),
            ("/?jeton=faux", {}),
            ("/", {"Cookie": f"clas-bilan-{server.port}=faux"}),
            ("/", {"X-Jeton": "faux"}),
        ):
            status, _, body = _http(server, "GET", path, headers=headers)
            assert status == 403, (path, headers)
            assert server.token.encode() not in body
            assert ANSWER.encode() not in body
            text = body.decode()
            assert "Ouvrez l'adresse affichée dans le terminal" in text
            assert 'lang="fr"' in text
        for path in ("/telecharger/docx", "/telecharger/pdf"):
            assert _http(server, "GET", path)[0] == 403


def test_the_printed_address_trades_its_token_for_a_strict_http_only_cookie(
    tmp_path: Path,
) -> None:
    with running(_answers(tmp_path)) as server:
        assert server.url == f"{server.base}?jeton={server.token}"
        assert server.url in server.printed  # the address the user opens, printed whole
        status, headers, _ = _http(server, "GET", f"/?jeton={server.token}")
        assert status == 303 and headers["location"] == "/"  # the address bar loses the token
        cookie = headers["set-cookie"]
        name_value = cookie.split(";")[0]
        attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert name_value == f"clas-bilan-{server.port}={server.token}"
        assert {"httponly", "samesite=strict", "path=/"} <= attributes
        status, _, body = _http(server, "GET", "/", headers={"Cookie": name_value})
        assert status == 200 and ANSWER.encode() in body
        assert server.token.encode() not in body  # the page's code never holds it
        found = re.search(rb'<meta name="fichier" content="([0-9a-f]+)">', body)
        assert found is not None
        # The page's calls: the cookie, from its own origin, naming its answers file.
        version = re.search(rb'<meta name="version-fichier" content="([0-9a-f]*)">', body)
        assert version is not None
        values = json.dumps(
            {
                "valeurs": {**_page_values(REFERENCE), "intitule_projet": "Neuf"},
                "version": version.group(1).decode(),
            }
        )
        page_call = {
            "Cookie": name_value,
            "Content-Type": "application/json",
            "Origin": server.base.rstrip("/"),
            "X-Fichier": found.group(1).decode(),
        }
        for change in (
            {"Origin": "http://127.0.0.1:1"},  # another local server: same site, same cookie
            {"X-Fichier": "0123456789abcdef"},  # a page left open on another file's form
            {"Cookie": f"clas-bilan-{server.port}=faux"},
        ):
            sent = {**page_call, **change}
            assert _http(server, "POST", "/api/enregistrer", values.encode(), sent)[0] == 403
        for origin in ("http://127.0.0.1", "http://localhost"):
            sent = {**page_call, "Origin": f"{origin}:{server.port}"}
            assert _http(server, "POST", "/api/enregistrer", values.encode(), sent)[0] == 200


def test_localhost_serves_a_page_that_saves_and_keeps_the_token_out_of_the_address_bar(
    page: Any, tmp_path: Path
) -> None:
    answers = _answers(tmp_path)
    with running(answers) as server:
        page.goto(server.url.replace("127.0.0.1", "localhost"))
        assert page.url == f"http://localhost:{server.port}/"
        (cookie,) = page.context.cookies()
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""
        _type(page, "conclusion.suggestions_caf", "Tapé depuis localhost.")
        _wait_saved(page)
    saved = load_file(answers).answers
    assert saved is not None and saved.conclusion.suggestions_caf == "Tapé depuis localhost."


def test_a_download_serves_only_the_file_this_run_wrote_never_a_link_put_in_its_place(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe de la messagerie", encoding="utf-8")
    with running(_answers(tmp_path), env=NO_LIBREOFFICE) as server:
        headers = {"Content-Type": "application/json", **server.signed}
        body = _over_current(server, _page_values(REFERENCE))
        status, _, produced = _http(server, "POST", "/api/produire", body, headers)
        assert status == 200, produced
        docx = tmp_path / f"{BILAN}.docx"
        status, _, fetched = _http(server, "GET", "/telecharger/docx", headers=server.signed)
        assert status == 200 and fetched == docx.read_bytes()
        docx.unlink()
        docx.symlink_to(secret)
        status, _, fetched = _http(server, "GET", "/telecharger/docx", headers=server.signed)
        assert status == 404 and b"mot de passe" not in fetched
        docx.unlink()
        docx.write_text("mot de passe de la messagerie", encoding="utf-8")  # another file
        status, _, fetched = _http(server, "GET", "/telecharger/docx", headers=server.signed)
        assert status == 404 and b"mot de passe" not in fetched
        assert "Produisez-le de nouveau" in fetched.decode()


# What the file can keep ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        pytest.param(
            "'Merci ' + String.fromCharCode(0xD83D)",  # half of 😀
            "caractère incomplet (U+D83D",
            id="lone-surrogate",
        ),
        pytest.param(
            f"'x'.repeat({textfile.MAX_BYTES + 100_000})",
            "plus que ce qu’un fichier de réponses peut contenir (2 Mo)",
            id="over-validate-s-limit",
        ),
        pytest.param(
            f"'x'.repeat({textfile.MAX_BYTES + 600_000})",  # more than a request may carry
            "les réponses feraient un fichier de 2,6 Mo",
            id="over-a-request-s-limit",
        ),
    ],
)
def test_what_the_file_cannot_keep_is_refused_in_french_and_the_page_goes_on(
    page: Any, tmp_path: Path, pasted: str, said: str
) -> None:
    from playwright.sync_api import expect

    answers = _answers(tmp_path)
    before = answers.read_bytes()
    with running(answers) as server:
        page.goto(server.url)
        _paste(page, "intitule_projet", pasted)
        state = page.locator("#etat-enregistrement")
        expect(state).to_contain_text(said, timeout=15_000)
        expect(state).to_contain_text("rien n’a été enregistré")
        time.sleep(1.5)  # a later autosave would have shown up by now
        assert answers.read_bytes() == before
        assert page.reload().status == 200
        # The browser's journal gives the refused text back: the user types the answer again.
        page.locator('[name="intitule_projet"]').fill(f"{ANSWER} 😀")
        _wait_saved(page)
        assert page.reload().status == 200
    saved = load_file(answers).answers
    assert saved is not None and saved.intitule_projet == f"{ANSWER} 😀"


# Bounded connections, bad requests -------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resource.prlimit: Linux")
def test_many_idle_connections_do_not_exhaust_the_server(tmp_path: Path) -> None:
    import resource

    with running(_answers(tmp_path)) as server:
        # The server may open 256 files; a local account opens 400 connections and waits.
        resource.prlimit(server.process.pid, resource.RLIMIT_NOFILE, (256, 256))
        idle: list[socket.socket] = []
        try:
            for _ in range(400):
                try:
                    idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=2))
                except OSError:
                    break
            status, _, body = _http(server, "GET", "/", headers=server.signed)
            assert status == 200 and ANSWER.encode() in body
            # A connection that never sends a request is closed by the server.
            first = idle[-1]
            first.settimeout(15)
            assert first.recv(1) == b""
        finally:
            for sock in idle:
                sock.close()
        assert _http(server, "GET", "/", headers=server.signed)[0] == 200


def test_a_client_s_bad_request_prints_no_traceback(tmp_path: Path) -> None:
    with running(_answers(tmp_path)) as server:
        headers = {"Content-Type": "application/json", **server.signed}
        nested = b"[" * 200_000 + b"]" * 200_000
        assert _http(server, "POST", "/api/verifier", nested, headers)[0] == 400
        nested_object = b'{"valeurs": ' * 50_000 + b"1" + b"}" * 50_000
        assert _http(server, "POST", "/api/enregistrer", nested_object, headers)[0] == 400
        # A client gone in the middle of its request, another sending no HTTP at all.
        with socket.create_connection(("127.0.0.1", server.port)) as gone:
            gone.sendall(
                f"POST /api/verifier HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"X-Jeton: {server.token}\r\nContent-Type: application/json\r\n"
                'Content-Length: 1000\r\n\r\n{"valeurs"'.encode()
            )
            time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", server.port)) as garbage:
            garbage.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
            garbage.settimeout(5)
            with contextlib.suppress(OSError):
                garbage.recv(100)
        time.sleep(0.5)
        assert _http(server, "GET", "/", headers=server.signed)[0] == 200
        printed = server.stop()
    assert "Traceback" not in printed
    assert "Exception" not in printed
    assert "Formulaire arrêté." in printed


# The answers file through a link ---------------------------------------------------------


def test_a_symlinked_answers_file_is_written_through_to_its_target(tmp_path: Path) -> None:
    synced = tmp_path / "dossier-synchronise"
    synced.mkdir()
    target = _answers(synced)
    link = tmp_path / "reponses.yaml"
    link.symlink_to(target)
    with running(link) as server:
        values = {**_page_values(REFERENCE), "intitule_projet": "Écrit à travers le lien"}
        assert _save(server, values)[0] == 200
    assert link.is_symlink() and link.resolve() == target
    assert "Écrit à travers le lien" in target.read_text(encoding="utf-8")
    assert sorted(path.name for path in synced.iterdir()) == ["reponses.yaml"]


# A restart -------------------------------------------------------------------------------


def _kill(server: Running) -> None:
    """Kill the server at once (no goodbye to its connections), as a crash does."""
    server.process.kill()
    server.process.communicate()


def test_a_killed_server_restarts_at_once_on_its_port_and_the_open_page_saves_again(
    browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    answers = _answers(tmp_path)
    context = browser.new_context()
    page = context.new_page()
    state = page.locator("#etat-enregistrement")
    try:
        with running(answers) as first:
            page.goto(first.url)
            _type(page, "conclusion.suggestions_caf", "Un")
            _wait_saved(page)
            _kill(first)
        # Relaunched with the same --port right away: the port is free at once.
        with running(answers, "--port", str(first.port)) as second:
            _type(page, "conclusion.suggestions_caf", " deux")
            _wait_saved(page)
            _kill(second)
        # Relaunched without --port: the file's port of last time, so the same page.
        with running(answers) as third:
            assert third.port == first.port and third.token == first.token
            _type(page, "conclusion.suggestions_caf", " trois")
            _wait_saved(page)
            _kill(third)
        # The token forgotten (another computer account, a cleaned folder): the page says
        # what to do, keeps what was typed, and goes on once the new address is opened.
        _kept(answers).unlink()
        with running(answers, "--port", str(first.port)) as fourth:
            assert fourth.token != first.token
            _type(page, "conclusion.suggestions_caf", " quatre")
            expect(state).to_contain_text("le formulaire a été relancé", timeout=15_000)
            expect(state).to_contain_text("Rouvrez l'adresse affichée dans le terminal")
            other = context.new_page()
            other.goto(fourth.url)
            _wait_saved(page)
    finally:
        context.close()
    saved = load_file(answers).answers
    assert saved is not None and saved.conclusion.suggestions_caf == "Un deux trois quatre"


def test_the_access_kept_for_a_file_is_readable_by_its_user_only(tmp_path: Path) -> None:
    answers = _answers(tmp_path)
    with running(answers) as server:
        kept = _kept(answers)
        assert json.loads(kept.read_text()) == {"jeton": server.token, "port": server.port}
        if sys.platform != "win32":
            assert kept.stat().st_mode & 0o777 == 0o600
            assert kept.parent.stat().st_mode & 0o777 == 0o700
