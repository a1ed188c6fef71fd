"""What went over the wire to the model server: each POST's prompt, answer and timing."""
import json
import threading
import time

from plugins.spark import client


class Wire:
    """Wraps plugins.spark.client._post (every completion goes through it)."""

    def __init__(self, monkeypatch):
        self.calls, self.lock = [], threading.Lock()
        real = client._post

        def post(url, address, body, headers, timeout):
            call = {"body": json.loads(body), "start": time.monotonic(), "status": None,
                    "answer": None}
            with self.lock:
                self.calls.append(call)
            try:
                call["answer"] = real(url, address, body, headers, timeout)
                call["status"] = 200
                return call["answer"]
            except client.ContextTooLong:
                call["status"] = 400
                raise
            except Exception as exc:
                call["status"] = type(exc).__name__
                raise
            finally:
                call["end"] = time.monotonic()

        monkeypatch.setattr(client, "_post", post)

    @property
    def summaries(self):
        """The summary requests (not the window probe, which asks for one token)."""
        return [c for c in self.calls if c["body"]["max_tokens"] != 1 or
                not c["body"]["messages"][-1]["content"].startswith(" ok ok")]

    @staticmethod
    def finish(call):
        return call["answer"]["choices"][0].get("finish_reason") if call["answer"] else None

    @staticmethod
    def prompt_tokens(call):
        return (call["answer"].get("usage") or {}).get("prompt_tokens") if call["answer"] else None
