import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, describe, it } from "node:test";
import { startCliServer } from "./test-support/spawn-cli.js";

const SIZE_MB = Number(process.env.MLFLOW_TS_STREAM_TEST_MB ?? 512);
const CHUNK = 1024 * 1024;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-stream-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Peak resident memory of a process, from /proc (Linux). */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

function* chunks(hash: ReturnType<typeof createHash>): Generator<Buffer> {
  for (let i = 0; i < SIZE_MB; i++) {
    const b = Buffer.alloc(CHUNK, i % 251);
    b.writeUInt32LE(i, 0);
    hash.update(b);
    yield b;
  }
}

describe("artifact streaming through the server", () => {
  it(`moves a ${SIZE_MB} MiB artifact up and down with flat server memory`, async () => {
    const s = await startCliServer([
      "--backend-store-uri",
      `sqlite:///${join(dir, "s.db")}`,
      "--artifacts-destination",
      join(dir, "art"),
    ]);
    try {
      const pid = s.child.pid as number;
      await fetch(`${s.url}/health`);
      const baseline = peakRssMb(pid);
      const url = new URL(`${s.url}/api/2.0/mlflow-artifacts/artifacts/0/big.bin`);
      const upHash = createHash("sha256");
      await new Promise<void>((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "PUT",
            headers: { "Content-Length": SIZE_MB * CHUNK },
          },
          (res) => {
            res.resume();
            res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${res.statusCode}`))));
          },
        );
        req.on("error", reject);
        pipeline(Readable.from(chunks(upHash)), req).catch(reject);
      });
      const downHash = createHash("sha256");
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(Number(res.headers.get("content-length")), SIZE_MB * CHUNK);
      let received = 0;
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        received += part.length;
        downHash.update(part);
      }
      assert.equal(received, SIZE_MB * CHUNK);
      assert.equal(downHash.digest("hex"), upHash.digest("hex"));
      const peak = peakRssMb(pid);
      console.log(`server RSS: baseline ${baseline.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB`);
      assert.ok(
        peak - baseline < 100,
        `server peak RSS grew by ${Math.round(peak - baseline)} MiB (baseline ${Math.round(baseline)} MiB)`,
      );
    } finally {
      await s.stop();
    }
  });
});
