"""Questions of change and place, asked of a built graph: who adopted a concept when and where
(``spread``), which bodies run the same toolkit (``similar``), and which concepts travel
together (``together``).

One job a module; each reads the graph through ``kg.query.GraphStore`` with the
bundled ``.rq`` files and returns plain dataclasses, which the command line prints
and the summary page draws. ``names`` turns what a user typed into the one node it
means; ``bodies`` says where each reporting body sits and in which years it reported.
Imports run one way: this package imports ``kg.query``, ``kg.kinds`` and
``kg.vocab``; only the summary page imports it.
"""
