"""Text -> the body that wrote a report, its title, year and dates, and the concepts it names.

Everything is found on a folded copy of the text (``textnorm``) and mapped
back, so a traditional-script page, full-width punctuation or a PDF's stray
spaces change nothing but the surface form. The stages: ``dates`` (title,
year, issue date), ``body`` (who wrote it and where it sits), ``mentions``
(the concepts, with offsets); ``patterns`` holds every regex they use,
``lexicon`` the vocabulary matcher, ``divisions`` the parser of chains of
division names, ``tokens`` the word splitter and the bounded memos.
"""

from __future__ import annotations

from ..gazetteer import Gazetteer
from ..model import Division, Document, Extraction
from ..textnorm import fold_with_map
from .body import BodyFinder
from .dates import find_issued, find_title, find_year, line_spans
from .lexicon import Lexicon
from .mentions import MentionFinder
from .tokens import Tokens

__all__ = ["Extractor", "Lexicon"]


class Extractor:
    """Turns documents into extractions; holds the lexicon and a private tokenizer.

    With a ``gazetteer``, a name only counts as the body when the gazetteer
    knows it or the report gives it itself (title, 发布机构, heading, signature).
    """

    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer | None = None) -> None:
        self.lexicon = lexicon
        self.tokens = Tokens()
        known = None
        if gazetteer is not None:
            def known(division: Division) -> bool:
                return bool(gazetteer.named(division.name, division.level))
        self.bodies = BodyFinder(self.tokens, known=known)
        self.mentions = MentionFinder(lexicon, self.tokens)

    def extract(self, doc: Document, about: Extraction | None = None) -> Extraction:
        """Everything one report says about itself and what it names.

        ``about``, an extraction of the same text made before, gives its title, body, year,
        dates and the body's names, which do not depend on the vocabulary: then only the
        mentions are found again (what a vocabulary edit changes)."""
        folded, index = fold_with_map(doc.text)
        if about is None:
            lines = line_spans(folded)
            title, title_pos = find_title(lines)
            body, names = self.bodies.find(folded, lines, title_pos)
            about = Extraction(doc, title, body, find_year(folded, title, title_pos), find_issued(folded),
                               names=frozenset(names))
        mentions = self.mentions.find(doc.text, folded, index, about.names)
        return Extraction(doc, about.title, about.body, about.year, about.issued, tuple(mentions), folded, about.names)
