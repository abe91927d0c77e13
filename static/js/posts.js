// posts: progressive enhancement only
