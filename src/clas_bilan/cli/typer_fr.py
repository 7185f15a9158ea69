"""Typer and click in French: their built-in help texts, panel titles and usage errors.

Typer's rich layer (markdown, tracebacks, pretty printing) is heavy: it is imported only
when a help or an error panel is printed, never to run a command.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

_FRENCH_HELP = {
    "help": "Affiche ce message et quitte.",
    "install_completion": "Installe la complétion des commandes pour le terminal utilisé.",
    "show_completion": "Affiche le script de complétion du terminal utilisé, à copier.",
}


def _french_panels() -> None:
    """Typer's own panel titles in French (imports typer's rich layer: only when printing)."""
    from typer import rich_utils

    rich_utils.COMMANDS_PANEL_TITLE = "Commandes"
    rich_utils.REQUIRED_LONG_STRING = "[obligatoire]"
    rich_utils.ERRORS_PANEL_TITLE = "Erreur"
    rich_utils.DEFAULT_STRING = "[par défaut : {}]"
    rich_utils.ENVVAR_STRING = "[variable d'environnement : {}]"
    rich_utils.ABORTED_TEXT = "Abandon."
    rich_utils.RICH_HELP = "Aide : [blue]{command_path} {help_option}[/]"
    rich_utils.RANGE_STRING = ""  # « [1<=x<=65535] »: each option's help says its range in French


_FRENCH_USAGE = (
    (r"Value error, ", ""),
    (r"No such command '([^']+)'\.", r"Commande inconnue « \1 »."),
    (r"Did you mean '([^']+)'\?", r"Vouliez-vous dire « \1 » ?"),
    (r"Missing argument '([^']+)'\.", r"Argument manquant : \1"),
    (r"Missing option '([^']+)'\.", r"Option manquante : \1"),
    (r"No such option: (\S+)", r"Option inconnue : \1"),
    (r"\(Possible options: (.+)\)", r"(options possibles : \1)"),
    (r"Invalid value for '([^']+)': ", r"Valeur invalide pour « \1 » : "),
    (r"Invalid value for ([^:]+): ", r"Valeur invalide pour \1 : "),
    (r"Input should be a valid integer.*", "nombre entier attendu."),
    (r"Input should be a valid number.*", "nombre attendu."),
    (r"'([^']*)' is not a valid integer(?: range)?\.", r"« \1 » n'est pas un nombre entier."),
    (r"'([^']*)' is not a valid float(?: range)?\.", r"« \1 » n'est pas un nombre."),
    (r"'([^']*)' is not one of (.+)\.", r"« \1 » n'est pas une des valeurs possibles : \2."),
    (r"(\S+) is not in the range (.+)\.", r"\1 n'est pas dans l'intervalle \2."),
    (r"Option '([^']+)' requires an argument\.", r"L'option « \1 » attend une valeur."),
    (r"Option '([^']+)' does not take a value\.", r"L'option « \1 » ne prend pas de valeur."),
    (r"Got unexpected extra argument(?:\(s\)|s)? \((.+)\)", r"Argument en trop : \1"),
    (r"Input should be greater than or equal to (\S+)", r"la valeur doit être au moins \1."),
    (r"Input should be less than or equal to (\S+)", r"la valeur doit être au plus \1."),
    (r"Input should be greater than (\S+)", r"la valeur doit dépasser \1."),
    (r"Path '([^']+)' does not exist\.", r"Le chemin « \1 » n'existe pas."),
)


def _french_usage_error(error: Exception) -> None:
    """Translate a usage error raised by typer's parser, so it is shown in French."""
    import re

    format_message = getattr(error, "format_message", None)
    if not callable(format_message):
        return
    text = str(format_message())
    for pattern, replacement in _FRENCH_USAGE:
        text = re.sub(pattern, replacement, text)
    error.format_message = lambda: text  # type: ignore[attr-defined]


def _translate(params: list[Any]) -> None:
    """French help texts, and no Python type names (``<bool>``, ``<path>``) in the help."""
    for param in params:
        if param.name in _FRENCH_HELP and hasattr(param, "help"):
            param.help = _FRENCH_HELP[param.name]
        if getattr(param, "is_flag", False):
            param.metavar = ""  # a flag takes no value: nothing to show after its name
        elif param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None  # its name (FICHIER, BILAN) says it


class FrenchGroup(TyperGroup):
    """Typer's group with its built-in option texts (help, completion) in French."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's options, their texts in French."""
        params = super().get_params(ctx)
        _translate(params)
        return params

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse the arguments; a usage error is told in French."""
        try:
            return super().parse_args(ctx, args)
        except typer.Exit:
            raise
        except Exception as error:
            _french_panels()
            _french_usage_error(error)
            raise

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a usage error typer raises on the way is told in French."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            if type(error).__module__.startswith("typer."):
                _french_panels()
                _french_usage_error(error)
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The app's help, in French, naming the current campaign."""
        _french_panels()
        self.help = _yearly(self.help)
        super().format_help(ctx, formatter)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """A command, its options' texts and help panels in French."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _translate(command.get_params(ctx))
            if not hasattr(command.format_help, "french"):
                command.format_help = _in_french(command.format_help)  # type: ignore[method-assign]
        return command


def _yearly(text: str | None) -> str | None:
    """A help text naming the current campaign where it says {annee} or {campagne}.

    Filled only when help is shown, so that running a command (or ``--version``) does not
    load the campaigns' forms.
    """
    if not text or "{" not in text:
        return text
    from clas_bilan import campaigns

    campaign = campaigns.current()
    return text.replace("{annee}", campaign.label).replace("{campagne}", campaign.code)


def _in_french(format_help: Any) -> Any:
    """A command's ``format_help`` that sets typer's panels in French first.

    Only a command's help needs typer's rich layer: running the command does not import it.
    """

    def french_help(ctx: Any, formatter: Any) -> None:
        _french_panels()
        for param in ctx.command.params:
            if getattr(param, "help", None):
                param.help = _yearly(param.help)
        format_help(ctx, formatter)

    french_help.french = True  # type: ignore[attr-defined]
    return french_help
