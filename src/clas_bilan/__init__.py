"""clas-bilan: fill the Caf's "Bilan CLAS" form from a YAML answers file."""

__version__ = "0.1.0"
SCHEMA_FILE = "clas-bilan-schema.json"
"""File name the ``# yaml-language-server: $schema=`` line of init's output points to."""
