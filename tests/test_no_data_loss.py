"""No command ever leaves a half-written file or changes a file it was not allowed to change.

For every command that writes (init, schema, render, extract, email, pdf), and every way
a write can fail — the file exists, the folder is missing or refuses writing, the disk
fills midway, the file is held open by Word, Ctrl+C — the output path is exactly as
before (absent stays absent, an existing file keeps its bytes), no temporary file is
left behind, and the user reads a French message with exit code 2.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from clas_bilan import files, render
from clas_bilan.cli import app
from clas_bilan.errors import AnswersError, OutputError, WouldOverwrite
from clas_bilan.scaffold import example_text

runner = CliRunner()
PRECIOUS = b"mes r\xc3\xa9ponses de l'an dernier\r\n\x00\xff"

Argv = Callable[[Path, Path], list[str]]
COMMANDS: dict[str, Argv] = {
    "init": lambda src, out: ["init", str(out)],
    "init_exemple": lambda src, out: ["init", str(out), "--exemple"],
    "schema": lambda src, out: ["schema", "-o", str(out)],
    "render": lambda src, out: ["render", str(src / "reponses.yaml"), "-o", str(out)],
    "extract": lambda src, out: ["extract", str(src / "bilan.docx"), "-o", str(out)],
    "email": lambda src, out: ["email", str(src / "bilan.docx"), "-o", str(out)],
    "pdf": lambda src, out: ["pdf", str(src / "bilan.docx"), "-o", str(out)],
}
SUFFIX = {"render": ".docx", "extract": ".yaml", "email": ".eml", "pdf": ".pdf", "schema": ".json"}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An answers file and the bilan rendered from it, in their own folder."""
    folder = tmp_path_factory.mktemp("sources")
    (folder / "reponses.yaml").write_text(example_text(), encoding="utf-8")
    result = runner.invoke(
        app, ["render", str(folder / "reponses.yaml"), "-o", str(folder / "bilan.docx")]
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for LibreOffice that writes a small PDF where it is told to."""
    if os.name != "posix":
        pytest.skip("the stand-in for LibreOffice is a shell script")
    folder = tmp_path.parent / f"{tmp_path.name}-bin"
    folder.mkdir()
    program = folder / "soffice"
    program.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do [ "$1" = "--outdir" ] && out="$2"; shift; done\n'
        f'{shutil.which("mkdir")} -p "$out" && printf "%%PDF-1.4 faux" > "$out/bilan.pdf"\n',
        encoding="utf-8",
    )
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def _target(command: str, folder: Path) -> Path:
    return folder / f"sortie{SUFFIX.get(command, '.yaml')}"


def _run(command: str, sources: Path, target: Path, *extra: str) -> Result:
    return runner.invoke(app, [*COMMANDS[command](sources, target), *extra])


def _refused(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Erreur :" in result.output
    for text in expected:
        assert text in result.output, result.output
    assert "Traceback" not in result.output and "inattendue" not in result.output


@pytest.fixture(params=sorted(COMMANDS))
def command(request: pytest.FixtureRequest) -> str:
    if request.param == "pdf":
        request.getfixturevalue("fake_soffice")
    name: str = request.param
    return name


def test_each_command_writes_when_all_is_well(command: str, sources: Path, tmp_path: Path) -> None:
    """The baseline the other tests break: the same command succeeds on a sound folder."""
    target = _target(command, tmp_path)
    result = _run(command, sources, target)
    assert result.exit_code in (0, 1), result.output  # extract: warnings allowed
    assert target.is_file() and target.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_an_existing_file_is_kept_without_force(
    command: str, sources: Path, tmp_path: Path
) -> None:
    target = _target(command, tmp_path)
    target.write_bytes(PRECIOUS)
    _refused(_run(command, sources, target), "existe déjà", "--force")
    assert target.read_bytes() == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_missing_folder_is_explained_and_not_created(
    command: str, sources: Path, tmp_path: Path
) -> None:
    target = _target(command, tmp_path / "pas-de-dossier")
    _refused(_run(command, sources, target), "n’existe pas", "pas-de-dossier")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command_name", sorted(set(COMMANDS) - {"render"}))  # render -o DOSSIER
def test_a_folder_given_as_output_is_explained(
    command_name: str, sources: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if command_name == "pdf":
        request.getfixturevalue("fake_soffice")
    command = command_name
    target = _target(command, tmp_path)
    target.mkdir()
    _refused(_run(command, sources, target, "--force"), "est un dossier")
    assert list(target.iterdir()) == []


def test_a_folder_refusing_writes_is_explained(
    command: str, sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    target = _target(command, tmp_path)
    _refused(_run(command, sources, target), "accès refusé", "Conseil")
    assert list(tmp_path.iterdir()) == []


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """Make a folder refuse new files, for root too (``chattr +i``), then undo it."""
    if os.name != "posix":
        pytest.skip("read-only folders are tested on POSIX")
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if (
        chattr is None
        or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode
    ):
        pytest.skip("root ignores permissions and this file system has no immutable flag")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_a_read_only_folder_is_explained(command: str, sources: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    with _read_only(folder):
        _refused(_run(command, sources, _target(command, folder)), "accès refusé")
        assert list(folder.iterdir()) == []


class _Failing(io.RawIOBase):
    """A file that takes some bytes, then fails like a full disk (or a Ctrl+C)."""

    def __init__(self, real: Any, error: BaseException, after: int) -> None:
        self.real, self.error, self.left = real, error, after

    def write(self, data: Any) -> int:
        if len(data) >= self.left:
            self.real.write(bytes(data[: self.left]))
            self.real.flush()
            self.left = 0
            raise self.error
        self.left -= len(data)
        return int(self.real.write(data))

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return int(self.real.tell())

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self.real.seek(offset, whence))

    def flush(self) -> None:
        self.real.flush()

    def fileno(self) -> int:
        return int(self.real.fileno())

    def close(self) -> None:
        super().close()
        self.real.close()


def _break_writes(monkeypatch: pytest.MonkeyPatch, error: BaseException, after: int = 8) -> None:
    """Make the next files the tool writes fail after ``after`` bytes."""
    real_fdopen = os.fdopen

    def fdopen(handle: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        return _Failing(real_fdopen(handle, mode, *args, **kwargs), error, after)

    monkeypatch.setattr(files.os, "fdopen", fdopen)


@pytest.mark.parametrize("existing", [False, True], ids=["absent", "existant"])
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_disk_filling_midway_leaves_the_output_as_it_was(
    command: str, existing: bool, sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _target(command, tmp_path)
    if existing:
        target.write_bytes(PRECIOUS)
    _break_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    result = _run(command, sources, target, "--force")
    gc.collect()  # python-docx's zip writer, left open by the failure, is collected here
    _refused(result, "le disque est plein", "libérez de la place")
    assert "il n’a pas été modifié" in result.output if existing else "créé" in result.output
    if existing:
        assert target.read_bytes() == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ([target.name] if existing else [])


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_ctrl_c_midway_leaves_the_output_as_it_was(
    command: str, sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _target(command, tmp_path)
    target.write_bytes(PRECIOUS)
    _break_writes(monkeypatch, KeyboardInterrupt())
    result = _run(command, sources, target, "--force")
    gc.collect()
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert target.read_bytes() == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_file_held_open_by_word_is_kept_and_explained(
    command: str, sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows, replacing a file open in Word fails: the old file stays whole."""

    def held(source: Any, destination: Any) -> None:
        raise PermissionError(errno.EACCES, "The process cannot access the file")

    target = _target(command, tmp_path)
    target.write_bytes(PRECIOUS)
    monkeypatch.setattr(files.os, "replace", held)
    _refused(_run(command, sources, target, "--force"), "accès refusé", "fermez le fichier")
    assert target.read_bytes() == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


@pytest.mark.parametrize("command_name", ["extract", "email", "pdf"])
def test_the_file_read_is_never_the_file_written(
    command_name: str, sources: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if command_name == "pdf":
        request.getfixturevalue("fake_soffice")
    bilan = tmp_path / "bilan.docx"
    shutil.copyfile(sources / "bilan.docx", bilan)
    before = bilan.read_bytes()
    result = runner.invoke(app, [command_name, str(bilan), "-o", str(bilan), "--force"])
    _refused(result, "le fichier que la commande lit")
    assert bilan.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bilan.docx"]


def test_render_never_writes_over_its_own_template(sources: Path, tmp_path: Path) -> None:
    template = tmp_path / "modele.docx"
    shutil.copyfile(sources / "bilan.docx", template)
    before = template.read_bytes()
    result = runner.invoke(
        app,
        [
            "render",
            str(sources / "reponses.yaml"),
            "--modele",
            str(template),
            "-o",
            str(template),
            "--force",
        ],
    )
    _refused(result, "le fichier que la commande lit")
    assert template.read_bytes() == before


def test_a_bilan_that_does_not_read_back_is_never_written(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """render checks the complete temporary copy; when the check fails, nothing moves."""

    def refuse(path: Path, answers: Any, **_: Any) -> None:
        assert path.parent == tmp_path and path.stat().st_size > 0
        raise AnswersError("le document produit ne redonne pas toutes les réponses.")

    target = tmp_path / "bilan.docx"
    target.write_bytes(PRECIOUS)
    monkeypatch.setattr(render, "verify", refuse)
    result = runner.invoke(
        app, ["render", str(sources / "reponses.yaml"), "-o", str(target), "--force"]
    )
    assert result.exit_code == 1, result.output
    assert "ne redonne pas toutes les réponses" in result.output
    assert target.read_bytes() == PRECIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bilan.docx"]


def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "reponses.yaml"
    target.write_bytes(PRECIOUS)
    target.chmod(0o640)
    files.write_atomic(target, b"nouveau", force=True)
    assert target.read_bytes() == b"nouveau"
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o640


def test_write_atomic_removes_its_temporary_file_on_any_error(tmp_path: Path) -> None:
    def explode(stream: Any) -> None:
        stream.write(b"moitie")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        files.write_atomic(tmp_path / "a.docx", explode)
    assert list(tmp_path.iterdir()) == []


def test_output_problems_are_typed_and_their_hint_names_another_file_as_asked(
    tmp_path: Path,
) -> None:
    existing = tmp_path / "reponses.yaml"
    existing.write_text("mes réponses\n", encoding="utf-8")
    with pytest.raises(WouldOverwrite) as exists:
        files.check_new(existing, force=False)
    assert (
        exists.value.hint
        == "ajoutez --force pour le remplacer, ou choisissez un autre nom avec -o."
    )
    with pytest.raises(OutputError) as missing:
        files.check_new(tmp_path / "absent" / "reponses.yaml", force=False)
    assert not isinstance(missing.value, WouldOverwrite)
    missing.value.name_elsewhere("en donnant son chemin")
    assert missing.value.hint == (
        "créez d’abord le dossier, ou choisissez un autre emplacement en donnant son chemin."
    )


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_init_never_suggests_an_o_option_it_lacks_even_when_the_disk_is_full(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    result = _run("init", sources, tmp_path / "reponses.yaml")
    output = " ".join(result.output.split())
    _refused(result, "le disque est plein")
    assert (
        "écrivez ailleurs en donnant le chemin du fichier : clas-bilan init CHEMIN.yaml" in output
    )
    assert "avec -o" not in output
