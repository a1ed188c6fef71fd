from plugins.digest.guard import check

EMAILS = ["Hi Dana, following up on our call. Maria Lopez at Northwind Capital is keen on "
          "the seed round and could commit $250k before the end of March if the data room "
          "is ready. She asked for the updated cap table and the customer references."]


def test_fair_summary_passes():
    assert check("Maria Lopez (Northwind Capital) may commit $250k; wants cap table.",
                 EMAILS, 400) is None


def test_empty_is_rejected():
    assert check("  \n", EMAILS, 400) == "empty"


def test_too_long_is_rejected():
    assert check("Seed round interest. " * 40, EMAILS, 200).startswith("too long")


def test_verbatim_copy_is_rejected():
    assert check(EMAILS[0][:180], EMAILS, 400).startswith("repeats the emails")


def test_invented_amount_is_rejected():
    reason = check("Maria Lopez will commit $2M next week.", EMAILS, 400)
    assert reason.startswith("amount not in the emails") and "2M" in reason


def test_invented_name_is_rejected():
    reason = check("John Carter from Northwind Capital wants the cap table.", EMAILS, 400)
    assert reason == "name not in the emails: John Carter"
