"""clas-bilan: fill the Caf's "Bilan CLAS" form from a YAML answers file."""

__version__ = "0.1.0"
