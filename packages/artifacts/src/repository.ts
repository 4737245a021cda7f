import type { Readable } from "node:stream";
import { type FileInfo, MlflowError } from "@mlflow-ts/protocol";

/** What {@link ArtifactRepository.read} hands back: a byte stream and its length. */
export interface ArtifactReadResult {
  stream: NodeJS.ReadableStream | Readable;
  /** Size of the whole file in bytes. */
  size: number;
  /**
   * The bytes `stream` carries when a range was asked for (inclusive offsets, clamped to the
   * file); absent when no range was asked for or when it cannot be satisfied (then `stream` is
   * empty and the caller answers 416).
   */
  range?: { start: number; end: number };
}

/** A byte range as HTTP's `Range: bytes=...` names one: `start-end`, `start-`, or the last `suffix` bytes. */
export type ByteRange = { start: number; end?: number } | { suffix: number };

/** Resolves a requested range against a file size; undefined when it cannot be satisfied. */
export function resolveByteRange(range: ByteRange, size: number): { start: number; end: number } | undefined {
  if ("suffix" in range) {
    if (range.suffix <= 0 || size === 0) return undefined;
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  if (range.start >= size) return undefined;
  const end = Math.min(range.end ?? size - 1, size - 1);
  return end < range.start ? undefined : { start: range.start, end };
}

export interface ArtifactWriteOptions {
  /** Aborting rejects the write and leaves no object behind (the old content stays). */
  signal?: AbortSignal;
  /** Byte length when the caller knows it (HTTP Content-Length). Object stores may use it to
   * choose between a single PUT and a multipart upload; the local repository ignores it. */
  size?: number;
}

/** One part named in {@link ArtifactRepository.completeMultipartUpload}, as on the wire. */
export interface MultipartPart {
  part_number: number;
  etag: string;
}

/**
 * A presigned upload target for one part, as MLflow's `mpu/create` returns it. Object stores that
 * let clients upload parts directly (S3, GCS, Azure) fill these in; the local repository does not,
 * parts then go through {@link ArtifactRepository.uploadPart}.
 */
export interface MultipartCredential {
  url: string;
  part_number: number;
  headers: Record<string, string>;
}

export interface MultipartUpload {
  uploadId: string;
  credentials?: MultipartCredential[];
}

/** Part numbers are 1-based; 10000 is the S3 (and MLflow) upper bound. */
export const MAX_MULTIPART_PARTS = 10_000;

/**
 * Storage for the artifacts under one root URI. Every `path` is relative to that root, uses "/"
 * and is checked with `validateArtifactPath` before anything else happens (also before an upload id
 * is looked up), so a hostile path always fails with INVALID_PARAMETER_VALUE "Invalid path".
 *
 * Errors are `MlflowError`s: RESOURCE_DOES_NOT_EXIST for a missing file or unknown upload,
 * INVALID_PARAMETER_VALUE for bad input, NOT_IMPLEMENTED for multipart on a repository that
 * does not support it. Anything else is unexpected and surfaces as an INTERNAL_ERROR.
 */
export interface ArtifactRepository {
  /**
   * Direct children of `path` (root when omitted or ""), sorted by path. Each `path` is relative to
   * the repository root ("model" → "model/MLmodel"); directories carry no `file_size`. A missing
   * directory, or a path naming a file, gives [].
   */
  list(path?: string): Promise<FileInfo[]>;

  /** Streams one file. Missing, or a directory → RESOURCE_DOES_NOT_EXIST. */
  read(path: string, range?: ByteRange): Promise<ArtifactReadResult>;

  /**
   * Streams `body` into the file at `path`, creating parents and replacing any existing file
   * atomically: readers see the old or the new content, never a mix. If `body` errors or the write
   * is aborted the promise rejects and nothing new is visible.
   */
  write(path: string, body: Readable, options?: ArtifactWriteOptions): Promise<void>;

  /** Deletes a file or a directory tree. Missing is not an error; "" empties the repository. */
  delete(path: string): Promise<void>;

  /** False → the multipart methods throw NOT_IMPLEMENTED (see {@link multipartNotSupported}). */
  readonly supportsMultipart: boolean;

  /** Starts an upload of `numParts` parts (1..10000) that will become the file at `path`. */
  createMultipartUpload(path: string, numParts: number): Promise<MultipartUpload>;

  /**
   * Stores one part (numbered from 1) and returns its etag. Uploading the same number again
   * replaces the part. Unknown upload (or one started for another path) → RESOURCE_DOES_NOT_EXIST;
   * part number out of range → INVALID_PARAMETER_VALUE.
   */
  uploadPart(path: string, uploadId: string, partNumber: number, body: Readable): Promise<{ etag: string }>;

  /**
   * Joins the named parts in part-number order into the file at `path` (atomic, like `write`) and
   * ends the upload. An etag that does not match the stored part → INVALID_PARAMETER_VALUE.
   */
  completeMultipartUpload(path: string, uploadId: string, parts: MultipartPart[]): Promise<void>;

  /** Drops the upload and its parts. Unknown upload → RESOURCE_DOES_NOT_EXIST. */
  abortMultipartUpload(path: string, uploadId: string): Promise<void>;
}

/** The message MLflow's Python client recognises to fall back to a single PUT. */
export const MULTIPART_NOT_SUPPORTED_MESSAGE = "Multipart upload is not supported for the current artifact repository";

/** For repositories without multipart: throw this from the multipart methods. */
export function multipartNotSupported(): MlflowError {
  return new MlflowError("NOT_IMPLEMENTED", MULTIPART_NOT_SUPPORTED_MESSAGE);
}
