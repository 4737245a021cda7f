import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { LocalArtifactRepository } from "./local-repository.js";

const MiB = 1024 * 1024;
const TOTAL = 200 * MiB;
const CHUNK = MiB;

let root = "";
before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "mlflow-ts-artifacts-stream-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** TOTAL bytes in 1 MiB chunks, each freshly allocated and filled with a chunk-dependent pattern. */
async function* generated(hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for (let offset = 0, i = 0; offset < TOTAL; offset += CHUNK, i++) {
    const chunk = Buffer.alloc(Math.min(CHUNK, TOTAL - offset), i % 251);
    chunk.writeUInt32BE(i, 0);
    hash.update(chunk);
    yield chunk;
  }
}

/** Samples RSS every 10 ms while `work` runs; returns the largest growth over `baseline`. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return peak - baseline;
}

async function leftovers(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.startsWith(".mlflow-ts-tmp-"));
  } catch {
    return [];
  }
}

describe("LocalArtifactRepository streams large files", () => {
  it("writes and reads 200 MiB from a generator without buffering it", async () => {
    const repo = new LocalArtifactRepository(root);
    const written = createHash("sha256");
    const writeGrowth = await peakRssGrowth(() =>
      repo.write("big/stream.bin", Readable.from(generated(written), { objectMode: false })),
    );
    assert.equal((await stat(path.join(root, "big/stream.bin"))).size, TOTAL);
    assert.ok(writeGrowth < 64 * MiB, `RSS grew by ${(writeGrowth / MiB).toFixed(1)} MiB while writing`);

    const readHash = createHash("sha256");
    let readBytes = 0;
    let reportedSize = 0;
    const readGrowth = await peakRssGrowth(async () => {
      const { stream, size } = await repo.read("big/stream.bin");
      reportedSize = size;
      for await (const chunk of stream) {
        readHash.update(chunk as Buffer);
        readBytes += (chunk as Buffer).length;
      }
    });
    assert.equal(reportedSize, TOTAL);
    assert.equal(readBytes, TOTAL);
    assert.equal(readHash.digest("hex"), written.digest("hex"));
    assert.ok(readGrowth < 64 * MiB, `RSS grew by ${(readGrowth / MiB).toFixed(1)} MiB while reading`);
    assert.deepEqual(await leftovers(path.join(root, "big")), []);
  });
});

describe("LocalArtifactRepository leaves no partial or temp file behind", () => {
  const dir = () => path.join(root, "partial");

  function body(chunks: number, end: (stream: Readable) => void): Readable {
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent < chunks) {
          sent++;
          this.push(Buffer.alloc(256 * 1024, 7));
        } else {
          end(this);
        }
      },
    });
    return stream;
  }

  it("when the body errors midway", async () => {
    const repo = new LocalArtifactRepository(root);
    await assert.rejects(
      repo.write(
        "partial/errored.bin",
        body(8, (s) => s.destroy(new Error("connection reset"))),
      ),
      /connection reset/,
    );
    await assert.rejects(stat(path.join(dir(), "errored.bin")), { code: "ENOENT" });
    assert.deepEqual(await leftovers(dir()), []);
  });

  it("when the body is destroyed without an error (client went away)", async () => {
    const repo = new LocalArtifactRepository(root);
    await assert.rejects(
      repo.write(
        "partial/destroyed.bin",
        body(8, (s) => s.destroy()),
      ),
    );
    await assert.rejects(stat(path.join(dir(), "destroyed.bin")), { code: "ENOENT" });
    assert.deepEqual(await leftovers(dir()), []);
  });

  it("when the body fails before any data arrives", async () => {
    const repo = new LocalArtifactRepository(root);
    await assert.rejects(
      repo.write(
        "partial/early.bin",
        body(0, (s) => s.destroy(new Error("early"))),
      ),
      /early/,
    );
    await assert.rejects(stat(path.join(dir(), "early.bin")), { code: "ENOENT" });
    assert.deepEqual(await leftovers(dir()), []);
  });

  it("when the write is aborted with a signal", async () => {
    const repo = new LocalArtifactRepository(root);
    const controller = new AbortController();
    let sent = 0;
    const slow = new Readable({
      read() {
        sent++;
        if (sent === 4) controller.abort();
        setTimeout(() => this.push(Buffer.alloc(64 * 1024, 1)), 1);
      },
    });
    await assert.rejects(repo.write("partial/aborted.bin", slow, { signal: controller.signal }), {
      name: "AbortError",
    });
    await assert.rejects(stat(path.join(dir(), "aborted.bin")), { code: "ENOENT" });
    assert.deepEqual(await leftovers(dir()), []);
  });

  it("and keeps the previous content when an overwrite fails", async () => {
    const repo = new LocalArtifactRepository(root);
    await repo.write("partial/kept.txt", Readable.from([Buffer.from("previous")]));
    await assert.rejects(
      repo.write(
        "partial/kept.txt",
        body(4, (s) => s.destroy(new Error("boom"))),
      ),
      /boom/,
    );
    assert.equal(await readFile(path.join(dir(), "kept.txt"), "utf8"), "previous");
    assert.deepEqual(await leftovers(dir()), []);
  });

  it("when a multipart part upload fails", async () => {
    const repo = new LocalArtifactRepository(root);
    const { uploadId } = await repo.createMultipartUpload("partial/mpu.bin", 2);
    await assert.rejects(
      repo.uploadPart(
        "partial/mpu.bin",
        uploadId,
        1,
        body(4, (s) => s.destroy(new Error("part failed"))),
      ),
      /part failed/,
    );
    const staged = await readdir(path.join(root, ".mlflow-ts-mpu", uploadId));
    assert.deepEqual(staged, ["upload.json"]);
    await repo.abortMultipartUpload("partial/mpu.bin", uploadId);
  });
});
