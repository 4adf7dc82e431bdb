"""Drives Throughline's MCP server with the official Python SDK (the `mcp` package) as the client:
over stdio (`throughline mcp`, as a coding agent starts it) and over streamable HTTP (`/mcp` on a
running server), at both protocol revisions the server speaks.

    python mcp_flow.py BINARY DATA_DIR BASE_URL

with the tokens of four fresh accounts in the environment: MCP_OWNER_TOKEN (creates the workspace,
PM and PO), MCP_PO_TOKEN, MCP_STAKEHOLDER_TOKEN and MCP_READONLY_TOKEN (a read-only token of the
owner). scripts/test makes the accounts and tokens, starts the server and calls this.
"""

import asyncio
import datetime
import json
import os
import sys
import urllib.error
import urllib.request

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters

BINARY, DATA_DIR, BASE = sys.argv[1], sys.argv[2], sys.argv[3].rstrip("/")
OWNER = os.environ["MCP_OWNER_TOKEN"]
PO = os.environ["MCP_PO_TOKEN"]
STAKEHOLDER = os.environ["MCP_STAKEHOLDER_TOKEN"]
READONLY = os.environ["MCP_READONLY_TOKEN"]
P = "/api/v1/workspaces/acme/products/ONB"
CHECKS = {"passed": 0}


def check(what, condition, detail=""):
    if not condition:
        raise SystemExit(f"FAILED: {what} {detail}")
    CHECKS["passed"] += 1
    print(f"  ok: {what}")


def rest(token, method, path, body=None, headers=None):
    """One REST call; answers (status, headers, parsed body)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, r.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, e.headers, json.loads(raw) if raw else None


def ok(token, method, path, body=None, status=201, headers=None):
    code, _, parsed = rest(token, method, path, body, headers)
    if code != status:
        raise SystemExit(f"setup {method} {path}: {code}, expected {status}: {parsed}")
    return parsed


def me(token):
    return ok(token, "GET", "/api/v1/me", status=200)


def setup():
    """acme/ONB with a tier-1 story and an unaligned one, strict tier order; the owner is PM, PO
    and developer, Olive is PO, Sam a stakeholder."""
    ok(OWNER, "POST", "/api/v1/workspaces", {"slug": "acme", "name": "Acme"})
    ok(OWNER, "POST", "/api/v1/workspaces/acme/products", {"key": "ONB", "name": "Onboarding"})
    # The owner also estimates (a developer's right) to make a ready story.
    ok(OWNER, "PUT", f"{P}/roles/{me(OWNER)['id']}", {"roles": ["pm", "po", "dev"]}, status=204)
    for token, roles in ((PO, ["po"]), (STAKEHOLDER, ["stakeholder"])):
        who = me(token)
        # Adding a member is an invitation the person accepts with their own token.
        invite = ok(OWNER, "POST", "/api/v1/workspaces/acme/members", {"email": who["email"]}, status=202)
        ok(token, "POST", "/api/v1/invitations/accept",
           {"token": invite["link"].rsplit("/", 1)[-1]}, status=200)
        ok(OWNER, "PUT", f"{P}/roles/{who['id']}", {"roles": roles}, status=204)
    today = datetime.date.today()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    objective = ok(OWNER, "POST", f"{P}/objectives", {"quarter": quarter, "title": "Grow"})
    priority = ok(OWNER, "POST", f"{P}/priorities", {"quarter": quarter, "title": "Activation",
                                                    "objectives": [objective["id"]], "reason": "planning"})
    initiative = ok(OWNER, "POST", f"{P}/initiatives", {"title": "Guided setup", "status": "planned",
                                                        "priorities": [priority["id"]]})
    aligned = ok(OWNER, "POST", f"{P}/items", {"title": "guided setup", "persona": "new admin",
                                               "goal": "a checklist", "benefit": "I finish setup",
                                               "criteria": ["the checklist shows five steps"], "points": 3})
    ok(OWNER, "PUT", f"/api/v1/workspaces/acme/items/{aligned['key']}/initiative",
       {"initiative": initiative["id"]}, status=200)
    loose = ok(OWNER, "POST", f"{P}/items", {"title": "dark mode"})
    _, headers, _ = rest(OWNER, "GET", f"{P}/tiers")
    ok(OWNER, "PUT", f"{P}/tiers", {"tier_policy": "strict", "unaligned_allowance_pct": 20},
       status=204, headers={"If-Match": headers["ETag"]})
    return aligned["key"], loose["key"]


def stdio(token, *extra):
    env = {"THROUGHLINE_DATA_DIR": DATA_DIR, "THROUGHLINE_TOKEN": token}
    return StdioServerParameters(command=BINARY, args=["mcp", *extra], env=env)


def http(token):
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=120.0))
    from mcp.client.streamable_http import streamable_http_client

    return streamable_http_client(BASE + "/mcp", http_client=client)


def refused(result, status, what):
    error = (result.structured_content or {}).get("error", {})
    check(what, result.is_error and error.get("status") == status, str(result))
    return error


WRITES = {
    "save_item": {"product": "ONB", "title": "sneaky"},
    "set_item_status": {"key": "ONB-1", "status": "done"},
    "rank_item": {"key": "ONB-2", "to": "top"},
    "check_criterion": {"key": "ONB-1", "position": 1, "pass": True, "note": "seen"},
    "ask_question": {"key": "ONB-1", "body": "why?"},
    "answer_question": {"key": "ONB-1", "question": 1, "answer": "because"},
    "add_comment": {"key": "ONB-1", "body": "hello"},
    "add_insight": {"product": "ONB", "source_id": 1, "body": "users stall"},
    "record_decision": {"product": "ONB", "question": "SMB?", "decision": "yes"},
    "set_vision": {"product": "ONB", "version": 1, "vision": "v"},
    "add_persona": {"product": "ONB", "name": "Ada"},
    "save_initiative": {"product": "ONB", "title": "x"},
    "start_from_idea": {"product": "ONB", "title": "x", "problem": "p", "who": ["Ada"], "first_steps": ["go"]},
}


async def over_stdio(aligned, loose):
    print("stdio, as the owner (the client discovers the newest protocol)")
    async with Client(stdio(OWNER)) as c:
        check("negotiated 2026-07-28", c.session.protocol_version == "2026-07-28", str(c.session.protocol_version))
        tools = {t.name: t for t in (await c.list_tools()).tools}
        check("tools/list names every tool", set(WRITES) | {"get_item", "search_items", "next_ready_item"} <= set(tools))
        check("inputs are flat and closed",
              all(t.input_schema.get("additionalProperties") is False and "anyOf" not in json.dumps(t.input_schema)
                  for t in tools.values()))
        r = await c.call_tool("get_item", {"key": aligned})
        check("get_item answers structured output", r.structured_content["item"]["key"] == aligned, str(r))
        r = await c.call_tool("next_ready_item", {"product": "ONB"})
        check("next_ready_item is the ready tier-1 story", r.structured_content["item"]["key"] == aligned, str(r))
        r = await c.call_tool("save_item", {"product": "ONB", "title": "export to CSV", "criteria": ["a file downloads"]})
        created = r.structured_content["item"]
        check("save_item creates an item", not r.is_error and created["version"] == 1, str(r))
        r = await c.call_tool("save_item", {"key": created["key"], "version": 1, "title": "export the backlog"})
        check("save_item changes it with the version read", r.structured_content["item"]["version"] == 2, str(r))
        r = await c.call_tool("save_item", {"key": created["key"], "version": 1, "title": "stale"})
        error = refused(r, 412, "a stale version is refused")
        check("the refusal carries the current item", error.get("current", {}).get("title") == "export the backlog")
        r = await c.call_tool("get_item", {"key": aligned, "colour": "red"})
        check("an unknown argument is refused by name",
              r.is_error and "unknown field `colour`" in r.structured_content["error"]["detail"], str(r))
        r = await c.call_tool("search_items", {"product": "ONB", "query": "label:none OR is:ready"})
        check("search_items speaks the backlog query language", not r.is_error, str(r))
        res = await c.read_resource(f"throughline://ONB/items/{aligned}")
        check("a story is a resource", res.contents[0].text.startswith(f"# {aligned} guided setup"))
        prompt = await c.get_prompt("implement_story", {"key": aligned})
        check("implement_story carries the brief", aligned in prompt.messages[0].content.text)
    print("stdio, with a read-only token, protocol 2025-11-25")
    async with Client(stdio(READONLY), mode="legacy") as c:
        r = await c.call_tool("get_item", {"key": loose})
        check("a read-only token reads", not r.is_error, str(r))
        r = await c.call_tool("add_comment", {"key": loose, "body": "hi"})
        refused(r, 403, "a read-only token is refused a write over stdio")
    print("stdio, --read-only")
    async with Client(stdio(OWNER, "--read-only")) as c:
        r = await c.call_tool("set_item_status", {"key": aligned, "status": "in_progress"})
        refused(r, 403, "--read-only refuses a write the account may make")


async def over_http(aligned, loose):
    print("HTTP, the PO, protocol 2025-11-25 (initialize handshake)")
    async with Client(http(PO), mode="legacy") as c:
        check("negotiated 2025-11-25", c.session.protocol_version == "2025-11-25", str(c.session.protocol_version))
        r = await c.call_tool("rank_item", {"key": loose, "to": "top"})
        error = refused(r, 409, "strict tier order refuses the move")
        check("the refusal says how to ask for an exemption", "exemption" in error["detail"], error["detail"])
        r = await c.call_tool("rank_item", {"key": loose, "to": "top", "exemption": "the audit is due"})
        check("with an exemption the move is made", not r.is_error and r.structured_content["item"]["key"] == loose, str(r))
    print("HTTP, a stakeholder, protocol 2026-07-28")
    async with Client(http(STAKEHOLDER), mode="2026-07-28") as c:
        r = await c.call_tool("get_item", {"key": aligned})
        check("a stakeholder reads", not r.is_error, str(r))
        r = await c.call_tool("save_item", {"key": aligned, "version": 1, "title": "mine"})
        refused(r, 403, "a stakeholder is refused a write")
    print("HTTP, a read-only token (the client negotiates)")
    async with Client(http(READONLY)) as c:
        r = await c.call_tool("list_products", {})
        check("a read-only token reads", r.structured_content["read_only"] is True, str(r))
        for name, args in WRITES.items():
            refused(await c.call_tool(name, args), 403, f"read-only: {name} refused")
    code, _, body = rest(READONLY, "PATCH", f"/api/v1/workspaces/acme/items/{aligned}", {"title": "x"},
                         headers={"If-Match": '"1"'})
    check("read-only: the REST API refuses a change too", code == 403 and "read-only" in body["detail"], str(body))
    code, _, _ = rest(None, "POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                      headers={"Accept": "application/json, text/event-stream"})
    check("no token: 401", code == 401)


async def main():
    aligned, loose = setup()
    await over_stdio(aligned, loose)
    await over_http(aligned, loose)
    print(f"mcp: {CHECKS['passed']} passed, 0 failed")


asyncio.run(main())
