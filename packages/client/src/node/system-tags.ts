import { execFile } from "node:child_process";
import { userInfo } from "node:os";
import { dirname, resolve } from "node:path";
import type { StringMap } from "../types.js";

/** Python's `getpass.getuser()`: LOGNAME, USER, LNAME, USERNAME, then the account. */
function user(): string | undefined {
  for (const name of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const v = process.env[name];
    if (v) return v;
  }
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

function gitCommit(cwd: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile("git", ["rev-parse", "HEAD"], { cwd, timeout: 3000 }, (err, stdout) => {
      const sha = stdout?.trim();
      done(!err && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined);
    });
  });
}

let cached: Promise<StringMap> | undefined;

/**
 * The run tags MLflow's context providers set: `mlflow.user`, `mlflow.source.name` (the entry
 * script), `mlflow.source.type` (LOCAL) and `mlflow.source.git.commit` when the script is in a
 * git checkout. Computed once per process.
 */
export function nodeSystemTags(): Promise<StringMap> {
  cached ??= (async () => {
    const tags: StringMap = { "mlflow.source.type": "LOCAL" };
    const who = user();
    if (who) tags["mlflow.user"] = who;
    const script = process.argv[1] ? resolve(process.argv[1]) : undefined;
    if (script) tags["mlflow.source.name"] = script;
    const commit = await gitCommit(script ? dirname(script) : process.cwd());
    if (commit) tags["mlflow.source.git.commit"] = commit;
    return tags;
  })();
  return cached;
}
