"""PNG charts of simulation results: heat maps of who reaches which round, and who finishes where."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from remontada.simulate.results import SimulationResult


def _heatmap(matrix: pd.DataFrame, title: str, path: Path, *, percent_text: bool = True) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, cols = matrix.shape
    fig, ax = plt.subplots(figsize=(max(7.0, 0.55 * cols + 3.5), max(3.2, 0.32 * rows + 2.0)), dpi=120)
    values = matrix.to_numpy(dtype=float)
    ax.imshow(values, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(
        range(cols),
        [str(c) for c in matrix.columns],
        rotation=45 if cols > 8 else 0,
        ha="right" if cols > 8 else "center",
        fontsize=8,
    )
    ax.set_yticks(range(rows), [str(i) for i in matrix.index], fontsize=8)
    ax.xaxis.tick_top()
    if percent_text:
        for (r, c), p in np.ndenumerate(values):
            if p >= 0.005:
                text = "100" if p >= 1.0 else f"{100 * p:.0f}" if p < 0.995 else ">99"
                ax.text(c, r, text, ha="center", va="center", fontsize=7, color="white" if p > 0.55 else "black")
    ax.set_title(title, fontsize=9, pad=24)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def save_chart(result: SimulationResult, path: str | Path) -> Path:
    """Write the result's chart as a PNG: round-by-round chances for a knockout or league phase,
    finishing positions for a league. Cells are percentages of simulations."""
    path = Path(path)
    state = result.state
    title = (
        f"{state.competition.name} {state.season}: {result.n_sims:,} simulations from {state.as_of.isoformat()} "
        f"({result.model})\n"
    )
    if state.kind == "league":
        return _heatmap(result.position_matrix(), title + "finishing position (% of simulations)", path)
    frame = result.knockout_frame().set_index("club")
    columns = result.round_labels()
    if state.kind == "group_stage":
        groups = result.group_frame().set_index("club")
        places = [c for c in groups.columns if c[0].isdigit()][:2]
        frame = groups[places].join(frame[columns[1:]])
        columns = places + columns[1:]
        frame = frame.sort_values(["Winner", *places], ascending=False)
    if state.kind == "league_phase":
        table = result.table_frame().set_index("club")
        zones = [label for label, _, _ in result.zones()]
        frame = table[zones].join(frame[columns[1:]])
        columns = zones + columns[1:]
        frame = frame.sort_values(["Winner", *zones], ascending=False)
    return _heatmap(frame[columns], title + "chance to reach each stage (% of simulations)", path)
