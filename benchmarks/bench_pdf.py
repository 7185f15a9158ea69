"""PDF copies of many bilans: one LibreOffice start for all against one start per bilan.

Run with the project's Python, LibreOffice installed::

    python benchmarks/bench_pdf.py [--bilans 20] [--write]

Renders the shipped example ``--bilans`` times (each its own équipement), then times
``pdf.to_pdfs`` on all of them (one start) against ``pdf.to_pdf`` on each in turn (one
start each), interleaved round by round. Prints Markdown; ``--write`` also appends it to
benchmarks/RESULTS.md. Target (issue 20): the batch takes at most 0.4 x the separate runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from clas_bilan import campaigns, pdf
from clas_bilan.loading import load
from clas_bilan.render import render

TARGET = 0.4
RESULTS = Path(__file__).with_name("RESULTS.md")


def bilans(folder: Path, count: int) -> list[Path]:
    """``count`` bilans rendered from the shipped example, one équipement each."""
    text = campaigns.current().example.read_text(encoding="utf-8")
    answers = load(text).answers
    assert answers is not None
    made = []
    for number in range(count):
        changed = answers.model_copy(deep=True)
        changed.equipement.nom = f"{answers.equipement.nom} {number + 1}"
        made.append(render(changed, folder / f"bilan_{number + 1}.docx"))
    return made


def timed(action: object) -> float:
    """Wall time of ``action()`` in seconds."""
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bilans", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="append to benchmarks/RESULTS.md")
    options = parser.parse_args()
    if pdf.find_soffice() is None:
        raise SystemExit("LibreOffice (soffice) is needed for this benchmark.")
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        folder = Path(tmp)
        docx = bilans(folder, options.bilans)
        batch_out, single_out = folder / "lot", folder / "un_a_un"
        batch_out.mkdir()
        single_out.mkdir()
        batch_times, single_times = [], []
        pairs = [(path, batch_out / path.with_suffix(".pdf").name) for path in docx]
        for _ in range(options.rounds):
            batch_times.append(timed(lambda: _all_ok(pdf.to_pdfs(pairs))))
            single_times.append(
                timed(
                    lambda: [
                        pdf.to_pdf(path, single_out / path.with_suffix(".pdf").name)
                        for path in docx
                    ]
                )
            )
        made = len(list(batch_out.glob("*.pdf")))
        shutil.rmtree(batch_out)
    batch, single = min(batch_times), min(single_times)
    ratio = batch / single
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report = (
        f"\n### PDF copies of many bilans (issue 20)\n\n"
        f"`python benchmarks/bench_pdf.py --bilans {options.bilans}`, {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} cores, load average {load_average:.1f}; "
        f"{made} PDF written by the batch.\n\n"
        "| measure | time | target | met |\n|---|---|---|---|\n"
        f"| {options.bilans} bilans, one LibreOffice start (`pdf.to_pdfs`) | {batch:.1f} s | | |\n"
        f"| {options.bilans} bilans, one start each (`pdf.to_pdf` x {options.bilans}) "
        f"| {single:.1f} s | | |\n"
        f"| ratio batch / separate | **{ratio:.2f}** | ≤ {TARGET} | "
        f"{'yes' if ratio <= TARGET else '**no**'} |\n"
    )
    print(report)
    print(f"ratio: {ratio:.2f} (target ≤ {TARGET})")
    if options.write:
        with RESULTS.open("a", encoding="utf-8") as stream:
            stream.write(report)


def _all_ok(done: list[pdf.Conversion]) -> None:
    failed = [conversion for conversion in done if not conversion.ok]
    if failed:
        raise SystemExit(f"{len(failed)} conversion(s) failed: {failed[0].error}")


if __name__ == "__main__":
    main()
