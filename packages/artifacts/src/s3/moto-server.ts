import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import type { S3ArtifactOptions } from "./s3-options.js";

/**
 * Test support: a real S3-compatible server (moto's `moto_server`, a Python program that must be on
 * PATH) on 127.0.0.1 and a free port. Exported as `@mlflow-ts/artifacts/test-support` for the
 * server's and CLI's S3 tests. A missing `moto_server` is an error, never a silent skip.
 */
export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  pid: number;
  /** Options for S3ArtifactRepository pointing at this server (fixed test credentials). */
  options: S3ArtifactOptions;
  /** Creates a bucket (S3's CreateBucket over the SDK). */
  createBucket(name: string): Promise<void>;
  /** Stops the process this harness started (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

export const MOTO_CREDENTIALS = { accessKeyId: "mlflowts-test-key", secretAccessKey: "mlflowts-test-secret" };

export interface StartMotoOptions {
  /** Extra environment for moto (e.g. `INITIAL_NO_AUTH_ACTION_COUNT: "0"` to enforce credentials). */
  env?: Record<string, string>;
  /** How long to wait for the server to answer, ms (default 30000). */
  timeoutMs?: number;
}

export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = "";
  const proc: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  await new Promise<void>((resolve, reject) => {
    proc.once("spawn", () => resolve());
    proc.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new Error(
              "moto_server is not on PATH: the S3 artifact tests need it (pip install 'moto[server]'). " +
                "They fail rather than skip so that CI never passes without exercising S3.",
            )
          : error,
      );
    });
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  void exit.then(() => {
    exited = true;
  });

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (true) {
    if (exited) throw new Error(`moto_server exited before answering (code ${proc.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`moto_server did not answer on ${endpoint} within the timeout:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const moto: MotoServer = {
    endpoint,
    pid: proc.pid as number,
    options: { endpointUrl: endpoint, region: "us-east-1", credentials: { ...MOTO_CREDENTIALS }, forcePathStyle: true },
    async createBucket(name) {
      const { S3Client, CreateBucketCommand } = await import("@aws-sdk/client-s3");
      const client = new S3Client({
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: MOTO_CREDENTIALS,
      });
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    async stop() {
      if (exited) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (!exited) proc.kill("SIGKILL");
      }, 3000);
      await exit;
      clearTimeout(timer);
    },
  };
  return moto;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
