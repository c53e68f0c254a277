"""Every write of the reviews app, one module per area; import them from here.

- ``screening``: staff scorecards and the idea's screening score; reason templates;
- ``mentoring``: mentor assignments, rubric reviews, private threads, revision requests;
- ``finalists``: comparing finalists and choosing the winner;
- ``overdue``: the triage staff's daily digest of ideas overdue for a first answer.
"""

from .finalists import *  # noqa: F403
from .mentoring import *  # noqa: F403
from .overdue import *  # noqa: F403
from .screening import *  # noqa: F403
