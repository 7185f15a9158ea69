"""French typography in the bilan: no-break spaces where French puts them, taken off by extract."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from clas_bilan.docx import custom
from clas_bilan.extract import extract
from clas_bilan.render import readable, render
from helpers_answers import Reponses, reference
from helpers_docx import body, french, tables, texts, w

NBSP, NARROW = "\u00a0", "\u202f"

# Long answers with guillemets, colons and question marks all along: wrapped by LibreOffice,
# some land at a line's end whatever the page width.
QUOTED = " ".join(
    f"Atelier {n} « {'gérer un groupe' if n % 2 else 'lire'} » : {'oui' * (n % 4 + 1)} ; "
    f"pourquoi{'pas' * (n % 3)} ? Essayez{'-le' * (n % 2)} !"
    for n in range(1, 40)
)
OWN = f"Déjà typographié{NBSP}: « {'mot ' * 3}»{NARROW}!"


def _answers() -> Reponses:
    return reference(
        conclusion__bilan=QUOTED,
        axe_enfants__actions=QUOTED,
        intitule_projet=OWN,  # typed with its own no-break space: written as typed
    )


def test_the_bilan_has_french_spaces_and_extract_gives_back_the_answers(tmp_path: Path) -> None:
    answers = _answers()
    bilan = render(answers, tmp_path / "bilan.docx")
    written = "\n".join(texts(body(bilan)))
    assert french(QUOTED) in written
    assert f"«{NARROW}gérer un groupe{NARROW}»{NBSP}: oui" in written
    assert f"pourquoi{NARROW}? Essayez{NARROW}!" in written
    assert " « " not in french(QUOTED) and " : " not in french(QUOTED)
    assert f"Intitulé du projet :  {OWN}" in written  # its own spaces, nothing added
    assert extract(bilan).answers == readable(answers)


def test_an_answer_with_its_own_no_break_spaces_comes_back_exactly(tmp_path: Path) -> None:
    own = reference(
        conclusion__bilan=f"Bilan{NBSP}: « bon »",  # one own, the guillemets plain
        intitule_projet=f"«{NARROW}Réussir{NARROW}»",
        gestionnaire__nom="Centre « Les Tilleuls » : site Nord",
    )
    bilan = render(own, tmp_path / "bilan.docx")
    written = texts(body(bilan))
    assert f"Bilan{NBSP}: « bon »" in written  # as typed: no space added beside its own
    assert f"Centre «{NARROW}Les Tilleuls{NARROW}»{NBSP}: site Nord" in written
    back = extract(bilan).answers
    assert back.conclusion.bilan == f"Bilan{NBSP}: « bon »"
    assert back.intitule_projet == f"«{NARROW}Réussir{NARROW}»"
    assert back.gestionnaire.nom == "Centre « Les Tilleuls » : site Nord"


def test_a_bilan_typed_in_word_keeps_its_no_break_spaces(tmp_path: Path) -> None:
    """Without render's note in the document, nothing is taken for render's own spaces."""
    bilan = render(reference(conclusion__bilan="Bon : oui"), tmp_path / "bilan.docx")
    stripped = tmp_path / "tapé.docx"
    with zipfile.ZipFile(bilan) as source, zipfile.ZipFile(stripped, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "docProps/custom.xml":
                data = data.replace(b"clas-bilan typographie", b"autre chose")
            target.writestr(item, data)
    assert extract(stripped).answers.conclusion.bilan == f"Bon{NBSP}: oui"


def test_schools_of_one_territory_are_parted_by_a_blank_paragraph(tmp_path: Path) -> None:
    bilan = render(reference(), tmp_path / "bilan.docx")
    cell = next(
        texts(tc)
        for table in tables(bilan)
        for tc in table.iter(w("tc"))
        if any("ce.0010001x@ac-lyon.fr" in text for text in texts(tc))
    )
    assert cell == [
        "École élémentaire Jean Moulin",
        "8 rue Jean Moulin, 01000 Bourg-en-Bresse",
        "ce.0010001x@ac-lyon.fr",
        "",
        "Collège Louis Aragon",
        "2 avenue de la Paix, 01000 Bourg-en-Bresse",
        "ce.0010002y@ac-lyon.fr",
    ] or cell == [
        "École élémentaire Jean Moulin\n8 rue Jean Moulin, 01000 Bourg-en-Bresse\n"
        "ce.0010001x@ac-lyon.fr",
        "",
        "Collège Louis Aragon\n2 avenue de la Paix, 01000 Bourg-en-Bresse\nce.0010002y@ac-lyon.fr",
    ]
    assert extract(bilan).answers.territoires == readable(reference()).territoires


@pytest.mark.slow
def test_no_line_of_the_pdf_starts_or_ends_with_a_lone_sign(
    tmp_path: Path, libreoffice: Callable[[Path, str, Path], Path], pdftotext: str
) -> None:
    answers = _answers()
    bilan = render(answers, tmp_path / "bilan.docx")
    pdf = libreoffice(bilan, "pdf", tmp_path)
    text = subprocess.run(
        [pdftotext, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert sum("gérer un groupe" in line for line in lines) > 10  # the long answers are there
    starts = [line for line in lines if re.match(r"[»:;!?](\s|$)", line)]
    ends = [line for line in lines if re.search(r"(^|\s)«$", line)]
    assert starts == [] and ends == []
    assert extract(bilan).answers == readable(answers)


def test_custom_properties_already_there_are_kept(tmp_path: Path) -> None:
    """A user's copy of the form may carry its own custom properties: render adds beside them."""
    document = docx.Document()
    custom.put(document, "Service", "Parentalité")
    custom.put(document, "clas-bilan typographie", "ancienne note")
    custom.put(document, "clas-bilan typographie", "nouvelle note")
    path = tmp_path / "propriétés.docx"
    document.save(str(path))
    with zipfile.ZipFile(path) as package:
        assert package.namelist().count("docProps/custom.xml") == 1
        xml = package.read("docProps/custom.xml").decode("utf-8")
    assert xml.count("<property ") == 2 and "ancienne note" not in xml
    assert "Parentalité" in xml and "nouvelle note" in xml
    again = docx.Document(str(path))
    assert custom.get(again, "Service") == "Parentalité"
    assert custom.get(again, "clas-bilan typographie") == "nouvelle note"
    assert custom.get(again, "absente") is None
