import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { runArtifactRepositoryContract } from "../contract/repository-contract.js";
import { MOTO_CREDENTIALS, type MotoServer, startMotoServer } from "./moto-server.js";
import { S3Connection } from "./s3-connection.js";
import { parseS3Uri } from "./s3-options.js";
import { S3ArtifactRepository, s3ArtifactRepositoryFactory } from "./s3-repository.js";

const MiB = 1024 * 1024;
const BUCKET = "mlflow-ts-artifacts";

let moto: MotoServer;
let connection: S3Connection;

it("moto_server is on PATH (the S3 suites fail, never skip, without it)", () => {
  const probe = spawnSync("moto_server", ["--help"], { encoding: "utf8" });
  assert.equal(
    probe.error,
    undefined,
    "moto_server is not on PATH: the S3 artifact tests need it (pip install 'moto[server]')",
  );
  assert.equal(probe.status, 0, probe.stderr);
});

describe("S3ArtifactRepository against moto_server", () => {
  before(async () => {
    moto = await startMotoServer();
    await moto.createBucket(BUCKET);
    connection = new S3Connection(moto.options);
  });
  after(async () => {
    await connection?.destroy();
    await moto?.stop();
  });

  const fresh = () => new S3ArtifactRepository(`s3://${BUCKET}/contract/${randomUUID()}`, connection);

  runArtifactRepositoryContract("S3ArtifactRepository", async () => fresh());
  runArtifactRepositoryContract("S3ArtifactRepository at the bucket root", async () => {
    const bucket = `root-${randomUUID().slice(0, 8)}`;
    await moto.createBucket(bucket);
    return new S3ArtifactRepository(`s3://${bucket}`, connection);
  });

  describe("S3 specifics", () => {
    it("lists and deletes beyond one page of 1000 keys", async () => {
      const repo = fresh();
      const names = Array.from({ length: 1010 }, (_, i) => `many/f${String(i).padStart(4, "0")}.txt`);
      await inParallel(names, 32, (name) => repo.write(name, bodyOf(name)));
      await repo.write("many/sub/x.txt", bodyOf("x"));
      await repo.write("other.txt", bodyOf("o"));
      const listed = await repo.list("many");
      assert.equal(listed.length, 1011);
      assert.deepEqual(listed[0], { path: "many/f0000.txt", is_dir: false, file_size: 14 });
      assert.deepEqual(listed.at(-1), { path: "many/sub", is_dir: true });
      await repo.delete("many");
      assert.deepEqual(await repo.list("many"), []);
      assert.deepEqual(await repo.list(), [{ path: "other.txt", is_dir: false, file_size: 1 }]);
    });

    it("does not touch siblings that share a key prefix when deleting", async () => {
      const repo = fresh();
      await repo.write("d/one.txt", bodyOf("1"));
      await repo.write("d/one.txt2", bodyOf("2"));
      await repo.write("d/one.txt/inner", bodyOf("3"));
      await repo.delete("d/one.txt");
      assert.deepEqual(await repo.list("d"), [{ path: "d/one.txt2", is_dir: false, file_size: 1 }]);
    });

    it("streams a 64 MiB body of unknown length in parts with bounded memory", async () => {
      const repo = new S3ArtifactRepository(
        `s3://${BUCKET}/large/${randomUUID()}`,
        new S3Connection({ ...moto.options, partSize: 5 * MiB, queueSize: 2 }),
      );
      const total = 64 * MiB;
      const written = createHash("sha256");
      const started = Date.now();
      const growth = await peakRssGrowth(() => repo.write("big.bin", Readable.from(generated(total, written))));
      const seconds = (Date.now() - started) / 1000;
      const readHash = createHash("sha256");
      const { stream, size } = await repo.read("big.bin");
      assert.equal(size, total);
      for await (const chunk of stream) readHash.update(chunk as Buffer);
      assert.equal(readHash.digest("hex"), written.digest("hex"));
      console.log(
        `# S3 streamed write: 64 MiB in ${seconds.toFixed(1)} s (${(64 / seconds).toFixed(0)} MiB/s), peak RSS growth ${(growth / MiB).toFixed(1)} MiB`,
      );
      assert.ok(growth < 48 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB while writing 64 MiB`);
      // A range across the part boundary (5 MiB) comes from the joined object.
      const cross = await repo.read("big.bin", { start: 5 * MiB - 2, end: 5 * MiB + 1 });
      assert.deepEqual(cross.range, { start: 5 * MiB - 2, end: 5 * MiB + 1 });
      assert.equal((await readAll(cross.stream)).length, 4);
    });

    it("round-trips bodies at part boundaries (one PutObject or parts), in odd-sized chunks", async () => {
      const repo = new S3ArtifactRepository(
        `s3://${BUCKET}/edges/${randomUUID()}`,
        new S3Connection({ ...moto.options, partSize: 5 * MiB, queueSize: 2 }),
      );
      for (const size of [5 * MiB - 1, 5 * MiB, 5 * MiB + 1, 10 * MiB]) {
        const content = randomBytes(size);
        const chunks: Buffer[] = [];
        for (let at = 0; at < size; at += 777_777) chunks.push(content.subarray(at, Math.min(size, at + 777_777)));
        await repo.write(`b${size}.bin`, Readable.from(chunks));
        const { stream, size: stored } = await repo.read(`b${size}.bin`);
        assert.equal(stored, size);
        assert.ok((await readAll(stream)).equals(content), `content of ${size} bytes differs`);
      }
      assert.equal(await openUploads(`${repo.prefix}/`), 0);
    });

    it("aborting a multipart write leaves neither the object nor an open upload", async () => {
      const repo = new S3ArtifactRepository(
        `s3://${BUCKET}/abort/${randomUUID()}`,
        new S3Connection({ ...moto.options, partSize: 5 * MiB, queueSize: 2 }),
      );
      const controller = new AbortController();
      const body = Readable.from(
        (async function* () {
          for (let i = 0; i < 12; i++) yield Buffer.alloc(MiB, i);
          controller.abort();
          await new Promise((resolve) => setTimeout(resolve, 20));
          yield Buffer.alloc(MiB, 99);
        })(),
      );
      await assert.rejects(repo.write("half.bin", body, { signal: controller.signal }));
      await expectCode(repo.read("half.bin"), "RESOURCE_DOES_NOT_EXIST");
      assert.equal(await openUploads(`${repo.prefix}/`), 0);
    });

    it("a failing body during a multipart write leaves no open upload and keeps the old object", async () => {
      const repo = new S3ArtifactRepository(
        `s3://${BUCKET}/fail/${randomUUID()}`,
        new S3Connection({ ...moto.options, partSize: 5 * MiB, queueSize: 2 }),
      );
      await repo.write("kept.bin", bodyOf("old"));
      const body = Readable.from(
        (async function* () {
          for (let i = 0; i < 11; i++) yield Buffer.alloc(MiB, i);
          throw new Error("client went away");
        })(),
      );
      await assert.rejects(repo.write("kept.bin", body));
      assert.equal((await readAll((await repo.read("kept.bin")).stream)).toString(), "old");
      assert.equal(await openUploads(`${repo.prefix}/`), 0);
    });

    it("hands out presigned part URLs that plain fetch can upload to", async () => {
      const repo = fresh();
      const parts = [randomBytes(5 * MiB), randomBytes(1000)];
      const upload = await repo.createMultipartUpload("pre/model.bin", 2);
      assert.equal(upload.credentials?.length, 2);
      const etags: { part_number: number; etag: string }[] = [];
      for (const credential of upload.credentials ?? []) {
        assert.deepEqual(credential.headers, {});
        assert.ok(!credential.url.includes(MOTO_CREDENTIALS.secretAccessKey), "the secret is in a URL");
        const res = await fetch(credential.url, { method: "PUT", body: parts[credential.part_number - 1] });
        assert.equal(res.status, 200, await res.text());
        etags.push({ part_number: credential.part_number, etag: res.headers.get("etag") ?? "" });
      }
      assert.deepEqual(await repo.list(), []);
      await repo.completeMultipartUpload("pre/model.bin", upload.uploadId, etags.reverse());
      const { stream, size } = await repo.read("pre/model.bin");
      assert.equal(size, 5 * MiB + 1000);
      assert.ok((await readAll(stream)).equals(Buffer.concat(parts)));
    });

    it("aborts a presigned upload: its part URLs stop working", async () => {
      const repo = fresh();
      const upload = await repo.createMultipartUpload("pre/gone.bin", 1);
      await repo.abortMultipartUpload("pre/gone.bin", upload.uploadId);
      const res = await fetch(upload.credentials?.[0]?.url ?? "", { method: "PUT", body: "x" });
      assert.ok(res.status >= 400, `a part URL of an aborted upload answered ${res.status}`);
      await expectCode(repo.abortMultipartUpload("pre/gone.bin", upload.uploadId), "RESOURCE_DOES_NOT_EXIST");
    });

    it("reads suffix ranges longer than the object and ranges on an empty object", async () => {
      const repo = fresh();
      await repo.write("r.txt", bodyOf("abc"));
      const all = await repo.read("r.txt", { suffix: 10 });
      assert.deepEqual(all.range, { start: 0, end: 2 });
      assert.equal((await readAll(all.stream)).toString(), "abc");
      await repo.write("empty", bodyOf(""));
      const none = await repo.read("empty", { start: 0 });
      assert.equal(none.range, undefined);
      assert.equal(none.size, 0);
      await expectCode(repo.read("missing", { start: 0, end: 1 }), "RESOURCE_DOES_NOT_EXIST");
    });

    it("applies upload extra args (MLFLOW_S3_UPLOAD_EXTRA_ARGS) and refuses unknown ones", async () => {
      const prefix = `extra/${randomUUID()}`;
      const repo = new S3ArtifactRepository(`s3://${BUCKET}/${prefix}`, {
        ...moto.options,
        uploadExtraArgs: { Metadata: { team: "ml" }, ContentType: "text/x-mlflow" },
      });
      await repo.write("a.txt", bodyOf("a"));
      const { S3Client: Client, HeadObjectCommand } = await import("@aws-sdk/client-s3");
      const client = new Client({ ...s3ClientConfig() });
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}/a.txt` }));
        assert.equal(head.Metadata?.team, "ml");
        assert.equal(head.ContentType, "text/x-mlflow");
      } finally {
        client.destroy();
      }
      assert.throws(
        () => new S3ArtifactRepository(`s3://${BUCKET}/x`, { uploadExtraArgs: { Bucket: "elsewhere" } }),
        (e: { errorCode?: string }) => e.errorCode === "INVALID_PARAMETER_VALUE",
      );
    });

    it("shares one client between the repositories of a factory", async () => {
      const factory = s3ArtifactRepositoryFactory(connection);
      const a = factory(`s3://${BUCKET}/shared/a`);
      await a.write("f.txt", bodyOf("via factory"));
      const parent = factory(`s3://${BUCKET}/shared`);
      assert.deepEqual(await parent.list("a"), [{ path: "a/f.txt", is_dir: false, file_size: 11 }]);
    });
  });

  describe("errors", () => {
    it("wrong credentials give PERMISSION_DENIED without secrets or stack traces", async () => {
      const strict = await startMotoServer({ env: { INITIAL_NO_AUTH_ACTION_COUNT: "0" } });
      try {
        const secret = "wrong-secret-do-not-leak";
        const repo = new S3ArtifactRepository(`s3://${BUCKET}/x`, {
          ...strict.options,
          credentials: { accessKeyId: "AKIAWRONGKEY", secretAccessKey: secret },
        });
        for (const call of [() => repo.list(), () => repo.read("a.txt"), () => repo.write("a.txt", bodyOf("a"))]) {
          await assert.rejects(call(), (e: Error & { errorCode?: string }) => {
            assert.equal(e.errorCode, "PERMISSION_DENIED", e.message);
            assert.match(e.message, /InvalidAccessKeyId/);
            assert.ok(!e.message.includes(secret) && !e.message.includes("AKIAWRONGKEY"));
            assert.ok(!JSON.stringify(e).includes(secret));
            assert.ok(!e.message.includes("    at "));
            return true;
          });
        }
      } finally {
        await strict.stop();
      }
    });

    it("TLS: a self-signed endpoint is refused unless ignoreTls (MLFLOW_S3_IGNORE_TLS) is set", async () => {
      const tls = await startMotoServer({ ssl: true });
      try {
        assert.match(tls.endpoint, /^https:/);
        const strict = new S3ArtifactRepository(`s3://${BUCKET}/x`, tls.options);
        await assert.rejects(strict.list(), (e: Error & { errorCode?: string }) => {
          assert.equal(e.errorCode, "INTERNAL_ERROR", e.message);
          assert.match(e.message, /TLS certificate was not accepted/);
          assert.ok(!e.message.includes("    at "));
          return true;
        });
        const lenient = new S3ArtifactRepository(`s3://${BUCKET}/x`, { ...tls.options, ignoreTls: true });
        await tls.createBucket(BUCKET);
        await lenient.write("a.txt", bodyOf("over TLS"));
        assert.deepEqual(await lenient.list(), [{ path: "a.txt", is_dir: false, file_size: 8 }]);
      } finally {
        await tls.stop();
      }
    });

    it("an unreachable endpoint gives TEMPORARILY_UNAVAILABLE", async () => {
      const repo = new S3ArtifactRepository(`s3://${BUCKET}/x`, { ...moto.options, endpointUrl: "http://127.0.0.1:9" });
      await expectCode(repo.list(), "TEMPORARILY_UNAVAILABLE");
    });

    it("a missing bucket gives RESOURCE_DOES_NOT_EXIST naming the bucket", async () => {
      const repo = new S3ArtifactRepository("s3://no-such-bucket-here/x", connection);
      await assert.rejects(repo.read("a"), /RESOURCE_DOES_NOT_EXIST|does not exist/);
      await assert.rejects(repo.list(), (e: Error & { errorCode?: string }) => {
        assert.equal(e.errorCode, "RESOURCE_DOES_NOT_EXIST");
        assert.match(e.message, /no-such-bucket-here/);
        return true;
      });
    });
  });
});

describe("parseS3Uri", () => {
  it("splits bucket and prefix", () => {
    assert.deepEqual(parseS3Uri("s3://b-1/a/b/"), { bucket: "b-1", prefix: "a/b" });
    assert.deepEqual(parseS3Uri("s3://bucket"), { bucket: "bucket", prefix: "" });
    assert.deepEqual(parseS3Uri("s3://bucket/"), { bucket: "bucket", prefix: "" });
    assert.deepEqual(parseS3Uri("S3://bucket//x/./y"), { bucket: "bucket", prefix: "x/y" });
  });
  it("refuses what is not an S3 URI", () => {
    for (const bad of ["s3:/bucket", "s3://", "gs://bucket/x", "s3://bucket/a/../b", "s3://b/x?q=1", "s3://b/x#f"]) {
      assert.throws(
        () => parseS3Uri(bad),
        (e: { errorCode?: string }) => e.errorCode === "INVALID_PARAMETER_VALUE",
        bad,
      );
    }
  });
});

function s3ClientConfig() {
  return { endpoint: moto.endpoint, region: "us-east-1", forcePathStyle: true, credentials: MOTO_CREDENTIALS };
}

async function openUploads(prefix: string): Promise<number> {
  const client = new S3Client(s3ClientConfig());
  try {
    const out = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
    return out.Uploads?.length ?? 0;
  } finally {
    client.destroy();
  }
}

function bodyOf(content: Buffer | string): Readable {
  return Readable.from([typeof content === "string" ? Buffer.from(content) : content]);
}

async function readAll(stream: NodeJS.ReadableStream | Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** `total` bytes in 64 KiB chunks, freshly allocated, hashed as they go. */
async function* generated(total: number, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  const chunkSize = 64 * 1024;
  for (let offset = 0, i = 0; offset < total; offset += chunkSize, i++) {
    const chunk = Buffer.alloc(Math.min(chunkSize, total - offset), i % 251);
    chunk.writeUInt32BE(i, 0);
    hash.update(chunk);
    yield chunk;
  }
}

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
  return Math.max(peak, process.memoryUsage().rss) - baseline;
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: Error & { errorCode?: string }) => {
    assert.equal(e.errorCode, code, e.message);
    return true;
  });
}
