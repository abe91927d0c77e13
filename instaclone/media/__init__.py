"""Media infrastructure shared by accounts and posts: upload validation and processing, storage
helpers, and (when configured) the ImageKit storage backend. It sits below every app."""
