import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { runArtifactRepositoryContract } from "../contract/repository-contract.js";
import { LocalArtifactRepository } from "./local-repository.js";
import { STAGING_DIR_NAME } from "./root-guard.js";

let base = "";
before(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mlflow-ts-artifacts-local-"));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function freshRoot(): Promise<string> {
  return mkdtemp(path.join(base, "repo-"));
}

runArtifactRepositoryContract("LocalArtifactRepository", async () => new LocalArtifactRepository(await freshRoot()));

runArtifactRepositoryContract(
  "LocalArtifactRepository (root not created yet)",
  async () => new LocalArtifactRepository(path.join(await freshRoot(), "not", "yet")),
  { multipartPartSize: 64 * 1024 },
);

const body = (text: string | Buffer) => Readable.from([typeof text === "string" ? Buffer.from(text) : text]);

async function errorCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { errorCode?: string }).errorCode;
  }
  return undefined;
}

describe("LocalArtifactRepository specifics", () => {
  it("creates the root lazily, on the first write", async () => {
    const root = path.join(await freshRoot(), "lazy");
    const repo = new LocalArtifactRepository(root);
    assert.deepEqual(await repo.list(), []);
    assert.equal(await errorCodeOf(repo.read("x")), "RESOURCE_DOES_NOT_EXIST");
    await repo.delete("x");
    await assert.rejects(stat(root), { code: "ENOENT" });
    await repo.write("x", body("1"));
    assert.ok((await stat(root)).isDirectory());
  });

  it("stores files at root/<path>", async () => {
    const root = await freshRoot();
    const repo = new LocalArtifactRepository(root);
    await repo.write("1/abc/artifacts/model/MLmodel", body("m"));
    assert.equal((await stat(path.join(root, "1/abc/artifacts/model/MLmodel"))).size, 1);
  });

  it("refuses to write over a directory or below a file", async () => {
    const repo = new LocalArtifactRepository(await freshRoot());
    await repo.write("d/f.txt", body("x"));
    assert.equal(await errorCodeOf(repo.write("d", body("y"))), "INVALID_PARAMETER_VALUE");
    assert.equal(await errorCodeOf(repo.write("d/f.txt/g", body("y"))), "INVALID_PARAMETER_VALUE");
    assert.equal(await errorCodeOf(repo.read("d/f.txt/g")), "RESOURCE_DOES_NOT_EXIST");
  });

  it("hides the staging area and temp files, and refuses paths into the staging area", async () => {
    const root = await freshRoot();
    const repo = new LocalArtifactRepository(root);
    const { uploadId } = await repo.createMultipartUpload("big.bin", 2);
    await repo.uploadPart("big.bin", uploadId, 1, body("part"));
    await writeFile(path.join(root, ".mlflow-ts-tmp-0123456789abcdef"), "partial");
    await repo.write("visible.txt", body("v"));
    assert.deepEqual(await repo.list(), [{ path: "visible.txt", is_dir: false, file_size: 1 }]);
    for (const hidden of [STAGING_DIR_NAME, `${STAGING_DIR_NAME}/${uploadId}/upload.json`, `./${STAGING_DIR_NAME}`]) {
      assert.equal(await errorCodeOf(repo.list(hidden)), "INVALID_PARAMETER_VALUE");
      assert.equal(await errorCodeOf(repo.read(hidden)), "INVALID_PARAMETER_VALUE");
      assert.equal(await errorCodeOf(repo.write(hidden, body("x"))), "INVALID_PARAMETER_VALUE");
      assert.equal(await errorCodeOf(repo.delete(hidden)), "INVALID_PARAMETER_VALUE");
    }
    // A nested directory of the same name is an ordinary directory.
    await repo.write(`sub/${STAGING_DIR_NAME}/x.txt`, body("x"));
    assert.equal((await repo.list(`sub/${STAGING_DIR_NAME}`)).length, 1);
  });

  it("uses the md5 of the part as etag, accepts quoted etags, cleans up after completion", async () => {
    const root = await freshRoot();
    const repo = new LocalArtifactRepository(root);
    const { uploadId } = await repo.createMultipartUpload("m.bin", 2);
    const one = Buffer.from("first part ");
    const { etag } = await repo.uploadPart("m.bin", uploadId, 1, body(one));
    assert.equal(etag, createHash("md5").update(one).digest("hex"));
    // Re-uploading a part replaces it.
    await repo.uploadPart("m.bin", uploadId, 2, body("stale"));
    const two = await repo.uploadPart("m.bin", uploadId, 2, body("second part"));
    await repo.completeMultipartUpload("m.bin", uploadId, [
      { part_number: 1, etag: `"${etag.toUpperCase()}"` },
      { part_number: 2, etag: two.etag },
    ]);
    const { stream } = await repo.read("m.bin");
    let text = "";
    for await (const chunk of stream) text += chunk.toString();
    assert.equal(text, "first part second part");
    assert.deepEqual(await readdir(path.join(root, STAGING_DIR_NAME)), []);
  });

  it("ties an upload to its path and its declared part count", async () => {
    const repo = new LocalArtifactRepository(await freshRoot());
    const { uploadId } = await repo.createMultipartUpload("a.bin", 2);
    assert.equal(await errorCodeOf(repo.uploadPart("b.bin", uploadId, 1, body("x"))), "RESOURCE_DOES_NOT_EXIST");
    assert.equal(await errorCodeOf(repo.abortMultipartUpload("b.bin", uploadId)), "RESOURCE_DOES_NOT_EXIST");
    assert.equal(await errorCodeOf(repo.uploadPart("a.bin", uploadId, 3, body("x"))), "INVALID_PARAMETER_VALUE");
    const { etag } = await repo.uploadPart("a.bin", uploadId, 1, body("x"));
    assert.equal(await errorCodeOf(repo.completeMultipartUpload("a.bin", uploadId, [])), "INVALID_PARAMETER_VALUE");
    assert.equal(
      await errorCodeOf(
        repo.completeMultipartUpload("a.bin", uploadId, [
          { part_number: 1, etag },
          { part_number: 1, etag },
        ]),
      ),
      "INVALID_PARAMETER_VALUE",
    );
    assert.equal(
      await errorCodeOf(repo.completeMultipartUpload("a.bin", uploadId, [{ part_number: 2, etag }])),
      "INVALID_PARAMETER_VALUE",
    );
    // Completing with the parts that exist still works after the failed attempts.
    await repo.completeMultipartUpload("a.bin", uploadId, [{ part_number: 1, etag }]);
    assert.equal((await repo.read("a.bin")).size, 1);
  });

  it("deleting the root path keeps the root directory itself", async () => {
    const root = await freshRoot();
    const repo = new LocalArtifactRepository(root);
    await repo.write("a/b.txt", body("b"));
    await repo.delete("");
    assert.deepEqual(await readdir(root), []);
  });

  it("lists a directory of a deeper tree with root-relative paths", async () => {
    const root = await freshRoot();
    await mkdir(path.join(root, "x/y/z"), { recursive: true });
    await writeFile(path.join(root, "x/y/file.txt"), "abc");
    const repo = new LocalArtifactRepository(root);
    assert.deepEqual(await repo.list("x/y"), [
      { path: "x/y/file.txt", is_dir: false, file_size: 3 },
      { path: "x/y/z", is_dir: true },
    ]);
  });
});
