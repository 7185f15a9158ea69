"""What the commands print: the consoles, user text as is, numbers in French, the report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from clas_bilan.values import format_rounded

if TYPE_CHECKING:
    from clas_bilan.report import Report


class _LazyConsole:
    """A rich Console made on first use, so that start-up does not import rich."""

    def __init__(self, **options: Any) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_console", None)

    def get(self) -> Any:
        """The rich Console itself, made now if needed."""
        if self._console is None:
            from rich.console import Console

            object.__setattr__(self, "_console", Console(**self._options))
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.get(), name, value)


# No emoji codes: « :fr: » in an answer is printed as typed (and rich's table of them is
# not loaded).
out: Any = _LazyConsole(highlight=False, soft_wrap=True, emoji=False)
err: Any = _LazyConsole(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def escape(text: str) -> str:
    """Text with rich markup characters escaped, to print user data as is."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def number(value: float | None, digits: int = 2) -> str:
    """French number: decimal comma, or « — » when unknown."""
    return "—" if value is None else format_rounded(value, digits)


def wrapped(text: str, indent: str = "", width: int | None = None) -> str:
    """``text`` cut into lines at the console's width, between words only.

    Keys and long words are never cut, and « and » never end up alone on a line.
    """
    import textwrap

    from clas_bilan.scaffold import FRENCH_SPACES

    width = width or max(int(out.width or 80), 40)
    protected = FRENCH_SPACES.sub("\u00a0", text.replace("\u00a0", " "))
    lines = textwrap.wrap(
        protected,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(line.replace("\u00a0", " ") for line in lines)


def print_report(report: Report, *, ready: bool = True) -> None:
    """Print every finding, errors first (red) then warnings (yellow), then the summary.

    Each finding is a short block, wrapped between words at the console's width:
    kind, line and question, then the key as in the file, then what to do. ``ready`` False
    leaves out « le fichier est prêt » when a step that can still fail follows.
    """
    errors, warnings = len(report.errors), len(report.warnings)
    if report.findings:
        out.print(
            escape(
                wrapped(
                    f"Contrôle de {report.path.name} : {errors} erreur(s), "
                    f"{warnings} avertissement(s)"
                )
            ),
            style="bold",
        )
    for finding in (*report.errors, *report.warnings):
        colour = "red" if finding.is_error else "yellow"
        kind = "Erreur" if finding.is_error else "Avertissement"
        where = f"ligne {finding.line}" if finding.line else "fichier"
        head = " — ".join(part for part in (kind, where, finding.short_label) if part)
        out.print("")
        out.print(escape(wrapped(head)), style=f"bold {colour}")
        if finding.place:
            out.print(escape(wrapped(finding.place, "  ")), style="dim")
        problem = finding.message + (f" {finding.hint}" if finding.hint else "")
        out.print(escape(wrapped(problem, "  ")))
    if report.findings:
        out.print("")
    summary = report.summary
    if summary is not None:
        room = max(int(out.width or 80), 40) - len("Moyenne par collectif") - 2
        sub = summary.subtotals
        inscrits = (
            f"Élémentaire {number(sub.get('elementaire'), 0)} · "
            f"Collège {number(sub.get('college'), 0)} · "
            f"Lycée {number(sub.get('lycee'), 0)} · "
            f"Autre {number(sub.get('autre'), 0)} · "
            f"TOTAL {number(summary.total, 0)}"
        )
        # Their number depends on the answers: sessions count when a formation was followed.
        questions = (
            f"{summary.answered} / {summary.questions} (les questions du formulaire qui "
            "s’appliquent à ce fichier)"
        )
        rows = [
            ("Questions renseignées", escape(wrapped(questions, width=room))),
            ("ETP salariés", number(summary.etp_salaries)),
            ("ETP bénévoles", number(summary.etp_benevoles)),
            ("Inscrits", escape(wrapped(inscrits, width=room))),
            ("Moyenne par collectif", f"{number(summary.average_per_collectif, 1)} enfant(s)"),
        ]
        for name, bonus in (("enfants", summary.bonus_enfants), ("parents", summary.bonus_parents)):
            verdict = "critères remplis" if bonus.eligible else "non remplis"
            text = escape(wrapped(f"{verdict} : {bonus.reason}", width=room))
            colour = "green" if bonus.eligible else "yellow"
            rows.append((f"Bonus {name}", f"[{colour}]{verdict}[/]{text[len(verdict) :]}"))
        out.print(_grid(rows), soft_wrap=False)
    if errors:
        out.print(
            escape(
                wrapped(
                    f"{errors} erreur(s), {warnings} avertissement(s) : corrigez les erreurs "
                    "avant de produire le bilan."
                )
            ),
            style="bold red",
        )
    elif warnings:
        out.print(
            escape(wrapped(f"Aucune erreur, {warnings} avertissement(s) à relire.")),
            style="yellow",
        )
    else:
        verdict = " : le fichier est prêt." if ready else "."
        out.print(f"[bold green]Aucune erreur, aucun avertissement{verdict}[/]")


def _grid(rows: list[tuple[str, str]]) -> str:
    """Labels in bold, each value after its label, its further lines aligned under it.

    Values are rich markup, cut into lines beforehand (rich's Table would cost its import).
    """
    width = max(len(label) for label, _ in rows)
    lines = []
    for label, value in rows:
        first, *others = value.split("\n")
        lines.append(f"[bold]{label}[/]{' ' * (width - len(label) + 2)}{first}")
        lines.extend(f"{' ' * (width + 2)}{line}" for line in others)
    return "\n".join(lines)


def progress_bar(label: str) -> Any:
    """The progress bar of commands that go through many files: « label ━━━━ 12/50 »."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, console=out.get(), transient=True)


def quoted(path: Path) -> str:
    """A path as the user would type it in a shell (quoted when it has spaces)."""
    text = str(path)
    return f'"{text}"' if " " in text else text
