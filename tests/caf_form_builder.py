"""A copy of the Caf's own Word form, rebuilt from the form's text, as Word most likely stores it.

Independent of the code under test (zipfile + lxml only): Normal style everywhere, bold
questions (no heading styles), question text split over several runs, legacy FORMTEXT
fields wrapped in the bookmarks named in the text (Texte237 …), the FORMCHECKBOX pair,
merged table headers (gridSpan, vMerge), thin spacer rows in the formations table, and
no signature block: the form ends with its last question.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT = Path(__file__).parents[2] / "shared" / "formulaire" / "bilan_clas_2025_2026.txt"
if not TEXT.exists():  # a worktree under /work: the shared folder beside it
    TEXT = Path("/work/shared/formulaire/bilan_clas_2025_2026.txt")
FIELD = "\u2002" * 5
_BOOKMARK = re.compile(r"^\[bookmark: ([^\]]+)\]")


def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag."""
    return f"{{{W}}}{tag}"


class _Ids:
    def __init__(self) -> None:
        self.bookmark = 0

    def next_bookmark(self) -> str:
        self.bookmark += 1
        return str(self.bookmark)


def _run(parent: etree._Element, text: str, *, bold: bool = False, size: int | None = None) -> None:
    r = etree.SubElement(parent, w("r"))
    if bold or size:
        rPr = etree.SubElement(r, w("rPr"))
        if bold:
            etree.SubElement(rPr, w("b"))
        if size:
            etree.SubElement(rPr, w("sz")).set(w("val"), str(size))
    for index, piece in enumerate(text.split("\t")):
        if index:
            etree.SubElement(r, w("tab"))
        if piece:
            t = etree.SubElement(r, w("t"))
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _split_runs(text: str) -> list[str]:
    """Text cut in pieces of a few words, one piece cut mid-word, as Word's edits leave it."""
    words = re.split(r"(?<= )", text)
    pieces = ["".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    if pieces and len(pieces[0]) > 6:
        first = pieces.pop(0)
        pieces[:0] = [first[:4], first[4:]]
    return [piece for piece in pieces if piece]


def _field_runs(p: etree._Element, kind: str, name: str | None, ids: _Ids) -> None:
    """A legacy form field; a named one wrapped in its bookmark as Word does."""
    bookmark = ids.next_bookmark() if name else None
    if bookmark:
        start = etree.SubElement(p, w("bookmarkStart"))
        start.set(w("id"), bookmark)
        start.set(w("name"), name or "")
    begin = etree.SubElement(etree.SubElement(p, w("r")), w("fldChar"))
    begin.set(w("fldCharType"), "begin")
    data = etree.SubElement(begin, w("ffData"))
    if name:
        etree.SubElement(data, w("name")).set(w("val"), name)
    etree.SubElement(data, w("enabled"))
    etree.SubElement(data, w("calcOnExit")).set(w("val"), "0")
    if kind == "FORMCHECKBOX":
        box = etree.SubElement(data, w("checkBox"))
        etree.SubElement(box, w("sizeAuto"))
        etree.SubElement(box, w("default")).set(w("val"), "0")
    else:
        etree.SubElement(data, w("textInput"))
    instr = etree.SubElement(etree.SubElement(p, w("r")), w("instrText"))
    instr.text = f" {kind} "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    if kind == "FORMTEXT":
        etree.SubElement(etree.SubElement(p, w("r")), w("fldChar")).set(
            w("fldCharType"), "separate"
        )
        r = etree.SubElement(p, w("r"))
        etree.SubElement(etree.SubElement(r, w("rPr")), w("noProof"))
        etree.SubElement(r, w("t")).text = FIELD
    etree.SubElement(etree.SubElement(p, w("r")), w("fldChar")).set(w("fldCharType"), "end")
    if bookmark:
        etree.SubElement(p, w("bookmarkEnd")).set(w("id"), bookmark)


def _is_label(text: str) -> bool:
    plain = text.strip()
    return bool(plain) and (
        plain.endswith((":", "?", "?)", ")", ".", "(CLAS)"))
        or "?" in plain
        or plain.isupper()
        or re.match(r"^\d\. ", plain) is not None
        or plain.startswith(("Axe ", "Conclusion", "Bilan CLAS"))
    )


def paragraph(body: etree._Element, line: str, ids: _Ids) -> etree._Element:
    """One line of the form's text as a Normal paragraph; questions bold, split over runs."""
    p = etree.SubElement(body, w("p"))
    found = _BOOKMARK.match(line)
    name = found.group(1) if found else None
    rest = line[found.end() :] if found else line
    if rest == FIELD:
        _field_runs(p, "FORMTEXT", name, ids)
        return p
    if name is None and rest.strip("\u2002") == "" and rest:
        _field_runs(p, "FORMTEXT", None, ids)  # a field Word never bookmarked
        return p
    marker = None
    if name:
        marker = ids.next_bookmark()
        start = etree.SubElement(p, w("bookmarkStart"))
        start.set(w("id"), marker)
        start.set(w("name"), name)
    heading = rest.strip().isupper() or rest.strip().startswith(("Axe ", "Conclusion"))
    bold = _is_label(rest)
    parts = rest.split("|_|")
    for index, part in enumerate(parts):
        if index:
            _field_runs(p, "FORMCHECKBOX", None, ids)
        for piece in _split_runs(part) if bold else [part]:
            if piece:
                _run(p, piece, bold=bold, size=24 if heading else None)
    if marker:
        etree.SubElement(p, w("bookmarkEnd")).set(w("id"), marker)
    return p


# Tables ---------------------------------------------------------------------------


def _tbl(body: etree._Element, widths: list[int]) -> etree._Element:
    tbl = etree.SubElement(body, w("tbl"))
    tblPr = etree.SubElement(tbl, w("tblPr"))
    etree.SubElement(tblPr, w("tblW")).attrib.update({w("w"): str(sum(widths)), w("type"): "dxa"})
    borders = etree.SubElement(tblPr, w("tblBorders"))
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        etree.SubElement(borders, w(edge)).attrib.update(
            {w("val"): "single", w("sz"): "4", w("space"): "0", w("color"): "auto"}
        )
    grid = etree.SubElement(tbl, w("tblGrid"))
    for width in widths:
        etree.SubElement(grid, w("gridCol")).set(w("w"), str(width))
    return tbl


def _row(tbl: etree._Element, cells: list[tuple[list[str], int, str | None]]) -> etree._Element:
    """A row of (paragraphs, gridSpan, vMerge) cells; header text bold."""
    tr = etree.SubElement(tbl, w("tr"))
    for texts, span, vmerge in cells:
        tc = etree.SubElement(tr, w("tc"))
        tcPr = etree.SubElement(tc, w("tcPr"))
        if span > 1:
            etree.SubElement(tcPr, w("gridSpan")).set(w("val"), str(span))
        if vmerge:
            merge = etree.SubElement(tcPr, w("vMerge"))
            if vmerge == "restart":
                merge.set(w("val"), "restart")
        for text in texts or [""]:
            p = etree.SubElement(tc, w("p"))
            for index, line in enumerate(text.split("\n")):
                if index:
                    etree.SubElement(etree.SubElement(p, w("r")), w("br"))
                if line:
                    _run(p, line, bold=not line.startswith("- ") and bool(texts) and span >= 0)
    return tr


def _c(*texts: str, span: int = 1, vmerge: str | None = None) -> tuple[list[str], int, str | None]:
    return list(texts), span, vmerge


def _table(body: etree._Element, first: str) -> None:
    """The table of the form whose first cell starts with ``first``."""
    if first == "":
        _row(_tbl(body, [9600]), [_c()])  # the logo's frame at the top
    elif first.startswith(("Bilan qualitatif", "Intitulé")):
        _row(_tbl(body, [9600]), [_c(first)])
    elif first.startswith("Nom de l’organisme"):
        tbl = _tbl(body, [2000, 2600, 1500, 1200, 1200, 1200])
        _row(
            tbl,
            [
                _c("Nom de l’organisme\nen charge de la formation", vmerge="restart"),
                _c("Intitulé et objet de la formation", vmerge="restart"),
                _c("Dates de formation", vmerge="restart"),
                _c("Nombre de personnes formées", span=3),
            ],
        )
        _row(
            tbl,
            [
                _c(vmerge="continue"),
                _c(vmerge="continue"),
                _c(vmerge="continue"),
                _c("Salariés "),
                _c("Volontaires "),
                _c("Bénévoles"),
            ],
        )
        for _ in range(4):
            _row(tbl, [_c(span=6)])  # a thin spacer row, as the Caf's table has
            _row(tbl, [_c() for _ in range(6)])
    elif first.startswith("Elémentaire"):
        tbl = _tbl(body, [650] * 12 + [800, 900])
        _row(
            tbl,
            [
                _c("Elémentaire", span=5),
                _c("Collège", span=4),
                _c("Lycée", span=3),
                _c("Autre"),
                _c("TOTAL"),
            ],
        )
        _row(tbl, [_c(span=5), _c(span=4), _c(span=3), _c(), _c()])
        levels = ["CP", "CE1", "CE2", "CM1", "CM2", "6e", "5e", "4e", "3e", "2de", "1ère", "T"]
        _row(tbl, [*(_c(level) for level in levels), _c(), _c("/")])
        _row(tbl, [_c() for _ in range(14)])
    elif first.startswith("TERRITOIRES"):
        tbl = _tbl(body, [4200, 5400])
        _row(
            tbl,
            [
                _c("TERRITOIRES D’INTERVENTION\n(Quartier, adresse, local)"),
                _c("ETABLISSEMENTS SCOLAIRES CONCERNES\u00a0: NOM ADRESSE, MAIL"),
            ],
        )
        for _ in range(8):
            _row(tbl, [_c(), _c()])
    else:
        _bonus(body, first)


_ENFANTS = [
    "Nombre de collectifs concernés par un projet complémentaire d’ouverture culturelle, "
    "structuré et organisé sur l’année\u00a0?",
    "Surcoût généré par des dépenses pour l’achat de matériel pédagogique (ordinateur, …) "
    "propre à ce projet complémentaire ?",
    "Surcoût généré par des dépenses pour la mobilisation d'intervenants extérieurs propre à ce "
    "projet complémentaire ?",
    "Surcoût généré par des dépenses pour l’organisation de sorties et/ou d'activités "
    "culturelles propre à ce projet complémentaire ?",
]
_PARENTS = [
    "Nombre de collectifs concernés par un projet spécifique d’accompagnement des parents des "
    "enfants du CLAS organisé sur la totalité de l'année ",
    "Surcoût généré par des dépenses pour la mobilisation d'intervenants extérieurs propre à ce "
    "projet spécifique ?",
    "Surcoût généré par des dépenses pour l’organisation de sorties et/ou d'activités "
    "culturelles Parents-enfants propre à ce projet spécifique ?",
]


def _bonus(body: etree._Element, first: str) -> None:
    enfants = first.startswith("Nature")
    tbl = _tbl(body, [1700, 6200, 1700])
    title = "BONIFICATION ENFANTS" if enfants else "BONFICATION PARENTS "
    goals = (
        [
            "- Elargir les centres d’intérêt des enfants et des jeunes afin d’ouvrir leur accès à "
            "la culture, environnement et à la citoyenneté",
            "- Mobiliser les enfants et les jeunes pour les rendre acteurs au travers la conduite "
            "des projets élaborés avec et pour eux",
        ]
        if enfants
        else [
            "- Soutenir les parents en proposant des temps de rencontres réguliers",
            "- Renforcer la coopération des parents au projet Clas en les associant aux actions",
        ]
    )
    _row(
        tbl,
        [
            _c(first),
            _c(title, "", "Rappel des objectifs\u00a0: ", "", *goals),
            _c("Répondez par", "", "Oui ou Non"),
        ],
    )
    questions = _ENFANTS if enfants else _PARENTS
    _row(tbl, [_c() if enfants else _c("", "OBLIGATOIRE", ""), _c(questions[0]), _c()])
    _row(tbl, [_c("AU MOINS UN", vmerge="restart"), _c(questions[1]), _c()])
    for question in questions[2:]:
        _row(tbl, [_c(vmerge="continue"), _c(question), _c()])


# The whole document ---------------------------------------------------------------


def _chunks(text: str) -> Iterator[tuple[str, str]]:
    """("p", line) for paragraphs, ("tbl", first cell) once for each table, in order."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("\t") and not line.startswith("\tBilan qualitatif du projet Clas 2025"):
            first = line[1:]
            yield "tbl", first
            index += 1
            while index < len(lines) and (
                lines[index].startswith("\t")
                or not lines[index].strip()
                or _inside_cell(lines[index])
            ):
                index += 1
            continue
        if line.startswith("\tBilan qualitatif"):
            yield "tbl", line[1:]
            index += 1
            continue
        yield "p", line
        index += 1


def _inside_cell(line: str) -> bool:
    """Lines of the text that continue a table cell (a header's second line, goals…)."""
    return line.startswith(
        ("en charge", "(Quartier", "Rappel", "- ", "Oui ou Non", "OBLIGATOIRE", "BONIFICATION")
    ) or line in {"AU MOINS UN", "BONFICATION PARENTS "}


def build(path: Path) -> Path:
    """Write the Caf-like copy of the form to ``path``."""
    text = TEXT.read_text(encoding="utf-8")
    document = etree.Element(w("document"), nsmap={"w": W})
    body = etree.SubElement(document, w("body"))
    ids = _Ids()
    for kind, value in _chunks(text):
        if kind == "tbl":
            _table(body, value)
            etree.SubElement(body, w("p"))
        else:
            paragraph(body, value, ids)
    sect = etree.SubElement(body, w("sectPr"))
    etree.SubElement(sect, w("pgSz")).attrib.update({w("w"): "11906", w("h"): "16838"})
    etree.SubElement(sect, w("pgMar")).attrib.update(
        {
            w(k): v
            for k, v in {
                "top": "1134",
                "right": "1134",
                "bottom": "1134",
                "left": "1134",
                "header": "709",
                "footer": "709",
                "gutter": "0",
            }.items()
        }
    )
    write_package(path, document)
    return path


STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/>
<w:sz w:val="22"/><w:lang w:val="fr-FR"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="259" w:lineRule="auto"/></w:pPr>
</w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableauNormal"><w:name w:val="Normal Table"/>
<w:tblPr><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>
</w:tblCellMar></w:tblPr></w:style>
</w:styles>"""

_OFFICE = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{_OFFICE}.document.main+xml"/>'
    f'<Override PartName="/word/styles.xml" ContentType="{_OFFICE}.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)


def write_package(path: Path, document: etree._Element) -> None:
    """A minimal .docx: content types, relationships, styles, the document."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS)
        package.writestr("word/styles.xml", STYLES)
        package.writestr(
            "word/document.xml",
            etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True),
        )


def document_root(path: Path) -> etree._Element:
    """The parsed ``word/document.xml`` of a package."""
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/document.xml"))


def rewrite(source: Path, target: Path, root: etree._Element) -> Path:
    """Copy ``source`` to ``target`` with ``root`` as its main part."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "word/document.xml":
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            new.writestr(item, data)
    return target
