# Production image for the idea portal: gunicorn serves Django, whitenoise
# serves the static files collected at build time. The same image runs the
# Celery worker and beat (see docker-compose.yml). The German and French
# catalogues are compiled in a build stage that has gettext; the image keeps
# the .mo files, not gettext.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Unprivileged user that owns the code and runs every process.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app \
    && chown app:app /app

WORKDIR /app

# Dependencies first, so code changes don't invalidate this layer.
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The build stage: gettext's msgfmt compiles locale/*/LC_MESSAGES/django.po (compilemessages
# needs only the development settings, no database).
FROM base AS messages
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY . /app
RUN DEBUG=1 python manage.py compilemessages --ignore '.venv/*'

FROM base

COPY --chown=app:app . /app
COPY --from=messages --chown=app:app /app/locale /app/locale

USER app

# Uploaded survey files wait here for the worker (a volume shared by web and worker in compose;
# created here so the volume starts owned by the app user).
RUN mkdir -p /app/media

# The settings refuse to load without these when DEBUG is off; they exist only
# for this step (collectstatic connects to neither the database nor Redis) and
# are not kept in the image's environment.
RUN SECRET_KEY=collectstatic-build-only-not-a-real-secret-0123456789abcdefghijklmnop \
    ALLOWED_HOSTS=localhost \
    SITE_URL=http://localhost \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    DEBUG=0 \
    python manage.py collectstatic --noinput

EXPOSE 8000

CMD ["gunicorn", "ideaportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
