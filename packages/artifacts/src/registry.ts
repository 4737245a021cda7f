import path from "node:path";
import { fileURLToPath } from "node:url";
import { MlflowError } from "@mlflow-ts/protocol";
import { LocalArtifactRepository } from "./local/local-repository.js";
import type { ArtifactRepository } from "./repository.js";

/** Builds the repository for one artifact root URI (for example `s3://bucket/prefix`). */
export type ArtifactRepositoryFactory = (uri: string) => ArtifactRepository;

const SCHEME_PATTERN = /^[a-z][a-z0-9+.-]*$/;
const URI_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Maps URI schemes to repository factories. Local paths (no scheme, a Windows drive letter, or
 * `file:`) always resolve to {@link LocalArtifactRepository}; every other scheme must be registered.
 * Factories should be cheap and synchronous: a repository that needs an SDK loads it lazily on its
 * first call, so merely registering a scheme pulls in nothing.
 */
export class ArtifactRepositoryRegistry {
  private readonly factories = new Map<string, ArtifactRepositoryFactory>();

  /** Registers (or replaces) the factory for `scheme`, given as `s3` or `s3:`, case-insensitive. */
  register(scheme: string, factory: ArtifactRepositoryFactory): void {
    const key = normalizeScheme(scheme);
    if (!SCHEME_PATTERN.test(key) || key.length < 2) {
      throw MlflowError.invalidParameter(`Invalid artifact URI scheme '${scheme}'`);
    }
    if (key === "file") throw MlflowError.invalidParameter("The 'file' scheme is built in and cannot be replaced");
    this.factories.set(key, factory);
  }

  /** Schemes registered so far (without the built-in local ones). */
  schemes(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** The repository rooted at `uri`. Unknown scheme → INVALID_PARAMETER_VALUE naming it. */
  repositoryFor(uri: string): ArtifactRepository {
    const scheme = schemeOf(uri);
    if (scheme === undefined || scheme === "file") return new LocalArtifactRepository(localPathFromUri(uri));
    const factory = this.factories.get(scheme);
    if (factory === undefined) {
      const known = ["file", ...this.schemes()].join(", ");
      throw MlflowError.invalidParameter(
        `Unsupported artifact URI scheme '${scheme}' in '${uri}' (supported: ${known} and local paths)`,
      );
    }
    return factory(uri);
  }
}

/** The process-wide registry used by {@link registerArtifactScheme} and {@link artifactRepositoryFor}. */
export const defaultArtifactRegistry = new ArtifactRepositoryRegistry();

export function registerArtifactScheme(scheme: string, factory: ArtifactRepositoryFactory): void {
  defaultArtifactRegistry.register(scheme, factory);
}

export function artifactRepositoryFor(uri: string): ArtifactRepository {
  return defaultArtifactRegistry.repositoryFor(uri);
}

/**
 * The absolute local path a local artifact URI denotes: `file:///abs`, `file:/abs`,
 * `file://localhost/abs` (percent-escapes decoded), `file:rel` and plain paths (relative ones are
 * resolved against the current directory). Other schemes and `file://<remote host>/...` →
 * INVALID_PARAMETER_VALUE.
 */
export function localPathFromUri(uri: string): string {
  const scheme = schemeOf(uri);
  if (scheme === undefined) return path.resolve(uri);
  if (scheme !== "file") throw MlflowError.invalidParameter(`'${uri}' is not a local artifact location`);
  const rest = uri.slice("file:".length);
  if (!rest.startsWith("/")) return path.resolve(safeDecode(rest, uri));
  try {
    return fileURLToPath(`file:${rest}`);
  } catch {
    throw MlflowError.invalidParameter(`'${uri}' is not a usable local file URI`);
  }
}

/** Lower-cased scheme, or undefined for a plain path (including Windows `C:\...`). */
function schemeOf(uri: string): string | undefined {
  const match = URI_SCHEME.exec(uri);
  const scheme = match?.[1];
  if (scheme === undefined || scheme.length === 1) return undefined;
  return scheme.toLowerCase();
}

function normalizeScheme(scheme: string): string {
  return scheme.trim().toLowerCase().replace(/:$/, "");
}

function safeDecode(value: string, uri: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw MlflowError.invalidParameter(`'${uri}' is not a usable local file URI`);
  }
}
