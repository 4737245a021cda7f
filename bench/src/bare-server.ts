#!/usr/bin/env node
/**
 * The ceiling of any Node.js server on this storage: a bare HTTP server that answers
 * `POST /log-batch` by reading the body, JSON.parse, turning each metric into a row and writing
 * the rows the way mlflow-ts does (the store's SQL layer: 100-row INSERTs, latest_metrics upserts,
 * one transaction), with no routing, validation, camelCase handling or error model. Whatever it
 * reaches, a real server cannot beat. Used by scenarios/bare-ceiling.ts.
 *
 *   node bench/dist/bare-server.js <sqlite-uri> <port>
 */
import { createServer } from "node:http";
import { openDatabase, SqlTrackingStore, type SqlValue } from "@mlflow-ts/store";
import { writeMetricBatch } from "./scenarios/raw-insert.js";

const [uri, port] = process.argv.slice(2) as [string, string];
const store = await SqlTrackingStore.open(uri, { defaultArtifactRoot: "mlflow-artifacts:/" });
const runId = (await store.createRun({ experiment_id: "0" })).info.run_id;
await store.close();
const db = await openDatabase(uri);

const server = createServer(async (req, res) => {
  if (req.url === "/health") {
    res.end("OK");
    return;
  }
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as {
    metrics: { key: string; value: number; timestamp: number; step: number }[];
  };
  const rows: SqlValue[][] = body.metrics.map((m) => [m.key, m.value, m.timestamp, m.step, 0, runId]);
  const latest = new Map<string, SqlValue[]>();
  for (const row of rows) latest.set(row[0] as string, row);
  await writeMetricBatch(db, rows, latest.values());
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": 2 });
  res.end("{}");
});
server.listen(Number(port), "127.0.0.1");
process.on("SIGTERM", () => {
  server.close();
  void db.close().then(() => process.exit(0));
});
