from django.dispatch import Signal

# Sent by accounts.services.profile_update when an account goes from private to public, so that
# the social app (which depends on accounts, not the other way round) can accept pending requests.
# Arguments: user.
account_made_public = Signal()
