"""How fast clas-bilan is, measured side by side in one run against its floor and a peer.

Run with the project's Python (docxtpl comes with the ``bench`` extra)::

    python benchmarks/bench.py [--repeats 15] [--batch 200]

* floor: python-docx opening and saving the template, with no change;
* render: ``clas_bilan.render.render`` on the shipped example (answers already loaded);
* docxtpl: the same answers through docxtpl, on a Jinja-tagged copy of our template
  built at run time (tags at the answer places, ``{%tr for %}`` rows in list tables);
* start-up: ``clas-bilan --version`` process against ``python -c "import typer"``;
* whole process: ``clas-bilan render`` and ``clas-bilan validate`` on the example, start-up
  included, against a process that opens and saves the template with python-docx;
* batch: one ``render_batch`` call on N answers files against N x (validate + render);
* memory: peak resident size of a fresh process rendering one bilan, and tracemalloc;
* synthese: ``clas-bilan synthese`` of N received bilans into a workbook (all cores)
  against N ``extract`` calls one after the other in one process, and its peak memory;
* formulaire: one check as the browser form asks for it (HTTP POST to the local server,
  answers text built, validate's loading and checks, JSON back), on the shipped example.

Timed cases are interleaved round by round (so a noisy neighbour hits all of them) and
reported as medians. The output is Markdown, ready for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import compileall
import copy
import gc
import importlib.metadata
import io
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

import clas_bilan
from clas_bilan import campaigns, codec, form, models
from clas_bilan.batch import render_batch
from clas_bilan.checks import validate_file
from clas_bilan.docx import fields, locate, save
from clas_bilan.docx import fill as write
from clas_bilan.docx.template import template_path
from clas_bilan.extract import extract, places
from clas_bilan.models import Reponses
from clas_bilan.render import default_name, fill, open_template, render, verify

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bilan_exemple.yaml"
EXAMPLE_NAME = "Centre social de la Croix-Blanche"

TARGETS = {
    "render": 1.5,
    "docxtpl": 1.0,
    "startup": 1.3,
    "process": 2.5,
    "batch": 1.1,
    "memory_mb": 120.0,
    "synthese": 0.6,
    "synthese_mb": 300.0,
    "formulaire_ms": 100.0,
}

Case = Callable[[], object]


# Measuring --------------------------------------------------------------------


def interleaved(cases: dict[str, Case], repeats: int) -> dict[str, list[float]]:
    """Seconds per run of each case; one warm-up each, then rounds in rotating order."""
    for case in cases.values():
        case()
    times: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for round_index in range(repeats):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            start = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - start)
    return times


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def spread(values: list[float]) -> str:
    return f"{median_ms(values):.1f} ms ({min(values) * 1000:.1f}–{max(values) * 1000:.1f})"


def ratio_row(
    label: str, ours: list[float], reference: list[float], target: float, reference_label: str
) -> str:
    """Median of the per-round ratios (cases of a round ran side by side), and best / best."""
    ratio = statistics.median(o / r for o, r in zip(ours, reference, strict=True))
    best = min(ours) / min(reference)
    met = "yes" if ratio <= target else "**no**"
    return (
        f"| {label} | {spread(ours)} | {reference_label}: {spread(reference)} "
        f"| **{ratio:.2f}** ({best:.2f}) | ≤ {target:g} | {met} |"
    )


def run(command: list[str]) -> Case:
    def case() -> None:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return case


# Machine ----------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def compile_package() -> None:
    """Write clas-bilan's bytecode, as pip does when it installs the wheel.

    From a source checkout with PYTHONDONTWRITEBYTECODE set, each process would otherwise
    compile our modules anew at start-up, a cost no installed copy pays.
    """
    compileall.compile_dir(Path(clas_bilan.__file__).parent, quiet=1)


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def machine() -> list[str]:
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("clas-bilan", "python-docx", "lxml", "pydantic", "typer", "docxtpl")
        if _installed(name)
    )
    return [
        f"- CPU: {cpu_model()} — {os.cpu_count()} logical cores",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- OS: {platform.platform()}",
        f"- Libraries: {versions}",
        f"- Load average at the start (1, 5, 15 min): {load_average()}",
    ]


def _installed(name: str) -> bool:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


# The docxtpl peer ---------------------------------------------------------------


def jinja_template(source: Path, target: Path) -> Callable[[Reponses], dict[str, Any]]:
    """Write a Jinja-tagged copy of the form to ``target``; return the context builder."""
    document = docx.Document(str(source))
    style = write.answer_style(document.styles.element)
    slots: list[Callable[[Reponses], Any]] = []

    def slot(getter: Callable[[Reponses], Any]) -> str:
        slots.append(getter)
        return f"a{len(slots) - 1}"

    for block, place in zip(
        campaigns.current().blocks, places(document, source.name), strict=False
    ):
        if place is None:
            continue
        if isinstance(block, form.Question):
            tag = jinja(slot(lambda a, q=block: _question_text(q, a)))
            if block.codec == "place_date":
                write.replace_text(place.element, [(tag, True)])
            elif block.layout == "inline":
                write.write_inline(place.element, tag)
            elif block.layout != "field" or not write.write_field(place.after, tag):
                write.write_below(place.element, place.after, tag, style)
        elif isinstance(block, form.Choice):
            name = slot(lambda a, key=block.key: models.get(a, key))
            yes, no = fields.checkboxes(place.element)[:2]
            _jinja_box(yes, jinja(f"'1' if {name} == True else '0'"))
            _jinja_box(no, jinja(f"'1' if {name} == False else '0'"))
        elif isinstance(block, form.Box) and block.key:
            key = block.key
            write.write_box(place.element, jinja(slot(lambda a, k=key: models.get(a, k))))
        elif isinstance(block, form.Table):
            _jinja_table(block, place.element, slot)
    document.save(str(target))

    def context(answers: Reponses) -> dict[str, Any]:
        return {f"a{index}": getter(answers) for index, getter in enumerate(slots)}

    return context


def jinja(expression: str) -> str:
    """A Jinja print tag: ``{{ expression }}``."""
    return "{{ " + expression + " }}"


def _question_text(question: form.Question, answers: Reponses) -> Any:
    from docxtpl import Listing

    values = [models.get(answers, key) for key in question.keys]
    return Listing(codec.encode(question.codec, question.keys, values))


def _jinja_box(fld_char: Any, expression: str) -> None:
    fields.set_checked(fld_char, True)
    checked = fld_char.find(f"{qn('w:ffData')}/{qn('w:checkBox')}/{qn('w:checked')}")
    checked.set(qn("w:val"), expression)


def _jinja_table(
    table: form.Table, tbl: Any, slot: Callable[[Callable[[Reponses], Any]], str]
) -> None:
    if table.items_key is None:
        for spec, tr in zip(table.rows, locate.rows(tbl), strict=False):
            for cell, tc in zip(spec, locate.cells(tr), strict=False):
                if cell.key or cell.computed:
                    name = slot(lambda a, c=cell: _cell_value(c, a))
                    write.write_cell(tc, [jinja(name)])
        return
    items_key, item_keys = table.items_key, table.item_keys
    name = slot(lambda a: _items(a, items_key, item_keys))
    rows = locate.rows(tbl)
    item = rows[len(table.rows)]
    for extra in rows[len(table.rows) + 1 :]:
        tbl.remove(extra)
    opening, closing = copy.deepcopy(item), copy.deepcopy(item)
    for tr, tag in ((opening, "{%tr for it in " + name + " %}"), (closing, "{%tr endfor %}")):
        first, *others = locate.cells(tr)
        write.write_cell(first, [tag])
        for tc in others:
            write.write_cell(tc, [])
    item.addprevious(opening)
    item.addnext(closing)
    for index, tc in enumerate(locate.cells(item)):
        write.write_cell(tc, [jinja(f"it.c{index}")])


def _cell_value(cell: form.Cell, answers: Reponses) -> str:
    value = models.get(answers, cell.key) if cell.key else None
    if value is None and cell.computed:
        value = models.subtotals(answers.public.inscrits)[cell.computed]
    if isinstance(value, bool):
        return codec.yes_no(value)
    return "" if value is None else str(value)


def _items(answers: Reponses, items_key: str, item_keys: tuple[str, ...]) -> list[dict[str, Any]]:
    from docxtpl import Listing

    rows = []
    for item in models.get(answers, items_key):
        row = {}
        for index, key in enumerate(item_keys):
            value = models.get(item, key)
            if isinstance(value, list):
                text = "\n".join(codec.encode_school(s.nom, s.adresse, s.email) for s in value)
            else:
                text = "" if value is None else str(value)
            row[f"c{index}"] = Listing(text)
        rows.append(row)
    return rows


# Sections -----------------------------------------------------------------------


def section_render(answers: Reponses, work: Path, repeats: int) -> list[str]:
    source = template_path()
    floor_out, ours_out = work / "floor.docx", work / "ours.docx"

    def floor() -> None:
        docx.Document(str(source)).save(str(floor_out))

    def ours() -> None:
        render(answers, ours_out, force=True)

    cases: dict[str, Case] = {"floor": floor, "ours": ours}
    lines = []
    try:
        from docxtpl import DocxTemplate
    except ImportError:
        lines.append("docxtpl is not installed (pip install -e '.[bench]'): peer skipped.")
    else:
        tagged = work / "jinja_template.docx"
        context = jinja_template(source, tagged)
        peer_out = work / "docxtpl.docx"

        def peer() -> None:
            template = DocxTemplate(str(tagged))
            template.render(context(answers), autoescape=True)
            template.save(str(peer_out))

        cases["docxtpl"] = peer
    times = interleaved(cases, repeats)
    lines += [
        f"One bilan, shipped example, median of {repeats} interleaved runs (min–max); ratio: "
        "median of the per-round ratios (best run / best run in brackets).",
        "",
        "| measure | ours | reference | ratio (best) | target | met |",
        "|---|---|---|---|---|---|",
        ratio_row("render / floor", times["ours"], times["floor"], TARGETS["render"], "floor"),
    ]
    if "docxtpl" in times:
        lines.append(ratio_row("render / docxtpl", times["ours"], times["docxtpl"], 1.0, "docxtpl"))
        back = extract(work / "docxtpl.docx").answers
        same = back.equipement.nom == answers.equipement.nom
        lines += ["", f"docxtpl output read back by clas-bilan extract: équipement found: {same}."]
    return lines


def section_breakdown(answers: Reponses, work: Path, repeats: int) -> list[str]:
    source = template_path()
    data = source.read_bytes()
    template = open_template()
    opened = template.document
    saved = work / "saved.docx"
    filled = copy.deepcopy(opened)
    fill(filled, answers)
    saved.write_bytes(save.package(filled, template.kept))
    cases: dict[str, Case] = {
        "open shipped template": open_template,
        "open a user's template (hostile-file checks, kept parts serialized)": lambda: (
            open_template(source)
        ),
        "re-open template from bytes": lambda: docx.Document(io.BytesIO(data)),
        "deep-copy opened template": lambda: copy.deepcopy(opened),
        "fill answers": lambda: fill(copy.deepcopy(opened), answers),
        "save": lambda: save.package(filled, template.kept),
        "read back and compare": lambda: verify(saved, answers),
    }
    times = interleaved(cases, repeats)
    lines = ["| step | median (min–max) |", "|---|---|"]
    lines += [f"| {name} | {spread(values)} |" for name, values in times.items()]
    fill_only = statistics.median(times["fill answers"]) - statistics.median(
        times["deep-copy opened template"]
    )
    lines += [
        "",
        f"Fill alone (fill answers minus deep copy): {fill_only * 1000:.1f} ms. Batch mode copies "
        "the opened template for each bilan (deep copy), faster than re-opening it from bytes.",
    ]
    return lines


def command_line() -> list[str]:
    """How to start clas-bilan: the installed script beside this Python, else ``-m``."""
    script = Path(sys.executable).with_name("clas-bilan" + (".exe" if os.name == "nt" else ""))
    return [str(script)] if script.exists() else [sys.executable, "-m", "clas_bilan"]


def section_startup(repeats: int) -> list[str]:
    ours = command_line()
    cases: dict[str, Case] = {
        "ours": run([*ours, "--version"]),
        "typer": run([sys.executable, "-c", "import typer"]),
        "python": run([sys.executable, "-c", "pass"]),
    }
    times = interleaved(cases, repeats)
    return [
        "| measure | ours | reference | ratio (best) | target | met |",
        "|---|---|---|---|---|---|",
        ratio_row(
            '`clas-bilan --version` / `python -c "import typer"`',
            times["ours"],
            times["typer"],
            TARGETS["startup"],
            "import typer",
        ),
        "",
        f"Bare interpreter (`python -c pass`): {spread(times['python'])}.",
    ]


def section_process(work: Path, repeats: int) -> list[str]:
    """Whole processes, start-up included: what a user waits for at the command line."""
    floor_script = work / "floor_process.py"
    floor_script.write_text("import sys, docx\ndocx.Document(sys.argv[1]).save(sys.argv[2])\n")
    ours = command_line()
    commands = {
        "floor": [sys.executable, str(floor_script), str(template_path()), str(work / "f.docx")],
        "render": [*ours, "render", str(EXAMPLE), "-o", str(work / "process.docx"), "--force"],
        "validate": [*ours, "validate", str(EXAMPLE)],
    }
    cpu: dict[str, list[float]] = {name: [] for name in commands}

    def measured(name: str) -> Case:
        def case() -> None:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            run(commands[name])()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

        return case

    times = interleaved({name: measured(name) for name in commands}, repeats)
    cpu = {name: values[1:] for name, values in cpu.items()}  # without the warm-up run
    return [
        "| measure | ours | reference | ratio (best) | target | met |",
        "|---|---|---|---|---|---|",
        *(
            ratio_row(
                f"`clas-bilan {name}` process / floor process ({kind})",
                values[name],
                values["floor"],
                TARGETS["process"],
                "floor",
            )
            for name in ("render", "validate")
            for kind, values in (("wall", times), ("CPU", cpu))
        ),
        "",
        "Floor process: `python -c` opening the shipped template with python-docx and saving "
        "it. CPU is user + system time of the process: steadier than the wall clock on a "
        "shared machine. clas-bilan's bytecode is written first, as pip does at install. "
        f"Load average at the end of this section: {load_average()}.",
    ]


def answers_files(folder: Path, count: int) -> list[Path]:
    text = EXAMPLE.read_text(encoding="utf-8")
    paths = []
    for index in range(count):
        path = folder / f"site_{index:03d}.yaml"
        path.write_text(text.replace(EXAMPLE_NAME, f"Centre social n°{index}"), encoding="utf-8")
        paths.append(path)
    return paths


def section_batch(work: Path, count: int, repeats: int) -> list[str]:
    inputs = answers_files(work / "inputs", count)
    runs = iter(range(10_000))

    def fresh() -> Path:
        folder = work / f"out_{next(runs)}"
        folder.mkdir()
        return folder

    def batch() -> None:
        out = fresh()
        result = render_batch(inputs, out)
        assert result.exit_code == 0, [o.problem for o in result.failed]
        assert len(list(out.iterdir())) == count

    def one_by_one() -> None:
        out = fresh()
        for source in inputs:
            report = validate_file(source)
            assert report.answers is not None
            render(report.answers, out / default_name(report.answers))

    times = interleaved({"batch": batch, "loop": one_by_one}, repeats)
    ratio = statistics.median(b / o for b, o in zip(times["batch"], times["loop"], strict=True))
    met = "yes" if ratio <= TARGETS["batch"] else "**no**"
    batch_s, loop_s = statistics.median(times["batch"]), statistics.median(times["loop"])
    return [
        "| measure | ours | reference | ratio | target | met |",
        "|---|---|---|---|---|---|",
        f"| {count} bilans in one `render_batch` / {count} × (validate + render) in process "
        f"| {batch_s:.2f} s | {loop_s:.2f} s | **{ratio:.2f}** | ≤ {TARGETS['batch']:g} | {met} |",
        "",
        f"Median of {repeats} interleaved runs of each. Both validate every answers file and "
        f"write a checked .docx; per bilan: {batch_s / count * 1000:.1f} ms in batch, "
        f"{loop_s / count * 1000:.1f} ms one by one.",
    ]


_MEMORY_PROBE = """
import resource, sys, tracemalloc
from pathlib import Path
from clas_bilan.checks import validate_file
from clas_bilan.render import render
from clas_bilan.batch import render_batch
mode, trace = sys.argv[1], sys.argv[2] == "trace"
source, output = Path(sys.argv[3]), Path(sys.argv[4])
if trace:
    tracemalloc.start()
if mode == "one":
    render(validate_file(source).answers, output, force=True)
else:
    render_batch(sorted(source.glob("*.yaml")), output, force=True)
if trace:
    print(tracemalloc.get_traced_memory()[1])
else:  # VmHWM: this process's own peak (ru_maxrss also counts the parent it was forked from)
    status = Path("/proc/self/status")
    lines = status.read_text().splitlines() if status.exists() else []
    hwm = [int(line.split()[1]) * 1024 for line in lines if line.startswith("VmHWM:")]
    unit = 1 if sys.platform == "darwin" else 1024
    print(hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit)
"""


def probe(mode: str, source: Path, output: Path) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh process doing ``mode``, and tracemalloc's peak in another."""
    values = []
    for trace in ("rss", "trace"):
        done = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, mode, trace, str(source), str(output)],
            check=True,
            capture_output=True,
            text=True,
        )
        values.append(int(done.stdout) / 1e6)
    return values[0], values[1]


def section_memory(work: Path, count: int) -> list[str]:
    try:
        import resource  # noqa: F401
    except ImportError:
        return ["Peak memory needs the resource module (Linux, macOS): skipped."]
    rss, peak = probe("one", EXAMPLE, work / "memory.docx")
    met = "yes" if rss <= TARGETS["memory_mb"] else "**no**"
    lines = [
        "| measure | value | target | met |",
        "|---|---|---|---|",
        f"| peak RSS of a fresh process rendering one bilan (VmHWM) | {rss:.1f} MB "
        f"| < {TARGETS['memory_mb']:g} MB | {met} |",
        f"| tracemalloc peak of that render (Python objects only) | {peak:.1f} MB | | |",
    ]
    if count:
        out = work / "memory_batch"
        out.mkdir()
        rss_batch, peak_batch = probe("batch", work / "inputs", out)
        lines.append(
            f"| peak RSS of a fresh process rendering {count} bilans in batch "
            f"| {rss_batch:.1f} MB | | |"
        )
        lines.append(f"| tracemalloc peak of that batch | {peak_batch:.1f} MB | | |")
    lines += [
        "",
        "RSS and tracemalloc are measured in separate processes (tracemalloc's own "
        "bookkeeping would inflate the RSS).",
    ]
    return lines


_SYNTHESE_PROBE = """
import resource, sys, time
from pathlib import Path
from clas_bilan import synthese, workbook
folder, output = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
result = synthese.synthesize([folder])
read = time.perf_counter() - start
workbook.write(result, output, force=True)
total = time.perf_counter() - start
status = Path("/proc/self/status")
lines = status.read_text().splitlines() if status.exists() else []
hwm = [int(line.split()[1]) * 1024 for line in lines if line.startswith("VmHWM:")]
unit = 1 if sys.platform == "darwin" else 1024
own = hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * unit
print(read, total, own, child, len(result.bilans), len(result.unread))
"""


def received_bilans(work: Path, count: int, distinct: int) -> Path:
    """``count`` bilans in a folder: ``distinct`` rendered ones, copied round-robin."""
    sources = work / "synthese_sources"
    sources.mkdir(exist_ok=True)
    rendered = sorted(
        render_batch(answers_files(sources, distinct), sources).written,
        key=lambda outcome: str(outcome.source),
    )
    folder = work / "synthese_inputs"
    folder.mkdir()
    for index in range(count):
        source = rendered[index % len(rendered)].output
        assert source is not None
        (folder / f"bilan_{index:05d}.docx").write_bytes(source.read_bytes())
    return folder


def section_synthese(work: Path, count: int) -> list[str]:
    """``synthese`` of ``count`` bilans (parallel, workbook written) against an extract loop."""
    folder = received_bilans(work, count, min(count, 200))
    inputs = sorted(folder.iterdir())
    output = work / "synthese.xlsx"

    def ours() -> list[float]:
        done = subprocess.run(
            [sys.executable, "-c", _SYNTHESE_PROBE, str(folder), str(output)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = [float(v) for v in done.stdout.split()]
        assert figures[4:] == [count, 0], done.stdout
        return figures

    first = ours()  # ours, the loop, ours again: a neighbour's load hits both sides
    gc.collect()
    start = time.perf_counter()
    for path in inputs:
        extract(path)
    loop_s = time.perf_counter() - start
    second = ours()
    read_s, ours_s = (first[0] + second[0]) / 2, (first[1] + second[1]) / 2
    own, child = max(first[2], second[2]), max(first[3], second[3])
    ratio = ours_s / loop_s
    workers = os.cpu_count() or 1
    peak = own / 1e6 + workers * child / 1e6
    met = "yes" if ratio <= TARGETS["synthese"] else "**no**"
    met_memory = "yes" if peak < TARGETS["synthese_mb"] else "**no**"
    return [
        "| measure | ours | reference | ratio | target | met |",
        "|---|---|---|---|---|---|",
        f"| `synthese` of {count} bilans to .xlsx / {count} `extract` calls in one process "
        f"| {ours_s:.1f} s | {loop_s:.1f} s | **{ratio:.2f}** | ≤ {TARGETS['synthese']:g} "
        f"| {met} |",
        f"| peak memory: main process + {workers} workers × largest worker "
        f"| {peak:.0f} MB ({own / 1e6:.0f} + {workers} × {child / 1e6:.0f}) | | "
        f"| < {TARGETS['synthese_mb']:g} MB | {met_memory} |",
        "",
        f"{count} .docx bilans ({min(count, 200)} rendered from the example under other names, "
        f"copied round-robin), read in a fresh process with {workers} workers: reading and "
        f"checking took {read_s:.1f} s, the workbook {ours_s - read_s:.1f} s "
        f"({ours_s / count * 1000:.1f} ms a bilan in all; the extract loop: "
        f"{loop_s / count * 1000:.1f} ms a bilan). Ours is the mean of a run before and a run "
        f"after the loop ({first[1]:.1f} s and {second[1]:.1f} s).",
    ]


def section_formulaire(work: Path, repeats: int) -> list[str]:
    """The browser form's check round trip, over a kept-alive connection like the page's."""
    import http.client
    import json
    import threading

    from clas_bilan import scaffold
    from clas_bilan.web import server

    answers = work / "formulaire.yaml"
    answers.write_text(scaffold.example_text(), encoding="utf-8")
    session, _ = server.prepare(answers)
    values, version = session.values()
    sock = server.bind(None)
    ready = threading.Event()
    threading.Thread(
        target=server.serve,
        args=(session, sock),
        kwargs={"browser": False, "ready": lambda url: ready.set()},
        daemon=True,
    ).start()
    ready.wait(30)
    connection = http.client.HTTPConnection("127.0.0.1", sock.getsockname()[1], timeout=30)
    body = json.dumps({"valeurs": values}).encode()
    headers = {"Content-Type": "application/json", "X-Jeton": session.token}

    def round_trip() -> None:
        connection.request("POST", "/api/verifier", body, headers)
        response = connection.getresponse()
        assert response.status == 200 and b'"erreurs":0' in response.read()

    # The file as the page writes it: what ``validate`` would read.
    saved = {"version": session.save(values, version)}
    titles = [values["intitule_projet"], values["intitule_projet"] + " (modifié)"]

    def save_round_trip() -> None:
        titles.reverse()  # one answer changed each time: the file is written every time
        changed = {**values, "intitule_projet": titles[0]}
        sent = json.dumps({"valeurs": changed, "version": saved["version"]}).encode()
        connection.request("POST", "/api/enregistrer", sent, headers)
        response = connection.getresponse()
        assert response.status == 200
        saved["version"] = json.loads(response.read())["version"]

    cases: dict[str, Case] = {
        "http": round_trip,
        "save": save_round_trip,
        "core": lambda: session.check(values),
        "validate": lambda: validate_file(answers),
    }
    times = interleaved(cases, repeats)
    connection.close()
    met = "yes" if median_ms(times["http"]) < TARGETS["formulaire_ms"] else "**no**"
    pair = (times["http"], times["validate"])
    return [
        "| measure | time | target | met |",
        "|---|---|---|---|",
        f"| check round trip (POST /api/verifier, example's {len(values)} answers) "
        f"| {spread(times['http'])} | < {TARGETS['formulaire_ms']:g} ms | {met} |",
        f"| save round trip (POST /api/enregistrer naming the version, file written) "
        f"| {spread(times['save'])} | | |",
        f"| of which answers text + validate's checks (`Session.check`) "
        f"| {spread(times['core'])} | | |",
        f"| for comparison: `validate_file` of the saved file | {spread(times['validate'])} | | |",
        "",
        "Round trip / `validate_file`, median of per-round ratios: "
        f"{statistics.median(h / v for h, v in zip(*pair, strict=True)):.2f}.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--batch", type=int, default=200, help="bilans in the batch (200)")
    parser.add_argument("--batch-repeats", type=int, default=3, help="timed batch runs (default 3)")
    parser.add_argument(
        "--synthese", type=int, default=5000, help="bilans read by synthese (default 5000)"
    )
    parser.add_argument("--only", help="run only the sections whose title contains this")
    options = parser.parse_args()
    compile_package()
    report = validate_file(EXAMPLE)
    assert report.answers is not None and not report.errors
    answers = report.answers
    print("# clas-bilan benchmark\n")
    print("## Machine\n")
    print("\n".join(machine()))
    with tempfile.TemporaryDirectory(prefix="clas-bilan-bench-") as name:
        work = Path(name)
        (work / "inputs").mkdir()
        sections = [
            ("Render one bilan", lambda: section_render(answers, work, options.repeats)),
            ("Where render time goes", lambda: section_breakdown(answers, work, options.repeats)),
            ("Start-up", lambda: section_startup(options.repeats)),
            ("Whole process", lambda: section_process(work, options.repeats)),
            ("Batch", lambda: section_batch(work, options.batch, options.batch_repeats)),
            ("Peak memory", lambda: section_memory(work, options.batch)),
            ("Synthese of many bilans", lambda: section_synthese(work, options.synthese)),
            ("Browser form", lambda: section_formulaire(work, options.repeats)),
        ]
        for title, section in sections:
            if options.only and options.only.lower() not in title.lower():
                continue
            print(f"\n## {title}\n")
            print("\n".join(section()), flush=True)


if __name__ == "__main__":
    main()
