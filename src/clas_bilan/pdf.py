"""PDF copies of bilans, made by LibreOffice in headless mode with a throwaway profile.

Many bilans are converted by one start of LibreOffice (:func:`to_pdfs`): starting it
costs more than converting one bilan. LibreOffice and the helpers it starts are stopped
together on Ctrl+C or when it takes too long (its process group; ``taskkill /T`` on
Windows, where stopping ``soffice.exe`` leaves ``soffice.bin`` running).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clas_bilan import files
from clas_bilan.docx import package
from clas_bilan.errors import UsageError, UserError

OVERRIDE = "CLAS_BILAN_SOFFICE"
"""Environment variable naming the LibreOffice program to run (a portable install…)."""

_INSTALL_HINT = (
    "installez LibreOffice (gratuit : https://fr.libreoffice.org/download/) puis relancez "
    "la commande ; vous pouvez aussi ouvrir le .docx dans Word et l'enregistrer en PDF."
)
_MACOS_APP = Path("LibreOffice.app/Contents/MacOS/soffice")
_REGISTRY_KEY = r"SOFTWARE\LibreOffice\UNO\InstallPath"
"""Where LibreOffice's Windows installer writes its ``program`` folder (default value)."""

SECONDS_PER_FILE = 120
"""Longest time LibreOffice may take for one bilan."""


def find_soffice() -> str | None:
    """Return the LibreOffice program to run, or None when it is nowhere to be found.

    ``CLAS_BILAN_SOFFICE`` first, then ``PATH``, then where LibreOffice's installers put
    it: %ProgramFiles% and its registry key on Windows, ``/Applications`` and
    ``~/Applications`` on macOS.
    """
    chosen = os.environ.get(OVERRIDE)
    if chosen:
        if Path(chosen).is_file():
            return chosen
        raise UsageError(
            f"{OVERRIDE} désigne « {chosen} », qui n'existe pas.",
            hint=f"indiquez dans {OVERRIDE} le chemin complet du programme soffice de "
            "LibreOffice, ou retirez cette variable.",
        )
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for path in _usual_places():
        if path.is_file():
            return str(path)
    return None


def _usual_places() -> list[Path]:
    """Where LibreOffice's installers put the program on this system."""
    if sys.platform == "darwin":
        return [Path("/Applications") / _MACOS_APP, Path.home() / "Applications" / _MACOS_APP]
    if sys.platform != "win32":
        return []
    roots = [os.environ.get(name) for name in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")]
    places = [Path(root) / "LibreOffice" / "program" / "soffice.exe" for root in roots if root]
    places += [Path(folder) / "soffice.exe" for folder in _registered_folders()]
    return places


def _registered_folders() -> list[str]:
    """The ``program`` folders LibreOffice's Windows installer recorded in the registry."""
    if sys.platform != "win32":
        return []
    try:
        import winreg
    except ImportError:
        return []
    found = []
    for hive in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        try:
            with winreg.OpenKey(hive, _REGISTRY_KEY) as key:
                value, _ = winreg.QueryValueEx(key, "")
        except OSError:
            continue
        if isinstance(value, str) and value:
            found.append(value)
    return found


@dataclass(frozen=True)
class Conversion:
    """One bilan to convert, and what became of it: the PDF written, or why none was."""

    docx: Path
    pdf: Path
    error: UserError | None = None

    @property
    def ok(self) -> bool:
        """True when the PDF was written."""
        return self.error is None


def to_pdf(docx: Path, pdf: Path, *, timeout: float = SECONDS_PER_FILE) -> Path:
    """Convert ``docx`` to ``pdf`` with LibreOffice and move the result atomically into place."""
    done = to_pdfs([(docx, pdf)], timeout=timeout)[0]
    if done.error is not None:
        raise done.error
    return pdf


def to_pdfs(
    pairs: Sequence[tuple[Path, Path]], *, timeout: float = SECONDS_PER_FILE
) -> list[Conversion]:
    """Convert each (bilan, PDF) pair with one start of LibreOffice; every pair accounted for.

    A bilan that is not a sound .docx, or whose PDF cannot be written, gets its own
    error and never stops the others. ``timeout`` is per bilan. Raises UsageError only
    when LibreOffice itself is missing, cannot start, or does not finish in time.
    """
    done: dict[int, Conversion] = {}
    todo: list[int] = []
    for index, (docx, pdf) in enumerate(pairs):
        try:
            package.open_docx(docx, role="bilan")  # a broken or hostile file never reaches it
            files.check_new(pdf, force=True)
        except UserError as error:
            done[index] = Conversion(docx, pdf, error)
        else:
            todo.append(index)
    if todo:
        soffice = find_soffice()
        if soffice is None:
            raise UsageError(
                "LibreOffice est introuvable : il sert à produire la copie PDF du bilan.",
                hint=_INSTALL_HINT,
            )
        with tempfile.TemporaryDirectory(prefix="clas-bilan-pdf-") as tmp:
            done.update(_convert(soffice, Path(tmp), pairs, todo, timeout))
    return [done[index] for index in range(len(pairs))]


def copies(bilans: Sequence[Path], *, force: bool) -> list[Conversion]:
    """A PDF copy beside each bilan (same name, .pdf), all made by one start of LibreOffice.

    An existing PDF is replaced only with ``force``; otherwise that bilan gets its error
    and the others are converted.
    """
    done: dict[int, Conversion] = {}
    pairs = [(bilan, bilan.with_suffix(".pdf")) for bilan in bilans]
    for index, (bilan, pdf) in enumerate(pairs):
        try:
            files.check_new(pdf, force=force, inputs=(bilan,))
        except UserError as error:
            done[index] = Conversion(bilan, pdf, error)
    todo = [index for index in range(len(pairs)) if index not in done]
    for index, conversion in zip(todo, to_pdfs([pairs[index] for index in todo]), strict=True):
        done[index] = conversion
    return [done[index] for index in range(len(pairs))]


def copy_beside(docx: Path, pdf: Path) -> Path:
    """``to_pdf`` for a bilan just written: an old copy that stays is said to no longer match."""
    existed = pdf.is_file()
    try:
        return to_pdf(docx, pdf)
    except UserError as error:
        if not existed:
            raise
        raise UsageError(
            f"le bilan « {docx.name} » a été écrit, mais sa copie PDF « {pdf} » n’a pas pu être "
            f"remplacée ({error.message.rstrip('.')}) : elle ne correspond plus au nouveau bilan.",
            hint="fermez-la si elle est ouverte (Acrobat, Edge…), puis refaites-la avec : "
            f"clas-bilan pdf {_quoted(docx)} --force",
        ) from error


def _convert(
    soffice: str,
    work: Path,
    pairs: Sequence[tuple[Path, Path]],
    todo: list[int],
    timeout: float,
) -> dict[int, Conversion]:
    """Copy the bilans into ``work`` under plain names, convert them all, move each PDF."""
    copies = {}
    for index in todo:
        name = "bilan.docx" if len(todo) == 1 else f"bilan_{index + 1}.docx"
        copies[index] = work / name
        shutil.copyfile(pairs[index][0], copies[index])
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
        *(str(copies[index]) for index in todo),
    ]
    names = [pairs[index][0].name for index in todo]
    code, output = _run(command, timeout * len(todo), names)
    done = {}
    for index in todo:
        docx, pdf = pairs[index]
        made = work / "pdf" / copies[index].with_suffix(".pdf").name
        try:
            if code != 0 or not made.is_file() or made.stat().st_size == 0:
                detail = f" (code {code})" if code else ""
                raise UsageError(
                    f"LibreOffice n'a pas pu convertir « {docx.name} » en PDF{detail}.",
                    hint=_last_line(output)
                    or "vérifiez que le .docx s'ouvre dans LibreOffice ou Word, puis relancez.",
                )
            _move(made, pdf)
        except UserError as error:
            done[index] = Conversion(docx, pdf, error)
        else:
            done[index] = Conversion(docx, pdf)
    return done


def _run(command: list[str], timeout: float, names: list[str]) -> tuple[int, str]:
    """Run LibreOffice in its own process group; stop the whole group on timeout or Ctrl+C."""
    windows = sys.platform == "win32"
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=not windows,
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) if windows else 0,
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
        which = f"« {names[0]} »" if len(names) == 1 else f"{len(names)} bilans"
        raise UsageError(
            f"LibreOffice n'a pas terminé la conversion de {which} en PDF "
            f"au bout de {timeout:g} secondes.",
            hint="fermez LibreOffice s'il est ouvert, puis relancez la commande.",
        ) from error
    except BaseException:  # Ctrl+C: LibreOffice, in its own group, did not get it
        _kill(process)
        raise
    return process.returncode, raw.decode("utf-8", "replace")


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop LibreOffice and the helpers it started, then reap it."""
    if sys.platform == "win32":
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
            )
        with contextlib.suppress(OSError):
            process.kill()
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
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
    any other PDF of that name (a signed scan…) is left alone with a warning. When the
    copy can be neither made again nor removed (open in a PDF reader…), the warning says
    that it no longer matches the bilan.
    """
    if not pdf.is_file():
        return None
    if not made_by_libreoffice(pdf):
        return (
            f"« {pdf.name} » n’a pas été produit par clas-bilan : il n’a pas été modifié. "
            "Vérifiez qu’il correspond bien au nouveau bilan."
        )
    try:
        if find_soffice() is not None:
            to_pdf(docx, pdf)
            return f"Copie PDF mise à jour : {pdf}"
        files.unlink(pdf)
    except UserError as error:
        return stale(docx, pdf, error.message)
    except OSError as error:
        return stale(docx, pdf, files.reason(error))
    return (
        f"Ancienne copie PDF supprimée : {pdf} (elle ne correspondait plus au bilan ; "
        f"LibreOffice est introuvable pour la refaire)."
    )


def stale(docx: Path, pdf: Path, why: str) -> str:
    """The warning for a PDF copy left behind by a new bilan: it no longer matches."""
    return (
        f"Attention : la copie PDF « {pdf} » n’a pas pu être mise à jour ni supprimée "
        f"({why.rstrip('.')}) : elle ne correspond plus au nouveau bilan « {docx.name} ». "
        f"Fermez-la si elle est ouverte (Acrobat, Edge…), puis refaites-la avec : "
        f"clas-bilan pdf {_quoted(docx)} --force"
    )


def _quoted(path: Path) -> str:
    """A path as typed in a terminal: in quotes when it holds a space."""
    return f'"{path}"' if " " in str(path) else str(path)
