"""The article's genre — reporting, opinion or satire — from the reporter's words and the article's style (how much
of it is quoted and attributed speech, first and second person, hedges and questions in the reporter's own voice,
datelines, the headline). It reads the quotes, so the ``genre`` component runs after ``quotes``. Model card:
``presslens/genre/models/MODEL_CARD.md``.
"""

from presslens.genre.classifier import GenreClassifier, article_inputs
from presslens.genre.detect import DEFAULT_MODEL_PATH, MODEL_NAME, detect_genre, load_genre_model

__all__ = ["DEFAULT_MODEL_PATH", "MODEL_NAME", "GenreClassifier", "article_inputs", "detect_genre", "load_genre_model"]
