import { MlflowError, type ViewType } from "@mlflow-ts/protocol";
import { experimentIdNumber, placeholders, type StoreContext } from "./context.js";
import { stagesFor } from "./experiments.js";

export interface ExperimentKeys {
  metrics: string[];
  params: string[];
  tags: string[];
  /** Set when a list was cut at `maxResults`. */
  truncated?: boolean;
}

/**
 * The distinct metric, param and tag keys of an experiment's runs (in the given lifecycle view),
 * sorted, optionally only those containing `contains` (case-insensitive), each list capped at
 * `maxResults`. Lets the UI offer every key of a wide experiment without loading its runs.
 * Distinct keys come from the database; the substring match runs here (portable, no LIKE escaping).
 */
export async function experimentKeys(
  ctx: StoreContext,
  experimentId: string,
  options: { viewType?: ViewType | undefined; contains?: string | undefined; maxResults?: number | undefined } = {},
): Promise<ExperimentKeys> {
  const max = options.maxResults ?? 1000;
  if (!Number.isInteger(max) || max < 1 || max > 50_000) {
    throw MlflowError.invalidParameter(`max_results must be between 1 and 50000, but got ${max}`);
  }
  const id = experimentIdNumber(experimentId);
  if (id === undefined) throw MlflowError.notFound(`No Experiment with id=${experimentId} exists`);
  const stages = stagesFor(options.viewType);
  const runs = `SELECT run_uuid FROM runs WHERE experiment_id = ? AND lifecycle_stage IN ${placeholders(stages.length)}`;
  const needle = (options.contains ?? "").toLowerCase();
  let truncated = false;
  const load = async (table: string) => {
    const rows = await ctx.db.allRaw(`SELECT DISTINCT key FROM ${table} WHERE run_uuid IN (${runs}) ORDER BY key`, [
      id,
      ...stages,
    ]);
    const keys: string[] = [];
    for (const [key] of rows) {
      if (needle && !String(key).toLowerCase().includes(needle)) continue;
      if (keys.length === max) {
        truncated = true;
        break;
      }
      keys.push(String(key));
    }
    return keys;
  };
  const out: ExperimentKeys = {
    metrics: await load("latest_metrics"),
    params: await load("params"),
    tags: await load("tags"),
  };
  if (truncated) out.truncated = true;
  return out;
}
