from plugins.spark.window import DEFAULT_CONTEXT_TOKENS, context_tokens


def test_vllm_max_model_len():
    models = {"data": [{"id": "qwen", "max_model_len": 32768}]}
    assert context_tokens(models, "qwen", 4096) == 32768


def test_llama_cpp_meta_n_ctx():
    models = {"data": [{"id": "smollm2", "meta": {"n_ctx": 2048}}]}
    assert context_tokens(models, "smollm2", None) == 2048


def test_unsaid_falls_back_to_setting_then_default():
    models = {"data": [{"id": "smollm2", "object": "model"}]}
    assert context_tokens(models, "smollm2", 3000) == 3000
    assert context_tokens(None, None, None) == DEFAULT_CONTEXT_TOKENS


def test_other_model_is_ignored():
    models = {"data": [{"id": "other", "max_model_len": 99}]}
    assert context_tokens(models, "smollm2", 1234) == 1234
