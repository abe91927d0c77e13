"""How the viewer stands towards another person, as the follow button and the profile page show it.

A module of its own so that the graph services (accounts.services.graph, which return it), the
reads and the views of the higher layers can all name it without importing one another.
"""

from __future__ import annotations

import enum


class FollowState(enum.StrEnum):
    NONE = "none"
    FOLLOWING = "following"
    REQUESTED = "requested"
    SELF = "self"  # the viewer's own profile: no follow button
