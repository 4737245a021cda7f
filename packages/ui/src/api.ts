import { MlflowClient } from "@mlflow-ts/client";

/** The server root this page was served from (`origin` plus any --static-prefix). */
export const baseUrl = `${window.location.origin}${window.location.pathname.replace(/\/(index\.html)?$/, "")}`;

/** Steps and timestamps beyond 2^53 (MLflow's int64) arrive as exact decimal text, not rounded numbers. */
export const client = new MlflowClient({ trackingUri: baseUrl, exactInt64: true });

/** URL of one run artifact, served by the tracking server's `/get-artifact`. */
export function artifactUrl(runId: string, path: string): string {
  return `${baseUrl}/get-artifact?path=${encodeURIComponent(path)}&run_uuid=${encodeURIComponent(runId)}`;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function formatTime(ms: number | string | undefined | null): string {
  if (ms === undefined || ms === null || ms === "") return "";
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString();
}

export function formatDuration(start?: number | string | null, end?: number | string | null): string {
  if (!start || !end) return "";
  const s = (Number(end) - Number(start)) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  if (s < 3600) return `${(s / 60).toFixed(1)}min`;
  return `${(s / 3600).toFixed(1)}h`;
}

export function formatNumber(v: number | undefined): string {
  if (v === undefined) return "";
  if (Number.isNaN(v)) return "NaN";
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? String(Number(v.toPrecision(6))) : v.toExponential(4);
}
