"""Pictures of results people would rather see than read (PNG via matplotlib's Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from remontada.grid import ScoreGrid


def scoreline_heatmap(grid: ScoreGrid, home: str, away: str, path: str | Path, *, max_goals: int = 6,
                      title: str | None = None) -> Path:
    """Heatmap of P(home goals = i, away goals = j) up to ``max_goals`` each, percentages in the cells."""
    probs = grid.probs[: max_goals + 1, : max_goals + 1]
    fig = Figure(figsize=(6.4, 5.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    image = ax.imshow(probs * 100, cmap="viridis", origin="upper")
    for i in range(probs.shape[0]):
        for j in range(probs.shape[1]):
            pct = probs[i, j] * 100
            ax.text(j, i, f"{pct:.1f}", ha="center", va="center", fontsize=8,
                    color="white" if pct < probs.max() * 60 else "black")
    ax.set_xticks(np.arange(probs.shape[1]))
    ax.set_yticks(np.arange(probs.shape[0]))
    ax.set_xlabel(f"{away} goals")
    ax.set_ylabel(f"{home} goals")
    h, d, a = grid.outcome_probs()
    ax.set_title(title or f"{home} v {away}: {h:.0%} / {d:.0%} / {a:.0%}")
    fig.colorbar(image, ax=ax, label="probability (%)")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    return out
