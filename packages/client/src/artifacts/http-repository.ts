import { MlflowError } from "../errors.js";
import type { Transport } from "../http/transport.js";
import type { FileInfo } from "../types.js";
import { DEFAULT_MULTIPART, encodePath, type MultipartOptions, multipartUpload } from "./multipart.js";
import { type ArtifactRepository, baseName, dirName, joinPath, type UploadSource } from "./repository.js";

const PROXY = "/api/2.0/mlflow-artifacts";

/**
 * The tracking server's artifact proxy, for `mlflow-artifacts:` roots and
 * `http(s)://.../api/2.0/mlflow-artifacts/artifacts/...` roots. Uploads stream (a file is read as
 * it is sent) and large ones go up in parts when the server offers multipart upload.
 */
export class HttpArtifactRepository implements ArtifactRepository {
  /** `<server>/api/2.0/mlflow-artifacts` */
  private readonly api: string;
  /** The root's path under the proxy's `artifacts/`. */
  private readonly root: string;
  private readonly multipart: Required<MultipartOptions>;

  constructor(
    private readonly transport: Transport,
    rootUri: string,
    multipart: MultipartOptions = {},
  ) {
    this.multipart = { ...DEFAULT_MULTIPART, ...multipart };
    if (rootUri.startsWith("mlflow-artifacts:")) {
      const rest = rootUri.slice("mlflow-artifacts:".length);
      const tracking = new URL(transport.baseUrl);
      let path = rest;
      if (rest.startsWith("//")) {
        const slash = rest.indexOf("/", 2);
        const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
        path = slash < 0 ? "" : rest.slice(slash);
        if (authority !== "") {
          if (authority.startsWith(":")) {
            throw new MlflowError("INVALID_PARAMETER_VALUE", `Artifact URI '${rootUri}' has a port but no host.`);
          }
          tracking.host = authority;
        }
      }
      this.api = `${tracking.origin}${tracking.pathname.replace(/\/+$/, "")}${PROXY}`;
      this.root = joinPath(decodeURIComponent(path));
    } else {
      const marker = `${PROXY}/artifacts`;
      const i = rootUri.indexOf(marker);
      if (i < 0) {
        throw new MlflowError("INVALID_PARAMETER_VALUE", `'${rootUri}' is not an artifact proxy URL (${marker}/...).`);
      }
      this.api = rootUri.slice(0, i + PROXY.length);
      this.root = joinPath(decodeURIComponent(rootUri.slice(i + marker.length)));
    }
  }

  private fileUrl(path: string): string {
    return `${this.api}/artifacts/${encodePath(joinPath(this.root, path))}`;
  }

  async upload(path: string, source: UploadSource): Promise<void> {
    if (source.size >= this.multipart.thresholdBytes) {
      const full = joinPath(this.root, path);
      const done = await multipartUpload(
        this.transport,
        `${this.api}/mpu`,
        dirName(full),
        baseName(full),
        source,
        this.multipart,
      );
      if (done) return;
    }
    await this.transport.send(
      "PUT",
      this.fileUrl(path),
      () => source.body(),
      { idempotent: true },
      async (res) => {
        await res.body?.cancel().catch(() => {});
      },
    );
  }

  async list(path = ""): Promise<FileInfo[]> {
    const dir = joinPath(this.root, path);
    const q = dir ? `?path=${encodeURIComponent(dir)}` : "";
    const res = await this.transport.send(
      "GET",
      `${this.api}/artifacts${q}`,
      () => undefined,
      { idempotent: true },
      (res) => res.json() as Promise<{ files?: FileInfo[] }>,
    );
    return (res.files ?? []).map((f) => ({ ...f, path: joinPath(path, f.path) }));
  }

  async download(path: string): Promise<ReadableStream<Uint8Array>> {
    return this.transport.send(
      "GET",
      this.fileUrl(path),
      () => undefined,
      { idempotent: true },
      async (res) => {
        if (!res.body) return new Blob([]).stream();
        return res.body;
      },
    );
  }
}
