import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("the AWS SDK loads lazily", () => {
  it("importing @mlflow-ts/artifacts and registering s3 loads no @aws-sdk module; the first S3 call does", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mlflow-ts-lazy-"));
    const log = path.join(dir, "resolved.log");
    try {
      // A resolve hook records every module URL the child resolves, in order, with markers.
      const hooks = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
  return result;
}`;
      const child = `import { register } from "node:module";
import { appendFileSync } from "node:fs";
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
const a = await import("@mlflow-ts/artifacts");
const registry = new a.ArtifactRepositoryRegistry();
registry.register("s3", a.s3ArtifactRepositoryFactory({ region: "us-east-1" }));
a.registerArtifactScheme("s3", a.s3ArtifactRepositoryFactory({}));
registry.repositoryFor("s3://bucket/prefix");
appendFileSync(${JSON.stringify(log)}, "--- first call ---\\n");
await a.loadS3Sdk();
`;
      const out = spawnSync(process.execPath, ["--no-warnings", "--input-type=module", "-e", child], {
        cwd: packageDir,
        encoding: "utf8",
      });
      assert.equal(out.status, 0, out.stderr);
      const [before, after] = readFileSync(log, "utf8").split("--- first call ---\n") as [string, string];
      assert.match(before, /artifacts\/dist\/index\.js/);
      assert.doesNotMatch(before, /@aws-sdk|@smithy/);
      assert.match(after, /@aws-sdk\/client-s3/, "the detection sees the SDK once it is loaded");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
