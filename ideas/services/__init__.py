"""Every write the product makes to ideas, one module per area; import them from here.

- ``ideas``: the author's idea (create, save, submit, withdraw) and its versions;
- ``answers``: the answers to the challenge's own questions (checked at submission);
- ``coauthors``: inviting, accepting, declining and removing co-authors;
- ``votes``: votes with exact counters;
- ``comments``: comments, replies, kudos, flags and moderation;
- ``follows``: following ideas and challenges;
- ``funnel``: status changes by staff, merging duplicates;
- ``ranking``: the precomputed ranking values.
"""

from .answers import *  # noqa: F403
from .coauthors import *  # noqa: F403
from .comments import *  # noqa: F403
from .errors import *  # noqa: F403
from .follows import *  # noqa: F403
from .funnel import *  # noqa: F403
from .ideas import *  # noqa: F403
from .ranking import *  # noqa: F403
from .votes import *  # noqa: F403
