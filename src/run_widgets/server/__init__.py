"""The embedded Assistants-compatible server (arrives with the server issue)."""
