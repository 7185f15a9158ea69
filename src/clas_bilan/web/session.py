"""What the browser form does with the answers file, without any HTTP: the core of the page.

One :class:`Session` a run of ``clas-bilan formulaire``: the answers file it edits and
the files produced from it. Only these paths are ever read or written; the browser never
names a file. The server keeps no memory of which version of the file a page holds: each
page names it (the sha256 of the bytes it was built from or last saved) with every save,
so that two tabs, a reload or another editor can never overwrite each other in silence.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clas_bilan import campaigns, checks, files, keys, scaffold, textfile, yamlvalues
from clas_bilan.errors import UsageError
from clas_bilan.report import Report
from clas_bilan.values import level_key
from clas_bilan.web import fields

DRAFT_SUFFIX = ".brouillon"
"""Beside ``reponses.yaml``, ``reponses.yaml.brouillon`` keeps what could not be saved."""


class Conflict(Exception):
    """The answers file is no longer the version the page named: the user must choose."""

    def __init__(self, name: str, version: str | None, draft: str | None) -> None:
        super().__init__(name)
        self.version = version
        """The version on disk now: naming it in a save is the user's choice to replace it."""
        self.draft = draft
        """The draft the page's answers were written to (None: an earlier one is kept there)."""


class Exists(Exception):
    """A file to produce exists already: the user must agree to replace it."""

    def __init__(self, path: Path, version: str | None = None) -> None:
        super().__init__(path.name)
        self.path = path
        self.version = version
        """The answers file's version, saved before the question was asked."""


def answers_text(values: Mapping[str, Any]) -> str:
    """The answers file's text for the page's values, saved as typed even when invalid."""
    return scaffold.answers_text(values)


def file_bytes(values: Mapping[str, str]) -> bytes:
    """The answers file's bytes for the page's values, refused before any write.

    UsageError when the file cannot keep them (half of an emoji) or would be larger than
    ``validate`` reads.
    """
    for key, value in values.items():
        textfile.check_keepable(value, campaigns.label(key))
    data = answers_text(fields.nest(values)).encode("utf-8")
    if len(data) > textfile.MAX_BYTES:
        raise textfile.too_big_to_keep(len(data))
    return data


def version_of(data: bytes | None) -> str | None:
    """The version of a file's bytes as pages name it (None: there is no file)."""
    return None if data is None else hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UsageError(
            f"impossible de lire « {path} » ({files.reason(error)}).",
        ) from None


@dataclass
class Session:
    """The answers file a run of the form edits, and what it knows of it."""

    path: Path
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    outputs: dict[str, Path] = field(default_factory=dict)
    """Files produced in this run, by kind (docx, pdf, eml): the only ones offered."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    earlier_draft: bool = field(init=False)
    """A draft left by an earlier run, on which the user has not decided yet: never replaced."""

    def __post_init__(self) -> None:
        self.earlier_draft = self.draft.is_file()

    @property
    def draft(self) -> Path:
        """The draft beside the answers file, written when saving was not possible."""
        return self.path.with_name(self.path.name + DRAFT_SUFFIX)

    @property
    def folder(self) -> Path:
        """The answers file's whole folder: where the bilan and the e-mail are written too."""
        return self.path.absolute().parent

    @property
    def key(self) -> str:
        """A name for this answers file that stays the same from run to run (the page's journal)."""
        return hashlib.sha256(str(self.path.resolve()).encode("utf-8")).hexdigest()[:16]

    def values(self) -> tuple[dict[str, str], str | None]:
        """The file's answers as the page's texts, and the version they were read from."""
        data = _read(self.path)
        if data is None:
            raise UsageError(
                f"le fichier de réponses « {self.path} » n'existe plus.",
                hint="remettez-le en place, ou arrêtez le formulaire (Ctrl+C) et relancez-le "
                "pour en créer un nouveau.",
            )
        text, _ = textfile.decode(data, self.path.name)
        return page_values(self.path, text), version_of(data)

    def draft_values(self) -> dict[str, str] | None:
        """The draft's answers as the page's texts, when a previous run left one."""
        if not self.draft.is_file():
            return None
        text, _ = textfile.read_text(self.draft)
        try:
            return page_values(self.draft, text)
        except UsageError:
            return None

    def check(self, values: Mapping[str, str]) -> Report:
        """Run ``validate``'s loading and checks on the page's values, as if saved."""
        return checks.validate_text(answers_text(fields.nest(values)), self.path)

    def save(
        self, values: Mapping[str, str], base: str | None, *, drop_draft: bool = False
    ) -> str | None:
        """Write the answers file over version ``base``; its new version.

        The file is no longer ``base`` (another tab, another program): Conflict, and the
        page's answers go to the draft. Unless the file already holds exactly these
        answers (a save that reached it before): nothing to write, nothing lost. A file
        that cannot be read: UsageError, the draft kept too. The draft is deleted only
        when ``drop_draft`` says the user has decided about it.
        """
        text = file_bytes(values)
        with self.lock:
            try:
                data = _read(self.path)
            except UsageError as error:
                kept = self._keep(text)
                raise UsageError(error.message, hint=self._kept_hint(kept)) from None
            if data != text:
                if version_of(data) != base:
                    kept = self._keep(text)
                    raise Conflict(self.path.name, version_of(data), kept)
                files.write_atomic(self.path, text, force=True)
            if drop_draft:
                self._drop_draft()
        return version_of(text)

    def keep_draft(self, values: Mapping[str, str]) -> str | None:
        """Write the page's answers to the draft only, while the user has not chosen; its name."""
        text = file_bytes(values)
        with self.lock:
            return self._keep(text)

    def _keep(self, text: bytes) -> str | None:
        """Write the draft, unless it holds an earlier run's answers not yet decided on."""
        if self.earlier_draft:
            return None
        files.write_atomic(self.draft, text, force=True)
        return self.draft.name

    def _kept_hint(self, draft: str | None) -> str:
        where = f"dans « {draft} » et dans cette page" if draft else "dans cette page"
        return f"vos réponses sont gardées {where} ; rendez-le lisible pour les y enregistrer."

    def _drop_draft(self) -> None:
        self.draft.unlink(missing_ok=True)
        self.earlier_draft = False

    def forget_draft(self) -> None:
        """Delete the draft the user chose not to take back (or whose answers are saved)."""
        with self.lock:
            self._drop_draft()

    def produce(
        self, values: Mapping[str, str], base: str | None, *, replace: bool = False
    ) -> tuple[Report, str | None]:
        """Save over ``base``, then write the bilan (.docx, .pdf with LibreOffice) as ``render``.

        Returns the report and the file's new version; nothing is produced while the report
        has errors. Raises Exists when a file to write is already there and ``replace`` is
        not given.
        """
        from clas_bilan import render
        from clas_bilan.pdf import find_soffice, to_pdf

        version = self.save(values, base)
        report = self.check(values)
        if report.errors or report.answers is None:
            return report, version
        docx = self.path.parent / render.default_name(report.answers)
        pdf = docx.with_suffix(".pdf") if find_soffice() else None
        for target in (docx, pdf):
            if target is not None and target.exists() and not replace:
                raise Exists(target, version)
        with self.lock:
            self.outputs.pop("eml", None)
            self.outputs["docx"] = render.render(
                report.answers, docx, force=replace, base=self.path.parent
            )
            if pdf is not None:
                self.outputs["pdf"] = to_pdf(docx, pdf)
        return report, version

    def email(self, *, replace: bool = False) -> tuple[Path, list[str]]:
        """Write the e-mail draft (.eml) to the Caf with the bilan produced here, as ``email``.

        The bilan's PDF copy made in this run goes with it, as ``email --joindre`` would
        attach it (not once the bilan is newer). Returns the draft and the names attached.
        """
        from clas_bilan import mailing
        from clas_bilan.pdf import older

        docx = self.outputs.get("docx")
        if docx is None or not docx.is_file():
            raise UsageError(
                "le bilan n'a pas encore été produit.",
                hint="cliquez d'abord sur « Produire le bilan ».",
            )
        target = docx.with_suffix(".eml")
        if target.exists() and not replace:
            raise Exists(target)
        pdf = self.outputs.get("pdf")
        copies = [pdf] if pdf is not None and pdf.is_file() and not older(pdf, docx) else []
        answers, _ = mailing.answers_of(docx)
        message = mailing.build_draft(docx, sender=None, answers=answers, extra=copies)
        with self.lock:
            self.outputs["eml"] = mailing.write_draft(message, target, force=True)
        return target, [str(part.get_filename()) for part in message.iter_attachments()]


def page_values(path: Path, text: str) -> dict[str, str]:
    """The answers of a file's text as the page's texts; UsageError when the page cannot show it.

    The page shows every answer the form has: a file it cannot read, or with keys the
    form does not have, is refused so that saving from the page never drops anything.
    """
    data, _, findings, _ = yamlvalues.parse(text)
    errors = [finding for finding in findings if finding.is_error]
    if errors:
        raise UnreadableFile(path, checks.validate_text(text, path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UnreadableFile(path, checks.validate_text(text, path))
    known = fields.all_patterns()
    values: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in fields.flatten(data).items():
        level = keys.name(key)
        if key == keys.child("public.inscrits", level):
            key = keys.child("public.inscrits", level_key(level))
        if fields.pattern_of(key) in known:
            values[key] = value
        elif value != "":  # an empty section or key holds nothing to lose
            unknown.append(key)
    if unknown:
        raise UnreadableFile(path, checks.validate_text(text, path), sorted(unknown))
    return values


class UnreadableFile(UsageError):
    """The answers file cannot be shown in the page without losing something."""

    def __init__(self, path: Path, report: Report, unknown: list[str] | None = None) -> None:
        if unknown:
            message = (
                f"« {path.name} » contient des clés que le formulaire ne connaît pas : "
                + ", ".join(unknown)
                + "."
            )
        else:
            message = f"« {path.name} » ne peut pas être lu comme un fichier de réponses."
        super().__init__(
            message,
            hint=f"corrigez d'abord le fichier (détail avec : clas-bilan validate {path.name}), "
            "puis relancez clas-bilan formulaire : rien ne sera perdu.",
            page_hint="il a été modifié hors de cette page : corrigez-le (ou annulez cette "
            "modification) dans le logiciel qui l'a modifié, puis rechargez cette page. "
            "Rien ne sera perdu.",
        )
        self.report = report
