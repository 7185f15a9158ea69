"""Command-line interface: the commands, what they print, typer in French.

``common`` holds the typer app and what every command shares; one module a command family
holds its commands: ``answers`` (init, validate, schema), ``document`` (render, extract),
``sending`` (email, pdf), ``caf`` (synthese), ``web`` (formulaire). ``output`` holds the
consoles and the report printing, ``typer_fr`` typer's and click's own texts in French.
"""

import importlib
import io
import os
import sys
import types
from typing import Any

# Each module registers its commands when imported: in the order ``--help`` lists them.
from clas_bilan.cli import answers, document, sending, caf, web  # noqa: F401  # isort: skip
from clas_bilan.cli.common import app, state
from clas_bilan.cli.output import err, out, print_report
from clas_bilan.cli.start import begin
from clas_bilan.errors import UserError

__all__ = ["app", "err", "main", "out", "print_report"]


def _no_pydantic_plugins() -> None:
    """Pydantic looks for no plugin: the tool uses none, and looking costs start-up time.

    Pydantic looks for plugins in every installed package's metadata when the first model
    is built. Told not to, it still imports its plugin loader, and with it
    ``importlib.metadata`` (email, csv, socket…): about a tenth of a ``validate`` process.
    With plugins off, that loader would find none: a loader finding none stands in for it.
    Anything else asked of it (a later pydantic may ask more) loads pydantic's own loader.
    A user's own setting wins (pydantic then loads its own loader as usual).
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] != "__all__":
        return
    name = "pydantic.plugin._loader"
    loader = types.ModuleType(name, "No pydantic plugin (clas-bilan).")

    def pydantic_own(attribute: str) -> Any:
        if attribute.startswith("__"):  # the import system asks (« __path__ »): not a package
            raise AttributeError(attribute)
        if sys.modules.get(name) is loader:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attribute)

    loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
    loader.__getattr__ = pydantic_own  # type: ignore[method-assign]
    sys.modules.setdefault(name, loader)


def main() -> None:
    """Entry point of the ``clas-bilan`` program (console script and built application)."""
    begin()
    _no_pydantic_plugins()
    for stream in (sys.stdout, sys.stderr):
        # A console or pipe in cp850/cp1252 cannot show every character: degrade, never crash.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        app()
    except UserError as error:  # raised outside a command (should not happen)
        if state["debug"]:
            raise
        err.print(f"Erreur : {error.message}")
        sys.exit(error.exit_code)
