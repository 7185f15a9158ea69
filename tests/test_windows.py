"""Windows' ways, simulated on any system: files held for a moment, long paths, LibreOffice.

Windows raises ``PermissionError`` with ``winerror`` 32 (sharing violation), 33 (lock
violation) or 5 (access denied) while an antivirus, OneDrive or the indexer holds a file
just written; it refuses a path of 260 characters or more with « not found »; stopping
``soffice.exe`` leaves ``soffice.bin`` running. Each is reproduced here by patching the
call that would fail on Windows, or ``sys.platform`` where the code branches on it.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from clas_bilan import campaigns, files, pdf
from clas_bilan.cli import app
from clas_bilan.loading import load
from helpers_soffice import stand_in

runner = CliRunner()
EXAMPLE = campaigns.current().example
LIBREOFFICE_PDF = (
    b"%PDF-1.7\n1 0 obj<</Producer<FEFF004C0069006200720065004F00660066006900630065>>>endobj\n"
    b"%%EOF\n"
)
posix_only = pytest.mark.skipif(
    os.name != "posix", reason="the stand-in for LibreOffice is a shell script"
)


def held(code: int = 32) -> PermissionError:
    """The error Windows raises for a file another program holds."""
    error = PermissionError(errno.EACCES, "The process cannot access the file")
    error.winerror = code  # type: ignore[attr-defined]
    return error


def flaky(real: Any, failures: int, code: int = 32) -> tuple[Any, list[int]]:
    """``real`` failing ``failures`` times as Windows does, then working; and its call count."""
    calls: list[int] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= failures:
            raise held(code)
        return real(*args, **kwargs)

    return call, calls


def only_the_file(folder: Path, name: str) -> None:
    assert sorted(p.name for p in folder.iterdir()) == [name]


# Files held for a moment ---------------------------------------------------------------


@pytest.mark.parametrize("code", [32, 33, 5])
def test_a_replace_refused_for_a_moment_is_tried_again(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "reponses.yaml"
    target.write_bytes(b"ancien")
    replace, calls = flaky(os.replace, 3, code)
    monkeypatch.setattr(files.os, "replace", replace)
    files.write_atomic(target, b"nouveau", force=True)
    assert target.read_bytes() == b"nouveau"
    assert len(calls) == 4
    only_the_file(tmp_path, "reponses.yaml")


def test_a_file_held_for_good_is_explained_and_no_temporary_file_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "bilan.docx"
    target.write_bytes(b"ancien")
    answers = tmp_path / "reponses.yaml"
    shutil.copyfile(EXAMPLE, answers)
    replace, calls = flaky(os.replace, 10**6)
    monkeypatch.setattr(files.os, "replace", replace)
    monkeypatch.setattr(files, "RETRY_SECONDS", 0.3)
    started = time.monotonic()
    result = runner.invoke(app, ["render", str(answers), "-o", str(target), "--force"])
    assert time.monotonic() - started >= 0.3
    assert result.exit_code == 2, result.output
    assert "le fichier est utilisé par un autre programme" in result.output
    assert len(calls) > 2
    assert target.read_bytes() == b"ancien"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bilan.docx", "reponses.yaml"]


def test_a_refusal_that_is_not_windows_holding_the_file_is_not_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def refused(*args: Any) -> None:
        calls.append(1)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refused)
    with pytest.raises(files.OutputError, match="accès refusé"):
        files.write_atomic(tmp_path / "a.yaml", b"x")
    assert calls == [1]
    assert list(tmp_path.iterdir()) == []


def test_a_removal_refused_for_a_moment_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "bilan.pdf"
    old.write_bytes(b"x")
    unlink, calls = flaky(Path.unlink, 2)
    monkeypatch.setattr(Path, "unlink", unlink)
    files.unlink(old)
    assert not old.exists() and len(calls) == 3


# Short temporary names, long paths --------------------------------------------------------


def test_the_temporary_file_never_makes_the_path_longer(tmp_path: Path) -> None:
    target = tmp_path / "bilan_clas_2025-2026_Centre_social_des_Lilas.docx"
    seen: list[Path] = []
    files.write_atomic(target, b"x", check=seen.append)
    assert len(seen[0].name) <= 15, seen[0].name
    assert len(str(seen[0])) <= len(str(target))
    only_the_file(tmp_path, target.name)


def _deep(tmp_path: Path, length: int) -> Path:
    """An existing folder whose absolute path is about ``length`` characters."""
    folder = tmp_path.absolute()
    while len(str(folder)) < length - 40:
        folder = folder / ("Dossier partagé du centre social " + str(len(str(folder))))[:40]
    folder.mkdir(parents=True)
    return folder


def test_a_path_too_long_for_windows_is_named_so_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows says « not found » (winerror 3) for a folder that exists, by its length."""
    folder = _deep(tmp_path, 250)
    real_mkstemp = files.tempfile.mkstemp

    def windows_mkstemp(*args: Any, **kwargs: Any) -> Any:
        if len(str(Path(kwargs["dir"]).absolute())) + 16 >= 260:
            error = FileNotFoundError(errno.ENOENT, "The system cannot find the path specified")
            error.winerror = 3  # type: ignore[attr-defined]
            raise error
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(files.tempfile, "mkstemp", windows_mkstemp)
    monkeypatch.setattr(files.sys, "platform", "win32")
    answers = tmp_path / "reponses.yaml"
    shutil.copyfile(EXAMPLE, answers)
    target = folder / "bilan_clas_2025-2026.docx"
    result = runner.invoke(app, ["render", str(answers), "-o", str(target)])
    assert result.exit_code == 2, result.output
    shown = " ".join(result.output.split())
    assert "le chemin est trop long pour Windows" in shown
    assert "choisissez un dossier au chemin plus court" in shown
    assert "n’existe pas" not in shown and "introuvable" not in shown
    assert list(folder.iterdir()) == []


def _windows_refuses_long_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows without long paths enabled: « path not found » (winerror 3) past 259 characters."""
    import pathlib

    def refused(path: Path) -> bool:
        return len(str(path.absolute())) >= 260

    def error() -> OSError:
        found = FileNotFoundError(errno.ENOENT, "The system cannot find the path specified")
        found.winerror = 3  # type: ignore[attr-defined]
        return found

    real_stat, real_open = pathlib.Path.stat, pathlib.Path.open

    def stat(self: Path, **kwargs: Any) -> Any:
        if refused(self):
            raise error()
        return real_stat(self, **kwargs)

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        if refused(self):
            raise error()
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "stat", stat)
    monkeypatch.setattr(pathlib.Path, "open", open_)
    monkeypatch.setattr(files.sys, "platform", "win32")


@pytest.mark.parametrize("command", ["validate", "render", "extract"])
def test_an_input_too_long_for_windows_is_named_so_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """An answers file or a bilan that exists, in a folder too deep: not « introuvable »."""
    folder = _deep(tmp_path, 300)
    if command == "extract":
        given = folder / "bilan_clas_2025-2026.docx"
        made = runner.invoke(app, ["render", str(EXAMPLE), "-o", str(given)])
        assert made.exit_code == 0, made.output
    else:
        given = folder / "reponses.yaml"
        shutil.copyfile(EXAMPLE, given)
    _windows_refuses_long_paths(monkeypatch)
    result = runner.invoke(app, [command, str(given)])
    assert result.exit_code == 2, result.output
    shown = " ".join(result.output.split())
    assert "le chemin est trop long pour Windows" in shown, shown
    assert "rapprochez le dossier de la racine du disque" in shown, shown
    assert "introuvable" not in shown and "clas-bilan init" not in shown


def test_a_long_path_is_fine_off_windows(tmp_path: Path) -> None:
    folder = _deep(tmp_path, 300)
    assert files.write_atomic(folder / "a.yaml", b"x").read_bytes() == b"x"


# The PDF copy of a replaced bilan, open in a reader ---------------------------------------


def _rendered_with_old_copy(tmp_path: Path) -> tuple[Path, Path, Path]:
    answers = tmp_path / "reponses.yaml"
    shutil.copyfile(EXAMPLE, answers)
    bilan = tmp_path / "bilan.docx"
    result = runner.invoke(app, ["render", str(answers), "-o", str(bilan)])
    assert result.exit_code == 0, result.output
    copy = tmp_path / "bilan.pdf"
    copy.write_bytes(LIBREOFFICE_PDF)
    return answers, bilan, copy


def _says_stale(output: str, copy: Path) -> None:
    shown = " ".join(output.split())
    assert f"la copie PDF « {copy} » n’a pas pu être mise à jour ni supprimée" in shown
    assert "elle ne correspond plus au nouveau bilan « bilan.docx »" in shown
    assert "clas-bilan pdf" in shown and "--force" in shown
    assert "inattendue" not in shown


def test_render_force_says_an_open_old_pdf_no_longer_matches_when_it_cannot_remove_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers, bilan, copy = _rendered_with_old_copy(tmp_path)
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    monkeypatch.setattr(files, "RETRY_SECONDS", 0.1)
    unlink, _ = flaky(Path.unlink, 10**6)
    monkeypatch.setattr(Path, "unlink", unlink)
    result = runner.invoke(app, ["render", str(answers), "-o", str(bilan), "--force"])
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    _says_stale(result.output, copy)
    assert copy.read_bytes() == LIBREOFFICE_PDF


def _pdf_held_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF reader holds every .pdf: replacing one fails as on Windows, again and again."""
    monkeypatch.setattr(files, "RETRY_SECONDS", 0.1)
    real = os.replace

    def replace(source: Any, destination: Any) -> None:
        if str(destination).endswith(".pdf"):
            raise held()
        real(source, destination)

    monkeypatch.setattr(files.os, "replace", replace)


@posix_only
def test_render_force_says_an_open_old_pdf_no_longer_matches_when_it_cannot_refresh_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers, bilan, copy = _rendered_with_old_copy(tmp_path)
    stand_in(tmp_path, monkeypatch)
    _pdf_held_open(monkeypatch)
    result = runner.invoke(app, ["render", str(answers), "-o", str(bilan), "--force"])
    assert result.exit_code == 0, result.output
    _says_stale(result.output, copy)
    assert "utilisé par un autre programme" in result.output
    assert copy.read_bytes() == LIBREOFFICE_PDF


# A Windows path between double quotes in the answers file ----------------------------------


def test_a_windows_path_in_double_quotes_is_fixed_with_apostrophes() -> None:
    """``\\U`` is an escape inside double quotes: the fix must not keep them."""
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        '  qualite: "Présidente"\n',
        '  qualite: "Présidente"\n  image: "C:\\Users\\Marie\\signature.png"\n',
    )
    found = [finding for finding in load(text).findings if finding.code == "needs-quotes"]
    assert len(found) == 1, [finding.text() for finding in load(text).findings]
    assert found[0].hint is not None
    assert found[0].hint.endswith("image: 'C:\\Users\\Marie\\signature.png'")
    assert "apostrophes" in found[0].hint


# LibreOffice: where it is, and stopped with its helpers -------------------------------------


def _program(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_libreoffice_named_by_the_environment_comes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _program(tmp_path / "LibreOfficePortable" / "soffice.exe")
    monkeypatch.setenv(pdf.OVERRIDE, str(program))
    assert pdf.find_soffice() == str(program)
    monkeypatch.setenv(pdf.OVERRIDE, str(tmp_path / "absent.exe"))
    with pytest.raises(pdf.UsageError, match="CLAS_BILAN_SOFFICE désigne"):
        pdf.find_soffice()


def _nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    """A ``platform`` system where LibreOffice is in none of the usual places."""
    monkeypatch.delenv(pdf.OVERRIDE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    for name in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pdf.sys, "platform", platform)


def test_libreoffice_is_found_under_program_files_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _nowhere(tmp_path, monkeypatch, "win32")
    monkeypatch.setenv("ProgramFiles", str(tmp_path / "D" / "Programmes"))
    monkeypatch.setitem(sys.modules, "winreg", None)  # no registry off Windows
    assert pdf.find_soffice() is None
    program = _program(tmp_path / "D" / "Programmes" / "LibreOffice" / "program" / "soffice.exe")
    assert pdf.find_soffice() == str(program)


def test_libreoffice_is_found_through_its_registry_key_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _program(tmp_path / "Ailleurs" / "program" / "soffice.exe")
    opened: list[str] = []

    class Key:
        def __enter__(self) -> Key:
            return self

        def __exit__(self, *args: object) -> None:
            return None

    def open_key(hive: int, name: str) -> Key:
        opened.append(name)
        if hive != 2:
            raise FileNotFoundError(name)
        return Key()

    winreg = types.SimpleNamespace(
        HKEY_CURRENT_USER=1,
        HKEY_LOCAL_MACHINE=2,
        OpenKey=open_key,
        QueryValueEx=lambda key, name: (str(program.parent), 1),
    )
    monkeypatch.setitem(sys.modules, "winreg", winreg)
    _nowhere(tmp_path, monkeypatch, "win32")
    assert pdf.find_soffice() == str(program)
    assert opened == [r"SOFTWARE\LibreOffice\UNO\InstallPath"] * 2


def test_libreoffice_is_found_in_the_users_applications_on_macos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _nowhere(tmp_path, monkeypatch, "darwin")
    monkeypatch.setattr(pdf.Path, "home", lambda: tmp_path)
    if Path("/Applications/LibreOffice.app").exists():
        pytest.skip("LibreOffice is installed for every user here")
    assert pdf.find_soffice() is None
    program = _program(
        tmp_path / "Applications" / "LibreOffice.app" / "Contents" / "MacOS" / "soffice"
    )
    assert pdf.find_soffice() == str(program)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in "ZX"


@posix_only
def test_ctrl_c_stops_libreoffice_and_its_helpers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """soffice starts soffice.bin; Ctrl+C (which LibreOffice, in its own group, never gets)
    stops both."""
    pids = tmp_path / "pids"
    sleep = shutil.which("sleep")
    stand_in(tmp_path, monkeypatch, f'{sleep} 60 & echo $! > "{pids}"; echo $$ >> "{pids}"; wait\n')
    source = tmp_path / "bilan.docx"
    answers = load(EXAMPLE.read_text(encoding="utf-8")).answers
    assert answers is not None
    from clas_bilan.render import render

    render(answers, source)

    def interrupt() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (
            pids.exists() and len(pids.read_text().split()) == 2
        ):
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        pdf.to_pdf(source, tmp_path / "bilan.pdf")
    helper, shell = (int(pid) for pid in pids.read_text().split())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (_alive(helper) or _alive(shell)):
        time.sleep(0.05)
    assert not _alive(helper) and not _alive(shell)


def test_on_windows_libreoffice_is_stopped_with_its_process_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(pdf.sys, "platform", "win32")
    monkeypatch.setattr(pdf.subprocess, "run", lambda command, **kwargs: ran.append(command))
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pdf._kill(process)
    finally:
        process.kill()
        process.wait()
    assert ran == [["taskkill", "/F", "/T", "/PID", str(process.pid)]]


# synthese: e-mails read from memory, workers within Windows' limit --------------------------


def test_an_emailed_bilan_is_read_from_memory_not_from_a_temporary_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An antivirus holding a copy in %TEMP% must not make the whole e-mail unread."""
    from clas_bilan import synthese
    from clas_bilan.mailing import build_draft, write_draft
    from clas_bilan.render import render

    answers = load(EXAMPLE.read_text(encoding="utf-8")).answers
    assert answers is not None
    bilan = render(answers, tmp_path / "bilan_lilas.docx")
    message = tmp_path / "recu.eml"
    write_draft(build_draft(bilan, sender=None, answers=None), message, False)
    temporary = Path(tempfile.gettempdir()).resolve()

    def guarded(real: Any) -> Any:
        def call(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self.resolve().is_relative_to(temporary) and not self.resolve().is_relative_to(
                tmp_path.resolve()
            ):
                raise held()
            return real(self, *args, **kwargs)

        return call

    monkeypatch.setattr(Path, "write_bytes", guarded(Path.write_bytes))
    monkeypatch.setattr(Path, "unlink", guarded(Path.unlink))
    outcomes = synthese.read_input(message)
    assert [type(outcome).__name__ for outcome in outcomes] == ["Bilan"], outcomes
    assert outcomes[0].values["equipement.nom"] == answers.equipement.nom


def test_synthese_starts_at_most_61_workers_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import Future

    from clas_bilan import synthese

    started: list[int] = []

    class WindowsPool:
        def __init__(self, max_workers: int, mp_context: Any = None) -> None:
            if max_workers > 61:
                raise ValueError("max_workers must be <= 61")
            started.append(max_workers)

        def __enter__(self) -> WindowsPool:
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def submit(self, function: Any, chunk: list[Path]) -> Future[list[list[Any]]]:
            future: Future[list[list[Any]]] = Future()
            future.set_result([[] for _ in chunk])
            return future

    monkeypatch.setattr(synthese, "ProcessPoolExecutor", WindowsPool)
    monkeypatch.setattr(sys, "platform", "win32")
    paths = [Path(f"bilan_{number}.docx") for number in range(1000)]
    assert len(list(synthese._read_all(paths, 128, None))) == 1000
    assert started == [61]


# email --envoyer: the system's certificates, and a true hint ---------------------------------


def test_sending_trusts_the_systems_certificate_store() -> None:
    import truststore

    from clas_bilan import mailing

    context = mailing._context()
    assert isinstance(context, truststore.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_an_unknown_certificate_authority_is_not_blamed_on_the_server_name(
    tmp_path: Path,
) -> None:
    from clas_bilan import mailing
    from test_email import Inbox, _local, _message, _server_tls, _serving

    message, _ = _message(tmp_path)
    with (
        _serving(Inbox(), tls_context=_server_tls(), require_starttls=True) as port,
        pytest.raises(pdf.UsageError) as caught,
    ):
        mailing.send(message, _local(port, security="starttls", user="helene"), "s3cret")
    hint = caught.value.hint or ""
    assert "ne reconnaît pas l'autorité qui a signé ce certificat" in hint
    assert "brouillon .eml" in hint


def test_a_certificate_of_another_name_says_to_check_the_server_name() -> None:
    from clas_bilan import mailing

    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_code = 62
    error.verify_message = "Hostname mismatch, certificate is not valid for 'smtp.exemple.fr'."
    assert "vérifiez le nom donné à --serveur" in mailing._certificate_hint(error)


# The browser form: its script and style sheet served as such ---------------------------------


def _served_type(app: Any, port: int, path: str) -> str:
    import asyncio

    sent: list[dict[str, Any]] = []

    requested: list[bool] = []

    async def receive() -> dict[str, Any]:
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)  # cancelled once the response is sent
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", f"127.0.0.1:{port}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", port),
    }
    asyncio.run(app(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    assert start["status"] == 200, start
    return dict(start["headers"])[b"content-type"].decode()


def test_the_forms_script_and_style_have_their_types_whatever_windows_registry_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mimetypes

    from clas_bilan.web import server
    from clas_bilan.web.app import create_app

    mimetypes.init()
    registry = mimetypes._db.types_map[True]  # type: ignore[attr-defined]
    monkeypatch.setitem(registry, ".js", "text/plain")
    monkeypatch.setitem(registry, ".css", "application/x-pointplus")
    session, _ = server.prepare(tmp_path / "reponses.yaml")
    app = create_app(session, 8123)
    assert _served_type(app, 8123, "/static/formulaire.js").startswith("text/javascript")
    assert _served_type(app, 8123, "/static/formulaire.css").startswith("text/css")


# Starting: a path's stray quote, the application's double-click ------------------------------


def test_a_folder_path_ending_in_a_stray_quote_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """PowerShell 5.1 completes ``'.\\Bilans reçus\\'`` and passes ``".\\Bilans reçus\\"``."""
    from clas_bilan.cli import main

    folder = tmp_path / "Bilans reçus"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["clas-bilan", "synthese", 'Bilans reçus"', "-o", "s.xlsx"])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    shown = " ".join(capsys.readouterr().err.split())
    assert 'le chemin « Bilans reçus" » se termine par un guillemet' in shown
    assert "retirez le « \\ » final" in shown and '« "Bilans reçus" »' in shown
    assert not (tmp_path / "s.xlsx").exists()


def test_the_application_started_with_no_argument_opens_the_form_in_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from clas_bilan import places
    from clas_bilan.cli import main
    from clas_bilan.web import server

    served: list[Path] = []
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "argv", ["clas-bilan"])
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    monkeypatch.setattr(places, "_windows_documents", lambda: None)  # never the real one
    monkeypatch.setattr(
        server, "serve", lambda session, sock, **kwargs: served.append(session.path)
    )
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code in (0, None)
    answers = tmp_path / "Documents" / "Bilan CLAS" / "reponses.yaml"
    assert served == [answers]
    assert answers.is_file()
    shown = " ".join(capsys.readouterr().out.split())
    assert f"Votre bilan CLAS est dans le fichier : {answers}" in shown


def test_documents_is_windows_known_folder_when_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from clas_bilan import places

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(places, "_windows_documents", lambda: Path("D:/Mes documents"))
    assert places.default_answers() == Path("D:/Mes documents/Bilan CLAS/reponses.yaml")


@posix_only
def test_render_pdf_force_over_an_open_old_pdf_says_it_no_longer_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers, bilan, copy = _rendered_with_old_copy(tmp_path)
    stand_in(tmp_path, monkeypatch)
    _pdf_held_open(monkeypatch)
    result = runner.invoke(app, ["render", str(answers), "-o", str(bilan), "--force", "--pdf"])
    assert result.exit_code == 2, result.output
    shown = " ".join(result.output.split())
    assert f"le bilan « bilan.docx » a été écrit, mais sa copie PDF « {copy} »" in shown
    assert "elle ne correspond plus au nouveau bilan" in shown
    assert "Fermez-la" in shown or "fermez-la" in shown
    assert copy.read_bytes() == LIBREOFFICE_PDF
