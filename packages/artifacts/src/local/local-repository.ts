import type { Dirent } from "node:fs";
import { open, readdir, realpath, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { type FileInfo, MlflowError } from "@mlflow-ts/protocol";
import { invalidPathError, validateArtifactPath, validateArtifactPathOrRoot } from "../path-safety.js";
import {
  type ByteRange,
  resolveByteRange,
  type ArtifactReadResult,
  type ArtifactRepository,
  type ArtifactWriteOptions,
  type MultipartPart,
  type MultipartUpload,
} from "../repository.js";
import { TEMP_FILE_PATTERN, writeFileAtomically } from "./atomic-write.js";
import { errnoCode, translateWriteError } from "./fs-errors.js";
import { LocalMultipartStore } from "./multipart-store.js";
import { isWithin, RootGuard, STAGING_DIR_NAME } from "./root-guard.js";

const READ_CHUNK_SIZE = 1024 * 1024;

/**
 * Artifacts in a directory of the local filesystem. The root is created on the first write.
 * Every path is validated (§5 rules) and then confined to the root by {@link RootGuard}, which also
 * refuses paths that escape through symlinks. Writes are streamed to a temp file and renamed into
 * place. Multipart uploads are staged under `<root>/.mlflow-ts-mpu/`, which no path can reach.
 */
export class LocalArtifactRepository implements ArtifactRepository {
  readonly supportsMultipart = true;
  private readonly guard: RootGuard;
  private readonly multipart: LocalMultipartStore;

  constructor(root: string) {
    this.guard = new RootGuard(root);
    this.multipart = new LocalMultipartStore(this.guard);
  }

  /** Absolute path of the root directory. */
  get root(): string {
    return this.guard.root;
  }

  async list(dirPath?: string): Promise<FileInfo[]> {
    const rel = checkPath(dirPath, true);
    const realRoot = await this.guard.realRoot();
    if (realRoot === undefined) return [];
    const dir = rel === "" ? realRoot : await this.guard.locate(realRoot, rel);
    if (dir === undefined) return [];
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === "ENOENT" || code === "ENOTDIR") return [];
      throw error;
    }
    const stagingDir = this.guard.stagingDir(realRoot);
    const infos = await Promise.all(
      entries.map((entry) => {
        if (TEMP_FILE_PATTERN.test(entry.name)) return undefined;
        const full = path.join(dir, entry.name);
        if (full === stagingDir) return undefined;
        return describeEntry(entry, full, rel === "" ? entry.name : `${rel}/${entry.name}`, realRoot, stagingDir);
      }),
    );
    return infos
      .filter((info): info is FileInfo => info !== undefined)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(filePath: string, range?: ByteRange): Promise<ArtifactReadResult> {
    const rel = checkPath(filePath, false);
    const realRoot = await this.guard.realRoot();
    const real = realRoot === undefined ? undefined : await this.guard.locate(realRoot, rel);
    if (real === undefined) throw notFound(rel);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(real, "r");
    } catch (error) {
      const code = errnoCode(error);
      if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") throw notFound(rel);
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw notFound(rel);
      if (range) {
        const span = resolveByteRange(range, info.size);
        if (!span) {
          await handle.close();
          return { stream: Readable.from([]), size: info.size };
        }
        const stream = handle.createReadStream({ highWaterMark: READ_CHUNK_SIZE, start: span.start, end: span.end });
        return { stream, size: info.size, range: span };
      }
      const stream = handle.createReadStream({ highWaterMark: READ_CHUNK_SIZE });
      return { stream, size: info.size };
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  async write(filePath: string, body: Readable, options: ArtifactWriteOptions = {}): Promise<void> {
    const rel = checkPath(filePath, false);
    await this.writeValidated(rel, body, options.signal);
  }

  async delete(targetPath: string): Promise<void> {
    const rel = checkPath(targetPath, true);
    const realRoot = await this.guard.realRoot();
    if (realRoot === undefined) return;
    if (rel === "") {
      const names = await readdir(realRoot);
      await Promise.all(names.map((name) => rm(path.join(realRoot, name), { recursive: true, force: true })));
      return;
    }
    await this.guard.locate(realRoot, rel);
    const entry = await this.guard.entryPath(realRoot, rel, false);
    if (entry === undefined) return;
    await rm(entry, { recursive: true, force: true });
  }

  async createMultipartUpload(filePath: string, numParts: number): Promise<MultipartUpload> {
    const rel = checkPath(filePath, false);
    const realRoot = await this.guard.ensureRoot();
    await this.guard.locate(realRoot, rel);
    return { uploadId: await this.multipart.create(rel, numParts) };
  }

  async uploadPart(filePath: string, uploadId: string, partNumber: number, body: Readable): Promise<{ etag: string }> {
    const rel = checkPath(filePath, false);
    return { etag: await this.multipart.uploadPart(rel, uploadId, partNumber, body) };
  }

  async completeMultipartUpload(filePath: string, uploadId: string, parts: MultipartPart[]): Promise<void> {
    const rel = checkPath(filePath, false);
    const joined = await this.multipart.assemble(rel, uploadId, parts);
    await this.writeValidated(rel, joined);
    await this.multipart.discard(uploadId);
  }

  async abortMultipartUpload(filePath: string, uploadId: string): Promise<void> {
    const rel = checkPath(filePath, false);
    await this.multipart.abort(rel, uploadId);
  }

  private async writeValidated(rel: string, body: Readable, signal?: AbortSignal): Promise<void> {
    try {
      const realRoot = await this.guard.ensureRoot();
      await this.guard.locate(realRoot, rel);
      const target = await this.guard.entryPath(realRoot, rel, true);
      if (target === undefined) throw invalidPathError();
      await writeFileAtomically(target, body, signal);
    } catch (error) {
      throw translateWriteError(error, rel);
    }
  }
}

/** Validates a caller's path and refuses the reserved staging directory. */
function checkPath(value: string | undefined, allowRoot: boolean): string {
  const rel = allowRoot ? validateArtifactPathOrRoot(value) : validateArtifactPath(value as string);
  if (rel.split("/", 1)[0] === STAGING_DIR_NAME) throw invalidPathError();
  return rel;
}

function notFound(rel: string): MlflowError {
  return MlflowError.notFound(`Artifact '${rel}' does not exist`);
}

/**
 * FileInfo for one directory entry. Symlinks are followed only when they stay inside the root (and
 * out of the staging area); others, dangling ones and special files are left out of the listing.
 */
async function describeEntry(
  entry: Dirent,
  full: string,
  rel: string,
  realRoot: string,
  stagingDir: string,
): Promise<FileInfo | undefined> {
  try {
    if (entry.isDirectory()) return { path: rel, is_dir: true };
    if (entry.isSymbolicLink()) {
      const real = await realpath(full);
      if (!isWithin(realRoot, real) || isWithin(stagingDir, real)) return undefined;
    } else if (!entry.isFile()) {
      return undefined;
    }
    const info = await stat(full);
    if (info.isDirectory()) return { path: rel, is_dir: true };
    if (info.isFile()) return { path: rel, is_dir: false, file_size: info.size };
    return undefined;
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" || code === "ELOOP" || code === "ENOTDIR") return undefined;
    throw error;
  }
}
