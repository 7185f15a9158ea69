"""PDF copy of a bilan, made by LibreOffice in headless mode with a throwaway profile."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from clas_bilan import files
from clas_bilan.docx import package
from clas_bilan.errors import UsageError

_WINDOWS_PATHS = (
    Path(r"C:\Program Files\LibreOffice\program\soffice.exe"),
    Path(r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"),
)
_MACOS_PATH = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
_INSTALL_HINT = (
    "installez LibreOffice (gratuit : https://fr.libreoffice.org/download/) puis relancez "
    "la commande ; vous pouvez aussi ouvrir le .docx dans Word et l'enregistrer en PDF."
)


def find_soffice() -> str | None:
    """Return the LibreOffice program to run (on PATH or at its usual place), or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    usual = _WINDOWS_PATHS if sys.platform == "win32" else (_MACOS_PATH,)
    for path in usual:
        if path.is_file():
            return str(path)
    return None


def to_pdf(docx: Path, pdf: Path, *, timeout: float = 120) -> Path:
    """Convert ``docx`` to ``pdf`` with LibreOffice and move the result atomically into place."""
    package.open_docx(docx, role="bilan")  # refuse a broken or hostile file before LibreOffice
    files.check_new(pdf, force=True)
    soffice = find_soffice()
    if soffice is None:
        raise UsageError(
            "LibreOffice est introuvable : il sert à produire la copie PDF du bilan.",
            hint=_INSTALL_HINT,
        )
    with tempfile.TemporaryDirectory(prefix="clas-bilan-pdf-") as tmp:
        work = Path(tmp)
        source = work / "bilan.docx"
        shutil.copyfile(docx, source)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profil').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "pdf"),
            str(source),
        ]
        code, output = _run(command, timeout, docx)
        made = work / "pdf" / "bilan.pdf"
        if code != 0 or not made.is_file() or made.stat().st_size == 0:
            detail = f" (code {code})" if code else ""
            raise UsageError(
                f"LibreOffice n'a pas pu convertir « {docx.name} » en PDF{detail}.",
                hint=_last_line(output)
                or "vérifiez que le .docx s'ouvre dans LibreOffice ou Word, puis relancez.",
            )
        _move(made, pdf)
    return pdf


def _run(command: list[str], timeout: float, docx: Path) -> tuple[int, str]:
    """Run LibreOffice in its own process group; kill the whole group on timeout."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=os.name == "posix",
        )
    except OSError as error:
        raise UsageError(
            f"impossible de lancer LibreOffice ({command[0]}) : {error.strerror or error}.",
            hint=_INSTALL_HINT,
        ) from error
    try:
        raw, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as error:
        _kill(process)
        raise UsageError(
            f"LibreOffice n'a pas terminé la conversion de « {docx.name} » en PDF "
            f"au bout de {timeout:g} secondes.",
            hint="fermez LibreOffice s'il est ouvert, puis relancez la commande.",
        ) from error
    return process.returncode, raw.decode("utf-8", "replace")


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop LibreOffice and the helpers it started, then reap it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.communicate()


def _last_line(output: str) -> str:
    """The last non-empty line LibreOffice printed, as a hint."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return f"LibreOffice dit : {lines[-1]}" if lines else ""


def _move(made: Path, pdf: Path) -> None:
    """Copy ``made`` over ``pdf`` through a temporary file in ``pdf``'s folder."""
    with made.open("rb") as source:
        files.write_atomic(pdf, lambda target: shutil.copyfileobj(source, target), force=True)


_LIBREOFFICE = (b"LibreOffice", "LibreOffice".encode("utf-16-be").hex().upper().encode())
"""How LibreOffice names itself as a PDF's producer: plain, or UTF-16 in hexadecimal."""


def made_by_libreoffice(pdf: Path) -> bool:
    """True when ``pdf`` says LibreOffice produced it (as ``clas-bilan pdf`` does)."""
    try:
        with pdf.open("rb") as stream:
            head = stream.read(65536)
            stream.seek(max(0, pdf.stat().st_size - 65536))
            tail = stream.read()
    except OSError:
        return False
    return any(mark in head or mark in tail for mark in _LIBREOFFICE)


def made_from(docx: Path, pdf: Path) -> bool:
    """True when ``pdf`` is a copy of the bilan ``docx``: its same-named PDF, or LibreOffice's."""
    return pdf.suffix.lower() == ".pdf" and (pdf.stem == docx.stem or made_by_libreoffice(pdf))


def older(pdf: Path, docx: Path) -> bool:
    """True when ``pdf`` was written before the last change of ``docx``."""
    try:
        return pdf.stat().st_mtime < docx.stat().st_mtime
    except OSError:
        return False


def refresh_copy(docx: Path, pdf: Path) -> str | None:
    """After ``docx`` was replaced, bring its same-named PDF copy in step; say what was done.

    A copy LibreOffice made is converted again (or removed when LibreOffice is missing);
    any other PDF of that name (a signed scan…) is left alone with a warning.
    """
    if not pdf.is_file():
        return None
    if not made_by_libreoffice(pdf):
        return (
            f"« {pdf.name} » n’a pas été produit par clas-bilan : il n’a pas été modifié. "
            "Vérifiez qu’il correspond bien au nouveau bilan."
        )
    if find_soffice() is not None:
        to_pdf(docx, pdf)
        return f"Copie PDF mise à jour : {pdf}"
    pdf.unlink()
    return (
        f"Ancienne copie PDF supprimée : {pdf} (elle ne correspondait plus au bilan ; "
        f"LibreOffice est introuvable pour la refaire)."
    )
