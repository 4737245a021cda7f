// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./test-support/test-server.js";

const API = "/api/2.0/mlflow";
const HOOKS = "/api/2.0/mlflow-ts/webhooks";
const FAST = { pollIntervalMs: 50, initialBackoffMs: 40, maxBackoffMs: 400, maxAttempts: 5, timeoutMs: 2000 };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: webhook JSON
  json: any;
  at: number;
}

/** A webhook receiver on 127.0.0.1 whose answer is decided per request by `respond`. */
class Receiver {
  readonly received: Received[] = [];
  private server: Server | undefined;
  respond: (n: number) => number = () => 200;

  async start(port = 0): Promise<number> {
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        body += c;
      });
      req.on("end", () => {
        const status = this.respond(this.received.length + 1);
        this.received.push({ headers: req.headers, body, json: JSON.parse(body), at: Date.now() });
        res.writeHead(status, { "Content-Type": "text/plain" });
        res.end(status === 200 ? "ok" : "receiver says no");
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 8000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

async function ok(s: TestServer, method: string, path: string, body?: Record<string, unknown>) {
  const r = await s.call(method, path, body);
  assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
  return r.json;
}

async function deliveries(s: TestServer, webhookId: string) {
  return (await ok(s, "GET", `${HOOKS}/deliveries`, { webhook_id: webhookId })).deliveries as {
    id: string;
    status: string;
    attempts: number;
    event: string;
    response_status?: number;
    error_message?: string;
    attempt_log?: { attempt: number; timestamp: number; response_status?: number; error_message?: string }[];
  }[];
}

describe("webhook management API", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ webhookDelivery: FAST });
  });
  after(async () => {
    await s.close();
  });

  it("creates, reads, lists, updates and deletes webhooks; the secret is write-only", async () => {
    const { webhook } = await ok(s, "POST", `${HOOKS}/create`, {
      name: "ci",
      url: "http://127.0.0.1:9/hook",
      events: ["model_version.created", "model_version_alias.created"],
      secret: "s3cret",
      description: "notify CI",
    });
    assert.match(webhook.id, /^[0-9a-f-]{36}$/);
    assert.equal(webhook.status, "ACTIVE");
    assert.equal(webhook.has_secret, true);
    assert.equal(webhook.secret, undefined);
    assert.deepEqual(webhook.events, ["model_version.created", "model_version_alias.created"]);
    assert.deepEqual((await ok(s, "GET", `${HOOKS}/get`, { id: webhook.id })).webhook, webhook);
    const listed = await ok(s, "GET", `${HOOKS}/list`, {});
    assert.deepEqual(
      listed.webhooks.map((w: { id: string }) => w.id),
      [webhook.id],
    );
    const updated = await ok(s, "PATCH", `${HOOKS}/update`, { id: webhook.id, status: "DISABLED", secret: "" });
    assert.equal(updated.webhook.status, "DISABLED");
    assert.equal(updated.webhook.has_secret, false);
    assert.equal(updated.webhook.name, "ci");
    await ok(s, "DELETE", `${HOOKS}/delete`, { id: webhook.id });
    const gone = await s.call("GET", `${HOOKS}/get`, { id: webhook.id });
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error_code, "RESOURCE_DOES_NOT_EXIST");
  });

  it("rejects bad URLs, unknown events and missing fields", async () => {
    const base = { name: "x", url: "http://127.0.0.1:9/", events: ["model_version.created"] };
    for (const body of [
      { ...base, url: "ftp://host/x" },
      { ...base, url: "not a url" },
      { ...base, events: ["model_version.exploded"] },
      { ...base, events: [] },
      { name: "x", url: base.url },
      { ...base, status: "PAUSED" },
    ]) {
      const r = await s.call("POST", `${HOOKS}/create`, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error_code, "INVALID_PARAMETER_VALUE");
    }
    const update = await s.call("PATCH", `${HOOKS}/update`, { id: "nope", name: "y" });
    assert.equal(update.status, 404);
  });
});

describe("webhook deliveries", () => {
  let s: TestServer;
  const receiver = new Receiver();
  let url = "";
  before(async () => {
    s = await startTestServer({ webhookDelivery: FAST });
    url = `http://127.0.0.1:${await receiver.start()}/hook`;
  });
  after(async () => {
    await s.close();
    await receiver.stop();
  });

  it("sends registry events, signed with HMAC-SHA256 of the body", async () => {
    const secret = "topsecret";
    const { webhook } = await ok(s, "POST", `${HOOKS}/create`, {
      name: "all",
      url,
      secret,
      events: [
        "registered_model.created",
        "model_version.created",
        "model_version_alias.created",
        "model_version_alias.deleted",
        "model_version.stage_transitioned",
        "model_version_tag.set",
      ],
    });
    await ok(s, "POST", `${API}/registered-models/create`, { name: "hooked" });
    await ok(s, "POST", `${API}/model-versions/create`, { name: "hooked", source: "s3://b/m", run_id: "abc" });
    await ok(s, "POST", `${API}/registered-models/alias`, { name: "hooked", alias: "champion", version: "1" });
    await ok(s, "POST", `${API}/model-versions/transition-stage`, {
      name: "hooked",
      version: "1",
      stage: "Production",
      archive_existing_versions: false,
    });
    await ok(s, "POST", `${API}/model-versions/set-tag`, { name: "hooked", version: "1", key: "k", value: "v" });
    await ok(s, "DELETE", `${API}/registered-models/alias`, { name: "hooked", alias: "champion" });
    // a tag set on the model is not subscribed
    await ok(s, "POST", `${API}/registered-models/set-tag`, { name: "hooked", key: "k", value: "v" });

    await waitFor("6 deliveries", () => receiver.received.length >= 6 || undefined);
    const events = receiver.received.map((r) => r.json.event).sort();
    assert.deepEqual(events, [
      "model_version.created",
      "model_version.stage_transitioned",
      "model_version_alias.created",
      "model_version_alias.deleted",
      "model_version_tag.set",
      "registered_model.created",
    ]);
    for (const r of receiver.received) {
      assert.equal(r.headers["x-mlflow-ts-signature"], sign(secret, r.body));
      assert.notEqual(r.headers["x-mlflow-ts-signature"], sign("wrong", r.body));
      assert.equal(r.headers["content-type"], "application/json");
      assert.equal(r.headers["x-mlflow-ts-event"], r.json.event);
      assert.equal(r.headers["x-mlflow-ts-event-id"], r.json.id);
      assert.equal(r.headers["x-mlflow-ts-webhook-id"], webhook.id);
      assert.equal(typeof r.json.timestamp, "number");
    }
    const byEvent = new Map(receiver.received.map((r) => [r.json.event, r.json]));
    assert.deepEqual(byEvent.get("model_version.created").data, {
      name: "hooked",
      version: "1",
      source: "s3://b/m",
      run_id: "abc",
      description: null,
      tags: {},
    });
    assert.equal(byEvent.get("model_version.created").entity, "model_version");
    assert.equal(byEvent.get("model_version.created").action, "created");
    assert.deepEqual(byEvent.get("model_version_alias.created").data, {
      name: "hooked",
      alias: "champion",
      version: "1",
      previous_version: null,
    });
    assert.deepEqual(byEvent.get("model_version.stage_transitioned").data, {
      name: "hooked",
      version: "1",
      from_stage: "None",
      to_stage: "Production",
    });
    // the receiver answers before the worker records the attempt: wait for the records
    const log = await waitFor("6 recorded deliveries", async () => {
      const list = await deliveries(s, webhook.id);
      return list.length === 6 && list.every((d) => d.status !== "PENDING") ? list : undefined;
    });
    assert.equal(log.length, 6);
    assert.ok(log.every((d) => d.status === "SUCCEEDED" && d.attempts === 1 && d.response_status === 200));
    // no signature header without a secret
    receiver.received.length = 0;
    await ok(s, "PATCH", `${HOOKS}/update`, { id: webhook.id, secret: "" });
    await ok(s, "POST", `${API}/model-versions/set-tag`, { name: "hooked", version: "1", key: "k2", value: "v" });
    await waitFor("unsigned delivery", () => receiver.received.length >= 1 || undefined);
    assert.equal(receiver.received[0]?.headers["x-mlflow-ts-signature"], undefined);
    await ok(s, "DELETE", `${HOOKS}/delete`, { id: webhook.id });
  });

  it("retries a failing receiver with exponential backoff until it recovers, logging every attempt", async () => {
    receiver.received.length = 0;
    receiver.respond = (n) => (n <= 3 ? 500 : 200);
    const { webhook } = await ok(s, "POST", `${HOOKS}/create`, {
      name: "flaky",
      url,
      events: ["model_version.created"],
    });
    await ok(s, "POST", `${API}/registered-models/create`, { name: "flaky-model" });
    await ok(s, "POST", `${API}/model-versions/create`, { name: "flaky-model", source: "s3://b/m" });
    const [d] = await waitFor("success after retries", async () => {
      const list = await deliveries(s, webhook.id);
      return list[0]?.status === "SUCCEEDED" ? list : undefined;
    });
    assert.equal(d?.attempts, 4);
    assert.equal(receiver.received.length, 4);
    assert.deepEqual(
      d?.attempt_log?.map((a) => a.response_status),
      [500, 500, 500, 200],
    );
    assert.match(d?.attempt_log?.[0]?.error_message ?? "", /^HTTP 500: receiver says no/);
    const gaps = receiver.received.slice(1).map((r, i) => r.at - (receiver.received[i] as Received).at);
    // 40, 80, 160 ms: each wait at least the backoff, and growing
    assert.ok((gaps[0] ?? 0) >= 35 && (gaps[1] ?? 0) >= 75 && (gaps[2] ?? 0) >= 155, `gaps ${gaps}`);
    // every attempt carried the same event id
    assert.equal(new Set(receiver.received.map((r) => r.json.id)).size, 1);
    receiver.respond = () => 200;
    await ok(s, "DELETE", `${HOOKS}/delete`, { id: webhook.id });
  });

  it("gives up after maxAttempts (FAILED) and delivers again on request", async () => {
    receiver.received.length = 0;
    receiver.respond = () => 503;
    const { webhook } = await ok(s, "POST", `${HOOKS}/create`, {
      name: "doomed",
      url,
      events: ["model_version_tag.set"],
    });
    await ok(s, "POST", `${API}/registered-models/create`, { name: "doomed-model" });
    await ok(s, "POST", `${API}/model-versions/create`, { name: "doomed-model", source: "s3://b/m" });
    await ok(s, "POST", `${API}/model-versions/set-tag`, { name: "doomed-model", version: "1", key: "a", value: "b" });
    const [failed] = await waitFor("FAILED", async () => {
      const list = await deliveries(s, webhook.id);
      return list[0]?.status === "FAILED" ? list : undefined;
    });
    assert.equal(failed?.attempts, FAST.maxAttempts);
    assert.equal(failed?.attempt_log?.length, FAST.maxAttempts);
    const failedList = await ok(s, "GET", `${HOOKS}/deliveries`, { status: "FAILED" });
    assert.ok(failedList.deliveries.some((x: { id: string }) => x.id === failed?.id));
    receiver.respond = () => 200;
    await ok(s, "POST", `${HOOKS}/deliveries/redeliver`, { delivery_id: failed?.id });
    const [done] = await waitFor("redelivered", async () => {
      const list = await deliveries(s, webhook.id);
      return list[0]?.status === "SUCCEEDED" ? list : undefined;
    });
    assert.equal(done?.attempt_log?.length, FAST.maxAttempts + 1);
    const missing = await s.call("POST", `${HOOKS}/deliveries/redeliver`, { delivery_id: "999999" });
    assert.equal(missing.status, 404);
    await ok(s, "DELETE", `${HOOKS}/delete`, { id: webhook.id });
  });

  it("a disabled webhook gets nothing queued", async () => {
    const { webhook } = await ok(s, "POST", `${HOOKS}/create`, {
      name: "off",
      url,
      events: ["registered_model.created"],
      status: "DISABLED",
    });
    await ok(s, "POST", `${API}/registered-models/create`, { name: "quiet" });
    assert.deepEqual(await deliveries(s, webhook.id), []);
  });

  it("sends a signed webhook.test event on request, whatever the subscriptions; refuses disabled and unknown webhooks", async () => {
    const { webhook } = await ok(s, "POST", `${HOOKS}/create`, {
      name: "tester",
      url,
      secret: "t3st",
      events: ["registered_model_tag.deleted"],
    });
    await ok(s, "POST", `${HOOKS}/test`, { id: webhook.id });
    const got = await waitFor("the test delivery", () =>
      receiver.received.find((r) => r.json.event === "webhook.test" && r.json.data.webhook_id === webhook.id),
    );
    assert.equal(got.json.entity, "webhook");
    assert.equal(got.json.action, "test");
    assert.equal(got.json.data.webhook_name, "tester");
    assert.equal(got.headers["x-mlflow-ts-event"], "webhook.test");
    assert.equal(got.headers["x-mlflow-ts-signature"], sign("t3st", got.body));
    const log = await waitFor("SUCCEEDED", async () => {
      const [d] = await deliveries(s, webhook.id);
      return d?.status === "SUCCEEDED" ? d : undefined;
    });
    assert.equal(log.event, "webhook.test");
    assert.equal(log.response_status, 200);

    await ok(s, "PATCH", `${HOOKS}/update`, { id: webhook.id, status: "DISABLED" });
    const disabled = await s.call("POST", `${HOOKS}/test`, { id: webhook.id });
    assert.equal(disabled.status, 400);
    assert.equal(disabled.json.error_code, "INVALID_PARAMETER_VALUE");
    assert.match(disabled.json.message, /disabled/);
    const unknown = await s.call("POST", `${HOOKS}/test`, { id: "no-such-webhook" });
    assert.equal(unknown.status, 404);
    await ok(s, "DELETE", `${HOOKS}/delete`, { id: webhook.id });
  });
});

describe("a receiver that is down loses no event", () => {
  it("delivers once the receiver comes up", async () => {
    const probe = new Receiver();
    const port = await probe.start();
    await probe.stop();
    const s = await startTestServer({ webhookDelivery: FAST });
    const receiver = new Receiver();
    try {
      const { webhook } = await ok(s, "POST", `${HOOKS}/create`, {
        name: "later",
        url: `http://127.0.0.1:${port}/hook`,
        events: ["model_version_alias.created"],
      });
      await ok(s, "POST", `${API}/registered-models/create`, { name: "m" });
      await ok(s, "POST", `${API}/model-versions/create`, { name: "m", source: "s3://b/m" });
      await ok(s, "POST", `${API}/registered-models/alias`, { name: "m", alias: "prod", version: "1" });
      const [pending] = await waitFor("a refused attempt", async () => {
        const list = await deliveries(s, webhook.id);
        return (list[0]?.attempts ?? 0) >= 2 ? list : undefined;
      });
      assert.equal(pending?.status, "PENDING");
      assert.match(pending?.error_message ?? "", /ECONNREFUSED/);
      await receiver.start(port);
      await waitFor("delivery", () => receiver.received.length >= 1 || undefined);
      assert.equal(receiver.received[0]?.json.data.alias, "prod");
      const [done] = await waitFor("SUCCEEDED", async () => {
        const list = await deliveries(s, webhook.id);
        return list[0]?.status === "SUCCEEDED" ? list : undefined;
      });
      assert.ok((done?.attempts ?? 0) >= 3);
    } finally {
      await s.close();
      await receiver.stop();
    }
  });

  it("resumes pending deliveries after a server restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-webhook-restart-"));
    const backendStoreUri = `sqlite:///${join(dir, "mlflow.db")}`;
    const probe = new Receiver();
    const port = await probe.start();
    await probe.stop();
    const receiver = new Receiver();
    let webhookId = "";
    const first = await startTestServer({ backendStoreUri, webhookDelivery: FAST });
    try {
      webhookId = (
        await ok(first, "POST", `${HOOKS}/create`, {
          name: "restart",
          url: `http://127.0.0.1:${port}/hook`,
          events: ["registered_model.created"],
        })
      ).webhook.id;
      await ok(first, "POST", `${API}/registered-models/create`, { name: "survivor" });
      const [pending] = await deliveries(first, webhookId);
      assert.equal(pending?.status, "PENDING");
    } finally {
      await first.close();
    }
    await receiver.start(port);
    const second = await startTestServer({ backendStoreUri, webhookDelivery: FAST });
    try {
      await waitFor("delivery after restart", () => receiver.received.length >= 1 || undefined);
      assert.equal(receiver.received[0]?.json.data.name, "survivor");
      const [done] = await waitFor("SUCCEEDED", async () => {
        const list = await deliveries(second, webhookId);
        return list[0]?.status === "SUCCEEDED" ? list : undefined;
      });
      assert.equal(done?.event, "registered_model.created");
    } finally {
      await second.close();
      await receiver.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("registry audit history", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ webhookDelivery: FAST });
  });
  after(async () => {
    await s.close();
  });

  const as = (user: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:pw`).toString("base64")}` });

  it("records who changed which alias or stage, when, from and to", async () => {
    const call = async (user: string, method: string, path: string, body: Record<string, unknown>) => {
      const r = await s.call(method, `${API}${path}`, body, as(user));
      assert.equal(r.status, 200, r.text);
    };
    const t0 = Date.now();
    await call("alice", "POST", "/registered-models/create", { name: "audited" });
    for (let i = 0; i < 3; i++)
      await call("alice", "POST", "/model-versions/create", { name: "audited", source: "s3://b/m" });
    await call("alice", "POST", "/registered-models/alias", { name: "audited", alias: "champion", version: "1" });
    await call("bob", "POST", "/registered-models/alias", { name: "audited", alias: "champion", version: "2" });
    await call("bob", "POST", "/registered-models/alias", { name: "audited", alias: "champion", version: "2" });
    await call("carol", "POST", "/model-versions/transition-stage", {
      name: "audited",
      version: "1",
      stage: "production",
    });
    await call("carol", "POST", "/model-versions/transition-stage", {
      name: "audited",
      version: "3",
      stage: "Production",
      archive_existing_versions: true,
    });
    await call("dave", "DELETE", "/registered-models/alias", { name: "audited", alias: "champion" });
    // anonymous change: no user recorded
    await s.call("POST", `${API}/registered-models/alias`, { name: "audited", alias: "backup", version: "3" });
    await call("erin", "DELETE", "/model-versions/delete", { name: "audited", version: "3" });

    const { entries } = await ok(s, "GET", "/api/2.0/mlflow-ts/registry/audit", { name: "audited" });
    const strip = entries.map((e: Record<string, unknown>) => {
      const { id, timestamp, ...rest } = e;
      assert.match(String(id), /^\d+$/);
      assert.ok((timestamp as number) >= t0);
      return rest;
    });
    assert.deepEqual(strip, [
      { user_id: "erin", action: "alias_deleted", name: "audited", version: "3", alias: "backup", from: "3" },
      { action: "alias_set", name: "audited", version: "3", alias: "backup", to: "3" },
      { user_id: "dave", action: "alias_deleted", name: "audited", version: "2", alias: "champion", from: "2" },
      {
        user_id: "carol",
        action: "stage_transitioned",
        name: "audited",
        version: "1",
        from: "Production",
        to: "Archived",
      },
      { user_id: "carol", action: "stage_transitioned", name: "audited", version: "3", from: "None", to: "Production" },
      { user_id: "carol", action: "stage_transitioned", name: "audited", version: "1", from: "None", to: "Production" },
      { user_id: "bob", action: "alias_set", name: "audited", version: "2", alias: "champion", from: "1", to: "2" },
      { user_id: "alice", action: "alias_set", name: "audited", version: "1", alias: "champion", to: "1" },
    ]);
    const champion = await ok(s, "GET", "/api/2.0/mlflow-ts/registry/audit", { name: "audited", alias: "champion" });
    assert.equal(champion.entries.length, 3);
    const v1 = await ok(s, "GET", "/api/2.0/mlflow-ts/registry/audit", { name: "audited", version: "1" });
    assert.equal(v1.entries.length, 3);
    const page = await ok(s, "GET", "/api/2.0/mlflow-ts/registry/audit", { name: "audited", max_results: 5 });
    assert.equal(page.entries.length, 5);
    const rest = await ok(s, "GET", "/api/2.0/mlflow-ts/registry/audit", {
      name: "audited",
      max_results: 5,
      page_token: page.next_page_token,
    });
    assert.equal(rest.entries.length, 3);
    assert.equal(rest.next_page_token, undefined);
    const bad = await s.call("GET", "/api/2.0/mlflow-ts/registry/audit", { version: "x" });
    assert.equal(bad.status, 400);
  });
});
