"""Timing helpers shared by the benchmarks: repeat a call, report min / median / p95."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    runs: int
    min_ms: float
    median_ms: float
    p95_ms: float
    target_ms: float | None = None

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return ""
        return "ok" if self.median_ms <= self.target_ms else "ACIMA DA META"


def measure(
    name: str, action: Callable[[], object], runs: int, target_ms: float | None = None
) -> Figure:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return figure(name, samples, target_ms)


def figure(name: str, samples_ms: list[float], target_ms: float | None = None) -> Figure:
    """min / median / p95 of samples timed elsewhere (e.g. by threads)."""
    samples = sorted(samples_ms)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Figure(name, len(samples), samples[0], statistics.median(samples), p95, target_ms)


def print_table(figures: list[Figure]) -> None:
    width = max(len(f.name) for f in figures)
    print(f"{'figura':<{width}}  {'runs':>5} {'min ms':>9} {'mediana':>9} {'p95 ms':>9}  meta")
    for f in figures:
        target = f"≤ {f.target_ms:g} ms {f.verdict}" if f.target_ms is not None else ""
        print(
            f"{f.name:<{width}}  {f.runs:>5} {f.min_ms:>9.2f} {f.median_ms:>9.2f}"
            f" {f.p95_ms:>9.2f}  {target}"
        )


def print_side_by_side(engines: list[str], results: list[list[Figure]]) -> None:
    """The same figures measured on each database (in the same order), their medians side by
    side and the second's ratio to the first."""
    width = max(len(f.name) for f in results[0])
    heads = "".join(f" {engine:>12}" for engine in engines)
    print(f"\n{'mediana (ms)':<{width}} {heads}  razão  metas")
    for row in zip(*results, strict=True):
        medians = "".join(f" {f.median_ms:>12.2f}" for f in row)
        ratio = row[1].median_ms / row[0].median_ms if row[0].median_ms else float("nan")
        targets = " / ".join(
            f"{f.target_ms:g} {'ok' if f.verdict == 'ok' else 'ACIMA'}" for f in row if f.target_ms
        )
        print(f"{row[0].name:<{width}} {medians} {ratio:>6.1f}x  {targets}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
