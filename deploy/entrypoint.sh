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
    # No --proxy-headers: Daphne would believe the left-most X-Forwarded-For, which the client
    # writes. The application reads X-Forwarded-For and X-Forwarded-Proto from the proxies in
    # SUPPORTBOT_TRUSTED_PROXIES only (supportbot.lib.client_address).
    exec daphne --bind 0.0.0.0 --port 8000 supportbot.asgi:application
    ;;
inference)
    exec python manage.py inference_worker
    ;;
celery)
    exec python -m celery -A supportbot worker --loglevel=INFO
    ;;
beat)
    # The schedule file keeps each timer's last run: on its volume, a restart postpones nothing.
    exec python -m celery -A supportbot beat --loglevel=INFO --schedule /var/lib/supportbot/beat/celerybeat-schedule
    ;;
*)
    exec "$@"
    ;;
esac
