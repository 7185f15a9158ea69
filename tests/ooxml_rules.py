"""Schema rules Word enforces on a .docx and LibreOffice forgives, checked with zipfile + lxml.

Word shows "unreadable content, repair?" when an element's children come out of
their ECMA-376 (transitional, ``wml.xsd``) order, a table cell does not end with a
paragraph, a field or bookmark is left open, a relationship does not resolve or a
part has no content type. ``problems(path)`` lists every such finding as
``part: element path (near « text »): what is wrong``, so a failing test says where
to look. The child orders are data (``ORDERS``); each listed parent's table is
complete, so an unknown WordprocessingML child is reported too.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML = "http://www.w3.org/XML/1998/namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

PREFIXES = {
    "http://schemas.openxmlformats.org/officeDocument/2006/math": "m",
    "http://schemas.openxmlformats.org/schemaLibrary/2006/main": "sl",
    R: "r",
    MC: "mc",
}
"""Prefixes used in ``ORDERS`` for children outside the ``w`` namespace."""

KNOWN_NAMESPACES = {
    W,
    *PREFIXES,
    "urn:schemas-microsoft-com:vml",
    "urn:schemas-microsoft-com:office:office",
    "urn:schemas-microsoft-com:office:word",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}
"""Namespaces Word reads without an ``mc:Ignorable`` declaration."""

_PPR_BASE = (
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
)
_RPR_BASE = (
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
)
_TBLPR_BASE = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
)
_TRPR_BASE = (
    "cnfStyle",
    "divId",
    "gridBefore",
    "gridAfter",
    "wBefore",
    "wAfter",
    "cantSplit",
    "trHeight",
    "tblHeader",
    "tblCellSpacing",
    "jc",
    "hidden",
)
_TCPR_BASE = (
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
)
_RANGE_MARKUP = (
    "bookmarkStart|bookmarkEnd|moveFromRangeStart|moveFromRangeEnd|moveToRangeStart"
    "|moveToRangeEnd|commentRangeStart|commentRangeEnd|customXmlInsRangeStart"
    "|customXmlInsRangeEnd|customXmlDelRangeStart|customXmlDelRangeEnd"
    "|customXmlMoveFromRangeStart|customXmlMoveFromRangeEnd|customXmlMoveToRangeStart"
    "|customXmlMoveToRangeEnd"
)
_RUN_LEVEL = (
    f"proofErr|permStart|permEnd|{_RANGE_MARKUP}|ins|del|moveFrom|moveTo|m:oMathPara|m:oMath"
)
_BLOCK_LEVEL = f"p|tbl|sdt|customXml|altChunk|{_RUN_LEVEL}"
_P_CONTENT = f"r|hyperlink|fldSimple|subDoc|customXml|smartTag|sdt|dir|bdo|{_RUN_LEVEL}"
_RUN_CONTENT = (
    "br|t|contentPart|delText|instrText|delInstrText|noBreakHyphen|softHyphen|dayShort"
    "|monthShort|yearShort|dayLong|monthLong|yearLong|annotationRef|footnoteRef|endnoteRef"
    "|separator|continuationSeparator|sym|pgNum|cr|tab|object|pict|fldChar|ruby"
    "|footnoteReference|endnoteReference|commentReference|drawing|ptab|lastRenderedPageBreak"
)
_BORDERS = ("top", "start", "left", "bottom", "end", "right", "insideH", "insideV")
_MARGINS = ("top", "start", "left", "bottom", "end", "right")
_SECT_PR_CONTENTS = (
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
)
_SETTINGS = (
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
    "embedTrueTypeFonts",
    "embedSystemFonts",
    "saveSubsetFonts",
    "saveFormsData",
    "mirrorMargins",
    "alignBordersAndEdges",
    "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter",
    "gutterAtTop",
    "hideSpellingErrors",
    "hideGrammaticalErrors",
    "activeWritingStyle",
    "proofState",
    "formsDesign",
    "attachedTemplate",
    "linkStyles",
    "stylePaneFormatFilter",
    "stylePaneSortMethod",
    "documentType",
    "mailMerge",
    "revisionView",
    "trackRevisions",
    "doNotTrackMoves",
    "doNotTrackFormatting",
    "documentProtection",
    "autoFormatOverride",
    "styleLockTheme",
    "styleLockQFSet",
    "defaultTabStop",
    "autoHyphenation",
    "consecutiveHyphenLimit",
    "hyphenationZone",
    "doNotHyphenateCaps",
    "showEnvelope",
    "summaryLength",
    "clickAndTypeStyle",
    "defaultTableStyle",
    "evenAndOddHeaders",
    "bookFoldRevPrinting",
    "bookFoldPrinting",
    "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery",
    "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin",
    "doNotShadeFormData",
    "noPunctuationKerning",
    "characterSpacingControl",
    "printTwoOnOne",
    "strictFirstAndLastChars",
    "noLineBreaksAfter",
    "noLineBreaksBefore",
    "savePreviewPicture",
    "doNotValidateAgainstSchema",
    "saveInvalidXml",
    "ignoreMixedContent",
    "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml",
    "saveXmlDataOnly",
    "useXSLTWhenSaving",
    "saveThroughXslt",
    "showXMLTags",
    "alwaysMergeEmptyNamespace",
    "updateFields",
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "m:mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "sl:schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)
_COMPAT = (
    "useSingleBorderforContiguousCells",
    "wpJustification",
    "noTabHangInd",
    "noLeading",
    "spaceForUL",
    "noColumnBalance",
    "balanceSingleByteDoubleByteWidth",
    "noExtraLineSpacing",
    "doNotLeaveBackslashAlone",
    "ulTrailSpace",
    "doNotExpandShiftReturn",
    "spacingInWholePoints",
    "lineWrapLikeWord6",
    "printBodyTextBeforeHeader",
    "printColBlack",
    "wpSpaceWidth",
    "showBreaksInFrames",
    "subFontBySize",
    "suppressBottomSpacing",
    "suppressTopSpacing",
    "suppressSpacingAtTopOfPage",
    "suppressTopSpacingWP",
    "suppressSpBfAfterPgBrk",
    "swapBordersFacingPages",
    "convMailMergeEsc",
    "truncateFontHeightsLikeWP6",
    "mwSmallCaps",
    "usePrinterMetrics",
    "doNotSuppressParagraphBorders",
    "wrapTrailSpaces",
    "footnoteLayoutLikeWW8",
    "shapeLayoutLikeWW8",
    "alignTablesRowByRow",
    "forgetLastTabAlignment",
    "adjustLineHeightInTable",
    "autoSpaceLikeWord95",
    "noSpaceRaiseLower",
    "doNotUseHTMLParagraphAutoSpacing",
    "layoutRawTableWidth",
    "layoutTableRowsApart",
    "useWord97LineBreakRules",
    "doNotBreakWrappedTables",
    "doNotSnapToGridInCell",
    "selectFldWithFirstOrLastChar",
    "applyBreakingRules",
    "doNotWrapTextWithPunct",
    "doNotUseEastAsianBreakRules",
    "useWord2002TableStyleRules",
    "growAutofit",
    "useFELayout",
    "useNormalStyleForList",
    "doNotUseIndentAsNumberingTabStop",
    "useAltKinsokuLineBreakRules",
    "allowSpaceOfSameStyleInTable",
    "doNotSuppressIndentation",
    "doNotAutofitConstrainedTables",
    "autofitToFirstFixedWidthCell",
    "underlineTabInNumList",
    "displayHangulFixedWidth",
    "splitPgBreakAndParaMark",
    "doNotVertAlignCellWithSp",
    "doNotBreakConstrainedForcedTable",
    "doNotVertAlignInTxbx",
    "useAnsiKerningPairs",
    "cachedColBalance",
    "compatSetting",
)

ORDERS: dict[str, tuple[str, ...]] = {
    "document": ("background", "body"),
    "body": (_BLOCK_LEVEL, "sectPr"),
    "hdr": (_BLOCK_LEVEL,),
    "ftr": (_BLOCK_LEVEL,),
    "p": ("pPr", _P_CONTENT),
    "hyperlink": (_P_CONTENT,),
    "fldSimple": ("fldData", _P_CONTENT),
    "r": ("rPr", _RUN_CONTENT),
    "pPr": (*_PPR_BASE, "rPr", "sectPr", "pPrChange"),
    "rPr": ("ins", "del", "moveFrom", "moveTo", *_RPR_BASE, "rPrChange"),
    "pBdr": ("top", "left", "bottom", "right", "between", "bar"),
    "numPr": ("ilvl", "numId", "numberingChange", "ins"),
    "tabs": ("tab",),
    "tbl": (_RANGE_MARKUP, "tblPr", "tblGrid", f"tr|customXml|sdt|{_RUN_LEVEL}"),
    "tblPr": (*_TBLPR_BASE, "tblPrChange"),
    "tblGrid": ("gridCol", "tblGridChange"),
    "tblBorders": _BORDERS,
    "tblCellMar": _MARGINS,
    "tr": ("tblPrEx", "trPr", f"tc|customXml|sdt|{_RUN_LEVEL}"),
    "trPr": (*_TRPR_BASE, "ins", "del", "trPrChange"),
    "tc": ("tcPr", _BLOCK_LEVEL),
    "tcPr": (*_TCPR_BASE, "cellIns|cellDel|cellMerge", "tcPrChange"),
    "tcBorders": (*_BORDERS, "tl2br", "tr2bl"),
    "tcMar": _MARGINS,
    "sectPr": ("headerReference|footerReference", *_SECT_PR_CONTENTS, "sectPrChange"),
    "cols": ("col",),
    "fldChar": ("fldData|ffData|numberingChange",),
    "ffData": (
        "name",
        "label",
        "tabIndex",
        "enabled",
        "calcOnExit",
        "entryMacro",
        "exitMacro",
        "helpText",
        "statusText",
        "checkBox|ddList|textInput",
    ),
    "checkBox": ("size|sizeAuto", "default", "checked"),
    "ddList": ("result", "default", "listEntry"),
    "textInput": ("type", "default", "maxLength", "format"),
    "styles": ("docDefaults", "latentStyles", "style"),
    "docDefaults": ("rPrDefault", "pPrDefault"),
    "rPrDefault": ("rPr",),
    "pPrDefault": ("pPr",),
    "latentStyles": ("lsdException",),
    "style": (
        "name",
        "aliases",
        "basedOn",
        "next",
        "link",
        "autoRedefine",
        "hidden",
        "uiPriority",
        "semiHidden",
        "unhideWhenUsed",
        "qFormat",
        "locked",
        "personal",
        "personalCompose",
        "personalReply",
        "rsid",
        "pPr",
        "rPr",
        "tblPr",
        "trPr",
        "tcPr",
        "tblStylePr",
    ),
    "tblStylePr": ("pPr", "rPr", "tblPr", "trPr", "tcPr"),
    "settings": _SETTINGS,
    "compat": _COMPAT,
    "rsids": ("rsidRoot", "rsid"),
}
"""Parent local name -> its children in schema order; ``a|b`` share one place (a choice)."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "tbl": ("tblPr", "tblGrid", "tr|sdt|customXml"),
    "checkBox": ("size|sizeAuto",),
    "ffData": ("name", "checkBox|ddList|textInput"),
    "tabs": ("tab",),
    "hdr": ("p|tbl",),
    "ftr": ("p|tbl",),
}
"""Children a parent must hold at least once."""

REQUIRED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "bookmarkStart": ("id", "name"),
    "bookmarkEnd": ("id",),
    "fldChar": ("fldCharType",),
    "pgMar": ("top", "right", "bottom", "left", "header", "footer", "gutter"),
    "gridSpan": ("val",),
    "headerReference": ("type", "r:id"),
    "footerReference": ("type", "r:id"),
}

_WML_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml."
PART_TYPES: dict[str, tuple[str, ...]] = {
    r"word/document\.xml": (
        _WML_TYPE + "document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    ),
    r"word/styles\.xml": (_WML_TYPE + "styles+xml",),
    r"word/settings\.xml": (_WML_TYPE + "settings+xml",),
    r"word/footer\d*\.xml": (_WML_TYPE + "footer+xml",),
    r"word/header\d*\.xml": (_WML_TYPE + "header+xml",),
    r"word/numbering\.xml": (_WML_TYPE + "numbering+xml",),
    r"docProps/core\.xml": ("application/vnd.openxmlformats-package.core-properties+xml",),
}
"""Content type Word requires of each part (a .docx whose main part is a template won't open)."""

NUMERIC_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "spacing": ("before", "after", "line", "beforeLines", "afterLines"),
    "ind": ("left", "right", "start", "end", "hanging", "firstLine"),
    "sz": ("val",),
    "szCs": ("val",),
    "kern": ("val",),
    "position": ("val",),
    "gridSpan": ("val",),
    "gridCol": ("w",),
    "trHeight": ("val",),
    "pgSz": ("w", "h"),
    "pgMar": ("top", "right", "bottom", "left", "header", "footer", "gutter"),
    "tab": ("pos",),
    "bookmarkStart": ("id",),
    "bookmarkEnd": ("id",),
    "outlineLvl": ("val",),
}
"""Attributes Word reads as whole numbers: "12.5" in one of them makes it repair the file."""
_MEASURE = re.compile(r"^-?\d+$")
_BORDER_NAMES = (*_BORDERS, "between", "bar", "tl2br", "tr2bl")
_HEX_COLOR = re.compile(r"^(auto|[0-9A-Fa-f]{6})$")

_SPACES = " \t\r\n"
_INVALID_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_INVALID_CHAR_REF = re.compile(
    r"&#(?:x0*(?:[0-8bBcC]|1[0-9a-fA-F]|[eE]|[fF]|[fF]{3}[eEfF]|[dD][89a-fA-F][0-9a-fA-F]{2})"
    r"|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|6553[45]|5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d"
    r"|573[0-3]\d|5734[0-3]));"
)
_W3CDTF = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$"
)
_WORD_PARTS = re.compile(r"^word/(document|styles|settings|footer\d*|header\d*)\.xml$")
_ON_OFF = {"", "true", "false", "on", "off", "0", "1"}


def problems(path: Path) -> list[str]:
    """Every rule Word enforces that the package at ``path`` breaks, one line a finding."""
    found: list[str] = []
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        found += _content_types(package, names)
        found += _core_properties(package)
        document_rels = _relationships(package, "word/document.xml", names, found)
        parts = sorted(name for name in names if _WORD_PARTS.match(name))
        style_ids: set[str] = set()
        if "word/styles.xml" in names:
            styles = _parse(package, "word/styles.xml", found)
            if styles is not None:
                style_ids = _style_ids(styles, found)
        for name in parts:
            root = _parse(package, name, found)
            if root is None:
                continue
            rels = (
                document_rels
                if name == "word/document.xml"
                else _relationships(package, name, names, found)
            )
            found += [f"{name}: {finding}" for finding in check_part(root, rels, style_ids)]
    return found


def check_part(
    root: etree._Element,
    rels: dict[str, tuple[str, str]] | None = None,
    style_ids: set[str] | None = None,
) -> list[str]:
    """The findings for one parsed WordprocessingML part (document, styles, settings, footer)."""
    found: list[str] = []
    ignorable = set((root.get(f"{{{MC}}}Ignorable") or "").split())
    ignorable_ns = {root.nsmap.get(prefix) for prefix in ignorable}
    for element in root.iter(etree.Element):
        found += _children(element, ignorable_ns)
        found += _attributes(element)
        found += _text(element)
        if rels is not None:
            found += _references(element, rels)
        if style_ids:
            found += _style_reference(element, style_ids)
    found += _bookmarks(root)
    found += _fields(root)
    for tbl in root.iter(f"{{{W}}}tbl"):
        found += _table(tbl)
    return found


def _children(element: etree._Element, ignorable_ns: set[str | None]) -> list[str]:
    """Order, unknown and missing children of a parent listed in ``ORDERS``."""
    found: list[str] = []
    namespace = etree.QName(element).namespace
    if namespace is not None and namespace not in KNOWN_NAMESPACES | ignorable_ns:
        found.append(
            f"{_where(element)}: namespace {namespace} is neither known to Word nor "
            "declared in mc:Ignorable"
        )
    if namespace != W:
        return found
    local = etree.QName(element).localname
    order = ORDERS.get(local)
    if order is None:
        return found
    rank = {name: index for index, names in enumerate(order) for name in names.split("|")}
    last = -1
    last_name = ""
    for child in element.iterchildren(etree.Element):
        name = _name(child)
        if name is None:
            continue  # an extension element from an mc:Ignorable namespace
        if name not in rank:
            found.append(f"{_where(child)}: unknown child <{name}> of <w:{local}>")
            continue
        if rank[name] < last:
            found.append(
                f"{_where(child)}: <{name}> must come before <{last_name}> in <w:{local}>"
                f" (schema order: {_order_text(order)})"
            )
        elif rank[name] == last and "|" not in order[rank[name]] and not _repeats(local, name):
            found.append(f"{_where(child)}: <{name}> appears twice in <w:{local}>")
        else:
            last, last_name = rank[name], name
    present = {_name(child) for child in element.iterchildren(etree.Element)}
    for required in REQUIRED.get(local, ()):
        if not present & set(required.split("|")):
            found.append(f"{_where(element)}: <w:{local}> lacks a required <{required}> child")
    return found


def _repeats(parent: str, name: str) -> bool:
    """True for children the schema lets occur more than once in a row."""
    group = ORDERS[parent][-1] if parent in ("body", "hdr", "ftr", "tc", "p", "r") else ""
    return (
        name in group.split("|")
        or (parent, name)
        in {
            ("tbl", "tr"),
            ("tabs", "tab"),
            ("tblGrid", "gridCol"),
            ("styles", "style"),
            ("latentStyles", "lsdException"),
            ("style", "tblStylePr"),
            ("rsids", "rsid"),
            ("compat", "compatSetting"),
            ("cols", "col"),
            ("ddList", "listEntry"),
            ("settings", "activeWritingStyle"),
            ("settings", "attachedSchema"),
            ("settings", "smartTagType"),
        }
        or name in _RANGE_MARKUP.split("|")
        or name in _RUN_LEVEL.split("|")
        or name in ("tr", "tc", "p", "tbl", "r")
        or (parent == "sectPr" and name in ("headerReference", "footerReference"))
    )


def _attributes(element: etree._Element) -> list[str]:
    found: list[str] = []
    if etree.QName(element).namespace != W:
        return found
    local = etree.QName(element).localname
    for attribute in REQUIRED_ATTRIBUTES.get(local, ()):
        key = f"{{{R}}}id" if attribute == "r:id" else f"{{{W}}}{attribute}"
        if element.get(key) is None:
            found.append(f"{_where(element)}: <w:{local}> lacks its required {attribute} attribute")
    if local == "fldChar" and element.get(f"{{{W}}}fldCharType") not in (
        None,
        "begin",
        "separate",
        "end",
    ):
        found.append(f"{_where(element)}: fldCharType must be begin, separate or end")
    if local == "vMerge" and element.get(f"{{{W}}}val") not in (None, "restart", "continue"):
        found.append(f"{_where(element)}: vMerge val must be restart or continue")
    if local == "jc" and element.get(f"{{{W}}}val") in ("start", "end"):
        found.append(
            f"{_where(element)}: jc val {element.get(f'{{{W}}}val')!r} is strict-only, "
            "Word 2007/2010 reject it (use left/right)"
        )
    parent = element.getparent()
    parent_local = None if parent is None else etree.QName(parent).localname
    if parent_local in ("pPr", "rPr", "checkBox", "ffData", "trPr", "tcPr", "sectPr"):
        value = element.get(f"{{{W}}}val")
        on_off = {"b", "i", "keepNext", "keepLines", "pageBreakBefore", "enabled", "calcOnExit"}
        on_off |= {"cantSplit", "tblHeader", "sizeAuto", "default", "checked", "noProof"}
        if local in on_off and value is not None and value.lower() not in _ON_OFF:
            found.append(f"{_where(element)}: on/off value {value!r} is not a boolean")
    for attribute in NUMERIC_ATTRIBUTES.get(local, ()):
        value = element.get(f"{{{W}}}{attribute}")
        if value is not None and not _MEASURE.match(value):
            found.append(f"{_where(element)}: {local} {attribute}={value!r} is not a whole number")
    coloured = ("val",) if local == "color" else ("color", "fill")
    for attribute in coloured if local in ("color", "shd", "bdr", *_BORDER_NAMES) else ():
        value = element.get(f"{{{W}}}{attribute}")
        if value is not None and not _HEX_COLOR.match(value):
            found.append(f"{_where(element)}: {local} {attribute}={value!r} is not auto or RRGGBB")
    if local == "name" and parent_local == "ffData":
        value = element.get(f"{{{W}}}val") or ""
        if len(value) > 20:
            found.append(
                f"{_where(element)}: form field name {value!r} exceeds Word's 20 characters"
            )
    if local == "bookmarkStart" and len(element.get(f"{{{W}}}name") or "") > 40:
        found.append(f"{_where(element)}: bookmark name exceeds Word's 40 characters")
    return found


def _text(element: etree._Element) -> list[str]:
    """Spaces at either end of a text element need ``xml:space="preserve"``."""
    if element.tag not in (f"{{{W}}}t", f"{{{W}}}instrText", f"{{{W}}}delText"):
        return []
    text = element.text or ""
    if text != text.strip(_SPACES) and element.get(f"{{{XML}}}space") != "preserve":
        return [
            f"{_where(element)}: text {text!r} starts or ends with a space but lacks "
            'xml:space="preserve" (Word would drop the space)'
        ]
    if len(element):
        return [f"{_where(element)}: a text element holds child elements"]
    return []


def _references(element: etree._Element, rels: dict[str, tuple[str, str]]) -> list[str]:
    found: list[str] = []
    for attribute, value in element.attrib.items():
        if attribute.startswith(f"{{{R}}}") and value not in rels:
            name = etree.QName(attribute).localname
            found.append(
                f"{_where(element)}: r:{name} {value!r} has no relationship in the part's .rels"
            )
    r_id = element.get(f"{{{R}}}id")
    if r_id is None or r_id not in rels:
        return found
    rel_type, mode = rels[r_id]
    local = etree.QName(element).localname
    wanted = {
        "footerReference": "footer",
        "headerReference": "header",
        "hyperlink": "hyperlink",
    }.get(local)
    if wanted and rel_type != REL_TYPE + wanted:
        found.append(
            f"{_where(element)}: r:id {r_id!r} points at a {rel_type} relationship, not a {wanted}"
        )
    if local == "hyperlink" and mode != "External":
        found.append(f'{_where(element)}: hyperlink {r_id!r} lacks TargetMode="External"')
    return found


def _style_reference(element: etree._Element, style_ids: set[str]) -> list[str]:
    if element.tag not in (f"{{{W}}}pStyle", f"{{{W}}}rStyle", f"{{{W}}}tblStyle"):
        return []
    value = element.get(f"{{{W}}}val")
    if value not in style_ids:
        return [f"{_where(element)}: style {value!r} is not defined in styles.xml"]
    return []


def _bookmarks(root: etree._Element) -> list[str]:
    """Bookmark ids unique and paired, names unique, each start before its end."""
    found: list[str] = []
    starts: dict[str, etree._Element] = {}
    names: dict[str, str] = {}
    ended: set[str] = set()
    for element in root.iter(f"{{{W}}}bookmarkStart", f"{{{W}}}bookmarkEnd"):
        bookmark_id = element.get(f"{{{W}}}id") or ""
        if element.tag == f"{{{W}}}bookmarkStart":
            name = element.get(f"{{{W}}}name") or ""
            if bookmark_id in starts:
                found.append(f"{_where(element)}: bookmark id {bookmark_id} used twice")
            if name in names:
                found.append(f"{_where(element)}: bookmark name {name!r} used twice")
            starts[bookmark_id] = element
            names[name] = bookmark_id
        else:
            if bookmark_id not in starts:
                found.append(
                    f"{_where(element)}: bookmarkEnd {bookmark_id} has no bookmarkStart before it"
                )
            elif bookmark_id in ended:
                found.append(f"{_where(element)}: bookmark {bookmark_id} ended twice")
            ended.add(bookmark_id)
    for bookmark_id, start in starts.items():
        if bookmark_id not in ended:
            found.append(f"{_where(start)}: bookmark {bookmark_id} never ends (no bookmarkEnd)")
    return found


def _fields(root: etree._Element) -> list[str]:
    """Complex fields: begin, optional separate, end, nested properly; instrText inside."""
    found: list[str] = []
    stack: list[tuple[etree._Element, bool]] = []
    for element in root.iter(f"{{{W}}}fldChar", f"{{{W}}}instrText"):
        if element.tag == f"{{{W}}}instrText":
            if not stack or stack[-1][1]:
                found.append(f"{_where(element)}: instrText outside a field's instruction part")
            continue
        kind = element.get(f"{{{W}}}fldCharType")
        if kind == "begin":
            stack.append((element, False))
        elif kind == "separate":
            if not stack:
                found.append(f"{_where(element)}: fldChar separate without a begin")
            elif stack[-1][1]:
                found.append(f"{_where(element)}: second fldChar separate in one field")
            else:
                stack[-1] = (stack[-1][0], True)
        elif kind == "end":
            if not stack:
                found.append(f"{_where(element)}: fldChar end without a begin")
            else:
                stack.pop()
    for begin, _ in stack:
        found.append(f"{_where(begin)}: field begun here never ends (no fldChar end)")
    for begin in root.iter(f"{{{W}}}fldChar"):
        data = begin.find(f"{{{W}}}ffData")
        if data is not None and begin.get(f"{{{W}}}fldCharType") != "begin":
            found.append(f"{_where(begin)}: ffData outside a fldChar begin")
    return found


def _table(tbl: etree._Element) -> list[str]:
    """Row widths match the grid; cells end with a paragraph; vertical merges continue a cell."""
    found: list[str] = []
    columns = len(tbl.findall(f"{{{W}}}tblGrid/{{{W}}}gridCol"))
    above: dict[int, tuple[str, int]] = {}
    for tr in tbl.iterchildren(f"{{{W}}}tr"):
        before = _number(tr.find(f"{{{W}}}trPr/{{{W}}}gridBefore"))
        after = _number(tr.find(f"{{{W}}}trPr/{{{W}}}gridAfter"))
        column = before or 0
        here: dict[int, tuple[str, int]] = {}
        for tc in tr.iterchildren(f"{{{W}}}tc"):
            span = _number(tc.find(f"{{{W}}}tcPr/{{{W}}}gridSpan")) or 1
            merge = tc.find(f"{{{W}}}tcPr/{{{W}}}vMerge")
            state = "none" if merge is None else merge.get(f"{{{W}}}val") or "continue"
            if state == "continue":
                previous = above.get(column)
                if previous is None or previous[0] == "none":
                    found.append(
                        f"{_where(tc)}: vMerge continue with no merged cell above it "
                        f"in grid column {column + 1}"
                    )
                elif previous[1] != span:
                    found.append(
                        f"{_where(tc)}: vMerge continue spans {span} columns, the cell "
                        f"above spans {previous[1]}"
                    )
            here[column] = (state, span)
            column += span
            blocks = [c for c in tc.iterchildren(etree.Element) if _name(c) not in ("tcPr", None)]
            if not blocks or _name(blocks[-1]) != "p":
                found.append(f"{_where(tc)}: a table cell must end with a paragraph (w:p)")
        column += after or 0
        if column != columns:
            found.append(f"{_where(tr)}: row covers {column} grid columns, tblGrid has {columns}")
        above = here
    return found


def _content_types(package: zipfile.ZipFile, names: set[str]) -> list[str]:
    """Every part has a content type; every override names a part that exists."""
    found: list[str] = []
    types = etree.fromstring(package.read("[Content_Types].xml"))
    defaults = {d.get("Extension", "").lower() for d in types.iter(f"{{{CONTENT_TYPES}}}Default")}
    overrides = {o.get("PartName", "") for o in types.iter(f"{{{CONTENT_TYPES}}}Override")}
    for name in sorted(names):
        if name.endswith("/") or name == "[Content_Types].xml":
            continue
        extension = name.rsplit(".", 1)[-1].lower()
        if f"/{name}" not in overrides and extension not in defaults:
            found.append(f"[Content_Types].xml: part /{name} has no content type")
    for override in sorted(overrides):
        if override.lstrip("/") not in names:
            found.append(f"[Content_Types].xml: override for missing part {override}")
    given = {
        o.get("PartName", ""): o.get("ContentType", "")
        for o in types.iter(f"{{{CONTENT_TYPES}}}Override")
    }
    for pattern, wanted in PART_TYPES.items():
        for name in sorted(names):
            if re.fullmatch(pattern, name) and given.get(f"/{name}") not in wanted:
                found.append(
                    f"[Content_Types].xml: /{name} has content type "
                    f"{given.get(f'/{name}')!r}, Word expects {' or '.join(wanted)}"
                )
    root_rels = etree.fromstring(package.read("_rels/.rels")) if "_rels/.rels" in names else None
    main = (
        []
        if root_rels is None
        else [
            rel.get("Target", "").lstrip("/")
            for rel in root_rels.iter(f"{{{PKG_REL}}}Relationship")
            if rel.get("Type") == REL_TYPE + "officeDocument"
        ]
    )
    if main != ["word/document.xml"]:
        found.append(
            f"_rels/.rels: the officeDocument relationship must target "
            f"word/document.xml once (found {main})"
        )
    return found


def _core_properties(package: zipfile.ZipFile) -> list[str]:
    """docProps/core.xml: dcterms dates typed W3CDTF and well formed; no other xsi:type."""
    found: list[str] = []
    if "docProps/core.xml" not in package.namelist():
        return found
    core = _parse(package, "docProps/core.xml", found)
    if core is None:
        return found
    if core.tag != f"{{{CORE}}}coreProperties":
        found.append("docProps/core.xml: root is not cp:coreProperties")
    seen: set[str] = set()
    for element in core:
        tag = etree.QName(element)
        if element.tag in seen:
            found.append(f"docProps/core.xml: {tag.localname} appears twice")
        seen.add(element.tag)
        if tag.namespace not in (CORE, DC, DCTERMS):
            found.append(f"docProps/core.xml: unexpected element {element.tag}")
        xsi_type = element.get(f"{{{XSI}}}type")
        if tag.namespace == DCTERMS and tag.localname in ("created", "modified"):
            prefix = element.nsmap and {v: k for k, v in element.nsmap.items()}.get(DCTERMS)
            if xsi_type != f"{prefix}:W3CDTF":
                found.append(
                    f'docProps/core.xml: dcterms:{tag.localname} needs xsi:type="dcterms:W3CDTF"'
                )
            if not _W3CDTF.match((element.text or "").strip()):
                found.append(
                    f"docProps/core.xml: dcterms:{tag.localname} value "
                    f"{element.text!r} is not a W3CDTF date"
                )
        elif xsi_type is not None:
            found.append(f"docProps/core.xml: {tag.localname} must not carry xsi:type")
        if tag.localname == "revision" and not (element.text or "").strip().isdigit():
            found.append(f"docProps/core.xml: revision {element.text!r} is not a whole number")
    return found


def _relationships(
    package: zipfile.ZipFile, part: str, names: set[str], found: list[str]
) -> dict[str, tuple[str, str]]:
    """Id -> (type, target mode) of a part's relationships; internal targets must exist."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in names:
        return {}
    root = _parse(package, rels_name, found)
    rels: dict[str, tuple[str, str]] = {}
    for rel in [] if root is None else root.iter(f"{{{PKG_REL}}}Relationship"):
        rel_id, target = rel.get("Id", ""), rel.get("Target", "")
        mode = rel.get("TargetMode", "Internal")
        if rel_id in rels:
            found.append(f"{rels_name}: relationship id {rel_id} used twice")
        rels[rel_id] = (rel.get("Type", ""), mode)
        if mode == "External":
            continue
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            found.append(
                f'{rels_name}: {rel_id} targets {target!r} but lacks TargetMode="External"'
            )
            continue
        resolved = posixpath.normpath(posixpath.join(folder, target)).lstrip("/")
        if target.startswith("/"):
            resolved = target.lstrip("/")
        if resolved not in names:
            found.append(f"{rels_name}: {rel_id} targets missing part {resolved}")
    return rels


def _style_ids(styles: etree._Element, found: list[str]) -> set[str]:
    ids: set[str] = set()
    defaults: dict[str, int] = {}
    for style in styles.iter(f"{{{W}}}style"):
        style_id = style.get(f"{{{W}}}styleId") or ""
        if style_id in ids:
            found.append(f"word/styles.xml: style id {style_id!r} defined twice")
        ids.add(style_id)
        if (style.get(f"{{{W}}}default") or "").lower() in ("1", "true", "on"):
            kind = style.get(f"{{{W}}}type") or "paragraph"
            defaults[kind] = defaults.get(kind, 0) + 1
    for kind, count in defaults.items():
        if count > 1:
            found.append(f"word/styles.xml: {count} default {kind} styles")
    return ids


def _parse(package: zipfile.ZipFile, name: str, found: list[str]) -> etree._Element | None:
    data = package.read(name)
    text = data.decode("utf-8", errors="replace")
    for match in _INVALID_XML_CHAR.finditer(text):
        found.append(
            f"{name}: character U+{ord(match.group()):04X} at offset {match.start()} "
            "is not allowed in XML 1.0"
        )
    for match in _INVALID_CHAR_REF.finditer(text):
        found.append(
            f"{name}: character reference {match.group()} at offset {match.start()} "
            "is not allowed in XML 1.0"
        )
    try:
        return etree.fromstring(data)
    except etree.XMLSyntaxError as error:
        found.append(f"{name}: not well-formed XML: {error}")
        return None


def _name(element: etree._Element) -> str | None:
    """Local name for ``w`` children, ``prefix:name`` for known others, None for extensions."""
    if not isinstance(element.tag, str):
        return None
    qname = etree.QName(element)
    if qname.namespace == W:
        return qname.localname
    prefix = PREFIXES.get(qname.namespace or "")
    return None if prefix is None else f"{prefix}:{qname.localname}"


def _number(element: etree._Element | None) -> int | None:
    if element is None:
        return None
    value = element.get(f"{{{W}}}val") or ""
    return int(value) if value.lstrip("-").isdigit() else None


def _order_text(order: tuple[str, ...]) -> str:
    shown = [names if len(names) < 30 else names.split("|")[0] + "|…" for names in order]
    return ", ".join(shown)


def _where(element: etree._Element) -> str:
    """Element path, with the text of the paragraph it sits in (or follows) to find it."""
    path = element.getroottree().getpath(element)
    near = _nearby_text(element)
    return f"{path} (near « {near} »)" if near else path


def _nearby_text(element: etree._Element) -> str:
    for ancestor in _self_and_ancestors(element):
        if ancestor.tag in (f"{{{W}}}p", f"{{{W}}}tc", f"{{{W}}}tbl", f"{{{W}}}tr"):
            text = "".join(ancestor.itertext()).strip()
            if text:
                return text[:50]
    previous = element.getprevious()
    while previous is not None:
        text = "".join(previous.itertext()).strip()
        if text:
            return text[:50]
        previous = previous.getprevious()
    return ""


def _self_and_ancestors(element: etree._Element) -> Iterator[etree._Element]:
    current: etree._Element | None = element
    while current is not None:
        yield current
        current = current.getparent()
