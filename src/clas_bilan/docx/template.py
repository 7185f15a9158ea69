"""Build a campaign's blank Word template from the blocks of its form (``Campaign.blocks``).

Conventions that ``render`` and ``extract`` rely on:

* a question's label is one paragraph holding exactly the label text; ``below``
  questions have ``space`` empty "Réponse" paragraphs after it, ``field`` questions
  a paragraph holding only a FORMTEXT field (``Texte237``, ``Texte238``…) then
  ``space`` empty paragraphs, ``inline`` questions nothing after;
* a box is a one-cell table whose single paragraph holds the text;
* a Oui/Non choice is one paragraph: label, tabs, box ``CaseACocher1``, " Oui",
  box ``CaseACocher2``, " Non";
* a table has exactly the rows of ``form.Table`` then ``blank_rows`` empty rows;
* every table is followed by one empty paragraph, so two tables never touch.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

from clas_bilan import campaigns, form
from clas_bilan.campaigns import Campaign
from clas_bilan.docx.fields import add_checkbox, add_text_field
from clas_bilan.docx.locate import ANSWER_STYLE_ID

ANSWER_STYLE = "Réponse"
"""Paragraph style of answers; its style id is ``Reponse``."""
FONT = "Arial"
"""Metric-compatible with Liberation Sans, which LibreOffice substitutes."""

BLUE = RGBColor(0x1F, 0x38, 0x64)
RED = RGBColor(0xC0, 0x00, 0x00)
LINK = RGBColor(0x05, 0x63, 0xC1)
HEADER_FILL = "D9D9D9"
BAND_FILL = "DCE6F2"
TEXT_WIDTH = 17.4
"""Width between the margins, in centimetres (A4, 1.8 cm side margins)."""


def template_path(campaign: Campaign | None = None) -> Path:
    """The blank template of a campaign (by default the current one)."""
    return (campaign or campaigns.current()).template


def build(path: Path, campaign: Campaign | None = None) -> None:
    """Build a campaign's blank form (by default the current one's), atomically, at ``path``."""
    campaign = campaign or campaigns.current()
    document = docx.Document()
    _set_page(document)
    _set_styles(document)
    _set_properties(document, campaign)
    builder = _Builder(document)
    for block in campaign.blocks:
        builder.add(block)
    for _ in range(4):
        document.add_paragraph()
    _save(document, path)


class _Builder:
    """Append the blocks of the form to a document, numbering its form fields."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.text_fields = iter(range(237, 1000))
        self.checkboxes = iter(range(1, 1000))
        self.first_cover = True
        self.first_part = True
        self.previous: form.Block | None = None

    def add(self, block: form.Block) -> None:
        """Append one block of the form."""
        if isinstance(block, form.Cover):
            self._cover(block)
        elif isinstance(block, form.Heading):
            heading = self.document.add_heading(block.text, block.level)
            if block.level == 1 and self.first_part:
                heading.paragraph_format.page_break_before = True
                self.first_part = False
        elif isinstance(block, form.Note):
            self._note(block)
        elif isinstance(block, form.Box):
            self._box(block)
        elif isinstance(block, form.Question):
            self._question(block)
        elif isinstance(block, form.Choice):
            self._choice(block)
        else:
            self._table(block)
        self.previous = block

    def _cover(self, cover: form.Cover) -> None:
        paragraph = self.document.add_paragraph(style="Title")
        for index, line in enumerate(cover.lines):
            run = paragraph.add_run(line)
            run.font.size = Pt(cover.size)
            if index < len(cover.lines) - 1:
                run.add_break()
        if self.first_cover:
            paragraph.paragraph_format.space_before = Pt(60)
            self.first_cover = False

    def _note(self, note: form.Note) -> None:
        if note.style == "bullet":
            self.document.add_paragraph(note.text, style="List Bullet")
            return
        paragraph = self.document.add_paragraph()
        if note.style == "link":
            _add_mailto(paragraph, note.text)
        else:
            run = paragraph.add_run(note.text)
            if note.style == "strong":
                run.bold = True
                run.font.color.rgb = RED
                run.font.size = Pt(11)
        if note.style != "normal":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if note.style == "centered" and isinstance(self.previous, form.Question):
            paragraph.paragraph_format.space_before = Pt(18)
        if note.style == "strong":
            paragraph.paragraph_format.space_after = Pt(18)

    def _box(self, box: form.Box) -> None:
        table = self._new_table((TEXT_WIDTH - 0.3,))
        row = _add_row(table)
        row.height = Cm(1.0 if box.shaded else 0.9)
        _keep_row(row, header=False)
        cell = row.cells[0]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        run = paragraph.add_run(box.text)
        run.bold = True
        if box.shaded:
            _shade(cell, BAND_FILL)
            run.font.size = Pt(13)
            run.font.color.rgb = BLUE
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.document.add_paragraph()

    def _question(self, question: form.Question) -> None:
        label = self.document.add_paragraph()
        label.add_run(question.label).bold = True
        if isinstance(self.previous, form.Cover):
            label.paragraph_format.space_before = Pt(36)
        if question.layout == "inline":
            label.paragraph_format.space_after = Pt(8)
            return
        label.paragraph_format.keep_with_next = True
        if question.layout == "field":
            add_text_field(
                self.document.add_paragraph(style=ANSWER_STYLE), f"Texte{next(self.text_fields)}"
            )
        for _ in range(question.space):
            self.document.add_paragraph(style=ANSWER_STYLE)

    def _choice(self, choice: form.Choice) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.add_run(choice.label).bold = True
        paragraph.add_run("\t\t")
        add_checkbox(paragraph, f"CaseACocher{next(self.checkboxes)}")
        paragraph.add_run(f"  {choice.options[0]} \t")
        add_checkbox(paragraph, f"CaseACocher{next(self.checkboxes)}")
        paragraph.add_run(f" {choice.options[1]}")
        paragraph.paragraph_format.space_after = Pt(6)

    def _table(self, spec: form.Table) -> None:
        previous = self.document.paragraphs[-1] if self.document.paragraphs else None
        if previous is not None and previous._p is self.document.element.body[-2]:
            previous.paragraph_format.keep_with_next = True
        table = self._new_table(spec.widths)
        for cells in spec.rows:
            row = _add_row(table)
            _keep_row(row, header=bool(spec.items_key) and all(c.header for c in cells))
            if not any(c.header or c.text for c in cells):
                row.height = Cm(0.7)
                row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            tr = row._tr
            for tc in tr.tc_lst:
                tr.remove(tc)
            column = 0
            for cell in cells:
                tc = tr.add_tc()
                tc.width = Cm(sum(spec.widths[column : column + cell.span]))
                if cell.span > 1:
                    tc.grid_span = cell.span
                if cell.vmerge:
                    tc.vMerge = cell.vmerge
                _fill(_Cell(tc, table), cell, keep=not spec.items_key)
                column += cell.span
        for _ in range(spec.blank_rows):
            row = _add_row(table)
            row.height = Cm(0.9)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            _keep_row(row, header=False)
        spacer = self.document.add_paragraph()
        if not spec.items_key:
            spacer.paragraph_format.keep_with_next = True

    def _new_table(self, widths: tuple[float, ...]) -> DocxTable:
        table = cast(DocxTable, self.document.add_table(rows=0, cols=len(widths)))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        margins = parse_xml(
            f"<w:tblCellMar {nsdecls('w')}>"
            '<w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
        )
        table._tbl.tblPr.insert_element_before(
            margins, "w:tblLook", "w:tblCaption", "w:tblDescription"
        )
        for total in table._tbl.tblPr.findall(qn("w:tblW")):
            total.set(qn("w:type"), "dxa")
            total.set(qn("w:w"), str(Cm(sum(widths)).twips))
        return table


def _fill(cell: _Cell, spec: form.Cell, keep: bool) -> None:
    """Write a form cell's text, one paragraph an item, and format header cells."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if spec.header:
        _shade(cell, HEADER_FILL)
    for index, item in enumerate(spec.text):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(item)
        run.bold = spec.header and not item.startswith("- ")
        run.font.size = Pt(9)
    for paragraph in cell.paragraphs:
        paragraph.paragraph_format.space_before = Pt(2)
        paragraph.paragraph_format.space_after = Pt(2)
        if keep:
            paragraph.paragraph_format.keep_with_next = True
        if (spec.header and not paragraph.text.startswith("- ")) or spec.key or spec.computed:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _add_row(table: DocxTable) -> _Row:
    return cast(_Row, table.add_row())  # type: ignore[no-untyped-call]


def _keep_row(row: _Row, header: bool) -> None:
    """Keep a row on one page; repeat it on each page when it is a header row."""
    trPr = row._tr.get_or_add_trPr()
    later = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
    cant_split: Any = OxmlElement("w:cantSplit")
    trPr.insert_element_before(cant_split, "w:trHeight", "w:tblHeader", *later)
    if header:
        repeat: Any = OxmlElement("w:tblHeader")
        trPr.insert_element_before(repeat, *later)


def _shade(cell: _Cell, fill: str) -> None:
    tcPr = cell._tc.get_or_add_tcPr()
    shd = parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>')
    vAlign = tcPr.find(qn("w:vAlign"))
    if vAlign is None:
        tcPr.append(shd)
    else:
        vAlign.addprevious(shd)


def _add_mailto(paragraph: Paragraph, address: str) -> None:
    """Append ``address`` as a blue underlined mailto hyperlink."""
    r_id = paragraph.part.relate_to(
        f"mailto:{address}", RELATIONSHIP_TYPE.HYPERLINK, is_external=True
    )
    hyperlink = OxmlElement("w:hyperlink", {qn("r:id"): r_id})
    run = paragraph.add_run(address)
    run.font.color.rgb = LINK
    run.font.underline = True
    run.font.size = Pt(11)
    run.bold = True
    hyperlink.append(run._r)
    paragraph._p.append(hyperlink)


def _add_field(paragraph: Paragraph, instruction: str, result: str) -> None:
    """Append a complex field (PAGE, NUMPAGES) showing ``result`` until Word updates it."""
    w = nsdecls("w")
    for xml in (
        f'<w:r {w}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {w}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        f'<w:r {w}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {w}><w:t>{result}</w:t></w:r>",
        f'<w:r {w}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))


def _set_page(document: Document) -> None:
    """A4 portrait, 1.8 cm side margins, "Page X sur Y" centred in the footer."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    section.header_distance = section.footer_distance = Cm(1)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _add_field(footer, "PAGE", "1")
    footer.add_run(" sur ")
    _add_field(footer, "NUMPAGES", "1")


def _set_styles(document: Document) -> None:
    """Arial everywhere, French proofing, headings in the Caf's dark blue, the answer style."""
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rPr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_font(rPr)
    rPr.find(qn("w:sz")).set(qn("w:val"), "20")
    rPr.find(qn("w:szCs")).set(qn("w:val"), "20")
    lang = rPr.find(qn("w:lang"))
    for attribute in ("w:val", "w:eastAsia"):
        lang.set(qn(attribute), "fr-FR")
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.attrib.clear()
    spacing.set(qn("w:after"), "80")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")
    settings = document.settings.element
    settings.find(qn("w:decimalSymbol")).set(qn("w:val"), ",")
    settings.find(qn("w:listSeparator")).set(qn("w:val"), ";")
    settings.find(qn("w:themeFontLang")).set(qn("w:val"), "fr-FR")

    for name in ("Heading 1", "Heading 2", "Title", "Footer"):
        _set_font(styles[name].element.get_or_add_rPr())
    heading1 = styles["Heading 1"]
    _heading(heading1, size=12, before=18, after=8)
    pPr = heading1.element.get_or_add_pPr()
    _insert_pPr_child(
        pPr,
        parse_xml(
            f"<w:pBdr {nsdecls('w')}>"
            '<w:top w:val="single" w:sz="8" w:space="3" w:color="1F3864"/>'
            '<w:bottom w:val="single" w:sz="8" w:space="3" w:color="1F3864"/>'
            "</w:pBdr>"
        ),
    )
    _insert_pPr_child(
        pPr, parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{BAND_FILL}"/>')
    )
    heading1.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading2 = styles["Heading 2"]
    _heading(heading2, size=11, before=14, after=6)
    _insert_pPr_child(
        heading2.element.get_or_add_pPr(),
        parse_xml(
            f"<w:pBdr {nsdecls('w')}>"
            '<w:bottom w:val="single" w:sz="4" w:space="1" w:color="1F3864"/></w:pBdr>'
        ),
    )
    title = styles["Title"]
    title.font.bold = True
    title.font.color.rgb = BLUE
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)
    for tag in ("w:pBdr", "w:contextualSpacing"):
        for element in title.element.pPr.findall(qn(tag)):
            title.element.pPr.remove(element)
    edges = "".join(
        f'<w:{edge} w:val="single" w:sz="12" w:space="8" w:color="1F3864"/>'
        for edge in ("top", "left", "bottom", "right")
    )
    _insert_pPr_child(title.element.pPr, parse_xml(f"<w:pBdr {nsdecls('w')}>{edges}</w:pBdr>"))
    _insert_pPr_child(
        title.element.pPr,
        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{BAND_FILL}"/>'),
    )
    title.paragraph_format.left_indent = title.paragraph_format.right_indent = Cm(1.5)
    title.font.all_caps = False
    _plain_color(title.element.rPr)
    footer_style = styles["Footer"]
    footer_style.font.size = Pt(8)
    footer_style.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    answer = styles.add_style(ANSWER_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(answer, ParagraphStyle)
    answer.style_id = ANSWER_STYLE_ID
    answer.base_style = styles["Normal"]
    answer.quick_style = True
    answer.next_paragraph_style = answer
    answer.font.color.rgb = BLUE
    answer.paragraph_format.left_indent = Cm(0.4)
    answer.paragraph_format.space_after = Pt(4)


def _heading(style: Any, size: int, before: int, after: int) -> None:
    style.font.size = Pt(size)
    style.font.bold = True
    style.font.color.rgb = BLUE
    _plain_color(style.element.rPr)
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)


def _plain_color(rPr: Any) -> None:
    """Drop theme colour attributes, so the explicit RGB colour is the one shown."""
    color = rPr.find(qn("w:color"))
    if color is not None:
        for attribute in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attribute), None)


def _set_font(rPr: Any) -> None:
    """Name the font explicitly for every script, dropping theme fonts that would win."""
    fonts = rPr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rPr.insert(0, fonts)
    fonts.attrib.clear()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


_PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)


def _insert_pPr_child(pPr: Any, child: Any) -> None:
    """Insert ``child`` into ``pPr`` at its place in the schema order."""
    later = {qn(f"w:{tag}") for tag in _PPR_ORDER[_PPR_ORDER.index(child.tag.split("}")[1]) + 1 :]}
    for existing in pPr:
        if existing.tag in later:
            existing.addprevious(child)
            return
    pPr.append(child)


def _set_properties(document: Document, campaign: Campaign) -> None:
    """Core properties with fixed dates (the school year's 1 September), so builds reproduce."""
    properties = document.core_properties
    properties.title = campaign.title
    properties.subject = (
        f"Bilan qualitatif du Contrat Local d’Accompagnement à la Scolarité (CLAS) {campaign.label}"
    )
    properties.author = "Caf de l'Ain"
    properties.last_modified_by = "Caf de l'Ain"
    properties.keywords = "CLAS; bilan; Caf de l'Ain"
    properties.comments = ""
    properties.category = "Formulaire"
    properties.language = "fr-FR"
    date = datetime(campaign.deadline.year - 1, 9, 1)
    properties.created = properties.modified = properties.last_printed = date
    properties.revision = 1


def _save(document: Document, path: Path) -> None:
    """Write the document through a temporary file in the same folder, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".docx")
    os.close(handle)
    try:
        document.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
