"""Hostile .docx files given to extract, render --modele, email and pdf: French, exit 2, no output.

Every file here is something a coordinator could pass by mistake (an old .doc, a PDF,
an attachment cut short, a LibreOffice document) or an archive built to hurt (zip
bomb, XML entities). Each must be refused with a French message naming the file,
exit code 2, no traceback, no « erreur inattendue », and no file written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clas_bilan import textfile, yamlvalues
from clas_bilan.cli import app
from clas_bilan.docx import package
from clas_bilan.errors import UsageError
from clas_bilan.extract import extract, to_yaml
from clas_bilan.loading import load
from clas_bilan.models import LARGEST
from clas_bilan.render import render
from clas_bilan.scaffold import example_text
from helpers_hostile import (
    MIB,
    Entry,
    document_xml,
    entries,
    repack,
    replace,
    with_doctype,
    write_zip,
    zeros,
)

runner = CliRunner()
SECRET = "SECRET-4f1c-ne-doit-jamais-sortir"


@pytest.fixture(scope="module")
def bilan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real bilan rendered from the packaged example."""
    answers = load(example_text()).answers
    assert answers is not None
    return render(answers, tmp_path_factory.mktemp("bilan") / "bilan.docx")


@pytest.fixture(scope="module")
def answers_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reponses") / "reponses.yaml"
    path.write_text(example_text(), encoding="utf-8")
    return path


def _main_part(change: Callable[[bytes], bytes]) -> Callable[[Path, Path], Path]:
    """A builder changing only word/document.xml of the real bilan."""

    def build(bilan: Path, target: Path) -> Path:
        return repack(
            bilan, target, lambda name, data: change(data) if name == "word/document.xml" else data
        )

    return build


def _bytes(data: bytes) -> Callable[[Path, Path], Path]:
    def build(bilan: Path, target: Path) -> Path:
        target.write_bytes(data)
        return target

    return build


def _absent(bilan: Path, target: Path) -> Path:
    return target


def _folder(bilan: Path, target: Path) -> Path:
    target.mkdir()
    return target


def _truncated(bilan: Path, target: Path) -> Path:
    data = bilan.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def _too_big(bilan: Path, target: Path) -> Path:
    with target.open("wb") as stream:  # sparse: no disk space used
        stream.truncate(package.MAX_BYTES + 1)
    return target


def _odt(bilan: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", "<office:document-content/>")
    return target


def _without(name: str) -> Callable[[Path, Path], Path]:
    def build(bilan: Path, target: Path) -> Path:
        return repack(bilan, target, lambda part, data: None if part == name else data)

    return build


def _twice(bilan: Path, target: Path) -> Path:
    """word/document.xml stored twice: which one counts depends on the reader."""
    members = entries(bilan)
    return write_zip(target, [*members, *(e for e in members if e.name == "word/document.xml")])


def _crowded(bilan: Path, target: Path) -> Path:
    """More parts than any Word document has: each one costs memory before any check."""
    members = entries(bilan)
    padding = [
        Entry(f"word/media/vide{i}.bin", b"\x03\x00", 0, 0) for i in range(1001 - len(members))
    ]
    return write_zip(target, members + padding)


def _zip_bomb(bilan: Path, target: Path) -> Path:
    """word/document.xml declares 2 Gio of zeros (true sizes): 2 Mo on disk."""
    bomb = Entry("word/document.xml", zeros(2048), 2048 * MIB, 0)
    return write_zip(target, replace(entries(bilan), bomb))


def _ratio_bomb(bilan: Path, target: Path) -> Path:
    """A 5 Mio part of zeros: under the total limit, but compressed a thousand times."""
    return write_zip(
        target, [*entries(bilan), Entry("word/media/image1.png", zeros(5), 5 * MIB, 0)]
    )


def _lying_sizes(bilan: Path, target: Path) -> Path:
    """word/document.xml holds 1 Gio of zeros but declares its real, small size."""
    real = document_xml(bilan)
    liar = Entry("word/document.xml", zeros(1024), len(real), 0)
    return write_zip(target, replace(entries(bilan), liar))


def _entity(text: bytes) -> bytes:
    """Put ``&xxe;`` in the first text run of the document."""
    return text.replace(b"<w:t>", b"<w:t>&xxe;", 1).replace(b"<w:t ", b"<w:t>&xxe;</w:t><w:t ", 1)


def _xxe(secret: Path) -> Callable[[bytes], bytes]:
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    return lambda xml: _entity(with_doctype(xml, doctype))


LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY lol "lol">'
    + '<!ENTITY l1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(2, 10))
    + '<!ENTITY xxe "&l9;">]>'
)


def _dotx(bilan: Path, target: Path) -> Path:
    """A Word template (.dotx): same package, another content type for the main part."""
    return repack(
        bilan,
        target,
        lambda name, data: (
            data.replace(
                b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
            )
            if name == "[Content_Types].xml"
            else data
        ),
    )


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

CASES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "absent": (_absent, "est introuvable"),
    "dossier": (_folder, "est un dossier"),
    "vide": (_bytes(b""), "fichier vide"),
    "texte": (_bytes("Bonjour,\r\nvoici mon bilan.\r\n".encode("cp1252")), "autre format"),
    "pdf": (_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "c'est un document PDF"),
    "doc_97": (_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), "Word 97-2003"),
    "rtf": (_bytes(b"{\\rtf1\\ansi Bilan}"), "RTF"),
    "tronque": (_truncated, "copie incomplète"),
    "trop_gros": (_too_big, "est trop gros"),
    "odt": (_odt, "OpenDocument"),
    "sans_document_xml": (_without("word/document.xml"), "word/document.xml"),
    "sans_content_types": (_without("[Content_Types].xml"), "n'est pas un document Word"),
    "sans_rels": (_without("_rels/.rels"), "n'est pas un document Word"),
    "xml_coupe": (_main_part(lambda xml: xml[: len(xml) // 2]), "XML illisible"),
    "xml_binaire": (_main_part(lambda xml: os.urandom(2000)), "XML illisible"),
    "racine_etrangere": (_main_part(lambda xml: b"<html><body/></html>"), "n'est pas un"),
    "document_sans_corps": (_main_part(lambda xml: b"<w:document " + W + b"/>"), "n'est pas un"),
    "autre_document": (
        _main_part(lambda xml: b"<w:document " + W + b"><w:body><w:p/></w:body></w:document>"),
        "ne contient pas",
    ),
    "milliard_de_rires": (_main_part(lambda xml: _entity(with_doctype(xml, LAUGHS))), "XML"),
    "modele_dotx": (_dotx, "autre type de document Office"),
    "partie_en_double": (_twice, "deux fois « word/document.xml »"),
    "trop_d_elements": (_crowded, "1\u202f001 éléments dans l'archive, limite 1\u202f000"),
    "bombe_zip": (_zip_bomb, "bombe zip"),
    "bombe_taux": (_ratio_bomb, f"compressé plus de {package.MAX_RATIO} fois"),
    "tailles_mensongeres": (_lying_sizes, "archive zip abîmée"),
}


def _hostile(case: str, bilan: Path, folder: Path) -> tuple[Path, str]:
    build, expected = CASES[case]
    return build(bilan, folder / "bilan.docx"), expected


def _assert_refused(result: object, path: Path, expected: str) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 2, output  # type: ignore[attr-defined]
    assert "Erreur :" in output
    assert expected in output, output
    assert path.name in output
    assert "Traceback" not in output and "inattendue" not in output


@pytest.mark.parametrize("case", sorted(CASES))
def test_extract_refuses_in_french_and_writes_nothing(
    case: str, bilan: Path, tmp_path: Path
) -> None:
    path, expected = _hostile(case, bilan, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["extract", str(path), "-o", str(tmp_path / "reponses.yaml")])
    _assert_refused(result, path, expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("case", sorted(CASES))
def test_render_refuses_a_hostile_template(
    case: str, bilan: Path, answers_file: Path, tmp_path: Path
) -> None:
    path, expected = _hostile(case, bilan, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    target = tmp_path / "sortie.docx"
    result = runner.invoke(
        app, ["render", str(answers_file), "-o", str(target), "--modele", str(path)]
    )
    _assert_refused(result, path, expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("case", sorted(set(CASES) - {"autre_document"}))
def test_email_refuses_a_hostile_bilan(case: str, bilan: Path, tmp_path: Path) -> None:
    path, _ = _hostile(case, bilan, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["email", str(path), "-o", str(tmp_path / "courriel.eml")])
    output = result.output
    assert result.exit_code == 2, output
    assert "Erreur :" in output and path.name in output
    assert "Traceback" not in output and "inattendue" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("case", sorted(set(CASES) - {"autre_document"}))
def test_pdf_refuses_a_hostile_bilan_before_starting_libreoffice(
    case: str, bilan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nulle-part"))  # LibreOffice is never reached
    path, expected = _hostile(case, bilan, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["pdf", str(path), "-o", str(tmp_path / "bilan.pdf")])
    _assert_refused(result, path, expected)
    assert "LibreOffice est introuvable" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_external_entity_is_refused(bilan: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    path = _main_part(_xxe(secret))(bilan, tmp_path / "bilan.docx")
    result = runner.invoke(app, ["extract", str(path), "-o", str(tmp_path / "reponses.yaml")])
    _assert_refused(result, path, "DOCTYPE")
    assert SECRET not in result.output
    assert not (tmp_path / "reponses.yaml").exists()


def test_an_external_entity_is_never_read_even_past_the_doctype_check(
    bilan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """python-docx's parser leaves entities unresolved: the DOCTYPE check is a second lock."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    path = _main_part(_xxe(secret))(bilan, tmp_path / "bilan.docx")
    monkeypatch.setattr(package, "_refuse_dtd", lambda *args: None)
    found = extract(path)
    text = to_yaml(found.answers, problems=found.problems)
    assert "Maison" in text or found.answers.equipement.nom  # the bilan was read
    assert SECRET not in text
    assert SECRET not in repr(found)


def test_a_billion_laughs_is_never_expanded_past_the_doctype_check(
    bilan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _main_part(lambda xml: _entity(with_doctype(xml, LAUGHS)))(bilan, tmp_path / "b.docx")
    monkeypatch.setattr(package, "_refuse_dtd", lambda *args: None)
    with pytest.raises(UsageError, match="XML illisible"):  # libxml2 itself refuses it
        extract(path)


@pytest.mark.skipif(os.name != "posix", reason="address-space limit through resource")
@pytest.mark.parametrize("case", ["bombe_zip", "tailles_mensongeres"])
def test_zip_bombs_are_refused_within_bounded_memory(
    case: str, bilan: Path, tmp_path: Path
) -> None:
    """The whole command runs under a 512 Mo address-space limit; the bombs hold 1 to 2 Gio."""
    path, expected = _hostile(case, bilan, tmp_path)
    limit = (
        "import resource, sys; "
        "resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20)); "
        "sys.argv = ['clas-bilan', *sys.argv[1:]]; "
        "from clas_bilan.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", limit, "extract", str(path), "-o", str(tmp_path / "r.yaml")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert expected in output
    assert "mémoire" not in output and "Traceback" not in output
    assert not (tmp_path / "r.yaml").exists()


def test_the_real_bilan_still_opens(bilan: Path) -> None:
    """The limits leave room: the rendered example passes every check."""
    assert package.open_docx(bilan, role="bilan") is not None
    with zipfile.ZipFile(bilan) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert unpacked * 20 < package.MAX_UNPACKED
    assert bilan.stat().st_size * 100 < package.MAX_BYTES


def test_a_long_repetitive_document_is_not_taken_for_a_bomb(bilan: Path, tmp_path: Path) -> None:
    """Thousands of identical rows typed in Word compress about 200 times: still opened."""

    def lengthen(xml: bytes) -> bytes:
        start = max(xml.rfind(b"<w:tr>"), xml.rfind(b"<w:tr "))
        end = xml.index(b"</w:tr>", start) + len(b"</w:tr>")
        return xml[:end] + xml[start:end] * 4000 + xml[end:]

    path = _main_part(lengthen)(bilan, tmp_path / "long.docx")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
    assert info.file_size > 1_000_000 and info.file_size > 100 * info.compress_size
    assert package.open_docx(path, role="bilan") is not None


def _french(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def test_the_docs_state_every_limit() -> None:
    readme = (Path(__file__).parents[1] / "docs" / "limites.md").read_text(encoding="utf-8")
    section = readme.split("## Limites", 1)[1].split("\n## ", 1)[0]
    stated = [
        f"| {textfile.MAX_BYTES // 1_000_000} Mo |",
        f"| {_french(yamlvalues.MAX_NODES)}, alias",
        f"| {yamlvalues.MAX_DEPTH} niveaux |",
        f"| {_french(LARGEST // 1_000_000)} millions |",
        f"| {package.MAX_BYTES // 1_000_000} Mo |",
        f"{package.MAX_UNPACKED // 1_000_000} Mo en tout",
        f"au plus {_french(package.MAX_PARTS)} éléments",
        f"compressé plus de {package.MAX_RATIO} fois",
    ]
    for text in stated:
        assert text in section, text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    """Opening a pipe blocks until someone writes to it: it is refused before reading."""
    pipe = tmp_path / "bilan.docx"
    os.mkfifo(pipe)
    done = subprocess.run(
        [sys.executable, "-m", "clas_bilan", "extract", str(pipe), "-o", str(tmp_path / "r.yaml")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "pas un fichier ordinaire" in done.stdout + done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_given_as_answers_file_is_refused_without_waiting(tmp_path: Path) -> None:
    pipe = tmp_path / "reponses.yaml"
    os.mkfifo(pipe)
    done = subprocess.run(
        [sys.executable, "-m", "clas_bilan", "validate", str(pipe)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "pas un fichier ordinaire" in done.stdout + done.stderr


def test_a_zip_asking_for_an_unknown_zip_version_is_refused_in_french(
    bilan: Path, tmp_path: Path
) -> None:
    # found by test_fuzz_extract: zipfile raises NotImplementedError("zip file version 8.4")
    data = bytearray(bilan.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 84  # "version needed to extract" of the first entry
    damaged = tmp_path / "abime.docx"
    damaged.write_bytes(bytes(data))
    result = runner.invoke(app, ["extract", str(damaged), "-o", str(tmp_path / "r.yaml")])
    assert result.exit_code == 2, result.output
    assert "copie incomplète" in " ".join(result.output.split())
    assert "inattendue" not in result.output and not (tmp_path / "r.yaml").exists()
