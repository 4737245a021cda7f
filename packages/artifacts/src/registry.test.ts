import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { MlflowError } from "@mlflow-ts/protocol";
import { LocalArtifactRepository } from "./local/local-repository.js";
import {
  ArtifactRepositoryRegistry,
  artifactRepositoryFor,
  localPathFromUri,
  registerArtifactScheme,
} from "./registry.js";
import type { ArtifactRepository } from "./repository.js";

describe("localPathFromUri", () => {
  it("maps file: URIs and plain paths to absolute paths", () => {
    assert.equal(localPathFromUri("file:///tmp/mlruns"), "/tmp/mlruns");
    assert.equal(localPathFromUri("file:/tmp/mlruns"), "/tmp/mlruns");
    assert.equal(localPathFromUri("file://localhost/tmp/x"), "/tmp/x");
    assert.equal(localPathFromUri("file:///tmp/a%20b"), "/tmp/a b");
    assert.equal(localPathFromUri("/abs/dir"), "/abs/dir");
    assert.equal(localPathFromUri("rel/dir"), path.resolve("rel/dir"));
    assert.equal(localPathFromUri("./mlartifacts"), path.resolve("mlartifacts"));
    assert.equal(localPathFromUri("file:rel/dir"), path.resolve("rel/dir"));
  });
  it("refuses remote hosts and other schemes", () => {
    assert.throws(() => localPathFromUri("file://otherhost/tmp"), MlflowError);
    assert.throws(() => localPathFromUri("s3://bucket/x"), MlflowError);
  });
});

describe("artifactRepositoryFor", () => {
  it("gives a local repository for file: URIs and local paths", () => {
    const repo = artifactRepositoryFor("file:///tmp/some-root");
    assert.ok(repo instanceof LocalArtifactRepository);
    assert.equal(repo.root, "/tmp/some-root");
    const relative = artifactRepositoryFor("mlartifacts");
    assert.ok(relative instanceof LocalArtifactRepository);
    assert.equal(relative.root, path.resolve("mlartifacts"));
  });

  it("names an unknown scheme in the error", () => {
    assert.throws(
      () => artifactRepositoryFor("nosuchscheme://bucket/prefix"),
      (error: unknown) =>
        error instanceof MlflowError &&
        error.errorCode === "INVALID_PARAMETER_VALUE" &&
        error.message.includes("'nosuchscheme'"),
    );
  });

  it("dispatches registered schemes case-insensitively to their factory", () => {
    const seen: string[] = [];
    const fake = new LocalArtifactRepository("/tmp/unused") as ArtifactRepository;
    registerArtifactScheme("test-scheme:", (uri) => {
      seen.push(uri);
      return fake;
    });
    assert.equal(artifactRepositoryFor("TEST-SCHEME://bucket/x"), fake);
    assert.deepEqual(seen, ["TEST-SCHEME://bucket/x"]);
  });
});

describe("ArtifactRepositoryRegistry", () => {
  it("is independent of the default registry and lists its schemes", () => {
    const registry = new ArtifactRepositoryRegistry();
    registry.register("S3", () => new LocalArtifactRepository("/tmp/unused"));
    assert.deepEqual(registry.schemes(), ["s3"]);
    assert.throws(() => registry.repositoryFor("gs://b/x"), /'gs'/);
    assert.ok(registry.repositoryFor("s3://b/x") instanceof LocalArtifactRepository);
  });
  it("refuses to replace file: or to register malformed schemes", () => {
    const registry = new ArtifactRepositoryRegistry();
    const factory = () => new LocalArtifactRepository("/tmp/unused");
    assert.throws(() => registry.register("file", factory), MlflowError);
    assert.throws(() => registry.register("c", factory), MlflowError);
    assert.throws(() => registry.register("9p", factory), MlflowError);
    assert.throws(() => registry.register("a b", factory), MlflowError);
  });
  it("treats a Windows drive letter as a local path, not a scheme", () => {
    const registry = new ArtifactRepositoryRegistry();
    assert.ok(registry.repositoryFor("C:\\mlruns") instanceof LocalArtifactRepository);
  });
});
