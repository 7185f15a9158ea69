"""The scanned signature and stamp (``signature.image``): found, checked, read.

The path is relative to the answers file. Only a whole PNG or JPEG of sensible size is
accepted, so a wrong file never ends up as a broken picture in the bilan.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from pathlib import Path

from clas_bilan import advice, campaigns, keys
from clas_bilan.errors import AnswersError
from clas_bilan.report import Finding
from clas_bilan.values import format_size

KEY = "signature.image"
MAX_BYTES = 5_000_000
"""A scanned signature weighs some hundred Ko; 5 Mo leaves room for a photo of it."""
MAX_SIDE = 10_000
"""Pixels on a side: beyond, the picture would fill the memory of Word and of this tool."""
_PNG_END = b"IEND\xaeB`\x82"
_JPEG_END = b"\xff\xd9"


def resolve(value: str, base: Path | None) -> Path:
    """The image's path: ``value`` as written, relative to the answers file's folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base / path


def read(value: str, base: Path | None) -> bytes:
    """The bytes of a checked PNG or JPEG; AnswersError (exit 1) saying what is wrong."""
    path = resolve(value, base)
    shown = f"« {value} »" + (f" (cherché dans « {path.parent} »)" if path != Path(value) else "")
    if not path.exists():
        raise AnswersError(
            f"l'image de signature {shown} est introuvable.", hint=_HINT, page_hint=_PAGE_HINT
        )
    if not path.is_file():
        raise AnswersError(
            f"l'image de signature {shown} n'est pas un fichier.", hint=_HINT, page_hint=_PAGE_HINT
        )
    try:
        _check_size(path.stat().st_size, shown)
        data = path.read_bytes()
    except OSError as error:
        raise AnswersError(
            f"l'image de signature {shown} ne peut pas être lue ({error.strerror}).",
            hint=_HINT,
            page_hint=_PAGE_HINT,
        ) from None
    _check(data, shown, _HINT)
    return data


def check(data: bytes, name: str) -> str:
    """The extension (png, jpg) of an image chosen in the browser form, checked like a file.

    AnswersError says what is wrong, with a fix true in the page (no YAML key).
    """
    check_size(len(data), name)
    return "png" if _check(data, f"« {name} »", "") == "PNG" else "jpg"


def store(data: bytes, folder: Path, name: str) -> Path:
    """Write a checked image beside the answers file as ``signature.png`` (or .jpg).

    Never over another file (``signature-2.png``…); the same image already there is reused.
    """
    from clas_bilan import files

    suffix = check(data, name)
    for number in range(1, 1000):
        path = folder / (f"signature.{suffix}" if number == 1 else f"signature-{number}.{suffix}")
        if not path.exists():
            return files.write_atomic(path, data)
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return path
    raise AnswersError(f"trop d'images de signature dans « {folder} ».")


def check_size(size: int, name: str) -> None:
    """Refuse an image named ``name`` over :data:`MAX_BYTES` (AnswersError saying its size)."""
    _check_size(size, f"« {name} »")


def _check_size(size: int, shown: str) -> None:
    if size > MAX_BYTES:
        raise AnswersError(
            f"l'image de signature {shown} est trop grosse ({format_size(size)}, "
            f"limite {format_size(MAX_BYTES)}).",
            hint="enregistrez la signature scannée en plus petit (PNG ou JPEG, 300 points "
            "par pouce suffisent).",
        )


_HINT = (
    "donnez sous « signature: » le chemin d'une image PNG ou JPEG, relatif au fichier de "
    "réponses (par exemple image: signature.png), ou retirez la ligne « image: »."
)


_PAGE_HINT = advice.PAGE["signature-image-unusable"]
"""The same fix in the browser form: choose the image again, or remove it."""

_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


def _check(data: bytes, shown: str, where: str) -> str:
    """The kind (PNG, JPEG) of a whole image; ``where`` ends the fix of a file that is none."""
    # python-docx reads the picture's size: imported here, validate needs it for this only
    from docx.image.exceptions import (
        InvalidImageStreamError,
        UnexpectedEndOfFileError,
        UnrecognizedImageError,
    )
    from docx.image.image import Image

    kind = next((name for magic, name in _MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise AnswersError(
            f"le fichier {shown} donné pour la signature n'est pas une image PNG ou JPEG.",
            hint=f"scannez la signature en PNG ou JPEG (pas en PDF ni en Word). {where}".strip(),
        )
    try:
        image: Image | None = Image.from_blob(data)
    except (
        UnrecognizedImageError,
        UnexpectedEndOfFileError,
        InvalidImageStreamError,
        ValueError,
        IndexError,
        KeyError,
        EOFError,
        struct.error,
    ):
        image = None
    whole = data.rstrip(b"\0").endswith(_PNG_END) if kind == "PNG" else _JPEG_END in data[-4096:]
    if image is None or not whole or not image.px_width or not image.px_height:
        raise AnswersError(
            f"l'image de signature {shown} est incomplète ou abîmée ({kind} tronqué).",
            hint="enregistrez-la à nouveau depuis le logiciel du scanner.",
        )
    if max(image.px_width, image.px_height) > MAX_SIDE:
        raise AnswersError(
            f"l'image de signature {shown} est trop grande ({image.px_width} × "
            f"{image.px_height} pixels, limite {MAX_SIDE} sur un côté).",
            hint="réduisez-la (300 points par pouce suffisent pour une signature).",
        )
    return kind


def findings(value: str | None, base: Path | None, lines: Mapping[str, int]) -> list[Finding]:
    """The error on ``signature.image`` of an answers file, with its line; none when fine."""
    if not value:
        return []
    try:
        read(value, base)
    except AnswersError as error:
        return [
            Finding(
                "erreur",
                KEY,
                keys.line_of(lines, KEY),
                campaigns.label(KEY),
                error.message,
                error.hint,
                code="signature-image-unusable",
            )
        ]
    return []
