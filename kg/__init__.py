"""fazhi-kg: a knowledge graph of Chinese local-government rule-of-law reports.

Stages, each a module, data flowing one way:
ingest (files -> Document) -> extract (Document -> Extraction) ->
resolve (mentions -> concepts) -> graph (-> Turtle) -> query / viz.
"""

__version__ = "0.1.0"
