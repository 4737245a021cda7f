import { HttpArtifactRepository } from "../artifacts/http-repository.js";
import type { MultipartOptions } from "../artifacts/multipart.js";
import { encodePng, type Pixels, thumbnail } from "../artifacts/png.js";
import {
  type ArtifactRepository,
  checkArtifactPath,
  joinPath,
  memorySource,
  readAll,
} from "../artifacts/repository.js";
import {
  checkTableFile,
  concatTables,
  LOGGED_ARTIFACTS_TAG,
  type TableData,
  type TableInput,
  toTable,
  withLoggedArtifact,
} from "../artifacts/table.js";
import { toYaml } from "../artifacts/yaml.js";
import { configFromEnv } from "../config.js";
import { MlflowError } from "../errors.js";
import { Transport, type TransportOptions } from "../http/transport.js";
import { getPlatform, type LocalFiles } from "../platform.js";
import type { FileInfo } from "../types.js";
import { RegistryClient } from "./registry-client.js";

export interface MlflowClientOptions extends Partial<Omit<TransportOptions, "trackingUri">> {
  /** Defaults to MLFLOW_TRACKING_URI in Node, the page's origin in a browser. */
  trackingUri?: string;
  /** Large-file uploads in parts through the server's proxy. */
  multipart?: MultipartOptions;
}

/** An image: encoded bytes (PNG/JPEG, as the file name says) or raw pixels to encode as PNG. */
export type ImageInput = Uint8Array | Blob | Pixels;

/**
 * MLflow's client: every tracking and model registry call, plus artifacts. Each method is one
 * (or a few) REST calls and resolves when the server has answered; errors are
 * {@link MlflowError} with MLflow's codes.
 *
 * ```ts
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const run = await client.createRun(await client.createExperiment("demo"));
 * await client.logMetric(run.info.run_id, "loss", 0.25, { step: 1 });
 * ```
 */
export class MlflowClient extends RegistryClient {
  private readonly multipart: MultipartOptions;
  private readonly roots = new Map<string, string>();

  constructor(options: MlflowClientOptions | string = {}) {
    const opts = typeof options === "string" ? { trackingUri: options } : options;
    const platform = getPlatform();
    const env = configFromEnv(platform.env());
    const transport = new Transport({
      ...opts,
      trackingUri: opts.trackingUri ?? env.trackingUri ?? platform.defaultTrackingUri(),
      username: opts.username ?? env.username,
      password: opts.password ?? env.password,
      token: opts.token ?? env.token,
      retry: { ...env.retry, ...opts.retry },
      timeoutMs: opts.timeoutMs ?? env.timeoutMs ?? 120_000,
      headers: { ...platform.headers(), ...opts.headers },
    });
    super(transport);
    this.multipart = { ...env.multipart, ...opts.multipart };
  }

  // ---- artifact repositories ----

  /** The repository for an artifact URI: the server's proxy, or (Node) a local directory. */
  repositoryFor(artifactUri: string): ArtifactRepository {
    if (artifactUri.startsWith("mlflow-artifacts:") || /^https?:\/\//.test(artifactUri)) {
      return new HttpArtifactRepository(this.transport, artifactUri, this.multipart);
    }
    if (artifactUri.startsWith("file:") || artifactUri.startsWith("/")) {
      const files = getPlatform().files;
      if (!files) {
        throw new MlflowError("NOT_IMPLEMENTED", `Artifact URI '${artifactUri}' is on local disk, which needs Node.`);
      }
      return files.repository(artifactUri);
    }
    const scheme = /^([a-zA-Z][\w+.-]*):/.exec(artifactUri)?.[1] ?? "";
    throw new MlflowError(
      "NOT_IMPLEMENTED",
      `Artifact URI scheme '${scheme}' (${artifactUri}) is not supported by the TypeScript client; serve artifacts through the tracking server (mlflow-artifacts:) instead.`,
    );
  }

  /** The artifact URI of a run (cached: it never changes). */
  async getArtifactUri(runId: string): Promise<string> {
    let root = this.roots.get(runId);
    if (root === undefined) {
      root = (await this.getRun(runId)).info.artifact_uri ?? "";
      this.roots.set(runId, root);
    }
    return root;
  }

  async runRepository(runId: string): Promise<ArtifactRepository> {
    return this.repositoryFor(await this.getArtifactUri(runId));
  }

  /** Resolves `runs:/` and `models:/` URIs to the artifact location behind them. */
  async resolveArtifactUri(uri: string): Promise<string> {
    if (!/^(runs|models):/.test(uri)) return uri;
    // Loaded on demand: the resolver lives in @mlflow-ts/protocol, whose entry brings zod along.
    const { resolveArtifactUri } = await import("@mlflow-ts/protocol");
    const resolved = await resolveArtifactUri(uri, {
      getModelVersionDownloadUri: (name, version) => this.getModelVersionDownloadUri(name, version),
      getLatestVersions: (name, stages) => this.getLatestVersions(name, stages),
      getModelVersionByAlias: (name, alias) => this.getModelVersionByAlias(name, alias),
      getRunArtifactUri: (runId) => this.getArtifactUri(runId),
    });
    return resolved.artifact_uri;
  }

  // ---- logging artifacts ----

  /**
   * Uploads one file under `artifactPath` (a directory in the run's artifacts). In Node `file`
   * is a local path (streamed, multipart when large); anywhere it can be a `File`.
   */
  async logArtifact(runId: string, file: string | File, artifactPath?: string): Promise<void> {
    const repo = await this.runRepository(runId);
    if (typeof file === "string") {
      const files = this.localFiles("logArtifact with a local path");
      await repo.upload(
        joinPath(checkArtifactPath(artifactPath ?? ""), files.basename(file)),
        await files.source(file),
      );
    } else {
      await repo.upload(joinPath(checkArtifactPath(artifactPath ?? ""), file.name), memorySource(file));
    }
  }

  /** Uploads every file under a local directory (Node), keeping the layout. */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<void> {
    const files = this.localFiles("logArtifacts");
    const repo = await this.runRepository(runId);
    const base = checkArtifactPath(artifactPath ?? "");
    for (const rel of await files.walk(localDir)) {
      await repo.upload(joinPath(base, rel), await files.source(files.join(localDir, rel)));
    }
  }

  /** Writes bytes (or text) to `artifactFile` in the run's artifacts. */
  async logBytes(runId: string, data: Uint8Array | string | Blob, artifactFile: string): Promise<void> {
    const repo = await this.runRepository(runId);
    await repo.upload(checkArtifactPath(artifactFile), memorySource(data));
  }

  /** MLflow's `log_text`: a UTF-8 text file. */
  async logText(runId: string, text: string, artifactFile: string): Promise<void> {
    await this.logBytes(runId, text, artifactFile);
  }

  /** MLflow's `log_dict`: YAML for `.yaml`/`.yml`, else JSON (indented by 2). */
  async logDict(runId: string, dictionary: unknown, artifactFile: string): Promise<void> {
    const yaml = /\.ya?ml$/i.test(artifactFile);
    const text = yaml ? toYaml(dictionary) : JSON.stringify(dictionary, jsonDefault, 2);
    await this.logBytes(runId, text, artifactFile);
  }

  /**
   * MLflow's `log_image`. With `artifactFile` the image is written there; with `key` (and
   * `step`) it is a time-stepped image as MLflow's UI shows them: `images/<key>%step%...png`
   * plus a thumbnail, and the run tag `mlflow.loggedImages`.
   */
  async logImage(
    runId: string,
    image: ImageInput,
    target: string | { key: string; step?: number; timestamp?: number },
  ): Promise<void> {
    if (typeof target === "string") {
      const bytes = isPixels(image) ? await encodePng(image) : image;
      await this.logBytes(runId, bytes, target);
      return;
    }
    if (!/^[a-zA-Z0-9_\-. ]+$/.test(target.key)) {
      // MLflow allows "/" and stores it as "#", but artifact servers refuse "#" in paths.
      throw new TypeError(`Invalid image key '${target.key}': only alphanumerics, _ - . and space are allowed.`);
    }
    if (!isPixels(image)) throw new TypeError("Time-stepped images (with a key) take raw pixels.");
    const uuid = crypto.randomUUID().replace(/-/g, "");
    const id = `${"ghijklmnopqrstuvwxyz"[Number.parseInt(uuid[0] as string, 16)]}${uuid.slice(1)}`;
    const stem = `images/${target.key}%step%${target.step ?? 0}%timestamp%${target.timestamp ?? Date.now()}%${id}`;
    await this.logBytes(runId, await encodePng(image), `${stem}.png`);
    // MLflow writes a WebP thumbnail; without a native codec this is a PNG under that name,
    // which browsers (and MLflow's UI) display alike.
    await this.logBytes(runId, await encodePng(thumbnail(image, 100)), `${stem}%compressed.webp`);
    await this.setTag(runId, "mlflow.loggedImages", "True");
  }

  /**
   * MLflow's `log_table`: pandas "split" JSON; rows are appended when the file exists already;
   * the run tag `mlflow.loggedArtifacts` lists the table so the UI finds it.
   */
  async logTable(runId: string, data: TableInput, artifactFile: string): Promise<void> {
    checkTableFile(artifactFile);
    let table = toTable(data);
    const existing = await this.readTableIfExists(runId, artifactFile);
    if (existing) table = concatTables(existing, table);
    await this.logBytes(runId, JSON.stringify(table), artifactFile);
    const run = await this.getRun(runId);
    const tag = run.data.tags?.find((t) => t.key === LOGGED_ARTIFACTS_TAG)?.value;
    const next = withLoggedArtifact(tag, artifactFile);
    if (next !== undefined) await this.setTag(runId, LOGGED_ARTIFACTS_TAG, next);
  }

  /**
   * MLflow's `load_table`: the table from every run of the experiment that logged it (or from
   * `runIds`), concatenated; `extraColumns` (e.g. `["run_id"]`) adds columns from the run.
   */
  async loadTable(
    experimentId: string,
    artifactFile: string,
    options: { runIds?: string[]; extraColumns?: string[] } = {},
  ): Promise<TableData> {
    const like = `%"path"%:%"${artifactFile}",%"type"%:%"table"%`;
    let filter = `tags.${LOGGED_ARTIFACTS_TAG} LIKE '${like.replace(/'/g, "\\'")}'`;
    if (options.runIds?.length)
      filter += ` AND attributes.run_id IN (${options.runIds.map((r) => `'${r}'`).join(",")})`;
    const runs = [];
    let pageToken: string | undefined;
    do {
      const p = await this.searchRuns([experimentId], { filter, ...(pageToken ? { pageToken } : {}) });
      runs.push(...p.items);
      pageToken = p.nextPageToken;
    } while (pageToken);
    if (runs.length === 0) {
      throw new MlflowError(
        "RESOURCE_DOES_NOT_EXIST",
        `No runs found with the corresponding table artifact '${artifactFile}'.`,
      );
    }
    let out: TableData = { columns: [], data: [] };
    for (const run of runs.reverse()) {
      const t = await this.readTableIfExists(run.info.run_id, artifactFile);
      if (!t) continue;
      for (const col of options.extraColumns ?? []) {
        const name = t.columns.includes(col) ? `${col}_` : col;
        const value = (run.info as unknown as Record<string, unknown>)[col] ?? null;
        t.columns.push(name);
        for (const row of t.data) row.push(value);
      }
      out = out.columns.length === 0 ? t : concatTables(out, t);
    }
    return out;
  }

  private async readTableIfExists(runId: string, artifactFile: string): Promise<TableData | undefined> {
    const repo = await this.runRepository(runId);
    const dir = artifactFile.includes("/") ? artifactFile.slice(0, artifactFile.lastIndexOf("/")) : "";
    const listed = await repo.list(dir);
    if (!listed.some((f) => f.path === artifactFile && !f.is_dir)) return undefined;
    const text = new TextDecoder().decode(await readAll(await repo.download(artifactFile)));
    return JSON.parse(text) as TableData;
  }

  // ---- reading artifacts ----

  /** Entries directly under `path` in the run's artifacts (paths relative to the run's root). */
  async listArtifacts(runId: string, path = ""): Promise<FileInfo[]> {
    return (await this.runRepository(runId)).list(checkArtifactPath(path));
  }

  /** One artifact file's content (works in browsers). */
  async readArtifact(runId: string, path: string): Promise<Uint8Array> {
    return readAll(await (await this.runRepository(runId)).download(checkArtifactPath(path)));
  }

  /** One artifact file, streamed. */
  async openArtifact(runId: string, path: string): Promise<ReadableStream<Uint8Array>> {
    return (await this.runRepository(runId)).download(checkArtifactPath(path));
  }

  /**
   * Downloads a file or a directory of the run's artifacts to a local directory (Node; a new
   * temporary directory by default), streaming each file. Returns the local path.
   */
  async downloadArtifacts(runId: string, path: string, dstPath?: string): Promise<string> {
    return this.downloadFrom(await this.runRepository(runId), checkArtifactPath(path), dstPath);
  }

  /** Downloads what an artifact URI (`runs:/`, `models:/`, `mlflow-artifacts:/`, ...) points at (Node). */
  async downloadArtifactUri(artifactUri: string, dstPath?: string): Promise<string> {
    const uri = await this.resolveArtifactUri(artifactUri);
    return this.downloadFrom(this.repositoryFor(uri), "", dstPath);
  }

  private async downloadFrom(repo: ArtifactRepository, path: string, dstPath?: string): Promise<string> {
    const files = this.localFiles("downloadArtifacts");
    const dst = dstPath ?? (await files.tempDir());
    const entries = await repo.list(path);
    const isDir = entries.length > 0 && !(entries.length === 1 && entries[0]?.path === path && !entries[0].is_dir);
    if (!isDir) {
      const target = files.join(dst, path === "" ? "artifact" : path);
      await files.write(target, await repo.download(path));
      return target;
    }
    const walk = async (list: FileInfo[]) => {
      for (const f of list) {
        if (f.is_dir) await walk(await repo.list(f.path));
        else await files.write(files.join(dst, f.path), await repo.download(f.path));
      }
    };
    await walk(entries);
    return path === "" ? dst : files.join(dst, path);
  }

  private localFiles(what: string): LocalFiles {
    const files = getPlatform().files;
    if (!files) throw new MlflowError("NOT_IMPLEMENTED", `${what} needs local files, which only Node has.`);
    return files;
  }
}

function isPixels(v: ImageInput): v is Pixels {
  return !(v instanceof Uint8Array) && !(typeof Blob !== "undefined" && v instanceof Blob);
}

/** Python's `json.dumps(default=str)`: values JSON cannot hold become strings. */
function jsonDefault(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
