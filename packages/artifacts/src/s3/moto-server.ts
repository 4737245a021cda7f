import { type ChildProcess, spawn } from "node:child_process";
import { get as httpGet } from "node:http";
import { Agent, get as httpsGet } from "node:https";
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
  /** Serve HTTPS with moto's self-signed certificate (`moto_server -s`). */
  ssl?: boolean;
}

export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `${options.ssl ? "https" : "http"}://127.0.0.1:${port}`;
  let output = "";
  const proc: ChildProcess = spawn(
    "moto_server",
    ["-H", "127.0.0.1", "-p", String(port), ...(options.ssl ? ["-s"] : [])],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    },
  );
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
      await answers(`${endpoint}/moto-api/`);
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
        ...(options.ssl ? { requestHandler: { httpsAgent: new Agent({ rejectUnauthorized: false }) } } : {}),
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

/** Resolves once `url` answers any HTTP status (self-signed certificates accepted). */
function answers(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith("https:") ? httpsGet : httpGet;
    const req = get(url, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on("end", () => resolve());
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
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
