import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import type { FileInfo } from "@mlflow-ts/protocol";
import { INVALID_PATH_MESSAGE } from "../path-safety.js";
import type { ArtifactRepository } from "../repository.js";

export interface ArtifactRepositoryContractOptions {
  /**
   * Size of every multipart part except the last. Defaults to 5 MiB, the smallest part S3 accepts;
   * the local repository has no minimum.
   */
  multipartPartSize?: number;
}

/** Paths every repository must refuse, for every method, with INVALID_PARAMETER_VALUE "Invalid path". */
export const HOSTILE_PATHS: readonly string[] = [
  "../x",
  "a/../../b",
  "..",
  "/etc/passwd",
  "%2e%2e/x",
  "%252e%252e/x",
  "a/%2e%2e/%2e%2e/b",
  "a#b",
  "file:///etc/passwd",
  "a\\b",
  "C:\\Windows\\win.ini",
  "C:/Windows/win.ini",
  "//server/share/x",
];

/**
 * The behaviour every {@link ArtifactRepository} shares, as a node:test suite. Call it from a test
 * file of the implementation; `makeRepo` must return a fresh, empty repository on every call.
 *
 * ```ts
 * runArtifactRepositoryContract("local", async () => new LocalArtifactRepository(await mkdtemp(...)));
 * ```
 */
export function runArtifactRepositoryContract(
  name: string,
  makeRepo: () => Promise<ArtifactRepository>,
  options: ArtifactRepositoryContractOptions = {},
): void {
  const partSize = options.multipartPartSize ?? 5 * 1024 * 1024;

  describe(`ArtifactRepository contract: ${name}`, () => {
    describe("write and read", () => {
      it("round-trips binary content", async () => {
        const repo = await makeRepo();
        const content = Buffer.concat([allByteValues(), randomBytes(100_000)]);
        await repo.write("bin/data.bin", bodyOf(content));
        const { stream, size } = await repo.read("bin/data.bin");
        assert.equal(size, content.length);
        assert.ok((await readAll(stream)).equals(content));
      });

      it("round-trips an empty file", async () => {
        const repo = await makeRepo();
        await repo.write("empty.txt", bodyOf(Buffer.alloc(0)));
        const { stream, size } = await repo.read("empty.txt");
        assert.equal(size, 0);
        assert.equal((await readAll(stream)).length, 0);
      });

      it("writes a body that arrives in many chunks", async () => {
        const repo = await makeRepo();
        const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000 + i, i));
        await repo.write("chunks.bin", Readable.from(chunks));
        const { stream } = await repo.read("chunks.bin");
        assert.ok((await readAll(stream)).equals(Buffer.concat(chunks)));
      });

      it("overwrites an existing file completely", async () => {
        const repo = await makeRepo();
        await repo.write("f.txt", bodyOf("a much longer first version of the file"));
        await repo.write("f.txt", bodyOf("short"));
        const { stream, size } = await repo.read("f.txt");
        assert.equal(size, 5);
        assert.equal((await readAll(stream)).toString(), "short");
        assert.deepEqual(await repo.list(), [{ path: "f.txt", is_dir: false, file_size: 5 }]);
      });

      it("normalises equivalent spellings of a path", async () => {
        const repo = await makeRepo();
        await repo.write("./x//y/z.txt", bodyOf("z"));
        const { stream } = await repo.read("x/y/z.txt");
        assert.equal((await readAll(stream)).toString(), "z");
        // paths are names, not URLs: a percent escape is part of the name (callers decode URLs once)
        await repo.write("sp%20ace.txt", bodyOf("s"));
        assert.equal((await readAll((await repo.read("sp%20ace.txt")).stream)).toString(), "s");
        await expectError(repo.read("sp ace.txt"), "RESOURCE_DOES_NOT_EXIST");
      });

      it("reads byte ranges, clamped to the file, and reports unsatisfiable ones", async () => {
        const repo = await makeRepo();
        await repo.write("r.bin", bodyOf("abcdefghij"));
        const mid = await repo.read("r.bin", { start: 2, end: 4 });
        assert.deepEqual(mid.range, { start: 2, end: 4 });
        assert.equal(mid.size, 10);
        assert.equal((await readAll(mid.stream)).toString(), "cde");
        const tail = await repo.read("r.bin", { suffix: 3 });
        assert.equal((await readAll(tail.stream)).toString(), "hij");
        const clamped = await repo.read("r.bin", { start: 8, end: 99 });
        assert.deepEqual(clamped.range, { start: 8, end: 9 });
        assert.equal((await readAll(clamped.stream)).toString(), "ij");
        const beyond = await repo.read("r.bin", { start: 10 });
        assert.equal(beyond.range, undefined);
        assert.equal((await readAll(beyond.stream)).length, 0);
      });

      it("rejects reading a missing file or a directory with RESOURCE_DOES_NOT_EXIST", async () => {
        const repo = await makeRepo();
        await expectError(repo.read("missing.txt"), "RESOURCE_DOES_NOT_EXIST");
        await repo.write("dir/file.txt", bodyOf("x"));
        await expectError(repo.read("dir"), "RESOURCE_DOES_NOT_EXIST");
        await expectError(repo.read("dir/other.txt"), "RESOURCE_DOES_NOT_EXIST");
        await expectError(repo.read("nowhere/deep/file.txt"), "RESOURCE_DOES_NOT_EXIST");
      });

      it("leaves nothing behind when the body fails", async () => {
        const repo = await makeRepo();
        await assert.rejects(repo.write("new.bin", failingBody(3)));
        await expectError(repo.read("new.bin"), "RESOURCE_DOES_NOT_EXIST");
        assert.deepEqual(await repo.list(), []);

        await repo.write("kept.txt", bodyOf("old content"));
        await assert.rejects(repo.write("kept.txt", failingBody(3)));
        assert.equal((await readAll((await repo.read("kept.txt")).stream)).toString(), "old content");
        assert.deepEqual(await repo.list(), [{ path: "kept.txt", is_dir: false, file_size: 11 }]);
      });

      it("stops and leaves nothing behind when the write is aborted", async () => {
        const repo = await makeRepo();
        const controller = new AbortController();
        const body = Readable.from(
          (async function* () {
            yield Buffer.alloc(1024, 1);
            controller.abort();
            await new Promise((resolve) => setTimeout(resolve, 10));
            yield Buffer.alloc(1024, 2);
          })(),
        );
        await assert.rejects(repo.write("aborted.bin", body, { signal: controller.signal }));
        await expectError(repo.read("aborted.bin"), "RESOURCE_DOES_NOT_EXIST");
        assert.deepEqual(await repo.list(), []);
      });
    });

    describe("list", () => {
      it("returns direct children with root-relative paths, sorted, dirs without size", async () => {
        const repo = await makeRepo();
        await repo.write("model/MLmodel", bodyOf("flavors: {}\n"));
        await repo.write("model/data/weights.bin", bodyOf(Buffer.alloc(2048)));
        await repo.write("model/conda.yaml", bodyOf("name: x\n"));
        await repo.write("b.txt", bodyOf("bb"));
        await repo.write("a.txt", bodyOf("a"));

        const root: FileInfo[] = [
          { path: "a.txt", is_dir: false, file_size: 1 },
          { path: "b.txt", is_dir: false, file_size: 2 },
          { path: "model", is_dir: true },
        ];
        assert.deepEqual(normalize(await repo.list()), root);
        assert.deepEqual(normalize(await repo.list("")), root);
        assert.deepEqual(normalize(await repo.list(".")), root);

        const model: FileInfo[] = [
          { path: "model/MLmodel", is_dir: false, file_size: 12 },
          { path: "model/conda.yaml", is_dir: false, file_size: 8 },
          { path: "model/data", is_dir: true },
        ];
        assert.deepEqual(normalize(await repo.list("model")), model);
        assert.deepEqual(normalize(await repo.list("model/")), model);
        assert.deepEqual(normalize(await repo.list("model/data")), [
          { path: "model/data/weights.bin", is_dir: false, file_size: 2048 },
        ]);
        for (const entry of await repo.list("model")) {
          if (entry.is_dir) assert.equal(entry.file_size, undefined, `${entry.path} carries a size`);
        }
      });

      it("returns [] for a missing directory, a file, and an empty repository", async () => {
        const repo = await makeRepo();
        assert.deepEqual(await repo.list(), []);
        assert.deepEqual(await repo.list("missing"), []);
        assert.deepEqual(await repo.list("missing/deeper"), []);
        await repo.write("file.txt", bodyOf("x"));
        assert.deepEqual(await repo.list("file.txt"), []);
      });
    });

    describe("delete", () => {
      it("deletes a file", async () => {
        const repo = await makeRepo();
        await repo.write("d/one.txt", bodyOf("1"));
        await repo.write("d/two.txt", bodyOf("2"));
        await repo.delete("d/one.txt");
        await expectError(repo.read("d/one.txt"), "RESOURCE_DOES_NOT_EXIST");
        assert.deepEqual(normalize(await repo.list("d")), [{ path: "d/two.txt", is_dir: false, file_size: 1 }]);
      });

      it("deletes a directory recursively", async () => {
        const repo = await makeRepo();
        await repo.write("keep.txt", bodyOf("k"));
        await repo.write("tree/a.txt", bodyOf("a"));
        await repo.write("tree/sub/b.txt", bodyOf("b"));
        await repo.delete("tree");
        assert.deepEqual(normalize(await repo.list()), [{ path: "keep.txt", is_dir: false, file_size: 1 }]);
        assert.deepEqual(await repo.list("tree"), []);
        await expectError(repo.read("tree/sub/b.txt"), "RESOURCE_DOES_NOT_EXIST");
      });

      it("accepts a missing path", async () => {
        const repo = await makeRepo();
        await repo.delete("never/was.txt");
        await repo.write("x.txt", bodyOf("x"));
        await repo.delete("x.txt");
        await repo.delete("x.txt");
        assert.deepEqual(await repo.list(), []);
      });

      it("empties the repository for the root path", async () => {
        const repo = await makeRepo();
        await repo.write("a.txt", bodyOf("a"));
        await repo.write("b/c.txt", bodyOf("c"));
        await repo.delete("");
        assert.deepEqual(await repo.list(), []);
      });
    });

    describe("hostile paths", () => {
      for (const hostile of HOSTILE_PATHS) {
        it(`refuses ${JSON.stringify(hostile)} in every method`, async () => {
          const repo = await makeRepo();
          const calls: [string, () => Promise<unknown>][] = [
            ["list", () => repo.list(hostile)],
            ["read", () => repo.read(hostile)],
            ["write", () => repo.write(hostile, bodyOf("x"))],
            ["delete", () => repo.delete(hostile)],
            ["createMultipartUpload", () => repo.createMultipartUpload(hostile, 1)],
            ["uploadPart", () => repo.uploadPart(hostile, "0".repeat(32), 1, bodyOf("x"))],
            ["completeMultipartUpload", () => repo.completeMultipartUpload(hostile, "0".repeat(32), [])],
            ["abortMultipartUpload", () => repo.abortMultipartUpload(hostile, "0".repeat(32))],
          ];
          for (const [method, call] of calls) {
            await expectError(call(), "INVALID_PARAMETER_VALUE", INVALID_PATH_MESSAGE, method);
          }
          assert.deepEqual(await repo.list(), []);
        });
      }

      it("refuses the empty path where a file is needed", async () => {
        const repo = await makeRepo();
        await expectError(repo.read(""), "INVALID_PARAMETER_VALUE", INVALID_PATH_MESSAGE);
        await expectError(repo.write("", bodyOf("x")), "INVALID_PARAMETER_VALUE", INVALID_PATH_MESSAGE);
        await expectError(repo.write("./", bodyOf("x")), "INVALID_PARAMETER_VALUE", INVALID_PATH_MESSAGE);
      });
    });

    describe("multipart upload", () => {
      it("behaves as supportsMultipart says (NOT_IMPLEMENTED when unsupported)", async () => {
        const repo = await makeRepo();
        assert.equal(typeof repo.supportsMultipart, "boolean");
        if (!repo.supportsMultipart) {
          await expectError(repo.createMultipartUpload("big.bin", 2), "NOT_IMPLEMENTED");
          return;
        }
        const { uploadId } = await repo.createMultipartUpload("big.bin", 2);
        assert.ok(typeof uploadId === "string" && uploadId.length > 0);
        await repo.abortMultipartUpload("big.bin", uploadId);
      });

      it("joins three parts in part-number order", async (t) => {
        const repo = await makeRepo();
        if (!repo.supportsMultipart) return t.skip("multipart not supported");
        const parts = [randomBytes(partSize), randomBytes(partSize), randomBytes(1234)];
        const { uploadId } = await repo.createMultipartUpload("big/file.bin", 3);
        assert.equal(typeof uploadId, "string");
        assert.ok(uploadId.length > 0);

        const etags = new Map<number, string>();
        for (const partNumber of [3, 1, 2]) {
          const content = parts[partNumber - 1] as Buffer;
          const { etag } = await repo.uploadPart("big/file.bin", uploadId, partNumber, bodyOf(content));
          assert.ok(etag.length > 0);
          etags.set(partNumber, etag);
        }
        assert.deepEqual(await repo.list(), [], "an unfinished upload must not be visible");

        await repo.completeMultipartUpload("big/file.bin", uploadId, [
          { part_number: 2, etag: etags.get(2) as string },
          { part_number: 1, etag: etags.get(1) as string },
          { part_number: 3, etag: etags.get(3) as string },
        ]);
        const expected = Buffer.concat(parts);
        const { stream, size } = await repo.read("big/file.bin");
        assert.equal(size, expected.length);
        assert.equal(sha256(await readAll(stream)), sha256(expected));
        assert.deepEqual(normalize(await repo.list()), [{ path: "big", is_dir: true }]);
        assert.deepEqual(normalize(await repo.list("big")), [
          { path: "big/file.bin", is_dir: false, file_size: expected.length },
        ]);
        await expectError(repo.abortMultipartUpload("big/file.bin", uploadId), "RESOURCE_DOES_NOT_EXIST");
      });

      it("refuses to complete with an etag that does not match the part", async (t) => {
        const repo = await makeRepo();
        if (!repo.supportsMultipart) return t.skip("multipart not supported");
        const { uploadId } = await repo.createMultipartUpload("x.bin", 1);
        const { etag } = await repo.uploadPart("x.bin", uploadId, 1, bodyOf("part one"));
        const wrong = etag === "0".repeat(32) ? "1".repeat(32) : "0".repeat(32);
        await expectError(
          repo.completeMultipartUpload("x.bin", uploadId, [{ part_number: 1, etag: wrong }]),
          "INVALID_PARAMETER_VALUE",
        );
        await expectError(repo.read("x.bin"), "RESOURCE_DOES_NOT_EXIST");
        await repo.abortMultipartUpload("x.bin", uploadId);
      });

      it("aborts: parts are dropped, the id is gone, no file appears", async (t) => {
        const repo = await makeRepo();
        if (!repo.supportsMultipart) return t.skip("multipart not supported");
        const { uploadId } = await repo.createMultipartUpload("gone.bin", 2);
        const { etag } = await repo.uploadPart("gone.bin", uploadId, 1, bodyOf(randomBytes(partSize)));
        await repo.abortMultipartUpload("gone.bin", uploadId);
        await expectError(repo.uploadPart("gone.bin", uploadId, 2, bodyOf("x")), "RESOURCE_DOES_NOT_EXIST");
        await expectError(
          repo.completeMultipartUpload("gone.bin", uploadId, [{ part_number: 1, etag }]),
          "RESOURCE_DOES_NOT_EXIST",
        );
        await expectError(repo.read("gone.bin"), "RESOURCE_DOES_NOT_EXIST");
        assert.deepEqual(await repo.list(), []);
      });

      it("answers RESOURCE_DOES_NOT_EXIST for an unknown upload id", async (t) => {
        const repo = await makeRepo();
        if (!repo.supportsMultipart) return t.skip("multipart not supported");
        const unknown = randomBytes(16).toString("hex");
        await expectError(repo.uploadPart("u.bin", unknown, 1, bodyOf("x")), "RESOURCE_DOES_NOT_EXIST");
        await expectError(
          repo.completeMultipartUpload("u.bin", unknown, [{ part_number: 1, etag: "0".repeat(32) }]),
          "RESOURCE_DOES_NOT_EXIST",
        );
        await expectError(repo.abortMultipartUpload("u.bin", unknown), "RESOURCE_DOES_NOT_EXIST");
        await expectError(repo.abortMultipartUpload("u.bin", "../../etc"), "RESOURCE_DOES_NOT_EXIST");
      });

      it("refuses bad part numbers with INVALID_PARAMETER_VALUE", async (t) => {
        const repo = await makeRepo();
        if (!repo.supportsMultipart) return t.skip("multipart not supported");
        const { uploadId } = await repo.createMultipartUpload("p.bin", 2);
        for (const bad of [0, -1, 1.5, Number.NaN, 10_001]) {
          await expectError(repo.uploadPart("p.bin", uploadId, bad, bodyOf("x")), "INVALID_PARAMETER_VALUE");
        }
        await expectError(repo.createMultipartUpload("p.bin", 0), "INVALID_PARAMETER_VALUE");
        await repo.abortMultipartUpload("p.bin", uploadId);
      });
    });
  });
}

function bodyOf(content: Buffer | string): Readable {
  return Readable.from([typeof content === "string" ? Buffer.from(content) : content]);
}

/** A body that yields `goodChunks` chunks and then fails. */
function failingBody(goodChunks: number): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < goodChunks; i++) yield Buffer.alloc(64 * 1024, i);
      throw new Error("client went away");
    })(),
  );
}

function allByteValues(): Buffer {
  return Buffer.from(Array.from({ length: 256 }, (_, i) => i));
}

async function readAll(stream: NodeJS.ReadableStream | Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

function sha256(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Drops `file_size: undefined` keys so deepEqual compares what is on the wire. */
function normalize(infos: FileInfo[]): FileInfo[] {
  return infos.map((info) => (info.file_size === undefined ? { path: info.path, is_dir: info.is_dir } : { ...info }));
}

async function expectError(promise: Promise<unknown>, code: string, message?: string, context?: string) {
  await assert.rejects(promise, (error: unknown) => {
    const e = error as { errorCode?: unknown; message?: unknown };
    const where = context ? `${context}: ` : "";
    assert.equal(e.errorCode, code, `${where}expected ${code}, got ${String(e.errorCode)} (${String(e.message)})`);
    if (message !== undefined) assert.equal(e.message, message, `${where}unexpected message`);
    return true;
  });
}
