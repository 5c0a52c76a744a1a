"""The library behind the IVIG in s-IBM evidence book, in layers by concept.

Read it top-down; imports only go downward (``tests/test_layers.py`` holds this):

``paths``
    where the repository's files are.
``data/``
    the data package: ``schema`` (the descriptor compiled), ``read`` (one CSV against its
    schema), ``rules`` (cross-table rules), ``validate`` (the whole package, and its command),
    ``load`` (typed tables for everything above), ``dictionary``, ``newstudy`` (scaffolding)
    and ``synthetic`` (generated packages for benchmarks and tests).
``analysis/``
    numbers and tables from the data: ``vocabulary`` (every label, verdict and cohort-defining
    set, defined once), ``cohorts`` (how studies are named; which are trials or controlled),
    then one module per part of the argument - ``search``, ``evidence``, ``trials``,
    ``responders``, ``timing``, ``markers``, ``power``, ``summary`` - the ``claims`` package
    (registry, checks, ledger) and ``changes`` (the living review).
``text/``
    words from the analysis: ``sentences`` (wording that follows counts), ``values`` (single
    values for glue) and ``markdown``.
``figures/``
    charts from the analysis: ``theme`` (every colour, shape, font and width), then one module
    per figure family.
``publish/``
    turning chapters into a book: ``render`` (chapter set-up, tables), ``chartspec`` (charts
    compiled to Vega, with their phone layouts; drawn by ``charts.js``), ``build`` (the strict
    build and its Sphinx extension), ``sphinx_ext``, ``bibstyle``, ``version``, ``release``
    and ``bench``.

Where new work goes: a new check of the data is a rule in ``data/rules.py`` (or a constraint
in the descriptor); a new table or number is a function in the ``analysis`` module of its part
of the argument; a new chart is a factory in ``figures/``; a new sentence builder is in
``text/``; a new build step is in ``publish/``.
"""
