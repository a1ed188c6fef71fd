# syntax=docker/dockerfile:1
# Venture CRM: `crm serve` on port 8080, data and secret files in the /data volume.
# Used as is by docker-compose.yml and by the StartOS package (startos/manifest).

# The web app's vendored JavaScript (Tabulator), from its lock file as `make install` does.
FROM node:20-slim AS web-vendor
WORKDIR /webapp
COPY plugins/webapp/package.json plugins/webapp/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# The package in a virtualenv that the final stage copies whole; sources stay behind.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY setup.cfg pyproject.toml README.md /src/
COPY core /src/core
COPY plugins /src/plugins
RUN python -m venv /opt/crm && /opt/crm/bin/pip install /src
# The wheel lacks the assets setup.cfg's package_data names (*.html, *.css, *.js, *.sql) when
# they sit in folders that are not packages (core/static/, plugins/*/web/, ...): copy them in.
WORKDIR /src
RUN find core plugins -type f \( -name '*.html' -o -name '*.css' -o -name '*.js' -o -name '*.sql' \) \
        ! -path '*/node_modules/*' -exec cp --parents {} /opt/crm/lib/python3.11/site-packages/ \;
COPY --from=web-vendor /webapp/node_modules/tabulator-tables/dist/js/tabulator_esm.min.js \
    /webapp/node_modules/tabulator-tables/dist/css/tabulator.min.css \
    /webapp/node_modules/echarts/dist/echarts.min.js \
    /opt/crm/lib/python3.11/site-packages/plugins/webapp/static/vendor/

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/crm/bin:$PATH

# Time zone rules for DIGEST_TZ (zoneinfo): slim images from Debian 13 on ship none. Unpinned
# on purpose, the rules must stay current.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/*

# Fixed ids: the StartOS package writes the secret files as this user (startos/crm.ts).
RUN groupadd --system --gid 10001 crm \
    && useradd --system --uid 10001 --gid crm --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin crm

COPY --from=build /opt/crm /opt/crm
# Fail the build, not the first request, when a page or script did not make it in.
RUN python -c "from importlib.resources import files as f; \
[f(p).joinpath(n).read_bytes() for p, n in (('core', 'static/setup.html'), \
('plugins.webapp', 'static/index.html'), ('plugins.webapp', 'static/vendor/tabulator_esm.min.js'))]"

COPY --chmod=0755 docker_entrypoint.sh /usr/local/bin/docker_entrypoint.sh

RUN mkdir -p /data/secrets && chown -R crm:crm /data && chmod 0700 /data/secrets

# CRM_SECRETS_DIR is a path, not a secret; the linter only sees the word.
# hadolint ignore=DL3064
ENV CRM_ENV=production \
    CRM_DATA_DIR=/data \
    CRM_SECRETS_DIR=/data/secrets \
    CRM_HOST=0.0.0.0 \
    CRM_PORT=8080 \
    CRM_WORKERS=2

# Numeric, so runtimes that check for a non-root user can tell without /etc/passwd.
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080

# No curl in the image: the standard library asks /api/ready (503 until the database is ready).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/ready' % os.environ.get('CRM_PORT', '8080'), timeout=4)"]

ENTRYPOINT ["/usr/local/bin/docker_entrypoint.sh"]
