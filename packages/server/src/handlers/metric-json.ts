import type { MetricPoint } from "@mlflow-ts/store";

/**
 * Renders metric points straight to JSON text: the same bytes JSON.stringify would produce for
 * `{key, value, timestamp, step[, run_id]}` objects, without building the objects. A NaN point
 * is `"NaN"`, as MLflow sends it.
 */
export function pointsToJson(key: string, points: readonly MetricPoint[], withRunId: boolean): string {
  const keyJson = JSON.stringify(key);
  const parts: string[] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as MetricPoint;
    const value = p[3] ? '"NaN"' : numberJson(p[0]);
    parts[i] = withRunId
      ? `{"key":${keyJson},"value":${value},"timestamp":${p[1]},"step":${p[2]},"run_id":"${p[4]}"}`
      : `{"key":${keyJson},"value":${value},"timestamp":${p[1]},"step":${p[2]}}`;
  }
  return parts.join(",");
}

/** `{"metrics":[...]}` from pages of points, or `{}` when there are none. */
export async function* metricsEnvelope(
  key: string,
  pages: AsyncIterable<MetricPoint[]>,
  withRunId: boolean,
): AsyncGenerator<string> {
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield (first ? '{"metrics":[' : ",") + pointsToJson(key, page, withRunId);
    first = false;
  }
  yield first ? "{}" : "]}";
}

function numberJson(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

/** `{"metrics":[...]}` around pages of already-rendered metric objects, or `{}` when empty. */
export async function* jsonPagesEnvelope(pages: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const page of pages) {
    if (!page) continue;
    yield (first ? '{"metrics":[' : ",") + page;
    first = false;
  }
  yield first ? "{}" : "]}";
}
