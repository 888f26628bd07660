"""The web container's healthcheck: `python -m supportbot.health.probe http://127.0.0.1:8000/readyz`
exits 0 when the URL answers 2xx and 1 otherwise, printing the status and body for `docker inspect`.

Standard library only, without Django: it runs every few seconds, so it must start in
milliseconds, and it must not depend on the settings (secret key, database) it is probing.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

# Django answers 400 to a Host header missing from ALLOWED_HOSTS; the compose file adds this one.
PROBE_HOST = "localhost"
TIMEOUT_S = 5.0
MAX_SHOWN_BYTES = 1000


def probe(url: str) -> int:
    # No proxy: an HTTP_PROXY in the container's environment must not carry a loopback probe away.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Host": PROBE_HOST})
    try:
        with opener.open(request, timeout=TIMEOUT_S) as response:
            print(response.status, response.read(MAX_SHOWN_BYTES).decode(errors="replace"))
            return 0
    except urllib.error.HTTPError as answer:
        print(answer.code, answer.read(MAX_SHOWN_BYTES).decode(errors="replace"))
        return 1
    except OSError as error:
        print(f"no answer from {url}: {error}")
        return 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m supportbot.health.probe URL")
    sys.exit(probe(sys.argv[1]))
