import { mkdir, realpath } from "node:fs/promises";
import path from "node:path";
import { invalidPathError } from "../path-safety.js";
import { errnoCode } from "./fs-errors.js";

/** Directory under the root that holds multipart staging data; never visible through the API. */
export const STAGING_DIR_NAME = ".mlflow-ts-mpu";

/**
 * Keeps every filesystem access of a local repository inside its root, symlinks included.
 *
 * Paths reaching this class are already validated (relative, no `..`), so joining them to the
 * root cannot escape lexically; what remains is symlinks. For a target we take the realpath of its
 * deepest existing ancestor (the target itself when it exists) and require it to lie inside the
 * realpath of the root and outside the staging directory. Operations then use real paths, so a
 * link swapped in after the check can only redirect the last component of a write or delete,
 * which `rename` and `rm` do not follow.
 */
export class RootGuard {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** realpath of the root, or undefined while it does not exist yet. */
  async realRoot(): Promise<string | undefined> {
    try {
      return await realpath(this.root);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Creates the root when missing (first write) and returns its realpath. */
  async ensureRoot(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    return realpath(this.root);
  }

  /**
   * realpath of `rel` under `realRoot` when it exists, undefined when it does not. Throws
   * "Invalid path" when the path (or its deepest existing ancestor) resolves outside the root.
   */
  async locate(realRoot: string, rel: string): Promise<string | undefined> {
    let current = path.join(realRoot, rel);
    let exact = true;
    for (;;) {
      let real: string;
      try {
        real = await realpath(current);
      } catch (error) {
        const code = errnoCode(error);
        if (code === "ELOOP") throw invalidPathError();
        if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
        const parent = path.dirname(current);
        if (parent === current) throw error;
        current = parent;
        exact = false;
        continue;
      }
      this.assertInside(realRoot, real);
      return exact ? real : undefined;
    }
  }

  /**
   * realpath of the parent directory of `rel` joined with its base name: the entry itself, not
   * what a final symlink points at. Creates the parent directories when `create` is set; returns
   * undefined when the parent is missing and `create` is not set.
   */
  async entryPath(realRoot: string, rel: string, create: boolean): Promise<string | undefined> {
    const parent = path.join(realRoot, path.posix.dirname(rel));
    if (create) await mkdir(parent, { recursive: true });
    let realParent: string;
    try {
      realParent = await realpath(parent);
    } catch (error) {
      const code = errnoCode(error);
      if (!create && (code === "ENOENT" || code === "ENOTDIR")) return undefined;
      if (code === "ELOOP") throw invalidPathError();
      throw error;
    }
    this.assertInside(realRoot, realParent);
    return path.join(realParent, path.posix.basename(rel));
  }

  stagingDir(realRoot: string): string {
    return path.join(realRoot, STAGING_DIR_NAME);
  }

  private assertInside(realRoot: string, real: string): void {
    if (!isWithin(realRoot, real) || isWithin(this.stagingDir(realRoot), real)) {
      throw invalidPathError();
    }
  }
}

/** True when `candidate` is `dir` or lies below it (both absolute, normalised). */
export function isWithin(dir: string, candidate: string): boolean {
  if (candidate === dir) return true;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return candidate.startsWith(prefix);
}
