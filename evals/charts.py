"""Report charts (PNG): metrics per config, per-language bars, latency distribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

METRICS = ("answer", "citation_recall", "citation_precision", "hit5", "abstention")


def _grouped_bars(path: Path, groups: list[str], series: dict[str, list[float]], title: str, ylabel: str) -> Path:
    """One bar per series in each group, percentages 0-100."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(groups))], values, width, label=name)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(groups))], groups)
    ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw(folder: Path, summaries: dict[str, dict[str, Any]], per_language: dict[str, dict[str, dict[str, Any]]],
         latencies: dict[str, list[float]]) -> list[Path]:
    """Write the three charts into folder; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = [_grouped_bars(folder / "metrics_per_config.png", list(METRICS),
                         {n: [100 * float(s.get(m) or 0.0) for m in METRICS] for n, s in summaries.items()},
                         "Metrics per configuration", "%")]
    langs = sorted({lang for per in per_language.values() for lang in per})
    out.append(_grouped_bars(folder / "per_language.png", langs,
                             {n: [100 * float(per.get(lang, {}).get("answer") or 0.0) for lang in langs]
                              for n, per in per_language.items()},
                             "Answer accuracy per question language", "answer accuracy %"))

    fig, ax = plt.subplots(figsize=(9, 4))
    for name, values in latencies.items():
        ax.hist(values, bins=30, alpha=0.6, label=name)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency distribution")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4, fontsize=8)
    fig.tight_layout()
    out.append(folder / "latency.png")
    fig.savefig(out[-1], dpi=110)
    plt.close(fig)
    return out
