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

    def extract(self, doc: Document) -> Extraction:
        """Everything one report says about itself and what it names."""
        folded, index = fold_with_map(doc.text)
        lines = line_spans(folded)
        title, title_pos = find_title(lines)
        body, names = self.bodies.find(folded, lines, title_pos)
        year = find_year(folded, title, title_pos)
        issued = find_issued(folded)
        mentions = self.mentions.find(doc.text, folded, index, names)
        return Extraction(doc, title, body, year, issued, tuple(mentions), folded)
