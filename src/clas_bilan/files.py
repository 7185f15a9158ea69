"""Write the user's files safely: all or nothing, never over an existing file without force.

Every file the tool writes (answers file, schema, bilan, e-mail draft, PDF) goes
through :func:`write_atomic`: the bytes go to a temporary file in the destination
folder, are flushed to disk, optionally checked, and only then renamed over the
destination. On any failure — a full disk, a file open in Word, Ctrl+C — the
temporary file is removed and the destination is left exactly as it was.

On Windows an antivirus, OneDrive or the search indexer may hold a file for a moment
after it was written: replacing or removing it is then tried again for about two
seconds (:func:`replace`, :func:`unlink`), as pip does. Windows also refuses paths of
260 characters or more with « not found »: such a path is named as too long.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from clas_bilan.errors import OutputError, UsageError, WouldOverwrite

Content = bytes | Callable[[IO[bytes]], None]
"""What to write: the bytes themselves, or a function writing them to a binary stream."""

_REASONS = {
    errno.ENOSPC: "le disque est plein",
    errno.EDQUOT: "le quota d’espace disque est atteint",
    errno.EACCES: "accès refusé",
    errno.EPERM: "accès refusé",
    errno.EROFS: "le support est en lecture seule",
    errno.ENAMETOOLONG: "le nom du fichier est trop long",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EISDIR: "c’est un dossier",
    errno.ENOTDIR: "un élément du chemin n’est pas un dossier",
    errno.EIO: "erreur de lecture ou d’écriture du support",
    errno.EBUSY: "le fichier est utilisé par un autre programme",
}


_HELD = {5, 32, 33}
"""Windows' codes for a file another program holds: access denied, sharing and lock violation."""

RETRY_SECONDS = 2.0
"""How long a replace or removal is tried again while another program holds the file."""

MAX_PATH = 260
"""Windows' limit on a path's length, its final NUL included, without long paths enabled."""

_TEMP_PREFIX = ".cb"
_TEMP_SUFFIX = ".tmp"
_TEMP_LENGTH = len(_TEMP_PREFIX) + 8 + len(_TEMP_SUFFIX)
"""A temporary file's name: short, so that it never makes a path longer than its file's."""


def reason(error: OSError) -> str:
    """A French reason for a system error (disk full, access denied…)."""
    if getattr(error, "winerror", None) in (32, 33):
        return _REASONS[errno.EBUSY]
    if error.errno in _REASONS:
        return _REASONS[error.errno]
    return f"erreur du système : {error.strerror}" if error.strerror else "erreur du système"


def check_new(path: Path, *, force: bool, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse early a destination that is a folder, in a missing folder, or exists without force.

    ``inputs`` are the files the command reads: writing over one of them is refused even
    with ``force``, since it would destroy what is being read.
    """
    for source in inputs:
        if source is not None and _same(path, source):
            raise OutputError(
                f"« {path} » est le fichier que la commande lit : il ne peut pas être aussi "
                "le fichier écrit.",
                advice="choisissez un autre nom de sortie {elsewhere}.",
            )
    if path.is_dir():
        raise UsageError(f"« {path} » est un dossier : donnez un nom de fichier.")
    if too_long(path):
        raise too_long_error(path)
    if not path.parent.is_dir():
        raise OutputError(
            f"impossible d’écrire « {path.name} » : le dossier « {folder(path)} » n’existe pas.",
            advice="créez d’abord le dossier, ou choisissez un autre emplacement {elsewhere}.",
        )
    if path.exists() and not force:
        raise WouldOverwrite(
            f"le fichier « {path} » existe déjà ; il n’a pas été modifié.",
            advice="ajoutez --force pour le remplacer, ou choisissez un autre nom {elsewhere}.",
        )


def too_long(path: Path) -> bool:
    """True on Windows when ``path``, or the temporary file written beside it, is too long."""
    if sys.platform != "win32":
        return False
    longest = max(len(path.name), _TEMP_LENGTH)
    return len(folder(path)) + 1 + longest >= MAX_PATH


def too_long_error(path: Path) -> OutputError:
    """The French error for a path Windows refuses by its length (it says « not found »)."""
    return OutputError(
        _too_long_message("d’écrire", path),
        advice="choisissez un dossier au chemin plus court (par exemple directement dans "
        "Documents) ou un nom de fichier plus court {elsewhere}.",
    )


def too_long_to_read(path: Path, error: OSError) -> UsageError | None:
    """The French error for an input Windows says « not found » by its length; else None.

    Without long paths enabled, Windows answers « path not found » (winerror 3) or
    « name too long » (206) for a file that may well be there.
    """
    if sys.platform != "win32":
        return None
    if getattr(error, "winerror", None) != 206 and len(str(path.absolute())) < MAX_PATH:
        return None
    return UsageError(
        _too_long_message("de lire", path),
        hint="rapprochez le dossier de la racine du disque (par exemple directement dans "
        "Documents, ou dans C:\\), ou raccourcissez les noms des dossiers et du fichier.",
    )


def _too_long_message(doing: str, path: Path) -> str:
    """« impossible de lire « x » : le chemin est trop long pour Windows (N caractères…) »."""
    return (
        f"impossible {doing} « {path.name} » : le chemin est trop long pour Windows "
        f"({len(str(path.absolute()))} caractères avec le dossier « {folder(path)} » ; la "
        f"limite est de {MAX_PATH - 1})."
    )


def replace(source: Path, destination: Path) -> None:
    """``os.replace``, tried again for a while when another program holds either file."""
    _retried(lambda: os.replace(source, destination))


def unlink(path: Path) -> None:
    """Remove ``path`` if it exists, tried again for a while when another program holds it."""
    _retried(lambda: path.unlink(missing_ok=True))


def _retried(action: Callable[[], None]) -> None:
    """Run ``action``; while Windows says another program holds the file, again for ~2 s."""
    deadline = time.monotonic() + RETRY_SECONDS
    pause = 0.05
    while True:
        try:
            action()
            return
        except PermissionError as error:
            if getattr(error, "winerror", None) not in _HELD or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(2 * pause, 0.5)


def folder(path: Path) -> str:
    """The folder holding ``path``, by its real name (never « . »)."""
    return str(path.absolute().parent)


def write_atomic(
    path: Path,
    content: Content,
    *,
    force: bool = False,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``content`` to ``path`` all at once; ``check`` may refuse the written copy first.

    ``check`` receives the complete temporary file before it is renamed into place; an
    error it raises leaves ``path`` untouched. Raises WouldOverwrite when the file exists
    without ``force``, OutputError (in French) when it cannot be written.
    """
    check_new(path, force=force)
    path = through_links(path)
    try:
        handle, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=path.parent)
    except OSError as error:
        raise OutputError(
            f"impossible d’écrire « {path.name} » dans le dossier « {folder(path)} » "
            f"({reason(error)}).",
            advice="vérifiez que vous pouvez écrire dans ce dossier, ou choisissez-en un autre "
            "{elsewhere}.",
        ) from None
    temporary = Path(name)
    try:
        with contextlib.suppress(OSError):  # some shared drives refuse chmod: harmless
            os.chmod(temporary, _mode(path))
        with os.fdopen(handle, "wb") as stream:
            if isinstance(content, bytes):
                stream.write(content)
            else:
                content(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if check is not None:
            check(temporary)
        replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            unlink(temporary)
        if isinstance(error, OSError):
            raise _write_error(path, error) from None
        raise
    return path


def through_links(path: Path) -> Path:
    """The file a symbolic link points to, if any: writing updates it (in a synced folder, say).

    A link to nothing is replaced, as before: it names no file the user keeps elsewhere.
    """
    return path.resolve() if path.is_symlink() and path.is_file() else path


def _same(path: Path, other: Path) -> bool:
    """True when both paths name the same existing file."""
    try:
        return path.samefile(other)
    except OSError:
        return False


def _mode(path: Path) -> int:
    """Permissions for the new file: those of the file replaced, else the usual ones."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _write_error(path: Path, error: OSError) -> OutputError:
    """The French error for a write that failed midway; ``path`` was not touched."""
    kept = "il n’a pas été modifié" if path.exists() else "il n’a pas été créé"
    advice = "libérez de la place sur le disque, ou écrivez ailleurs {elsewhere}."
    if error.errno not in (errno.ENOSPC, errno.EDQUOT):
        advice = (
            "fermez le fichier s’il est ouvert dans Word ou un autre programme, vérifiez que "
            "vous pouvez écrire dans ce dossier, puis relancez la commande."
        )
    return OutputError(
        f"impossible d’écrire « {path} » ({reason(error)}) ; {kept}.",
        advice=advice,
    )
