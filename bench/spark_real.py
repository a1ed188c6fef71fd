"""The digest with a real model server: llama.cpp (llama-cpp-python) serving SmolLM2-135M on
this machine, one thread, as the `model` tests run it. Skipped, saying why, when
tools/install_model.sh has not installed it."""
import os
import statistics
import time
from datetime import date
from zoneinfo import ZoneInfo

from bench.digest_build import seed
from bench.report import Row
from core.context import build_crm
from core.settings import Settings

NAME = "spark_real"
USERS, EMAILS_EACH, INVESTORS = 5, 20, 8
DAY = date(2026, 11, 25)
MAX_TOKENS = 64
EXCERPTS = [
    "Thanks for the call. We would like to see the data room before the second close.",
    "Our committee meets on Thursday; the side letter needs a most favoured nation clause.",
    "Could you send the LPA draft and the fee offsets? We are aiming for the January close.",
    "We confirmed the soft circle at the last meeting. Docs can go out next week.",
]


def run(sizes, workdir, rng, args) -> list[Row]:
    from tests.spark.model_server import LlamaServer, gguf
    model = gguf()
    if model is None:
        reason = "skipped: the local model is not installed (run sh tools/install_model.sh)"
        print(f"{NAME}: {reason}", flush=True)
        return [Row(NAME, "real llama.cpp server", reason)]
    full = sizes.formula_is_full
    emails_each = EMAILS_EACH if full else 3  # --quick: a smoke run of the path
    users = USERS if full else 1
    reps = 3 if full else 1
    server = LlamaServer(model)
    saved = {k: os.environ.get(k) for k in ("SPARK_BASE_URL", "SPARK_MODEL", "SPARK_TIMEOUT",
                                            "SPARK_MAX_TOKENS", "CRM_PLUGINS")}
    os.environ.update(SPARK_BASE_URL=server.base_url, SPARK_MODEL="smollm2",
                      SPARK_TIMEOUT="120", SPARK_MAX_TOKENS=str(MAX_TOKENS))
    os.environ.pop("CRM_PLUGINS", None)
    folder = workdir / "spark_real"
    crm = build_crm(Settings(data_dir=folder, secrets_dir=folder / "secrets",
                             secret_key="k" * 40, password_memory_kib=8192,
                             password_time_cost=1))
    try:
        from plugins.digest import compose
        from plugins.digest.build import INSTRUCTIONS, build_digest, prompt
        from core.services import summarize_text
        zone = ZoneInfo("UTC")
        seed(crm, rng, users, emails_each, EXCERPTS, INVESTORS)
        messages = [{"sent_at": f"2026-11-25T{9 + i:02d}:00:00Z", "direction": "in",
                     "contact": "Jo Smith", "subject": f"Fund II ({i})", "excerpt": text}
                    for i, text in enumerate(EXCERPTS)]
        one_prompt = prompt("Ada Admin", "Acme Capital", messages, zone)
        summarize_text(crm, one_prompt, INSTRUCTIONS)  # the window probe, and a warm model
        one = []
        for _ in range(reps):
            began = time.perf_counter()
            summarize_text(crm, one_prompt, INSTRUCTIONS)
            one.append(time.perf_counter() - began)
        began = time.perf_counter()
        digest = build_digest(crm, DAY, zone, budget=3600)
        compose.text(digest, zone), compose.html(digest, zone)
        seconds = time.perf_counter() - began
        calls, rejected = digest["model_calls"], digest["rejected"]
        other = sum(1 for e in digest["log"] if e["source"] == "extractive"
                    and not (e["reason"] or "").startswith("rejected by the guard"))
        return [
            Row(NAME, f"server: llama-cpp-python 0.3.36, SmolLM2-135M Q4_1, n_ctx 2048, "
                      f"1 thread, max_tokens {MAX_TOKENS}; started in "
                      f"{server.start_seconds:.1f} s", ""),
            Row(NAME, f"one (user, investor) summary, 4 emails, median of {reps}",
                f"{statistics.median(one):.2f} s"),
            Row(NAME, f"digest of {users} users x {emails_each} emails end to end (build + "
                      f"compose, {calls} model calls)", f"{seconds:.1f} s"),
            Row(NAME, "summaries the guard rejected (extract used, marked)",
                f"{rejected}/{calls} = {100 * rejected / calls:.0f}%" if calls else "no calls"),
            Row(NAME, "summaries extractive for other reasons (cut twice, no answer)",
                f"{other}/{calls}" if calls else "no calls"),
        ]
    finally:
        crm.database.close()
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
