"""Each plugin's routes live under its own prefix; a route that moved keeps its old path, and
the old path is the same resource as the new one."""
from core.plugins import call_each

# old path -> the path it moved to
OLD_PATHS = {
    "/api/fundraising/backup": "/api/backups",
    "/api/fundraising/backups": "/api/backups",
    "/api/fundraising/backups/{backup_id}": "/api/backups/{backup_id}",
    "/api/fundraising/backups/{backup_id}/verify": "/api/backups/{backup_id}/verify",
    "/api/fundraising/restore-preview": "/api/backups/restore-preview",
    "/api/fundraising/restore": "/api/backups/restore",
    "/api/fundraising/backup-policy": "/api/backups/policy",
    "/api/feature-requests": "/api/fundraising/feature-requests",
    "/api/feature-requests/{request_id:id}": "/api/fundraising/feature-requests/{request_id:id}",
    "/api/fundraising/lists/{list_name}": "/api/automation/lists/{list_name}",
    "/api/tasks": "/api/automation/tasks",
    "/api/tasks/{task_id:id}": "/api/automation/tasks/{task_id:id}",
    "/api/admin/digest/test-email": "/api/admin/smtp/test-email",
}
# a plugin's routes on another plugin's records, under the paths the API names (issue 24)
OTHER_PREFIXES = {"notes": ("/api/fundraising",)}


def routes_by_plugin(crm) -> dict[str, dict[str, object]]:
    found = {}
    for plugin, routes in call_each(crm.pm, "register_routes", crm=crm):
        found.setdefault(plugin, {}).update(dict(routes))
    return found


def test_every_api_route_is_under_its_plugins_prefix_or_an_old_path(crm):
    stray = []
    for plugin, routes in routes_by_plugin(crm).items():
        if plugin in ("core", "webapp"):  # the core's own; the web app serves pages, not /api
            continue
        for path in routes:
            own = any(path == p or path.startswith(p + "/")
                      for p in (f"/api/{plugin}", f"/api/admin/{plugin}",
                                *OTHER_PREFIXES.get(plugin, ())))
            if not own and path not in OLD_PATHS:
                stray.append(f"{plugin}: {path}")
    assert stray == []


def test_an_old_path_is_the_same_resource_as_its_new_one(crm):
    every = {path: resource for routes in routes_by_plugin(crm).values()
             for path, resource in routes.items()}
    for old, new in OLD_PATHS.items():
        assert old in every and new in every, (old, new)
        methods = {m for m in ("get", "post", "put", "patch", "delete")
                   if hasattr(every[old], f"on_{m}")}
        assert methods, old
        for method in methods:  # the old path answers with the new one's code
            assert getattr(every[old], f"on_{method}").__func__ is \
                getattr(every[new], f"on_{method}").__func__, (old, method)


def test_moved_routes_answer_at_both_paths(client, admin):
    h = admin["headers"]
    made = client.simulate_post("/api/fundraising/feature-requests", headers=h,
                                json={"title": "Dark mode"})
    assert made.status_code == 201, made.json
    assert [r["id"] for r in client.simulate_get("/api/feature-requests", headers=h)
            .json["feature_requests"]] == [made.json["id"]]
    task = client.simulate_post("/api/automation/tasks", headers=h,
                                json={"title": "Call", "investor_id": None, "contact_id": None})
    assert task.status_code == 422  # an investor or a contact is required, at either path
    assert client.simulate_post("/api/tasks", headers=h, json={"title": "Call"}).status_code \
        == 422
    for path in ("/api/automation/lists/main", "/api/fundraising/lists/main"):
        listed = client.simulate_get(path, headers=h)
        assert listed.status_code == 200 and listed.json["list"] == "main", path
    for path in ("/api/admin/smtp/test-email", "/api/admin/digest/test-email"):
        assert client.simulate_post(path, headers=h, json={}).status_code == 503, path
