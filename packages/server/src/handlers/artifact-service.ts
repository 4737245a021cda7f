import { type ArtifactRepository, artifactRepositoryFor, LocalArtifactRepository } from "@mlflow-ts/artifacts";
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

  constructor(config: Pick<ServerConfig, "artifactsDestination">) {
    this.destination = new LocalArtifactRepository(config.artifactsDestination);
  }

  /** Maps an artifact root URI (a run's `artifact_uri`) to storage. */
  forRoot(rootUri: string): RootedRepository {
    const proxied = proxiedPath(rootUri);
    if (proxied !== undefined) return { repo: this.destination, prefix: proxied };
    return { repo: artifactRepositoryFor(rootUri), prefix: "" };
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
