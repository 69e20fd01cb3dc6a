"""What one request may ask of the server: sizes of bodies and texts, simulations, list lengths.

Kept in one place so the API's validation, its error messages and the page agree.
"""

from __future__ import annotations

#: Largest request body accepted, in bytes (an article of :data:`MAX_ARTICLE_CHARS` fits with room).
MAX_BODY_BYTES = 256 * 1024
#: Longest article text ``POST /api/read`` analyses, in characters.
MAX_ARTICLE_CHARS = 50_000
#: Most simulations ``POST /api/simulate`` runs for one request.
MAX_SIMS = 20_000
#: Default simulations of ``POST /api/simulate``.
DEFAULT_SIMS = 10_000
#: Longest club name, competition name or search query, in characters.
MAX_NAME_CHARS = 80
#: Most clubs ``GET /api/ratings`` lists.
MAX_TOP = 200
#: Most matches ``GET /api/clubs`` lists.
MAX_CLUBS = 50
#: Largest first-leg deficit ``GET /api/history`` counts, in goals.
MAX_DEFICIT = 10
#: Most comebacks one page of ``GET /api/history`` lists, and how many it lists unless told.
MAX_HISTORY_PAGE = 200
HISTORY_PAGE = 50
#: Largest ``offset`` of a page of ``GET /api/history``.
MAX_HISTORY_OFFSET = 100_000
