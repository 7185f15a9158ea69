"""What many syntax errors cost the loading of a long answers file (issue 20).

Run with the project's Python::

    python benchmarks/syntax_errors.py [--repeats 5]

The shipped example with its list of territoires repeated (3 000 and 6 000 lines), N
items damaged by turns: a section one space off its column (set aside with its lines),
a text starting with « [ », an unquoted « : », an unclosed quote (repaired). For each
file: the median time of ``loading.load``, the findings, and how many lines YAML read
in all to find the errors
(``syntax.settle``), as a multiple of the file's length: each error costs a new reading
of its own part, so that multiple stays flat as errors grow, where reading the whole
file again after each error would grow with them. The output is Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from clas_bilan import campaigns, loading, syntax

_DAMAGE = (
    (1, lambda line: line[1:]),  # « etablissements: » one space left of its column
    (2, lambda line: line.replace('nom: "', "nom: [")),  # a text starting with « [ »
    (4, lambda line: line.replace('email: "', "email: a : ").rstrip('"')),  # unquoted « : »
    (3, lambda line: line.rstrip('"')),  # an address whose quote is never closed
)


def answers(items: int, errors: int) -> str:
    """The example with ``items`` territoires, the first ``errors`` of them damaged."""
    lines = campaigns.current().example.read_text(encoding="utf-8").split("\n")
    start = lines.index("territoires:") + 1
    end = next(n for n in range(start, len(lines)) if lines[n].startswith("# Axe"))
    item = lines[start : end - 1]
    body: list[str] = []
    for number in range(items):
        damaged = list(item[:13])
        if number < errors:
            at, damage = _DAMAGE[number % len(_DAMAGE)]
            damaged[at] = damage(damaged[at])
        body += damaged
    return "\n".join([*lines[:start], *body, *lines[end - 1 :]])


@contextmanager
def counted() -> Iterator[list[int]]:
    """Count the lines YAML reads while the syntax errors are looked for."""
    read: list[int] = []
    original = syntax._Settler.error

    def error(self: syntax._Settler, start: int, end: int, undash: int | None) -> object:
        read.append(end - start)
        return original(self, start, end, undash)

    syntax._Settler.error = error  # type: ignore[method-assign,assignment]
    try:
        yield read
    finally:
        syntax._Settler.error = original  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    print("| lines | damaged items | findings | load (median) | lines read / file length |")
    print("|---:|---:|---:|---:|---:|")
    for items in (220, 440):
        for errors in (0, 10, 50, 100, 150):
            text = answers(items, errors)
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                loaded = loading.load(text)
                times.append(time.perf_counter() - started)
            with counted() as read:
                loading.load(text)
            length = text.count("\n") + 1
            print(
                f"| {length} | {errors} | {len(loaded.findings)} | "
                f"{statistics.median(times):.2f} s | {sum(read) / length:.1f} |"
            )


if __name__ == "__main__":
    main()
