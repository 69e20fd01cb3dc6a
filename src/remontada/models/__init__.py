"""Strength models: goal models (Poisson family, joint across leagues) and their building blocks."""

from remontada.models.goals import (
    BivariatePoisson,
    DixonColes,
    GoalModel,
    NegativeBinomial,
    Poisson,
    Ratings,
)
from remontada.models.weights import decay_weights

__all__ = ["BivariatePoisson", "DixonColes", "GoalModel", "NegativeBinomial", "Poisson", "Ratings", "decay_weights"]
