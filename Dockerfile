# syntax=docker/dockerfile:1
# One image for every role of 高小新; the command picks the role:
#   docker run IMAGE api | rasa | actions | purge
# The model is trained at build time unless models/gaoxiaoxin.tar.gz is already in the context.
FROM python:3.10-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TF_CPP_MIN_LOG_LEVEL=3 \
    RASA_TELEMETRY_ENABLED=false \
    LOG_FORMAT=json \
    GXX_VAR_DIR=/var/lib/gxx \
    VIRTUAL_ENV=/app/.venv \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app
RUN groupadd --system gxx && useradd --system --gid gxx --home-dir /app gxx \
    && mkdir -p /var/lib/gxx && chown gxx:gxx /var/lib/gxx

# dependencies first (cached while only the code changes), exactly as locked
COPY requirements.lock pyproject.toml ./
RUN python -m venv /app/.venv \
    && pip install --no-cache-dir --disable-pip-version-check "uv==$(sed -n 's/^uv==//p' requirements.lock)" \
    && uv pip sync --no-cache --compile-bytecode --python /app/.venv/bin/python requirements.lock

COPY . .
RUN python -m compileall -q bot actions api \
    && (test -f models/gaoxiaoxin.tar.gz || python -m bot.training) \
    && chown -R gxx:gxx /app/models /app/data

USER gxx
# 8000 api, 5005 rasa, 5055 actions; only the api is ever published
EXPOSE 8000 5005 5055
ENV API_HOST=0.0.0.0 RASA_INTERFACE=0.0.0.0 ACTION_INTERFACE=0.0.0.0
ENTRYPOINT ["/bin/sh", "-c", "if [ \"$1\" = purge ]; then exec python -m bot.retention; else exec python -m bot.launcher \"$@\"; fi", "gxx"]
CMD ["api"]
