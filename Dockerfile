# mosovo-bot: a slim, non-root image. Build: docker build -t mosovo-bot .
# The same image runs the bot (`run`, the default), migrations (`db upgrade`) and every operator
# command (`doctor`, `report`, `export`, `retention`, `audit`). See docs/deploy.md.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# only what the package is built from: no tests, no benchmarks, no local settings
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY flows ./flows
COPY storage ./storage
# the catalogues are compiled here (Babel is a dependency anyway), then packaged with flows/
RUN python -m venv /opt/venv && /opt/venv/bin/pip install 'Babel>=2.14,<3' \
    && for po in flows/locale/*/LC_MESSAGES/*.po; do /opt/venv/bin/pybabel compile -i "$po" -o "${po%.po}.mo" || exit 1; done \
    && /opt/venv/bin/pip install .

FROM python:3.11-slim
RUN groupadd --system --gid 10001 mosovo \
    && useradd --system --uid 10001 --gid mosovo --home-dir /app --shell /usr/sbin/nologin mosovo \
    && mkdir -p /var/lib/mosovo \
    && chown mosovo:mosovo /var/lib/mosovo
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# `doctor` compares the token's scopes with the manifest it was installed from
COPY manifest.yml ./
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=3000 \
    MPLCONFIGDIR=/tmp/matplotlib \
    DATABASE_URL=sqlite:////var/lib/mosovo/mosovo.db
USER 10001:10001
EXPOSE 3000
# HTTP mode: /healthz answers 200 while the database answers (Socket Mode serves no HTTP; run
# such a container with --no-healthcheck or an orchestrator probe of its own)
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; url = 'http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'); sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)"]
ENTRYPOINT ["mosovo-bot"]
CMD ["run"]
