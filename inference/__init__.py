"""SupportBot's inference module: a vision-language model server with per-session KV caches.

Framework-free (no Django, Channels or Celery). Importing this package does not import torch;
`inference.engine` and `inference.models` do.
"""
