/**
 * WAL checkpoints off the event loop.
 *
 * In WAL mode every commit appends pages to `<db>-wal`; a checkpoint copies them back into the
 * database file and syncs both files. SQLite runs it inside the COMMIT that crosses
 * `wal_autocheckpoint`, so one request in a few hundred paid for everybody's writes (100-160 ms
 * on this kind of machine) and batch logging spent ~40% of its commit time there. Here a worker
 * thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` (never blocks readers or
 * the writer) at most every `intervalMs` while commits keep coming, and once after the last one.
 * The writer keeps SQLite's own autocheckpoint as a safety net should the worker fall behind or
 * fail to start. The worker starts the first time the WAL passes SQLite's default checkpoint size
 * (4 MB), so a server that writes little never runs one.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** Runs in the worker (CommonJS, `eval`): one connection, a coalescing timer, one reply per checkpoint. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
let timer = null;
let last = 0;
function run() {
  timer = null;
  last = Date.now();
  try {
    const r = db.pragma("wal_checkpoint(PASSIVE)")[0];
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
}
parentPort.on("message", (m) => {
  if (m === "close") {
    if (timer) clearTimeout(timer);
    db.close();
    parentPort.close();
    return;
  }
  if (!timer) timer = setTimeout(run, Math.max(0, last + workerData.intervalMs - Date.now()));
});
`;

export interface CheckpointStats {
  /** checkpoints the worker has run */
  runs: number;
  /** frames in the WAL and frames copied into the database at the last one */
  lastLogFrames: number;
  lastCheckpointedFrames: number;
  /** the last failure (the worker could not start, or a checkpoint failed) */
  lastError?: string;
}

/** The WAL size at which the worker starts (SQLite's default autocheckpoint: 1000 pages of 4 KiB). */
const START_BYTES = 4 * 1024 * 1024;

export class BackgroundCheckpointer {
  private worker: Worker | undefined;
  private nudged = false;
  private closed = false;
  readonly stats: CheckpointStats = { runs: 0, lastLogFrames: 0, lastCheckpointedFrames: 0 };

  constructor(
    private readonly path: string,
    private readonly intervalMs = 200,
    private readonly startBytes = START_BYTES,
  ) {}

  /** After a COMMIT: asks for a checkpoint soon (one message until the worker answers). */
  afterCommit(): void {
    if (this.closed || this.nudged) return;
    if (!this.worker && walBytes(this.path) < this.startBytes) return;
    const worker = this.worker ?? this.start();
    if (!worker) return;
    this.nudged = true;
    worker.postMessage("nudge");
  }

  private start(): Worker | undefined {
    try {
      const driver = createRequire(import.meta.url).resolve("better-sqlite3");
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { driver, path: this.path, intervalMs: this.intervalMs },
      });
      worker.unref();
      worker.on("message", (m: { log?: number; checkpointed?: number; error?: string }) => {
        this.nudged = false;
        if (m.error !== undefined) {
          this.stats.lastError = m.error;
          return;
        }
        this.stats.runs++;
        this.stats.lastLogFrames = m.log ?? 0;
        this.stats.lastCheckpointedFrames = m.checkpointed ?? 0;
      });
      worker.on("error", (e) => {
        // the writer's own autocheckpoint takes over
        this.stats.lastError = e.message;
        this.worker = undefined;
        this.closed = true;
      });
      this.worker = worker;
      return worker;
    } catch (e) {
      this.stats.lastError = (e as Error).message;
      this.closed = true;
      return undefined;
    }
  }

  /** Stops the worker after its current checkpoint; resolves when its connection is closed. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.once("exit", () => resolve());
      worker.ref(); // keep the event loop alive until the worker has closed its connection
      worker.postMessage("close");
    });
  }
}

function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
