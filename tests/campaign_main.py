"""``python -m clas_bilan`` in another process of a run under a made-up campaign.

``helpers_campaign.command()`` runs ``campaign_main.py CODE FOLDER ARGUMENTS…``: the process
registers the campaign ``tests/conftest.py`` installed in FOLDER, then runs the tool.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import helpers_campaign
from clas_bilan.cli import main

if __name__ == "__main__":
    code, folder = sys.argv[1:3]
    del sys.argv[1:3]
    helpers_campaign.attach(code, Path(folder))
    main()
