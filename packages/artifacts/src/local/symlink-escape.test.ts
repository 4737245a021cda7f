import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { runArtifactRepositoryContract } from "../contract/repository-contract.js";
import { LocalArtifactRepository } from "./local-repository.js";

let base = "";
let root = "";
let outside = "";
let repo: LocalArtifactRepository;

before(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "mlflow-ts-artifacts-symlink-"));
  root = path.join(base, "root");
  outside = path.join(base, "outside");
  await mkdir(path.join(root, "real"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, "secret.txt"), "top secret");
  await writeFile(path.join(root, "real", "inside.txt"), "inside");
  await symlink(outside, path.join(root, "out"));
  await symlink(path.join(outside, "secret.txt"), path.join(root, "secret-link.txt"));
  await symlink(path.join(outside, "missing-dir"), path.join(root, "dangling-dir"));
  await symlink(path.join(outside, "missing.txt"), path.join(root, "dangling.txt"));
  await symlink(path.join(root, "real"), path.join(root, "alias"));
  await symlink(path.join(root, "loop-b"), path.join(root, "loop-a"));
  await symlink(path.join(root, "loop-a"), path.join(root, "loop-b"));
  repo = new LocalArtifactRepository(root);
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

const body = (text: string) => Readable.from([Buffer.from(text)]);

async function assertRefused(promise: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(
    promise,
    (error: unknown) => {
      const e = error as { errorCode?: string; message?: string };
      assert.equal(e.errorCode, "INVALID_PARAMETER_VALUE", `${what}: ${e.message}`);
      assert.equal(e.message, "Invalid path", what);
      return true;
    },
    what,
  );
}

describe("LocalArtifactRepository refuses to follow symlinks out of the root", () => {
  it("through a symlinked directory: read, list, write, delete, multipart", async () => {
    await assertRefused(repo.read("out/secret.txt"), "read");
    await assertRefused(repo.list("out"), "list");
    await assertRefused(repo.write("out/new.txt", body("pwned")), "write");
    await assertRefused(repo.write("out/sub/new.txt", body("pwned")), "write below");
    await assertRefused(repo.delete("out/secret.txt"), "delete");
    await assertRefused(repo.delete("out"), "delete link");
    await assertRefused(repo.createMultipartUpload("out/big.bin", 1), "multipart create");
    assert.deepEqual((await readdir(outside)).sort(), ["secret.txt"]);
    assert.equal(await readFile(path.join(outside, "secret.txt"), "utf8"), "top secret");
  });

  it("through a symlinked file: read and overwrite", async () => {
    await assertRefused(repo.read("secret-link.txt"), "read");
    await assertRefused(repo.write("secret-link.txt", body("pwned")), "write");
    assert.equal(await readFile(path.join(outside, "secret.txt"), "utf8"), "top secret");
  });

  it("never creates anything outside through a dangling link", async () => {
    await repo.write("dangling-dir/x.txt", body("x")).catch(() => undefined);
    await repo.write("dangling.txt", body("replaces the link, not its target")).catch(() => undefined);
    assert.deepEqual((await readdir(outside)).sort(), ["secret.txt"]);
    await assert.rejects(stat(path.join(outside, "missing-dir")), { code: "ENOENT" });
  });

  it("refuses symlink loops", async () => {
    await assertRefused(repo.read("loop-a"), "read loop");
    await assertRefused(repo.list("loop-a"), "list loop");
  });

  it("leaves escaping and dangling links out of listings", async () => {
    const names = (await repo.list()).map((info) => info.path);
    assert.ok(!names.includes("out"));
    assert.ok(!names.includes("secret-link.txt"));
    assert.ok(!names.includes("dangling-dir"));
    assert.ok(names.includes("alias"));
    assert.ok(names.includes("real"));
  });

  it("follows links that stay inside the root", async () => {
    const { stream } = await repo.read("alias/inside.txt");
    let text = "";
    for await (const chunk of stream) text += chunk.toString();
    assert.equal(text, "inside");
    assert.deepEqual(await repo.list("alias"), [{ path: "alias/inside.txt", is_dir: false, file_size: 6 }]);
    await repo.write("alias/added.txt", body("added"));
    assert.equal(await readFile(path.join(root, "real", "added.txt"), "utf8"), "added");
  });

  it("refuses a link that points into the multipart staging area", async () => {
    const { uploadId } = await repo.createMultipartUpload("staged.bin", 1);
    await symlink(path.join(root, ".mlflow-ts-mpu"), path.join(root, "to-staging"));
    await assertRefused(repo.list("to-staging"), "list");
    await assertRefused(repo.read(`to-staging/${uploadId}/upload.json`), "read");
    await repo.abortMultipartUpload("staged.bin", uploadId);
  });
});

describe("a root that is itself a symlink", () => {
  let linkedRoot = "";
  before(async () => {
    const target = path.join(base, "root-target");
    await mkdir(target, { recursive: true });
    linkedRoot = path.join(base, "root-link");
    await symlink(target, linkedRoot);
  });
  runArtifactRepositoryContract(
    "LocalArtifactRepository on a symlinked root",
    async () => {
      const dir = await mkdtemp(path.join(linkedRoot, "repo-"));
      return new LocalArtifactRepository(dir);
    },
    { multipartPartSize: 64 * 1024 },
  );
});
