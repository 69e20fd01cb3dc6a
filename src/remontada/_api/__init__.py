"""The implementation of the public facade (``import remontada as rm``): one module per topic.

Private: import from :mod:`remontada` instead. Each function checks its inputs
(:class:`~remontada.errors.InvalidInput` naming the field), opens the user's store when given
none, calls the domain modules and returns a dataclass with ``to_dict()``.
"""
