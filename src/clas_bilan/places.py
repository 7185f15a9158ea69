"""Where the user's own folders are: the Documents folder, as the system names it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

FOLDER = "Bilan CLAS"
"""The folder made in Documents for the application started with no argument."""

ANSWERS = "reponses.yaml"

_DOCUMENTS_ID = "{FDD39AD0-238F-46AF-ADB4-6C85480369C7}"
"""Windows' known-folder id of Documents (FOLDERID_Documents), wherever it was moved."""


def documents() -> Path:
    """The user's Documents folder: Windows' known folder, XDG's on Linux, else ~/Documents."""
    found = _windows_documents() if sys.platform == "win32" else _xdg_documents()
    return found or Path.home() / "Documents"


def default_answers() -> Path:
    """The answers file the application opens when started with no argument."""
    return documents() / FOLDER / ANSWERS


def _windows_documents() -> Path | None:
    """Documents as Windows knows it (moved to D:, redirected to OneDrive…), or None."""
    try:
        import ctypes
        import uuid
        from ctypes import wintypes

        guid = (ctypes.c_byte * 16).from_buffer_copy(uuid.UUID(_DOCUMENTS_ID).bytes_le)
        found = ctypes.c_wchar_p()
        shell32 = ctypes.windll.shell32  # type: ignore[attr-defined,unused-ignore]
        shell32.SHGetKnownFolderPath.argtypes = [
            ctypes.c_void_p,
            wintypes.DWORD,
            wintypes.HANDLE,
            ctypes.POINTER(ctypes.c_wchar_p),
        ]
        if shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None, ctypes.byref(found)):
            return None
        try:
            return Path(found.value) if found.value else None
        finally:
            ctypes.windll.ole32.CoTaskMemFree(found)  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError, ValueError):
        return None


def _xdg_documents() -> Path | None:
    """Documents as the desktop names it (« Documents », « Documents » translated…), or None."""
    program = shutil.which("xdg-user-dir")
    if program is None:
        return None
    try:
        said = subprocess.run(
            [program, "DOCUMENTS"], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not said or Path(said) == Path.home() or not os.path.isabs(said):
        return None  # xdg-user-dir answers the home folder when none is set
    return Path(said)
