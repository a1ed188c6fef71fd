"""The saved view the dashboard tests filter by: investors with Check Size >= 1M."""
from plugins.fundraising.api import Condition, FilterGroup, fundraising

BIG = 1e6


def big_view(crm, member, investors):
    """The member's "Big" investors view and the ids of `investors` it keeps."""
    user = {k: v for k, v in member.items() if k != "headers"}
    view = fundraising(crm).add_view("investors", "Big", user,
                                     FilterGroup((Condition("check_size", ">=", BIG),)))
    kept = {r.id for r in investors if (r.value("check_size") or 0) >= BIG}
    assert 0 < len(kept) < len(investors)
    return view, kept
