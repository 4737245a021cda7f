import {
  type ArtifactRepository,
  ArtifactRepositoryRegistry,
  S3Connection,
  s3ArtifactRepositoryFactory,
} from "@mlflow-ts/artifacts";
import type { ServerConfig } from "../config.js";

/** A repository and the path inside it where one artifact root (a run's, say) begins. */
export interface RootedRepository {
  repo: ArtifactRepository;
  prefix: string;
}

/**
 * The server's artifact storage: the proxy destination for `mlflow-artifacts:` URIs, and
 * resolution of a run's artifact root to the repository that holds it.
 */
export class ArtifactService {
  readonly destination: ArtifactRepository;
  /** Schemes this server can open: local paths and `file:` built in, `s3` registered here. */
  readonly registry = new ArtifactRepositoryRegistry();
  /** One S3 client (created on first use) for the destination and every `s3://` run root. */
  private readonly s3: S3Connection;

  constructor(config: Pick<ServerConfig, "artifactsDestination" | "s3">) {
    this.s3 = new S3Connection(config.s3);
    this.registry.register("s3", s3ArtifactRepositoryFactory(this.s3));
    this.destination = this.registry.repositoryFor(config.artifactsDestination);
  }

  /** Maps an artifact root URI (a run's `artifact_uri`) to storage. */
  forRoot(rootUri: string): RootedRepository {
    const proxied = proxiedPath(rootUri);
    if (proxied !== undefined) return { repo: this.destination, prefix: proxied };
    return { repo: this.registry.repositoryFor(rootUri), prefix: "" };
  }

  /** Releases the S3 client's sockets. */
  async close(): Promise<void> {
    await this.s3.destroy();
  }
}

/** The destination-relative path of a proxied root, or undefined when the root is not proxied. */
export function proxiedPath(rootUri: string): string | undefined {
  if (rootUri.startsWith("mlflow-artifacts:")) {
    const rest = rootUri.slice("mlflow-artifacts:".length);
    const path = rest.startsWith("//") ? rest.replace(/^\/\/[^/]*/, "") : rest;
    return trimSlashes(decodeURIComponent(path));
  }
  const marker = "/api/2.0/mlflow-artifacts/artifacts";
  if (/^https?:\/\//.test(rootUri) && rootUri.includes(marker)) {
    return trimSlashes(decodeURIComponent(rootUri.slice(rootUri.indexOf(marker) + marker.length)));
  }
  return undefined;
}

function trimSlashes(p: string): string {
  return p.replace(/^\/+/, "").replace(/\/+$/, "");
}

export function joinPath(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  return `${a}/${b}`;
}
