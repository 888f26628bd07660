"""The help center: articles, their import, indexing into chunks and retrieval for grounded replies.

Imports no other app of the project: chat asks knowledge, never the other way round.
"""
