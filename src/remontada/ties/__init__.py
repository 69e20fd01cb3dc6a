"""Two-legged ties: where a tie stands, the exact engine, the answer, history, base rates, backtest."""
