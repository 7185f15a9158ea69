"""What the browser form's user waits for, timed in a real Chromium on the shipped example.

    python benchmarks/page_timing.py [--repeats 9]

* check round trip: a wrong total typed (an input event) until its error is shown under
  the field (the page waits 200 ms after the last keystroke before asking: included);
* « Produire le bilan »: the click until the download link is shown (the .docx, and the
  .pdf when LibreOffice is installed).

Times are taken inside the page (``performance.now``, checked at every frame). The output
is Markdown, ready for benchmarks/RESULTS.md.
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


def _start(answers: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "clas_bilan", "formulaire", str(answers), "--sans-navigateur"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed rounds (default 9)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        answers = Path(work) / "reponses.yaml"
        answers.write_text(scaffold.example_text(), encoding="utf-8")
        process, url = _start(answers)
        checks: list[float] = []
        produces: list[float] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.on("dialog", lambda dialog: dialog.accept())  # « remplacer ? »
                page.goto(url)
                page.wait_for_selector("#etat-verification.bon, #etat-verification.moyen")
                for _ in range(options.repeats):
                    checks.append(page.evaluate(_CHECK))
                page.evaluate(
                    """() => { const input = document.querySelector('[name="public.total"]');
                    input.value = ""; input.dispatchEvent(new Event("input", {bubbles: true})); }"""
                )
                page.wait_for_timeout(1500)
                for _ in range(max(3, options.repeats // 3)):
                    produces.append(page.evaluate(_PRODUCE))
                browser.close()
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
    print("| measure | median (min–max) |")
    print("|---|---|")
    print(f"| check round trip: wrong total typed → its error shown | {_spread(checks)} |")
    print(f"| « Produire le bilan »: click → download link shown | {_spread(produces)} |")


if __name__ == "__main__":
    main()
