"""Command-line interface: the commands, what they print, typer in French.

``commands`` holds the typer app and one function a command, ``output`` the consoles and
the report printing, ``typer_fr`` typer's and click's own texts in French.
"""

from clas_bilan.cli.commands import app
from clas_bilan.cli.output import err, out, print_report
from clas_bilan.cli.start import main

__all__ = ["app", "err", "main", "out", "print_report"]
