# The warta worker image used by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gcc libxml2-dev libxslt1-dev \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY streams ./streams
RUN pip install .
RUN useradd --create-home warta && mkdir /data && chown warta /data
# A fresh named volume takes this folder's owner: the worker (not root) writes its state there.
VOLUME /data
USER warta
EXPOSE 6066
CMD ["warta", "worker"]
