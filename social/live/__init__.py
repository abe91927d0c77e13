"""Live updates, the delivery side (issue 16): the WebSocket consumer that forwards a person's
events (instaclone.live.publish) to their open pages."""
