"""GET /api/fundraising/{table}/names: names by ids, by letters, or all, never archived ones."""
import pytest

BASE = "/api/fundraising/investors"


@pytest.fixture
def named(client, admin):
    h = admin["headers"]
    ids = {}
    for name in ("Acme Ventures", "Bacme Capital", "Zeta 100%", "Zeta_1", "Archived Acme"):
        made = client.simulate_post(BASE, headers=h, json={"name": name})
        assert made.status_code == 201, made.json
        ids[name] = made.json["id"]
    gone = client.simulate_delete(f"{BASE}/{ids['Archived Acme']}", headers=h)
    assert gone.status_code == 200, gone.json
    return ids


def names(client, headers, query):
    answer = client.simulate_get(f"{BASE}/names", headers=headers, query_string=query)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_names_by_ids_skip_archived_and_unknown(client, member, named):
    asked = [named["Zeta 100%"], named["Acme Ventures"], named["Archived Acme"], 99_999]
    got = names(client, member["headers"], f"ids={','.join(map(str, asked))}")
    assert got["names"] == sorted([[named["Acme Ventures"], "Acme Ventures"],
                                   [named["Zeta 100%"], "Zeta 100%"]])
    assert got["total"] == 4


def test_names_by_letters_any_case_prefix_first(client, member, named):
    got = names(client, member["headers"], "q=ACME")["names"]
    assert got == [[named["Acme Ventures"], "Acme Ventures"], [named["Bacme Capital"], "Bacme Capital"]]


def test_names_by_letters_take_wildcards_literally(client, member, named):
    assert names(client, member["headers"], "q=%25")["names"] == [[named["Zeta 100%"], "Zeta 100%"]]
    assert names(client, member["headers"], "q=a_1")["names"] == [[named["Zeta_1"], "Zeta_1"]]


def test_all_names_up_to_the_limit_with_the_total(client, member, named):
    got = names(client, member["headers"], "limit=2")
    assert got == {"names": [[named["Acme Ventures"], "Acme Ventures"],
                             [named["Bacme Capital"], "Bacme Capital"]], "total": 4}


@pytest.mark.parametrize("query, field", [("ids=1,x", "ids"), ("ids=" + ",".join(["1"] * 1001), "ids"),
                                          ("limit=0", "limit"), ("q=", "q")])
def test_bad_queries_name_the_field(client, member, query, field):
    answer = client.simulate_get(f"{BASE}/names", headers=member["headers"], query_string=query)
    assert answer.status_code in (400, 422), answer.json
    assert field in str(answer.json)


def test_names_need_a_session(client):
    assert client.simulate_get(f"{BASE}/names").status_code == 401
