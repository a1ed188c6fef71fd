"""The filter panel takes a percent as people say it (50 for 50%) and sends the fraction."""
import pytest

from tests.web.conftest import login
from tests.web.test_grid import add_condition, grid_names, open_grid, wait_loaded_after

pytestmark = pytest.mark.browser

INVESTORS = [("Alpha Capital", 0.125), ("Beta Partners", 0.4), ("Gamma Ventures", 0.5),
             ("Delta Fund", 0.75), ("Epsilon LP", 1)]


def test_a_percent_condition_is_typed_as_a_percentage(web_server, page):
    web_server.call("POST", "/api/fundraising/fields",
                    {"table": "investors", "name": "Probability", "type": "percent"})
    for name, probability in INVESTORS:
        web_server.call("POST", "/api/fundraising/investors",
                        {"name": name, "fields": {"Probability": probability}})
    login(page, web_server.base_url, "ada@fund.example")
    open_grid(page, web_server)
    page.click("[data-panel=Filter]")
    panel = page.locator("[data-panel-body=Filter]")
    condition = add_condition(panel, "Probability", ">=", "50")
    assert "%" in condition.inner_text()
    wait_loaded_after(page, lambda: panel.get_by_role("button", name="Apply filter").click())
    assert grid_names(page) == ["Gamma Ventures", "Delta Fund", "Epsilon LP"]
    # the condition is kept as the fraction and shown again as the percentage
    condition = page.locator("[data-panel-body=Filter] .condition").nth(0)
    assert condition.get_by_label("Value").input_value() == "50"
    condition.get_by_label("Value").fill("12.5")
    condition.get_by_label("Value").dispatch_event("change")
    page.get_by_role("button", name="Apply filter").click()
    page.wait_for_function("() => document.querySelectorAll('.tabulator-row').length === 5")
    assert grid_names(page) == [name for name, _ in INVESTORS]
