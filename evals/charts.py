"""Report charts (PNG): metrics per config, per-language bars, latency distribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

METRICS = ("answer", "citation_recall", "citation_precision", "hit5", "abstention")


def draw(folder: Path, summaries: dict[str, dict[str, Any]], per_language: dict[str, dict[str, dict[str, Any]]],
         latencies: dict[str, list[float]]) -> list[Path]:
    """Write the three charts into folder; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: list[Path] = []
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(len(summaries), 1)
    for i, (name, s) in enumerate(summaries.items()):
        values = [100 * float(s.get(m) or 0.0) for m in METRICS]
        ax.bar([x + i * width for x in range(len(METRICS))], values, width, label=name)
    ax.set_xticks([x + width * (len(summaries) - 1) / 2 for x in range(len(METRICS))], METRICS)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title("Metrics per configuration")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
    fig.tight_layout()
    out.append(folder / "metrics_per_config.png")
    fig.savefig(out[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 4))
    langs = sorted({lang for per in per_language.values() for lang in per})
    width = 0.8 / max(len(per_language), 1)
    for i, (name, per) in enumerate(per_language.items()):
        values = [100 * float(per.get(lang, {}).get("answer") or 0.0) for lang in langs]
        ax.bar([x + i * width for x in range(len(langs))], values, width, label=name)
    ax.set_xticks([x + width * (len(per_language) - 1) / 2 for x in range(len(langs))], langs)
    ax.set_ylim(0, 100)
    ax.set_ylabel("answer accuracy %")
    ax.set_title("Answer accuracy per question language")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
    fig.tight_layout()
    out.append(folder / "per_language.png")
    fig.savefig(out[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 4))
    for name, values in latencies.items():
        ax.hist(values, bins=30, alpha=0.6, label=name)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency distribution")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
    fig.tight_layout()
    out.append(folder / "latency.png")
    fig.savefig(out[-1], dpi=110)
    plt.close(fig)
    return out
