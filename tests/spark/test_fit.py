from plugins.spark.fit import estimate_tokens, pack, trim_email

REPLY = ("Thanks, we will send the deck on Monday.\n\nBest,\nDana\nPartner, Venture Fund\n\n"
         "On Tue, 3 Mar 2026 Maria wrote:\n> Could you send the deck?\n> " + "old text " * 50)


def test_trim_drops_quote_and_signature_first():
    text = trim_email(REPLY, 500)
    assert text == "Thanks, we will send the deck on Monday."


def test_trim_cuts_long_body_to_budget():
    text = trim_email("word " * 2000, 100)
    assert estimate_tokens(text) <= 100 + 5 and text.endswith("[…]")


def test_pack_keeps_each_chunk_within_budget():
    emails = [f"Email {i}: " + "update on the round " * 40 for i in range(20)]
    chunks = pack(emails, 600, 300)
    assert len(chunks) > 1 and sum(len(c) for c in chunks) == 20
    for chunk in chunks:
        assert sum(estimate_tokens(t) for t in chunk) <= 600
