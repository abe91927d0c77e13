from channels.generic.websocket import AsyncJsonWebsocketConsumer

from instaclone.live import user_group


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One per open page of a signed-in person: joins their group and forwards each event as JSON.
    Events carry ids only; the page fetches what changed through its ordinary (access-checked) views."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # The client only listens; a ping keeps proxies from closing an idle connection.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def live_event(self, message):
        await self.send_json(message["event"])
