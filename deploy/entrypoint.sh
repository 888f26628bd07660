#!/bin/sh
# The container's entrypoint: the first argument names the role (docs/deploy.md).
#   web        apply migrations, then serve HTTP and WebSockets with Daphne on port 8000
#   inference  an inference worker (needs REDIS_URL): loads the model, then answers turns
#   celery     the Celery worker (needs REDIS_URL): ships events, sends mail and webhooks
#   beat       Celery beat, exactly one per deployment: resends events, enforces the handoff SLA
#   anything else runs as given: `python manage.py createsuperuser`, `bash`, ...
set -eu

case "${1:-web}" in
web)
    # Only the web role migrates: the schema is current before the first request, and no other
    # kind of container races it to apply the same migration.
    python manage.py migrate --noinput
    # --proxy-headers: Daphne takes the scheme from the TLS proxy's X-Forwarded-Proto (sent with
    # X-Forwarded-For); without it Django sees plain http and rejects uploads from https pages
    # as cross-origin (CSRF).
    exec daphne --bind 0.0.0.0 --port 8000 --proxy-headers supportbot.asgi:application
    ;;
inference)
    exec python manage.py inference_worker
    ;;
celery)
    exec python -m celery -A supportbot worker --loglevel=INFO
    ;;
beat)
    exec python -m celery -A supportbot beat --loglevel=INFO --schedule /tmp/celerybeat-schedule
    ;;
*)
    exec "$@"
    ;;
esac
