"""Allow ``python -m clas_bilan``."""

from clas_bilan.cli import main

main()
