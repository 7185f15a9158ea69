"""Open a .docx package safely: any file may come in, only a real Word document gets through.

Coordinators pass whatever they have at hand: a draft saved by LibreOffice, an old
.doc, a PDF, an attachment cut short by a mail client, a hostile archive. First the
file's size and its zip directory (number of parts, total unpacked size, compression
ratio: no zip bomb) are checked without unpacking anything. Then every part is
unpacked by chunks, never past the size it declares, into a clean copy in memory:
python-docx only ever reads that copy. Last, any XML part declaring a DTD is refused
(Word never writes one; python-docx already leaves entities unresolved, so an
external entity is never read). Every failure is a UsageError in French.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml import etree

from clas_bilan.errors import UsageError
from clas_bilan.files import reason, too_long_to_read
from clas_bilan.values import format_count, format_size

MAX_BYTES = 20_000_000
"""Largest .docx opened (the filled form weighs about 50 Ko; photos may add a few Mo)."""

MAX_UNPACKED = 50_000_000
"""Largest total size of the unpacked parts: what python-docx holds in memory."""

MAX_RATIO = 500
"""Largest compression ratio of a part over 1 Mo: repetitive XML stays under 250, a bomb of
zeros nears deflate's 1032 (a lower limit would refuse long tables typed by hand)."""

MAX_PARTS = 1000
"""Most parts in the package (the form has about twenty)."""

_RATIO_FLOOR = 1_000_000
_CHUNK = 1 << 16
_UNZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)
_MAIN = "word/document.xml"
_RESAVE = (
    "ouvrez-le dans Word ou LibreOffice et enregistrez-le à nouveau au format "
    "« Document Word (.docx) », sans mot de passe."
)
_SIGNATURES = {
    b"\xd0\xcf\x11\xe0": "un document Word 97-2003 (.doc), ou un document protégé par mot de passe",
    b"%PDF": "un document PDF",
    b"{\\rtf": "un document RTF",
}
_OPEN_DOCUMENT = "application/vnd.oasis.opendocument"


def open_docx(path: Path, *, role: str = "document") -> Any:
    """Open ``path`` with python-docx after checking it is a sound Word package.

    ``role`` names the file in messages (« le bilan », « le modèle »…). Raises a
    French UsageError for a missing, unreadable, oversized, corrupt or hostile file.
    """
    copy = _clean_copy(path, role)
    try:
        document = docx.Document(copy)
    except MemoryError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        PackageNotFoundError,
        etree.XMLSyntaxError,
        KeyError,
        ValueError,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
    ) as error:
        raise _invalid(path, role, _why(error)) from error
    except Exception as error:  # python-docx's reading of a broken package has no single error
        raise _invalid(path, role, type(error).__name__) from error
    _refuse_dtd(document, path, role)
    element = document.element
    if element.tag != qn("w:document") or element.find(qn("w:body")) is None:
        raise _invalid(path, role, "son contenu principal n'est pas un corps de document Word")
    return document


def check_package(path: Path, *, role: str = "document", data: bytes | None = None) -> None:
    """Check ``path`` is a readable zip holding a Word document of sane size, unpacking nothing.

    ``data``, when given, are the file's bytes held in memory (an e-mail's attachment):
    ``path`` then only names it.
    """
    name = path.name
    if data is not None:
        size, head = len(data), data[:8]
    else:
        size, head = _size_and_head(path, role)
    if size > MAX_BYTES:
        raise UsageError(
            f"le {role} « {name} » est trop gros ({format_size(size)} ; "
            f"limite : {format_size(MAX_BYTES)}).",
            hint="vérifiez que c'est bien le bilan ; retirez-en les images inutiles.",
        )
    for signature, kind in _SIGNATURES.items():
        if head.startswith(signature):
            raise _invalid(path, role, kind, what=True)
    if size == 0:
        raise _invalid(path, role, "fichier vide")
    try:
        with zipfile.ZipFile(_source(path, data)) as package:
            parts = package.infolist()
            mimetype = _mimetype(package)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,  # a damaged header asking for a zip version zipfile lacks
    ):
        if _looks_like_answers(path):
            raise UsageError(
                f"le {role} « {path.name} » n'est pas un document Word .docx : c'est un fichier "
                "de réponses.",
                hint=f"pour produire le bilan Word à partir de ce fichier : clas-bilan render "
                f"{path.name}",
            ) from None
        raise _invalid(path, role, "fichier d'un autre format, ou copie incomplète") from None
    if mimetype.startswith(_OPEN_DOCUMENT):
        raise _invalid(path, role, "un document OpenDocument (.odt) de LibreOffice", what=True)
    _check_sizes(parts, path, role)
    names = [part.filename for part in parts]
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice is not None:  # Word never does it; readers disagree on which copy counts
        raise _invalid(path, role, f"l'archive contient deux fois « {twice[:60]} »")
    if _MAIN not in names:
        raise _invalid(path, role, f"il ne contient pas « {_MAIN} »")


def _size_and_head(path: Path, role: str) -> tuple[int, bytes]:
    """The size and first bytes of the file at ``path``; French errors when it cannot be read."""
    try:
        if path.is_dir():
            raise UsageError(f"« {path} » est un dossier, pas un document Word (.docx).")
        if path.exists() and not path.is_file():  # a pipe or a device would block the reading
            raise _invalid(path, role, "ce n'est pas un fichier ordinaire")
        size = path.stat().st_size
        with path.open("rb") as stream:
            return size, stream.read(8)
    except FileNotFoundError as error:
        raise too_long_to_read(path, error) or UsageError(
            f"le {role} « {path} » est introuvable.",
            hint="vérifiez le nom et le dossier du fichier.",
        ) from None
    except PermissionError:
        raise UsageError(f"le {role} « {path} » ne peut pas être lu (accès refusé).") from None
    except OSError as error:
        raise UsageError(f"le {role} « {path} » ne peut pas être lu ({reason(error)}).") from None


def _source(path: Path, data: bytes | None) -> Path | io.BytesIO:
    """What zipfile reads: the bytes in memory when given, else the file."""
    return path if data is None else io.BytesIO(data)


def _clean_copy(path: Path, role: str) -> io.BytesIO:
    """Unpack every part within its declared size into a fresh zip held in memory.

    zipfile's ``read()`` inflates a whole part at once and only then cuts it to the
    size declared: a part that lies about its size could fill the memory. Reading by
    chunks stops at the declared size and checks the CRC; python-docx then reads this
    copy, whose sizes are true.
    """
    check_package(path, role=role)
    copy = io.BytesIO()
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
            for info in source.infolist():
                if not info.is_dir():
                    target.writestr(info.filename, _read(source, info))
    except _UNZIP_ERRORS as error:
        raise _invalid(path, role, _why(error)) from None
    copy.seek(0)
    return copy


def _read(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part's bytes, inflated by chunks and never past the size it declares."""
    chunks = []
    with package.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def _check_sizes(parts: list[zipfile.ZipInfo], path: Path, role: str) -> None:
    """Refuse a zip bomb from the sizes its directory declares, before unpacking anything."""
    if len(parts) > MAX_PARTS:
        many = (
            f"{format_count(len(parts))} éléments dans l'archive, limite {format_count(MAX_PARTS)}"
        )
        raise _invalid(path, role, many)
    unpacked = sum(part.file_size for part in parts)
    packed = [
        part.filename
        for part in parts
        if part.file_size > _RATIO_FLOOR and part.file_size > MAX_RATIO * part.compress_size
    ]
    if unpacked > MAX_UNPACKED:
        why = f"il se décompresse en {format_size(unpacked)} (limite : {format_size(MAX_UNPACKED)})"
    elif packed:
        why = f"« {packed[0][:60]} » est compressé plus de {MAX_RATIO} fois"
    else:
        return
    raise UsageError(
        f"le {role} « {path.name} » n'a pas été ouvert, par précaution : {why}, ce qu'un "
        "document Word ordinaire ne fait pas (archive piégée, dite « bombe zip »).",
        hint="vérifiez que c'est bien le bilan ; si oui, ouvrez-le dans Word et "
        "enregistrez-le à nouveau au format .docx.",
    )


def _mimetype(package: zipfile.ZipFile) -> str:
    """The OpenDocument ``mimetype`` entry, read only when small."""
    try:
        info = package.getinfo("mimetype")
    except KeyError:
        return ""
    if info.file_size > 200:
        return ""
    try:
        return _read(package, info).decode("ascii", "replace")
    except _UNZIP_ERRORS:
        return ""


def _refuse_dtd(document: Any, path: Path, role: str) -> None:
    """Refuse a package whose XML declares a DTD (entities): Word never writes one."""
    for part in document.part.package.iter_parts():
        if isinstance(part, XmlPart) and part.element.getroottree().docinfo.doctype:
            raise _invalid(
                path, role, f"la partie « {part.partname} » déclare des entités XML (DOCTYPE)"
            )


def _looks_like_answers(path: Path) -> bool:
    """True for an answers file given where a .docx is expected (named as one)."""
    return path.suffix.lower() in {".yaml", ".yml"}


def _invalid(path: Path, role: str, detail: str, *, what: bool = False) -> UsageError:
    """The French error for a file that is not a usable Word document."""
    if what:
        message = f"le {role} « {path.name} » n'est pas un document Word .docx : c'est {detail}."
    else:
        message = f"le {role} « {path.name} » n'est pas un document Word .docx valide ({detail})."
    return UsageError(message, hint=_RESAVE)


def _why(error: BaseException) -> str:
    """A short French reason for an error python-docx, zipfile or lxml raised."""
    if isinstance(error, zipfile.BadZipFile | EOFError | zlib.error):
        return "archive zip abîmée ou incomplète"
    if isinstance(error, PackageNotFoundError):
        return "ce n'est pas une archive de document Word"
    if isinstance(error, etree.XMLSyntaxError):
        return "XML illisible"
    if isinstance(error, KeyError):
        return "il manque une partie du document"
    if isinstance(error, NotImplementedError | RuntimeError):
        return "archive compressée ou chiffrée d'une façon que Word n'emploie pas"
    if isinstance(error, ValueError) and "content type" in str(error):
        return "c'est un autre type de document Office (modèle, document avec macros…)"
    return type(error).__name__


_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)


def main_body(path: Path, *, role: str = "document", data: bytes | None = None) -> Any:
    """The ``w:body`` of a .docx's main part, checked as ``open_docx`` checks, unpacking it alone.

    For reading many bilans: the package is checked from its zip directory (size, zip
    bomb, duplicates), then only the relationships and the main part are inflated, by
    chunks within their declared sizes; a DTD is refused. Styles and the other parts,
    which reading answers does not need, are never parsed. ``data``, when given, are the
    file's bytes held in memory (``path`` then only names it).
    """
    check_package(path, role=role, data=data)
    try:
        with zipfile.ZipFile(_source(path, data)) as source:
            names = set(source.namelist())
            target = _MAIN
            if "_rels/.rels" in names:
                relationships = parse_xml(_read(source, source.getinfo("_rels/.rels")))
                for relationship in relationships:
                    if relationship.get("Type") == _OFFICE_DOCUMENT:
                        target = posixpath.normpath(str(relationship.get("Target"))).lstrip("/")
            if target not in names:
                target = _MAIN
            root: Any = parse_xml(_read(source, source.getinfo(target)))
    except etree.XMLSyntaxError as error:
        raise _invalid(path, role, _why(error)) from None
    except _UNZIP_ERRORS as error:
        raise _invalid(path, role, _why(error)) from None
    if root.getroottree().docinfo.doctype:
        raise _invalid(path, role, f"la partie « {target} » déclare des entités XML (DOCTYPE)")
    body = root.find(qn("w:body"))
    if root.tag != qn("w:document") or body is None:
        raise _invalid(path, role, "son contenu principal n'est pas un corps de document Word")
    return body
