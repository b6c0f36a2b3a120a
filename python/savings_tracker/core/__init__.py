"""The core: knows nothing about Excel, files or documents.

``schema`` (every column declared once, with its rules), ``money`` (exact amounts), ``settings``, ``register``
(the lines, where each value came from, the published totals), ``calc`` (phasing totals, variance, suggested
RAG, summaries, the RAG £ analysis), ``validate`` (the rules, one small function each), ``history`` (snapshots,
direction of travel) and ``report`` (text and JSON views).
"""
