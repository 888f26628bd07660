#!/usr/bin/env bash
# On a machine with an NVIDIA GPU, in one short run (under 8 minutes): build a GLM-4.6V-Flash-shaped
# model with random bf16 weights (bench/glm_shaped.py: the real config), time SupportBot's engine
# on it (bench/engine.py), and, where vLLM is installed, the same chat workload through our engine
# and through vLLM serving that folder (bench/peers.py). Prints each benchmark's JSON line.
#
#   bash bench/gpu_check.sh            # with the project's virtualenv active, or PYTHON=... set
#
# Needs about 20 GB of free disk for the folder (WORK=... to put it elsewhere; kept for reruns).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
WORK="${WORK:-${TMPDIR:-/tmp}/supportbot-gpu-check}"
MODEL="$WORK/glm-4.6v-flash-shaped"
VLLM_PORT="${VLLM_PORT:-8765}"
export HF_HUB_OFFLINE=1
mkdir -p "$WORK"

"$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "no CUDA GPU visible to torch")'
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true

if [ ! -f "$MODEL/config.json" ]; then
  timeout 150 "$PYTHON" bench/glm_shaped.py "$MODEL"
fi

# vLLM (if installed) loads the folder and captures its CUDA graphs while our engine is timed; it
# holds under half the GPU's memory, so both fit, and it has no request until bench/peers.py.
vllm_pid=""
if "$PYTHON" -c 'import vllm' 2>/dev/null; then
  "$PYTHON" -m vllm.entrypoints.openai.api_server --model "$MODEL" --served-model-name glm-shaped \
    --enable-prefix-caching --enable-prompt-tokens-details --max-model-len 16384 \
    --limit-mm-per-prompt '{"image": 4}' --gpu-memory-utilization 0.45 \
    --host 127.0.0.1 --port "$VLLM_PORT" >"$WORK/vllm.log" 2>&1 &
  vllm_pid=$!
  trap 'kill "$vllm_pid" 2>/dev/null || true' EXIT
else
  echo "vLLM is not installed here (pip install vllm): bench/peers.py against it is skipped" >&2
fi

# Our engine alone: KV reuse vs recompute over 8 turns with screenshots, batched vs sequential
# decode of 8 sessions; 3 help-center passages a turn, as the chat sends.
timeout 150 "$PYTHON" bench/engine.py --model "$MODEL" --passages 3 --json | tail -n 1

if [ -n "$vllm_pid" ]; then
  for _ in $(seq 120); do
    curl -fsS "http://127.0.0.1:$VLLM_PORT/health" >/dev/null 2>&1 && break
    kill -0 "$vllm_pid" 2>/dev/null || { tail -n 40 "$WORK/vllm.log"; exit 1; }
    sleep 1
  done
  version=$("$PYTHON" -c 'import vllm; print(vllm.__version__)')
  # The same 8 conversations of 8 turns through our engine, then through vLLM.
  timeout 180 "$PYTHON" bench/peers.py --model "$MODEL" --vision \
    --peer-url "http://127.0.0.1:$VLLM_PORT/v1" --peer-model glm-shaped --peer-name "vllm $version" \
    --json | tail -n 1
fi
