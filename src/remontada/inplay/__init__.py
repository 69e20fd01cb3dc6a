"""In-play: the remaining-time model, its evidence, fit and validation, live answers, comeback curve."""
