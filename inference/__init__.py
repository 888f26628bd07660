"""SupportBot's inference module: a vision-language model server with per-session KV caches.

Framework-free (no Django, Channels or Celery). Importing this package does not import torch;
`inference.engine` and `inference.models` do.
"""

import threading

# transformers' modules import one another lazily and in cycles: two threads importing them for
# the first time at once (the engine loading its model while a visitor's question is embedded,
# right after a start) can get a half-initialised module ("cannot import name 'AutoConfig' from
# 'transformers'"). Whoever imports transformers or builds a model from it first holds this lock.
TRANSFORMERS_LOCK = threading.RLock()
