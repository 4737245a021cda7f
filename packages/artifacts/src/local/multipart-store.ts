import { createHash, type Hash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { MlflowError } from "@mlflow-ts/protocol";
import { MAX_MULTIPART_PARTS, type MultipartPart } from "../repository.js";
import { tempFileName, writeNewFile } from "./atomic-write.js";
import { errnoCode } from "./fs-errors.js";
import type { RootGuard } from "./root-guard.js";

const UPLOAD_ID_PATTERN = /^[0-9a-f]{32}$/;
const ETAG_PATTERN = /^[0-9a-f]{32}$/;
const MANIFEST = "upload.json";

interface Manifest {
  path: string;
  numParts: number;
  createdAt: string;
}

/**
 * Multipart uploads of a local repository. Each upload is a staging directory
 * `<root>/.mlflow-ts-mpu/<uploadId>/` holding `upload.json` (target path, part count) and one file
 * per part named `<partNumber>.<md5 hex>.part`. Putting the etag in the name makes storing a part
 * a single atomic rename and lets `complete` pick exactly the bytes the client's etag describes.
 *
 * This class only manages staging data; writing the joined parts to the target is the
 * repository's job (so the target gets the same atomic write and root checks as `write`).
 */
export class LocalMultipartStore {
  constructor(private readonly guard: RootGuard) {}

  async create(rel: string, numParts: number): Promise<string> {
    if (!Number.isInteger(numParts) || numParts < 1 || numParts > MAX_MULTIPART_PARTS) {
      throw MlflowError.invalidParameter(`num_parts must be an integer between 1 and ${MAX_MULTIPART_PARTS}`);
    }
    const realRoot = await this.guard.ensureRoot();
    const uploadId = randomBytes(16).toString("hex");
    const dir = path.join(this.guard.stagingDir(realRoot), uploadId);
    await mkdir(dir, { recursive: true });
    const manifest: Manifest = { path: rel, numParts, createdAt: new Date().toISOString() };
    await writeFile(path.join(dir, MANIFEST), JSON.stringify(manifest));
    return uploadId;
  }

  async uploadPart(rel: string, uploadId: string, partNumber: number, body: Readable): Promise<string> {
    checkPartNumber(partNumber, MAX_MULTIPART_PARTS);
    const { dir, manifest } = await this.open(rel, uploadId);
    checkPartNumber(partNumber, manifest.numParts);

    const temp = path.join(dir, tempFileName());
    const hash = createHash("md5");
    try {
      await writeNewFile(temp, Readable.from(hashing(body, hash), { objectMode: false }));
      const etag = hash.digest("hex");
      const name = partFileName(partNumber, etag);
      await rename(temp, path.join(dir, name));
      await removeOtherVersions(dir, partNumber, name);
      return etag;
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      if (errnoCode(error) === "ENOENT") throw uploadNotFound(uploadId);
      throw error;
    }
  }

  /**
   * Checks the part list against what was uploaded and returns a stream of the parts joined in
   * part-number order. Call {@link discard} once the stream has been stored.
   */
  async assemble(rel: string, uploadId: string, parts: MultipartPart[]): Promise<Readable> {
    const { dir, manifest } = await this.open(rel, uploadId);
    if (!Array.isArray(parts) || parts.length === 0) {
      throw MlflowError.invalidParameter("parts must name at least one uploaded part");
    }
    const seen = new Set<number>();
    const files: { partNumber: number; file: string }[] = [];
    for (const part of parts) {
      checkPartNumber(part?.part_number, manifest.numParts);
      if (seen.has(part.part_number)) {
        throw MlflowError.invalidParameter(`Part ${part.part_number} is listed more than once`);
      }
      seen.add(part.part_number);
      const etag = normalizeEtag(part.etag);
      const file = etag === undefined ? undefined : path.join(dir, partFileName(part.part_number, etag));
      if (file === undefined || !(await isFile(file))) {
        throw MlflowError.invalidParameter(
          `Part ${part.part_number} was not uploaded or its etag does not match the uploaded part`,
        );
      }
      files.push({ partNumber: part.part_number, file });
    }
    files.sort((a, b) => a.partNumber - b.partNumber);
    return Readable.from(concatenate(files.map((f) => f.file)), { objectMode: false });
  }

  async abort(rel: string, uploadId: string): Promise<void> {
    const { dir } = await this.open(rel, uploadId);
    await rm(dir, { recursive: true, force: true });
  }

  /** Removes the staging directory of a finished upload. */
  async discard(uploadId: string): Promise<void> {
    const realRoot = await this.guard.realRoot();
    if (realRoot === undefined || !UPLOAD_ID_PATTERN.test(uploadId)) return;
    await rm(path.join(this.guard.stagingDir(realRoot), uploadId), { recursive: true, force: true });
  }

  /** Finds the staging directory of `uploadId`, which must have been created for `rel`. */
  private async open(rel: string, uploadId: string): Promise<{ dir: string; manifest: Manifest }> {
    if (typeof uploadId !== "string" || !UPLOAD_ID_PATTERN.test(uploadId)) throw uploadNotFound(uploadId);
    const realRoot = await this.guard.realRoot();
    if (realRoot === undefined) throw uploadNotFound(uploadId);
    const dir = path.join(this.guard.stagingDir(realRoot), uploadId);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), "utf8")) as Manifest;
    } catch (error) {
      if (errnoCode(error) === "ENOENT") throw uploadNotFound(uploadId);
      throw error;
    }
    if (manifest.path !== rel) throw uploadNotFound(uploadId);
    return { dir, manifest };
  }
}

function uploadNotFound(uploadId: unknown): MlflowError {
  return MlflowError.notFound(`Multipart upload '${String(uploadId)}' does not exist for this path`);
}

function checkPartNumber(partNumber: unknown, max: number): asserts partNumber is number {
  if (typeof partNumber !== "number" || !Number.isInteger(partNumber) || partNumber < 1 || partNumber > max) {
    throw MlflowError.invalidParameter(
      `Part number must be an integer between 1 and ${max}, got ${String(partNumber)}`,
    );
  }
}

function partFileName(partNumber: number, etag: string): string {
  return `${partNumber}.${etag}.part`;
}

/** Accepts etags as S3 and HTTP clients send them: optionally quoted, any case. */
function normalizeEtag(etag: unknown): string | undefined {
  if (typeof etag !== "string") return undefined;
  const bare = etag
    .trim()
    .replace(/^"(.*)"$/, "$1")
    .toLowerCase();
  return ETAG_PATTERN.test(bare) ? bare : undefined;
}

async function removeOtherVersions(dir: string, partNumber: number, keep: string): Promise<void> {
  const prefix = `${partNumber}.`;
  for (const name of await readdir(dir)) {
    if (name !== keep && name.startsWith(prefix) && name.endsWith(".part")) {
      await rm(path.join(dir, name), { force: true });
    }
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw error;
  }
}

async function* concatenate(files: string[]): AsyncGenerator<Buffer> {
  for (const file of files) {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      yield chunk as Buffer;
    }
  }
}

async function* hashing(source: Readable, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    hash.update(buffer);
    yield buffer;
  }
}
