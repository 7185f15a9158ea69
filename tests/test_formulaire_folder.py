"""The page says in which folder the answers file is, and where the bilan and e-mail are written.

A coordinator who started the form with no argument never typed a path: the page names the
whole folder (as Windows' Explorer shows it), not only the file's name.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from helpers_answers import REFERENCE
from helpers_formulaire import running
from test_formulaire import _page_values, _post, _request, _version


def test_the_page_names_the_answers_file_s_folder_and_where_files_are_written(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "Bilan CLAS"
    folder.mkdir()
    answers = folder / "reponses.yaml"
    answers.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    with running(answers) as server:
        status, body = _request(server, "GET", "/")
        assert status == 200
        header = html.unescape(body.decode("utf-8").split('<p class="fichier">')[1])
        header = " ".join(re.sub(r"<[^>]+>", "", header.split("</p>")[0]).split())
        assert header.startswith(f"Fichier de réponses : reponses.yaml, dans le dossier {folder}.")
        saving = {"valeurs": _page_values(REFERENCE), "version": _version(answers)}
        status, produced = _post(server, "/api/produire", saving, server.token)
        assert status == 200 and produced["erreurs"] == 0, json.dumps(produced)[:500]
        assert produced["dossier"] == str(folder)
        status, mailed = _post(server, "/api/courriel", {}, server.token)
        assert status == 200 and mailed["dossier"] == str(folder)
