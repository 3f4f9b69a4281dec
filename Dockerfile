# govmon in a container, for compose.yaml (scaling out on PostgreSQL and Redis). The embedded SQLite default
# needs none of this: `make run` on one machine is the simple way.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 HOME=/var/lib/govmon
WORKDIR /opt/govmon
COPY pyproject.toml requirements.lock README.md ./
COPY crawler crawler
COPY monitor monitor
COPY storage storage
COPY notifiers notifiers
RUN pip install -c requirements.lock '.[postgres,redis]' \
 && useradd --system --home-dir /var/lib/govmon --create-home govmon
USER govmon
CMD ["govmon", "--help"]
