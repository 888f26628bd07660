"""docker-compose.vllm.yml, checked without Docker: vLLM replicas with prefix caching, one GPU
each, behind a router that keys on the header SupportBot sends, and SupportBot pointed at it."""

from __future__ import annotations

from urllib.parse import urlsplit

from supportbot.inference_bridge.remote_client import SESSION_HEADER
from tests.deploy.test_deploy_files import compose, settings_environment_variables


def flags(command: list[str]) -> dict[str, str]:
    return dict(arg.removeprefix("--").partition("=")[::2] for arg in command)


def test_vllm_replicas_behind_a_session_router_serve_the_turns():
    base = compose()["services"]
    services = compose("docker-compose.vllm.yml")["services"]
    replicas = {name: s for name, s in services.items() if name.startswith("vllm-")}
    assert len(replicas) >= 2
    gpus = [s["deploy"]["resources"]["reservations"]["devices"][0]["device_ids"] for s in replicas.values()]
    assert len({tuple(g) for g in gpus}) == len(gpus), "two replicas on one GPU"

    router = flags(services["router"]["command"])
    assert router["routing-logic"] == "session" and router["session-key"] == SESSION_HEADER.lower()
    backends = router["static-backends"].split(",")
    assert sorted(urlsplit(url).hostname for url in backends) == sorted(replicas)

    for name in ("web", "celery"):
        env = services[name]["environment"]
        assert urlsplit(env["SUPPORTBOT_INFERENCE_URL"]).hostname == "router"
        assert env["SUPPORTBOT_INFERENCE_URL"].endswith("/v1")
        assert set(env) <= settings_environment_variables()
        for replica in replicas.values():
            served = flags(replica["command"])
            assert served["served-model-name"] == env["SUPPORTBOT_INFERENCE_MODEL"]
            assert "enable-prefix-caching" in served and "enable-prompt-tokens-details" in served
        assert router["static-models"].split(",") == [env["SUPPORTBOT_INFERENCE_MODEL"]] * len(replicas)
    assert services["inference"]["deploy"]["replicas"] == 0
    assert {"web", "celery", "beat", "inference"} <= set(base)
