"""Run ``clas-bilan formulaire`` as a user would: a real process, its address read from stdout."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import helpers_campaign

INTERRUPT = signal.CTRL_BREAK_EVENT if os.name == "nt" else signal.SIGINT
"""Ctrl+C as a test can send it: Windows delivers Ctrl+Break to a process group of its own."""
NEW_GROUP = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)

_ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/")


@dataclass
class Running:
    """A running form server: its address and port, its process."""

    url: str
    port: int
    process: subprocess.Popen[str]
    printed: str = ""

    def stop(self) -> str:
        """Stop it like Ctrl+C does; return everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(INTERRUPT)
        out, _ = self.process.communicate(timeout=30)
        return self.printed + (out or "")


@contextmanager
def running(answers: Path, *args: str, program: Path | None = None) -> Iterator[Running]:
    """Start the form on ``answers`` (no browser), wait for its address, stop it after.

    ``program`` is the ``clas-bilan`` to run (by default this Python's, see helpers_campaign).
    """
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    command = [str(program)] if program else helpers_campaign.command()
    process = subprocess.Popen(
        [*command, "formulaire", str(answers), "--sans-navigateur", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=answers.parent,
        creationflags=NEW_GROUP,
    )
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
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
    server = Running(found.group(0), int(found.group(1)), process, "".join(seen))
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
