"""Drives a short flow through a Python client generated from /api/openapi.json.

    python flow.py BASE_URL TOKEN

with the generated package `throughline_client` on PYTHONPATH (scripts/test does all of this).
The caller must be a fresh account: the flow creates its own workspace. Each call goes through
the generated function named after its operationId, so a renamed or mis-typed operation, a
parameter declared in the wrong place or a body the client cannot build fails here.
"""

import datetime
import importlib
import pkgutil
import sys

import throughline_client.api
from throughline_client import AuthenticatedClient
from throughline_client import models as m

WS, PRODUCT = "flow", "FLW"


def operation(operation_id):
    """The generated module of one operation, found by its operationId (in any tag)."""
    name = "".join("_" + c.lower() if c.isupper() else c for c in operation_id)
    for tag in pkgutil.iter_modules(throughline_client.api.__path__):
        try:
            return importlib.import_module(f"throughline_client.api.{tag.name}.{name}")
        except ModuleNotFoundError:
            continue
    raise SystemExit(f"the generated client has no operation {operation_id}")


def call(operation_id, status, **kwargs):
    """Calls an operation and checks its status; returns the parsed body."""
    r = operation(operation_id).sync_detailed(client=CLIENT, **kwargs)
    if r.status_code != status:
        raise SystemExit(f"{operation_id}: {r.status_code}, expected {status}: {r.content!r}")
    print(f"  {operation_id}: {r.status_code}")
    return r.parsed


def main(base_url, token):
    global CLIENT
    CLIENT = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    me = call("getMe", 200)
    p = {"ws": WS, "product": PRODUCT}

    call("createWorkspace", 201, body=m.NewWorkspace(slug=WS, name="Flow"))
    call("createProduct", 201, ws=WS, body=m.NewProduct(key=PRODUCT, name="Flow"))
    call("setRoles", 204, ws=WS, product=PRODUCT, member=me.email,
         body=m.RolesInput(roles=["pm", "po", "sm", "dev"]))
    team = call("createTeam", 201, **p, body=m.NewTeam(name="Core"))
    call("setTeamMember", 200, **p, id=team.id, body=m.MemberInput(email=me.email))

    # A story, created at the bottom and moved to the top.
    story = dict(persona="new user", goal="to sign up alone", benefit="I get started",
                 points=3, criteria=["Given a new user When they sign up Then they see the tour"])
    first = call("createItem", 201, **p, body=m.NewItem(title="First", **story))
    second = call("createItem", 201, **p, body=m.NewItem(title="Second", **story))
    call("moveItem", 200, ws=WS, key=second.key, body=m.MoveInput(to="top"))
    page = call("listItems", 200, **p, limit=10)
    order = [i.key for i in page.items]
    assert order == [second.key, first.key], order

    # A two-week sprint from today: planned, committed and started.
    today = datetime.date.today()
    sprint = call("createSprint", 201, **p, body=m.NewSprint(
        team_id=team.id, name="Sprint 1", goal="New users start alone",
        start_date=today.isoformat(), end_date=(today + datetime.timedelta(days=13)).isoformat()))
    call("getSprintPlanning", 200, **p, id=sprint.id)
    call("commitItems", 200, **p, id=sprint.id,
         body=m.CommitInput(items=[second.key], exception="the flow test commits it as it is"))
    version = call("getSprint", 200, **p, id=sprint.id).version
    started = call("startSprint", 200, **p, id=sprint.id, if_match=f'"{version}"')
    assert started.state == "active", started.state

    alignment = call("getAlignment", 200, **p, sprint=sprint.id)
    assert alignment.committed is not None, alignment
    print(f"flow passed: {second.key} moved to the top, {sprint.name} started, "
          f"alignment formula: {alignment.formula}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
