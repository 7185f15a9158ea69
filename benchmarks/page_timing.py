"""What the browser form's user waits for, timed in a real Chromium on the shipped example.

    python benchmarks/page_timing.py [--repeats 9] [--avant CHECKOUT]

* check round trip: a wrong total typed (an input event) until its error is shown under
  the field (the page waits 200 ms after the last keystroke before asking: included);
* « Produire le bilan »: the click until the download link is shown (the .docx, and the
  .pdf when LibreOffice is installed).

Times are taken inside the page (``performance.now``, checked at every frame). With
``--avant``, the same is measured on another checkout (say main: ``git archive main | tar
-x -C /tmp/main``) round by round with this one. The output is Markdown, ready for
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from clas_bilan import scaffold

CHROMIUM = "/usr/bin/chromium"
_ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+/\S*")

_CHECK = """async () => {
  const box = document.getElementById("k-public.total");
  const input = document.querySelector('[name="public.total"]');
  const wrong = String(Number(input.value || 0) + 1 + Math.floor(Math.random() * 50));
  const start = performance.now();
  input.value = wrong;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const shown = (resolve) => {
    if (box.textContent.includes(`(${wrong})`)) resolve(performance.now() - start);
    else requestAnimationFrame(() => shown(resolve));
  };
  return new Promise(shown);
}"""

_CLEAR = """() => {
  const input = document.querySelector('[name="public.total"]');
  input.value = "";
  input.dispatchEvent(new Event("input", { bubbles: true }));
}"""

_PRODUCE = """async () => {
  const result = document.getElementById("resultat");
  result.replaceChildren();
  const start = performance.now();
  document.getElementById("produire").click();
  const shown = (resolve) => {
    if (result.querySelector("a[download]")) resolve(performance.now() - start);
    else requestAnimationFrame(() => shown(resolve));
  };
  return new Promise(shown);
}"""


def _start(answers: Path, source: Path | None) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if source is not None:  # another checkout's package first on the path
        env["PYTHONPATH"] = str(source / "src")
    process = subprocess.Popen(
        [sys.executable, "-m", "clas_bilan", "formulaire", str(answers), "--sans-navigateur"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = _ADDRESS.search(process.stdout.readline())
        if found:
            return process, found.group(0)
    process.kill()
    raise SystemExit("the form did not start")


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times):.0f} ms ({min(times):.0f}–{max(times):.0f})"


def _open(browser: Any, work: Path, name: str, source: Path | None) -> tuple[Any, Any]:
    """A server on a copy of the example, and a tab showing it once checked."""
    answers = work / name / "reponses.yaml"
    answers.parent.mkdir()
    answers.write_text(scaffold.example_text(), encoding="utf-8")
    process, url = _start(answers, source)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.on("dialog", lambda dialog: dialog.accept())  # « remplacer ? »
    page.goto(url)
    page.wait_for_selector("#etat-verification.bon, #etat-verification.moyen")
    return process, page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed rounds (default 9)")
    parser.add_argument(
        "--avant", type=Path, help="a checkout to compare with (git archive main | tar -x -C DIR)"
    )
    options = parser.parse_args()
    sources: dict[str, Path | None] = {"after": None}
    if options.avant:
        sources = {"before": options.avant, "after": None}
    checks: dict[str, list[float]] = {name: [] for name in sources}
    produces: dict[str, list[float]] = {name: [] for name in sources}
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"]
        )
        opened = {name: _open(browser, Path(work), name, src) for name, src in sources.items()}
        try:
            for _ in range(options.repeats):  # round by round, so that load hits both
                for name, (_, page) in opened.items():
                    checks[name].append(page.evaluate(_CHECK))
            for _, page in opened.values():
                page.evaluate(_CLEAR)
                page.wait_for_timeout(1500)
            for _ in range(max(3, options.repeats // 3)):
                for name, (_, page) in opened.items():
                    produces[name].append(page.evaluate(_PRODUCE))
        finally:
            browser.close()
            for process, _ in opened.values():
                process.send_signal(signal.SIGINT)
                process.communicate(timeout=30)
    print("| measure | " + " | ".join(sources) + (" | after / before |" if options.avant else " |"))
    print("|---" * (len(sources) + 1 + bool(options.avant)) + "|")
    for title, times in (
        ("check round trip: wrong total typed → its error shown", checks),
        ("« Produire le bilan »: click → download link shown", produces),
    ):
        cells = [_spread(times[name]) for name in sources]
        if options.avant:
            ratio = statistics.median(times["after"]) / statistics.median(times["before"])
            cells.append(f"{ratio:.2f}")
        print(f"| {title} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
