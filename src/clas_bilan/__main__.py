"""Allow ``python -m clas_bilan``."""

from clas_bilan.cli import main

if __name__ == "__main__":  # synthese's worker processes import this module again on Windows
    main()
