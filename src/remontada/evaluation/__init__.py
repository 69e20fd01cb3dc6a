"""Evaluation: walk-forward backtests, scoring rules and calibration."""
