"""Path ids are ASCII digits only: odd ids answer 404, never 500 and never another row."""
import pytest

ODD = ["%C2%B2", "%D9%A3", "1%C2%B2", "%EF%BC%91", "-1", "1.0", " 1", "1e3", "9" * 19, "0x1"]
ROUTES = ["/api/fundraising/investors/{}", "/api/fundraising/investors/{}/history",
          "/api/automation/rules/{}", "/api/tasks/{}", "/api/gmail/proposals/{}/approve",
          "/api/admin/users/{}", "/api/admin/gmail/accounts/{}", "/api/fundraising/fields/{}",
          "/api/fundraising/views/{}", "/api/feature-requests/{}"]


@pytest.mark.parametrize("route", ROUTES)
def test_odd_ids_are_not_found(client, admin, route):
    for odd in ODD:
        for method in ("GET", "PATCH", "PUT", "POST", "DELETE"):
            result = client.simulate_request(method, route.format(odd), headers=admin["headers"],
                                             json={})
            assert result.status_code in (404, 405), (method, route, odd, result.status)


def test_arabic_indic_three_is_not_record_three(client, admin):
    for name in ("a", "b", "c"):
        created = client.simulate_post("/api/fundraising/investors", headers=admin["headers"],
                                       json={"name": name})
        assert created.status_code == 201, created.json
    assert client.simulate_get("/api/fundraising/investors/3", headers=admin["headers"]).json[
        "name"] == "c"
    assert client.simulate_get("/api/fundraising/investors/%D9%A3",
                               headers=admin["headers"]).status_code == 404


def test_openapi_names_the_id_pattern(client):
    spec = client.simulate_get("/api/openapi.json").json
    param = spec["paths"]["/api/tasks/{task_id}"]["patch"]["parameters"][0]
    assert param["schema"]["pattern"] == "^[0-9]{1,18}$"
