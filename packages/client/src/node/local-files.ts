import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import type { ArtifactRepository, UploadSource } from "../artifacts/repository.js";
import { MlflowError } from "../errors.js";
import type { LocalFiles } from "../platform.js";
import type { FileInfo } from "../types.js";

/** A local file as an upload source: read as it is sent, in ranges for multipart. */
export async function fileSource(path: string): Promise<UploadSource> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new MlflowError("INVALID_PARAMETER_VALUE", `No such file: '${path}'.`);
  return {
    size: info.size,
    body: (start, end) =>
      Readable.toWeb(
        createReadStream(path, {
          ...(start !== undefined ? { start } : {}),
          ...(end !== undefined ? { end: Math.max(0, end - 1) } : {}),
        }),
      ) as ReadableStream<Uint8Array>,
  };
}

async function walk(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

async function writeStream(path: string, data: ReadableStream<Uint8Array>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await pipeline(
    Readable.fromWeb(data as import("node:stream/web").ReadableStream<Uint8Array>),
    createWriteStream(path),
  );
}

/** `file:` artifact roots: the run's artifacts on this machine's disk. */
export class LocalArtifactRepository implements ArtifactRepository {
  readonly root: string;

  constructor(uri: string) {
    this.root = uri.startsWith("file:") ? fileURLToPath(uri) : resolve(uri);
  }

  private abs(path: string): string {
    const p = resolve(this.root, path);
    const rel = relative(this.root, p);
    if (rel.startsWith("..") || isAbsolute(rel)) throw new MlflowError("INVALID_PARAMETER_VALUE", "Invalid path");
    return p;
  }

  async upload(path: string, source: UploadSource): Promise<void> {
    const body = new Response(source.body()).body ?? new Blob([]).stream();
    await writeStream(this.abs(path), body);
  }

  async list(path = ""): Promise<FileInfo[]> {
    const dir = this.abs(path);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const out: FileInfo[] = [];
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = path ? `${path}/${e.name}` : e.name;
      if (e.isDirectory()) out.push({ path: rel, is_dir: true });
      else out.push({ path: rel, is_dir: false, file_size: (await stat(join(dir, e.name))).size });
    }
    return out;
  }

  async download(path: string): Promise<ReadableStream<Uint8Array>> {
    const p = this.abs(path);
    const info = await stat(p).catch(() => undefined);
    if (!info?.isFile()) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Artifact '${path}' does not exist.`);
    return Readable.toWeb(createReadStream(p)) as ReadableStream<Uint8Array>;
  }
}

export const nodeFiles: LocalFiles = {
  source: fileSource,
  walk: (dir) => walk(dir),
  isDirectory: async (path) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false,
  join: (...parts) => join(...parts.map((p) => p.split("/").join(sep))),
  basename: (path) => basename(path),
  write: writeStream,
  tempDir: () => mkdtemp(join(tmpdir(), "mlflow-artifacts-")),
  repository: (uri) => new LocalArtifactRepository(uri),
};
