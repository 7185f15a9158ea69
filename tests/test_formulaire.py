"""``clas-bilan formulaire`` over HTTP: guards of a local server, checks, saving, conflicts."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clas_bilan.loading import load_file
from helpers_answers import REFERENCE, reference
from helpers_campaign import command
from helpers_formulaire import Running, running

EXAMPLE_VALUES_CP = "public.inscrits.CP"


def _request(
    server: Running,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """Send a request; without ``headers``, signed with the token as a program would."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(
            method, path, body=body, headers=server.signed if headers is None else headers
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _token(server: Running) -> str:
    return server.token


def _post(server: Running, path: str, data: object, token: str) -> tuple[int, dict[str, object]]:
    status, body = _request(
        server,
        "POST",
        path,
        json.dumps(data).encode(),
        {"Content-Type": "application/json", "X-Jeton": token},
    )
    return status, json.loads(body) if body.startswith(b"{") else {}


def _version(answers: Path) -> str:
    """The version a page names in its saves: the sha256 of the file's bytes it was built from."""
    return hashlib.sha256(answers.read_bytes()).hexdigest()


def _page_values(path: Path) -> dict[str, str]:
    """The reference answers as the page sends them: dotted keys, texts as typed."""
    flat: dict[str, str] = {}

    def walk(value: object, prefix: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{prefix}.{index}")
        elif value is True or value is False:
            flat[prefix] = "oui" if value else "non"
        elif hasattr(value, "strftime"):
            flat[prefix] = value.strftime("%d/%m/%Y")  # type: ignore[attr-defined]
        else:
            flat[prefix] = "" if value is None else str(value)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")), "")
    return flat


def test_a_missing_file_is_created_like_init_and_the_address_is_printed(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    with running(answers) as server:
        assert answers.is_file()
        assert answers.read_text(encoding="utf-8").startswith("# yaml-language-server")
        status, page = _request(server, "GET", "/")
        assert status == 200
        text = page.decode()
        # The Caf's wording, in the form's order, each answer named by its dotted key.
        first = text.index("Nom du gestionnaire")
        assert first < text.index("Nombre de salariés") < text.index("Qualité du signataire")
        for name in (
            "gestionnaire.nom",
            "public.inscrits.CM1",
            "axe_enfants.criteres_bonus.surcout_materiel_pedagogique",
            "formations.sessions.#.organisme",
            "territoires.#.etablissements.#.email",
        ):
            assert f'"{name}"' in text, name
        out = server.stop()
    assert "Fichier de réponses créé" in out
    assert server.url in out
    assert "Formulaire arrêté." in out
    assert server.process.returncode == 0


def test_foreign_host_missing_token_and_other_origin_are_refused(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    before = answers.read_bytes()
    with running(answers) as server:
        token = _token(server)
        values = json.dumps({"valeurs": _page_values(REFERENCE)}).encode()
        json_type = {"Content-Type": "application/json"}
        # DNS rebinding: a page of another site reaching this port under its own name.
        for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1:1"):
            status, _ = _request(server, "GET", "/", headers={"Host": host})
            assert status == 421, host
            status, _ = _request(
                server,
                "POST",
                "/api/enregistrer",
                values,
                {**json_type, "Host": host, "X-Jeton": token},
            )
            assert status == 421, host
        for headers in (
            {},
            {"X-Jeton": "faux"},
            {"X-Jeton": token, "Origin": "http://evil.example"},
        ):
            for path in ("/api/enregistrer", "/api/produire", "/api/verifier", "/api/fichier"):
                status, _ = _request(server, "POST", path, values, {**json_type, **headers})
                assert status == 403, (path, headers)
        status, _ = _request(server, "GET", "/telecharger/docx", headers={})
        assert status == 403
        # Body size limit, and keys the form does not have.
        status, _ = _request(
            server,
            "POST",
            "/api/verifier",
            b'{"valeurs": {"gestionnaire.nom": "' + b"x" * 3_000_000 + b'"}}',
            {**json_type, "X-Jeton": token},
        )
        assert status == 413
        status, _ = _post(server, "/api/enregistrer", {"valeurs": {"../../etc/passwd": "x"}}, token)
        assert status == 400
    assert answers.read_bytes() == before


def test_the_server_listens_on_127_0_0_1_only(tmp_path: Path) -> None:
    with running(tmp_path / "reponses.yaml") as server:
        others: set[str] = set()
        with contextlib.suppress(OSError):
            others.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None))
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect(("192.0.2.1", 9))  # no packet sent: finds the outgoing address
            others.add(probe.getsockname()[0])
        except OSError:
            pass
        finally:
            probe.close()
        for address in sorted(others - {"127.0.0.1"}):
            if ":" in address:
                continue
            family = socket.AF_INET
            with socket.socket(family, socket.SOCK_STREAM) as client:
                client.settimeout(2)
                assert client.connect_ex((address, server.port)) != 0, address
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as client:
            client.settimeout(2)
            assert client.connect_ex(("::1", server.port)) != 0
        # ... and it does answer on 127.0.0.1
        assert _request(server, "GET", "/")[0] == 200


def test_checks_are_validate_s_own_and_saving_keeps_invalid_values_as_typed(
    tmp_path: Path,
) -> None:
    answers = tmp_path / "reponses.yaml"
    with running(answers) as server:
        token = _token(server)
        values = _page_values(REFERENCE)
        values["public.total"] = "45"
        values["moyens_humains.salaries.nombre"] = "trois"
        status, report = _post(server, "/api/verifier", {"valeurs": values}, token)
        assert status == 200
        saving = {"valeurs": values, "version": _version(answers)}
        status, _ = _post(server, "/api/enregistrer", saving, token)
        assert status == 200
    saved = yaml.safe_load(answers.read_text(encoding="utf-8"))
    assert saved["moyens_humains"]["salaries"]["nombre"] == "trois"
    validate = subprocess.run(
        [*command(), "validate", str(answers)],
        capture_output=True,
        text=True,
        env={"COLUMNS": "400", "PATH": ""},
        encoding="utf-8",
    )
    assert validate.returncode == 1
    findings = report["constats"]
    assert isinstance(findings, list)
    errors = {(f["cle"], f["message"]) for f in findings if f["gravite"] == "erreur"}
    assert {key for key, _ in errors} == {"public.total", "moyens_humains.salaries.nombre"}
    assert "total-mismatch" in {f["code"] for f in findings}  # the kind, for tools
    for _, message in errors:  # word for word what validate prints for the saved file
        assert message in validate.stdout
    summary = report["resume"]
    assert isinstance(summary, dict)
    assert summary["total"] == "44" and summary["elementaire"] == "28"


def test_a_file_changed_on_disk_is_never_overwritten(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    with running(answers) as server:
        token = _token(server)
        base = _version(answers)
        edited = answers.read_text(encoding="utf-8").replace("Réussir ensemble", "Autre titre")
        answers.write_text(edited, encoding="utf-8")
        values = _page_values(REFERENCE)
        values["intitule_projet"] = "Titre tapé dans la page"
        saving = {"valeurs": values, "version": base}
        status, body = _post(server, "/api/enregistrer", saving, token)
        assert status == 409 and body["conflit"] is True
        assert body["version"] == _version(answers)
        assert answers.read_text(encoding="utf-8") == edited
        draft = tmp_path / "reponses.yaml.brouillon"
        assert "Titre tapé dans la page" in draft.read_text(encoding="utf-8")
        status, _ = _post(server, "/api/produire", saving, token)
        assert status == 409
        assert answers.read_text(encoding="utf-8") == edited
        # The user chose: keep the page's answers, over the version the conflict named.
        chosen = {**saving, "version": body["version"], "oublier_brouillon": True}
        status, _ = _post(server, "/api/enregistrer", chosen, token)
        assert status == 200
        assert "Titre tapé dans la page" in answers.read_text(encoding="utf-8")
        assert not draft.exists()


def test_saved_reference_values_load_back_as_the_reference(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    with running(answers) as server:
        token = _token(server)
        saving = {"valeurs": _page_values(REFERENCE), "version": _version(answers)}
        status, _ = _post(server, "/api/enregistrer", saving, token)
        assert status == 200
    assert load_file(answers).answers == reference()


def test_a_file_the_page_cannot_show_whole_is_refused_before_starting(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    text = REFERENCE.read_text(encoding="utf-8").replace('  nom: "Martin"', "  nom_famille: x")
    answers.write_text(text, encoding="utf-8")
    before = answers.read_bytes()
    result = subprocess.run(
        [*command(), "formulaire", str(answers), "--sans-navigateur"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env={"COLUMNS": "200", "PATH": ""},
    )
    assert result.returncode == 2
    assert "moyens_humains.coordination.nom_famille" in result.stderr
    assert "Traceback" not in result.stderr
    assert answers.read_bytes() == before


@pytest.mark.parametrize("port", ["0", "70000"])
def test_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str) -> None:
    result = subprocess.run(
        [*command(), "formulaire", "--sans-navigateur", "--port", port],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert not (tmp_path / "reponses.yaml").exists()


def test_cli_import_does_not_load_the_web_libraries() -> None:
    code = (
        "import sys, clas_bilan.cli; "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8"
    )
    assert result.stdout.strip() == "[]"


def test_a_draft_left_by_a_conflict_is_offered_at_the_next_start(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    draft = tmp_path / "reponses.yaml.brouillon"
    with running(answers) as server:
        token = _token(server)
        base = _version(answers)
        answers.write_text(answers.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        values = {**_page_values(REFERENCE), "intitule_projet": "Gardé dans le brouillon"}
        saving = {"valeurs": values, "version": base}
        assert _post(server, "/api/enregistrer", saving, token)[0] == 409
    assert draft.is_file()
    with running(answers) as server:
        status, page = _request(server, "GET", "/")
        assert status == 200
        offered = re.search(rb'<script type="application/json" id="brouillon">(.*?)</script>', page)
        assert offered is not None
        assert json.loads(offered.group(1))["intitule_projet"] == "Gardé dans le brouillon"
        assert _post(server, "/api/brouillon/oublier", {}, _token(server))[0] == 200
    assert not draft.exists()
