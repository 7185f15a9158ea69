"""Run ``clas-bilan formulaire`` as a user would: a real process, its address read from stdout.

The address printed carries the token once (``?jeton=…``): ``Running.url`` is that address,
what a browser opens (it trades the token for a cookie); a program sends the token in the
``X-Jeton`` header instead (``Running.signed``). The form keeps each answers file's token and
port in the user's configuration folder: here a folder of the test session's own.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import helpers_campaign

INTERRUPT = signal.CTRL_BREAK_EVENT if os.name == "nt" else signal.SIGINT
"""Ctrl+C as a test can send it: Windows delivers Ctrl+Break to a process group of its own."""
NEW_GROUP = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)

_ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/\?jeton=([\w-]+)")
_config: Path | None = None


def config_home() -> Path:
    """The configuration folder the forms of this test session keep their access in."""
    global _config
    if _config is None:
        _config = Path(tempfile.mkdtemp(prefix="clas-bilan-config-"))
        atexit.register(shutil.rmtree, _config, True)
    return _config


@dataclass
class Running:
    """A running form server: the address printed (with its token), its port, its process."""

    url: str
    port: int
    token: str
    process: subprocess.Popen[str]
    printed: str = ""

    @property
    def base(self) -> str:
        """The address without the token."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def signed(self) -> dict[str, str]:
        """The header a program (not a browser) sends the token in."""
        return {"X-Jeton": self.token}

    def stop(self) -> str:
        """Stop it like Ctrl+C does; return everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(INTERRUPT)
        out, _ = self.process.communicate(timeout=30)
        return self.printed + (out or "")


@contextmanager
def running(
    answers: Path,
    *args: str,
    program: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Running]:
    """Start the form on ``answers`` (no browser), wait for its address, stop it after.

    ``program`` is the ``clas-bilan`` to run (by default this Python's, see helpers_campaign);
    ``env``, variables set for it.
    """
    config = str(config_home())
    environment = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",
        "XDG_CONFIG_HOME": config,
        "APPDATA": config,
        **(env or {}),
    }
    command = [str(program)] if program else helpers_campaign.command()
    with served(
        [*command, "formulaire", str(answers), "--sans-navigateur", *args],
        env=environment,
        cwd=answers.parent,
    ) as server:
        yield server


@contextmanager
def served(
    command: list[str], *, env: dict[str, str], cwd: Path, wait: float = 60
) -> Iterator[Running]:
    """Run ``command``, wait up to ``wait`` s for the form's address it prints, stop it after."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        creationflags=NEW_GROUP,
    )
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + wait
    found = None
    while found is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        found = _ADDRESS.search(line)
    if found is None:
        process.kill()
        raise AssertionError("the form did not start:\n" + "".join(seen))
    server = Running(found.group(0), int(found.group(1)), found.group(2), process, "".join(seen))
    try:
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(INTERRUPT)
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
