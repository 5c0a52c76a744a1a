"""The living review's search: PubMed through NCBI's E-utilities (:mod:`.eutils`), and the
record of each run and its screening in the data package (:mod:`.pubmed`)."""
