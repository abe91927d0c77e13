// interactions: double-tap to like and other progressive enhancement
