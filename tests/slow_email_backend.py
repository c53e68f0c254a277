"""An email backend for the worker-process tests: slow, and delivering to a file.

The worker processes started by the tests (``tests/worker_processes.py``) use it (``EMAIL_BACKEND``
in their environment). Each send first appends a JSON line ``{"pid", "id", "slow"}`` to
``$SLOW_EMAIL_FILE.sending`` (so the test knows which worker process is mid-send and can kill it
there; ``id`` is the ``X-Notification`` header), sleeps, then appends one JSON line per message to
``$SLOW_EMAIL_FILE`` (``to``, ``subject``, ``headers`` and ``at``, the time it was accepted): the
file holds exactly the messages that were delivered, and survives the worker process.

How long a send takes: ``$SLOW_EMAIL_SECONDS`` (default 3). With ``$SLOW_EMAIL_SLOW_EVERY`` = n,
only the messages whose notification id is a multiple of n take that long, the others
``$SLOW_EMAIL_FAST_SECONDS`` (default 0): a server that is slow on a few messages, so a test can
act while one of them is in flight.
"""

import json
import os
import time

from django.core.mail.backends.base import BaseEmailBackend


def _seconds(message) -> tuple[float, bool]:
    slow = float(os.environ.get("SLOW_EMAIL_SECONDS", "3"))
    every = int(os.environ.get("SLOW_EMAIL_SLOW_EVERY", "0"))
    if not every:
        return slow, True
    notification_id = int(message.extra_headers.get("X-Notification", "1"))
    if notification_id % every == 0:
        return slow, True
    return float(os.environ.get("SLOW_EMAIL_FAST_SECONDS", "0")), False


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ["SLOW_EMAIL_FILE"]
        for message in email_messages:
            message.message()  # what the SMTP backend does first: a bad header raises before anything is sent
            seconds, slow = _seconds(message)
            with open(f"{path}.sending", "a") as sending:
                line = {"pid": os.getpid(), "id": message.extra_headers.get("X-Notification"), "slow": slow}
                sending.write(json.dumps(line) + "\n")
            time.sleep(seconds)
            with open(path, "a") as delivered:
                line = {"to": message.to, "subject": message.subject, "headers": message.extra_headers}
                delivered.write(json.dumps(line | {"at": time.time()}) + "\n")
        return len(email_messages)
