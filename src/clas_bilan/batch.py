"""Render many answers files in one go: the template parsed once, every file tried.

One bad file never stops the others: each input gets an ``Outcome`` holding either
the bilan written or the French reason why none was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clas_bilan import checks
from clas_bilan.errors import UsageError, UserError
from clas_bilan.render import default_name, open_template, render_document
from clas_bilan.report import Finding

SUFFIXES = (".yaml", ".yml")
"""Answers files picked up in a folder."""

_SHOWN_ERRORS = 3


@dataclass(frozen=True)
class Outcome:
    """What became of one answers file: the bilan written, or why none was."""

    source: Path
    output: Path | None = None
    problem: str | None = None
    warnings: int = 0
    notes: tuple[str, ...] = ()
    """What to know about the copy of the form filled (parts missing, signature block added)."""

    @property
    def ok(self) -> bool:
        """True when the bilan was written."""
        return self.output is not None


@dataclass
class BatchResult:
    """Every input's outcome, in input order."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def written(self) -> list[Outcome]:
        """Inputs whose bilan was written."""
        return [outcome for outcome in self.outcomes if outcome.ok]

    @property
    def failed(self) -> list[Outcome]:
        """Inputs for which no bilan was written."""
        return [outcome for outcome in self.outcomes if not outcome.ok]

    @property
    def exit_code(self) -> int:
        """0 when every bilan was written, 1 when any failed."""
        return 1 if self.failed else 0


def collect(paths: Iterable[Path]) -> list[Path]:
    """Answers files named by ``paths``: files as given, folders by their .yaml/.yml files."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted(
            child
            for child in path.iterdir()
            if child.suffix.lower() in SUFFIXES
            and child.is_file()
            and not child.name.startswith(".")
        )
        if not inside:
            raise UsageError(
                f"le dossier « {path} » ne contient aucun fichier de réponses (.yaml).",
                hint="créez-en un avec « clas-bilan init », ou indiquez les fichiers un à un.",
            )
        found.extend(inside)
    return found


class Template:
    """The form opened once; each ``copy()`` is a fresh document to fill."""

    def __init__(self, path: Path | None = None) -> None:
        opened = open_template(path)
        self._document, self.name, self.kept = opened.document, opened.name, opened.kept

    def copy(self) -> Any:
        """An independent copy of the opened form (deep copy: faster than parsing again)."""
        return copy.deepcopy(self._document)


def render_batch(
    inputs: Sequence[Path],
    output_dir: Path | None,
    *,
    template: Path | None = None,
    force: bool = False,
    on_progress: Callable[[Outcome], None] | None = None,
    debug: bool = False,
) -> BatchResult:
    """Validate and render each answers file into ``output_dir``, going on past failures.

    ``output_dir`` None writes each bilan beside its answers file. ``debug`` lets an
    unexpected error (a bug, not a user's mistake) out with its traceback.
    """
    if output_dir is not None:
        _prepare(output_dir)
    form = Template(template)
    result = BatchResult()
    claimed: dict[Path, Path] = {}
    for source in inputs:
        outcome = _one(source, output_dir, form, force, claimed, debug)
        result.outcomes.append(outcome)
        if on_progress is not None:
            on_progress(outcome)
    return result


def _prepare(output_dir: Path) -> None:
    """Create the output folder if only its last level is missing; refuse anything else."""
    if output_dir.is_dir():
        return
    if output_dir.exists():
        raise UsageError(f"« {output_dir} » est un fichier, pas un dossier de sortie.")
    if not output_dir.parent.is_dir():
        raise UsageError(
            f"le dossier « {output_dir.parent} » n'existe pas.",
            hint="vérifiez le chemin donné avec -o.",
        )
    try:
        output_dir.mkdir()
    except OSError as error:
        raise UsageError(
            f"impossible de créer le dossier de sortie « {output_dir} » ({error.strerror})."
        ) from error


def _one(
    source: Path,
    output_dir: Path | None,
    form: Template,
    force: bool,
    claimed: dict[Path, Path],
    debug: bool,
) -> Outcome:
    warnings = 0
    try:
        report = checks.validate_file(source)
        warnings = len(report.warnings)
        if report.answers is None or report.errors:
            return Outcome(source, problem=_errors(report.errors), warnings=warnings)
        target = (output_dir or source.parent) / default_name(report.answers)
        if target in claimed:
            return Outcome(
                source,
                problem=f"le bilan « {target.name} » est déjà celui de "
                f"« {claimed[target].name} » (même équipement) : il n'a pas été remplacé ; "
                "vérifiez equipement.nom dans les deux fichiers.",
                warnings=warnings,
            )
        claimed[target] = source
        notes: list[str] = []
        output = render_document(
            form.copy(),
            report.answers,
            target,
            name=form.name,
            kept=form.kept,
            force=force,
            base=source.parent,
            warnings=notes,
        )
        warnings += len(notes)
    except UserError as error:
        hint = f" Conseil : {error.hint}" if error.hint else ""
        return Outcome(source, problem=f"{error.message}{hint}", warnings=warnings)
    except Exception as error:  # one faulty file must not stop the others
        if debug:
            raise
        return Outcome(
            source,
            problem=f"erreur inattendue ({type(error).__name__}). Conseil : relancez la commande "
            "sur ce seul fichier avec --debug et signalez-nous le message affiché.",
            warnings=warnings,
        )
    return Outcome(source, output=output, warnings=warnings, notes=tuple(notes))


def _errors(errors: Sequence[Finding]) -> str:
    shown = "\n".join(f"  - {finding.text()}" for finding in errors[:_SHOWN_ERRORS])
    more = (
        f"\n  … et {len(errors) - _SHOWN_ERRORS} autre(s)." if len(errors) > _SHOWN_ERRORS else ""
    )
    return f"{len(errors)} erreur(s) dans les réponses :\n{shown}{more}"
