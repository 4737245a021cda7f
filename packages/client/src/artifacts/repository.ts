import type { FileInfo } from "../types.js";

/** Bytes to upload: their size and a fresh body for a byte range (once per attempt). */
export interface UploadSource {
  size: number;
  body(start?: number, end?: number): BodyInit;
}

/** Where a run's artifacts live, by URI scheme: the server's proxy over HTTP, or (in Node) a local directory. */
export interface ArtifactRepository {
  /** Writes one file at `path`, relative to the repository root. */
  upload(path: string, source: UploadSource): Promise<void>;
  /** Entries directly under `path` ("" for the root), with paths relative to the root. */
  list(path?: string): Promise<FileInfo[]>;
  /** The content of one file, streamed. */
  download(path: string): Promise<ReadableStream<Uint8Array>>;
}

/** An upload source over bytes in memory (text, JSON, an encoded image, a Blob or File). */
export function memorySource(data: Uint8Array | string | Blob): UploadSource {
  if (typeof data === "string") data = new TextEncoder().encode(data);
  const blob = data instanceof Blob ? data : new Blob([data as Uint8Array<ArrayBuffer>]);
  return {
    size: blob.size,
    body: (start, end) => (start === undefined ? blob : blob.slice(start, end)),
  };
}

/** Reads a whole stream into memory. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Joins artifact path segments with `/`, dropping empty ones. */
export function joinPath(...parts: (string | undefined)[]): string {
  return parts
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/^\/+|\/+$/g, ""))
    .filter((p) => p !== "")
    .join("/");
}

/**
 * MLflow refuses artifact sub-paths that normalise to something else (`a//b`, `./a`, `/a`, `..`).
 */
export function checkArtifactPath(path: string): string {
  if (path === "") return path;
  const parts = path.split("/");
  if (path.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..") || path.includes("\\")) {
    throw new TypeError(`Invalid artifact path: '${path}'. It must be a relative path without '.', '..' or '//'.`);
  }
  return path;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function dirName(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}
