"""The library behind the IVIG in s-IBM evidence book.

Chapters, tests and the command line all go through this package: ``load`` reads and
validates the data package, ``stats`` and ``claims`` compute, ``charts`` draws, and
``render`` sets up output for HTML and PDF.
"""
