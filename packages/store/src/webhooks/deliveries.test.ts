// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SqlRegistryStore } from "../sql-registry-store.js";
import { SqlTrackingStore } from "../sql-tracking-store.js";
import { SqlWebhookStore } from "../sql-webhook-store.js";
import { createScratchDatabase, type ScratchDatabase } from "../testing/test-databases.js";

let scratch: ScratchDatabase;
let tracking: SqlTrackingStore;
before(async () => {
  scratch = await createScratchDatabase();
  tracking = await SqlTrackingStore.open(scratch.uri, { defaultArtifactRoot: "mlflow-artifacts:/" });
});
after(async () => {
  await tracking?.close();
  await scratch?.drop();
});

describe("webhook delivery claims", () => {
  it("a due delivery is claimed by one of several racing workers (processes sharing the database)", async () => {
    const hooks = new SqlWebhookStore(tracking.db);
    const registry = new SqlRegistryStore(tracking.db);
    await hooks.createWebhook({ name: "h", url: "http://127.0.0.1:9/x", events: ["registered_model.created"] });
    for (let i = 0; i < 5; i++) await registry.createRegisteredModel({ name: `claimed-${i}` });
    const now = Date.now() + 1;
    const claims = await Promise.all(Array.from({ length: 6 }, () => hooks.dueDeliveries(now, 10, 60_000)));
    const ids = claims.flat().map((d) => d.id);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
    assert.deepEqual(await hooks.dueDeliveries(now + 1000, 10, 60_000), []);
    // recording an attempt makes a failed delivery due again on its own schedule
    const first = ids[0] as number;
    await hooks.recordAttempt(
      first,
      { timestamp: now, durationMs: 1, ok: false, errorMessage: "down" },
      { maxAttempts: 3, retryDelayMs: () => 0 },
    );
    assert.deepEqual(
      (await hooks.dueDeliveries(now + 10, 10, 60_000)).map((d) => d.id),
      [first],
    );
    // after the lease, an unrecorded claim (a crashed sender) is due again
    assert.equal((await hooks.dueDeliveries(now + 61_000, 10)).length, 5);
  });
});
