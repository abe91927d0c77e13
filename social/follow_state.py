"""How the viewer stands towards another person, as the follow button and the profile page show it.

A module of its own so that the reads (selectors), the writes (services) and the views can all name
it without importing one another.
"""

from __future__ import annotations

import enum


class FollowState(enum.StrEnum):
    NONE = "none"
    FOLLOWING = "following"
    REQUESTED = "requested"
    SELF = "self"  # the viewer's own profile: no follow button
