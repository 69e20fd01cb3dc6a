"""Read a football news article and answer it: the tie it is about, who goes through, and whether
the results it quotes are right.

:func:`~remontada.news.reader.read_article` is the entry point; the steps are small modules:
:mod:`.text` (cleaning and validation), :mod:`.clubs` (club mentions), :mod:`.facts` (competition,
round, scores, venues), :mod:`.dates` (the article's date), :mod:`.results` (each score read in its sentence),
:mod:`.hosts` (who is at home next), :mod:`.extract` (all of it, each fact with the sentence it
came from), :mod:`.locate` (the tie in the store), :mod:`.claims` (checking
quoted results) and :mod:`.reader` (the answer). Deterministic: regular expressions and the store.
"""

from remontada.news.reader import ArticleAnswer, read_article
from remontada.news.text import UnreadableArticle

__all__ = ["ArticleAnswer", "UnreadableArticle", "read_article"]
