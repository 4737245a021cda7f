import type { ArtifactRepository, UploadSource } from "./artifacts/repository.js";
import type { Env } from "./config.js";
import type { SystemMetricsSampler } from "./fluent/system-metrics.js";
import type { StringMap } from "./types.js";

/** Local files, in Node (`@mlflow-ts/client/node`); browsers have none. */
export interface LocalFiles {
  /** A file to upload, read as it is sent (ranges for multipart). */
  source(path: string): Promise<UploadSource>;
  /** Relative paths (with `/`) of every file under a directory. */
  walk(dir: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;
  join(...parts: string[]): string;
  basename(path: string): string;
  /** Writes a stream to a file, creating parent directories. */
  write(path: string, data: ReadableStream<Uint8Array>): Promise<void>;
  /** A new temporary directory. */
  tempDir(): Promise<string>;
  /** A repository over a `file:` URI. */
  repository(fileUri: string): ArtifactRepository;
}

/** Something that must not lose data when the process ends: the fluent API's queue and runs. */
export interface ShutdownTarget {
  /** Flushes and ends active runs (`status` FINISHED on a normal exit). */
  shutdown(status: "FINISHED" | "FAILED" | "KILLED"): Promise<void>;
  /** True while anything is queued or a run is active. */
  hasPendingWork(): boolean;
  /** The requests that would finish the work, for a synchronous send during `exit`. */
  pendingRequests(status: "FINISHED" | "FAILED" | "KILLED"): {
    baseUrl: string;
    headers: Record<string, string>;
    requests: { path: string; body: unknown }[];
  };
}

/**
 * What differs between Node and browsers. The browser build uses {@link browserPlatform}; the
 * Node entry installs its own (environment variables, system tags, files, exit hooks).
 */
export interface Platform {
  name: string;
  env(): Env;
  /** Tracking URI when none is configured. */
  defaultTrackingUri(): string;
  /** Run tags MLflow sets by itself: user, source name and type, git commit. */
  systemTags(): Promise<StringMap>;
  /** Extra headers on every request (Node: a User-Agent). */
  headers(): Record<string, string>;
  files?: LocalFiles;
  /** Flush queued data and end runs when the process or page goes away. */
  onShutdown?(target: ShutdownTarget): void;
  /** CPU, memory, disk, network and GPU figures (Node). */
  systemMetricsSampler?(): SystemMetricsSampler;
}

export const browserPlatform: Platform = {
  name: "browser",
  env: () => ({}),
  defaultTrackingUri: () =>
    typeof location !== "undefined" && /^https?:$/.test(location.protocol) ? location.origin : "http://127.0.0.1:5000",
  systemTags: async () => {
    const tags: StringMap = { "mlflow.source.type": "LOCAL" };
    if (typeof location !== "undefined") tags["mlflow.source.name"] = location.href.split(/[?#]/)[0] as string;
    return tags;
  },
  headers: () => ({}),
};

let current: Platform = browserPlatform;

export function getPlatform(): Platform {
  return current;
}

/** Installs the platform (the Node entry does this when it is imported). */
export function setPlatform(platform: Platform): void {
  current = platform;
}
