import type * as ClientS3 from "@aws-sdk/client-s3";
import type * as Presigner from "@aws-sdk/s3-request-presigner";
import type { S3ArtifactOptions } from "./s3-options.js";

/** The parts of the AWS SDK the repository uses, loaded on first use. */
export interface S3Sdk {
  s3: typeof ClientS3;
  presigner: typeof Presigner;
}

let sdk: Promise<S3Sdk> | undefined;

/**
 * Loads `@aws-sdk/client-s3` and `@aws-sdk/s3-request-presigner` once per process. Only this
 * function imports the SDK (types aside), so importing `@mlflow-ts/artifacts` or registering the
 * `s3` scheme loads nothing from it.
 */
export function loadS3Sdk(): Promise<S3Sdk> {
  sdk ??= Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/s3-request-presigner")]).then(
    ([s3, presigner]) => ({ s3, presigner }),
    (error: unknown) => {
      sdk = undefined;
      throw error;
    },
  );
  return sdk;
}

/**
 * One S3 client for a set of options, created lazily and shared by every repository made with the
 * same connection (the server makes one per configuration, so all run roots share a socket pool).
 */
export class S3Connection {
  private client: Promise<{ client: ClientS3.S3Client; sdk: S3Sdk }> | undefined;

  constructor(readonly options: S3ArtifactOptions = {}) {}

  get(): Promise<{ client: ClientS3.S3Client; sdk: S3Sdk }> {
    this.client ??= this.create().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  /** Closes the client's sockets (if it was ever created). */
  async destroy(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (pending) (await pending.catch(() => undefined))?.client.destroy();
  }

  private async create(): Promise<{ client: ClientS3.S3Client; sdk: S3Sdk }> {
    const loaded = await loadS3Sdk();
    const o = this.options;
    const config: ClientS3.S3ClientConfig = {
      region: o.region || "us-east-1",
      forcePathStyle: o.forcePathStyle ?? o.endpointUrl !== undefined,
      // Follow PermanentRedirect to the bucket's region instead of failing.
      followRegionRedirects: true,
      // Checksums only where S3 requires them: S3-compatible stores (MinIO, Ceph, moto) and
      // presigned part URLs then work without the newer flexible-checksum headers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
    };
    if (o.endpointUrl) config.endpoint = o.endpointUrl;
    if (o.credentials) config.credentials = { ...o.credentials };
    if (o.ignoreTls) {
      const { Agent } = await import("node:https");
      config.requestHandler = { httpsAgent: new Agent({ keepAlive: true, rejectUnauthorized: false }) };
    }
    return { client: new loaded.s3.S3Client(config), sdk: loaded };
  }
}
