"""remontada: football forecasting built around the question "can they come back?"."""

__version__ = "0.1.0"
