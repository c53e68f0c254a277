"""An email backend for the worker-process tests: slow, and delivering to a file.

The worker processes started by ``tests/test_notifications_worker.py`` use it (``EMAIL_BACKEND``
in their environment). Each send first appends a line to ``$SLOW_EMAIL_FILE.sending`` (so the
test knows the worker is mid-send and can kill it there), sleeps ``$SLOW_EMAIL_SECONDS``
(default 3), then appends one JSON line per message to ``$SLOW_EMAIL_FILE``: the file holds
exactly the messages that were delivered.
"""

import json
import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ["SLOW_EMAIL_FILE"]
        with open(f"{path}.sending", "a") as sending:
            sending.write(f"{os.getpid()}\n")
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "3")))
        with open(path, "a") as delivered:
            for message in email_messages:
                line = {"to": message.to, "subject": message.subject, "headers": message.extra_headers}
                delivered.write(json.dumps(line) + "\n")
        return len(email_messages)
