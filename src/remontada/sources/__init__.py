"""Public data sources: one module each, all implementing :class:`remontada.sources.base.Source`."""
