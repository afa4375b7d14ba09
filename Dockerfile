# syntax=docker/dockerfile:1
# Marsad: one image, the command decides the role (`connect`, `worker`, `run`, `search`, ...).
#
#   docker build -t marsad:0.1.0 .
#   docker run --rm marsad:0.1.0 worker      # the default command
#   docker run --rm marsad:0.1.0 connect
#
# Stage `build` compiles the native core (native/, Rust via PyO3 and maturin) and turns Marsad
# and every dependency into wheels; the runtime stage installs only those wheels: no compiler,
# no Rust, no development tools (devtools/ and the dev extra are never installed).

ARG PYTHON_VERSION=3.12
ARG DEBIAN_RELEASE=bookworm
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS rust

FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS build
ENV RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:$PATH \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY --from=rust /usr/local/rustup /usr/local/rustup
COPY --from=rust /usr/local/cargo /usr/local/cargo
RUN python -m pip install maturin==1.16.0
WORKDIR /src
# The native core first: its layer is reused while only the Python code changes.
COPY native/ native/
RUN maturin build --release --locked --manifest-path native/Cargo.toml \
        --interpreter python --out /wheels
COPY pyproject.toml README.md ./
COPY kernel/ kernel/
COPY connectors/ connectors/
COPY pipeline/ pipeline/
COPY cli/ cli/
COPY deploy/ deploy/
# Marsad's wheel and the wheels of its pinned dependencies; marsad-native from /wheels.
RUN pip wheel --wheel-dir /wheels --find-links /wheels .

FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS runtime
LABEL org.opencontainers.image.title="marsad" \
      org.opencontainers.image.description="Streaming ingestion, deduplication and search for Arabic news" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MARSAD_HOME=/var/lib/marsad \
    MARSAD_CACHE_DIR=/var/lib/marsad/cache \
    MARSAD_WORKER_WEB_HOST=0.0.0.0
RUN groupadd --system --gid 10001 marsad \
    && useradd --system --uid 10001 --gid marsad --home-dir /var/lib/marsad --create-home \
        --shell /usr/sbin/nologin marsad
# The wheels are bind-mounted from the build stage, so none of them stays in a layer.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-cache-dir --no-index --find-links /wheels marsad==0.1.0 \
    && python -m pip uninstall -y pip
WORKDIR /var/lib/marsad
USER 10001:10001
# 6066: the worker's /metrics and /health; 6067: the connectors' /metrics (--metrics-port).
EXPOSE 6066 6067
ENTRYPOINT ["marsad"]
CMD ["worker"]
