"""Bytes to text: read an answers file, refusing early what cannot be one.

File problems (missing, too big, binary, a Word document) raise
:class:`~clas_bilan.errors.UsageError` (exit 2). Encodings: UTF-8 with or without BOM,
UTF-16 with BOM (or without, when the NUL byte pattern is plain). A file that is not
valid UTF-8 is read as Windows-1252 (what Windows calls « ANSI ») with a warning telling
how to re-save it as UTF-8.
"""

from __future__ import annotations

import re
from pathlib import Path

from clas_bilan import files
from clas_bilan.errors import UsageError
from clas_bilan.report import Finding
from clas_bilan.values import format_size

MAX_BYTES = 2_000_000
"""Largest answers file read (a real one is a few tens of kilobytes)."""


def read_text(path: Path) -> tuple[str, list[Finding]]:
    """Read a file's text, refusing early what cannot be an answers file."""
    name = path.name
    try:
        if path.is_dir():
            raise UsageError(f"« {path} » est un dossier, pas un fichier de réponses.")
        if path.exists() and not path.is_file():  # a pipe or a device would block the reading
            raise UsageError(f"« {path} » n'est pas un fichier ordinaire (tube, périphérique).")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _too_big(name, size)
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError as error:
        raise files.too_long_to_read(path, error) or UsageError(
            f"le fichier « {path} » est introuvable.",
            hint="vérifiez le nom et le dossier, ou créez-le avec : clas-bilan init " + name,
        ) from None
    except PermissionError:
        raise UsageError(f"le fichier « {path} » ne peut pas être lu (accès refusé).") from None
    except OSError as error:
        raise UsageError(f"le fichier « {path} » ne peut pas être lu ({error.strerror}).") from None
    if len(data) > MAX_BYTES:
        raise _too_big(name, len(data))
    return decode(data, name)


def _too_big(name: str, size: int) -> UsageError:
    return UsageError(
        f"le fichier « {name} » est trop gros ({format_size(size)} ; "
        f"limite : {format_size(MAX_BYTES)}) pour être un fichier de réponses.",
        hint="vérifiez que vous avez donné le bon fichier (un fichier de réponses fait "
        "quelques dizaines de Ko).",
    )


def check_keepable(text: str, label: str) -> None:
    """Refuse an answer the file cannot keep: half of an emoji (a lone UTF-16 surrogate)."""
    found = LONE_SURROGATE.search(text)
    if found:
        raise UsageError(
            f"la réponse « {label} » contient un caractère incomplet (U+{ord(found.group()):04X}, "
            "une moitié d’émoji ou de symbole) qu’un fichier de réponses ne peut pas garder : "
            "rien n’a été enregistré.",
            hint="effacez la fin de cette réponse et retapez-la (ou recollez-la en entier).",
        )


def too_big_to_keep(size: int) -> UsageError:
    """The error for answers whose file would be larger than ``validate`` reads."""
    return UsageError(
        f"les réponses feraient un fichier de {format_size(size)}, plus que ce qu’un "
        f"fichier de réponses peut contenir ({format_size(MAX_BYTES)}) : rien n’a été "
        "enregistré.",
        hint="raccourcissez les réponses les plus longues (un bilan complet tient en "
        "quelques dizaines de Ko).",
    )


LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_SIGNATURES = {
    b"PK\x03\x04": "un document Word (.docx) ou une archive .zip",
    b"\xd0\xcf\x11\xe0": "un ancien document Word ou Excel (.doc, .xls)",
    b"%PDF": "un document PDF",
    b"{\\rtf": "un document RTF",
}


def decode(data: bytes, name: str = "fichier") -> tuple[str, list[Finding]]:
    """Decode an answers file's bytes; a non-UTF-8 file is read as Windows-1252 with a warning."""
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            raise UsageError(
                f"« {name} » est {kind}, pas un fichier de réponses YAML.",
                hint="donnez le fichier .yaml de réponses (créé par clas-bilan init). "
                "Pour relire un bilan Word : clas-bilan extract BILAN.docx -o reponses.yaml",
            )
    findings: list[Finding] = []
    encoding = _utf16(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise _binary(name) from None
    elif b"\x00" in data:
        raise _binary(name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            text = data.decode("cp1252", errors="replace")
            line = data[: error.start].count(b"\n") + 1
            findings.append(
                Finding(
                    "avertissement",
                    None,
                    line,
                    "",
                    "le fichier n’est pas enregistré en UTF-8 ; il a été lu comme du "
                    "Windows-1252 (« ANSI »). Vérifiez les accents dans le bilan.",
                    hint="Réenregistrez-le en UTF-8 : Bloc-notes → Fichier → Enregistrer "
                    "sous → Encodage : UTF-8.",
                    code="not-utf8",
                )
            )
    text = text.removeprefix("\ufeff")
    controls = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\t\n\r")
    if controls > 8:
        raise _binary(name)
    return text, findings


def _utf16(data: bytes) -> str | None:
    """Name the UTF-16 flavour of data, from its BOM or its NUL bytes pattern."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[: 400 - 400 % 2] if len(data) >= 400 else data[: len(data) - len(data) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.7 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.7 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _binary(name: str) -> UsageError:
    return UsageError(
        f"« {name} » n’est pas un fichier texte (il contient des caractères binaires).",
        hint="donnez le fichier .yaml de réponses, enregistré en texte (UTF-8).",
    )
