/** The runs table's filter: the search box plus the time-created and datasets presets, and key completion. */

export const TIME_PRESETS: Record<string, { label: string; ms: number }> = {
  ALL: { label: "All time", ms: 0 },
  LAST_HOUR: { label: "Last hour", ms: 3600_000 },
  LAST_24_HOURS: { label: "Last 24 hours", ms: 86_400_000 },
  LAST_7_DAYS: { label: "Last 7 days", ms: 7 * 86_400_000 },
  LAST_30_DAYS: { label: "Last 30 days", ms: 30 * 86_400_000 },
  LAST_YEAR: { label: "Last year", ms: 365 * 86_400_000 },
};

export interface DatasetRef {
  name: string;
  digest: string;
}

/** The `datasetsFilter` URL value (a JSON list of `{name, digest}`, as MLflow's UI keeps it); bad input → []. */
export function parseDatasets(text: string | null): DatasetRef[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v)) return [];
    return v
      .filter((d): d is DatasetRef => typeof d?.name === "string" && typeof d?.digest === "string")
      .map((d) => ({ name: d.name, digest: d.digest }));
  } catch {
    return [];
  }
}

const literal = (v: string) => `'${v}'`;

/** MLflow's dataset filter for the picked datasets: runs that used any of them (name and digest). */
export function datasetsClause(datasets: readonly DatasetRef[]): string | undefined {
  const one = (d: DatasetRef) => `dataset.name = ${literal(d.name)} and dataset.digest = ${literal(d.digest)}`;
  if (datasets.length === 0) return undefined;
  if (datasets.length === 1) return one(datasets[0] as DatasetRef);
  return `(${datasets.map((d) => `(${one(d)})`).join(" or ")})`;
}

/** The search box's filter plus the "time created" and datasets presets, as one MLflow filter string. */
export function effectiveFilter(
  searchFilter: string,
  startTime: string,
  now: number,
  datasets: readonly DatasetRef[] = [],
): string | undefined {
  const preset = TIME_PRESETS[startTime];
  const parts: string[] = [];
  if (searchFilter.trim()) parts.push(/\bor\b/i.test(searchFilter) ? `(${searchFilter})` : searchFilter);
  if (preset?.ms) parts.push(`attributes.start_time >= ${now - preset.ms}`);
  const ds = datasetsClause(datasets);
  if (ds) parts.push(ds);
  return parts.length ? parts.join(" and ") : undefined;
}

const ATTRIBUTES = ["run_name", "status", "start_time", "end_time", "user_id", "run_id", "artifact_uri"];

/** Completions for the key being typed at the end of the filter: the whole filter with the key completed. */
export function filterSuggestions(
  text: string,
  keys: { metrics: string[]; params: string[]; tags: string[] },
): string[] {
  const m = /([A-Za-z_][\w.`-]*)$/.exec(text);
  if (!m?.[1] || m[1].length < 2) return [];
  const token = m[1].toLowerCase();
  const before = text.slice(0, text.length - m[1].length);
  const q = (k: string) => (/^[A-Za-z_][\w]*$/.test(k) ? k : `\`${k}\``);
  const all = [
    ...keys.metrics.map((k) => `metrics.${q(k)}`),
    ...keys.params.map((k) => `params.${q(k)}`),
    ...keys.tags.map((k) => `tags.${q(k)}`),
    ...ATTRIBUTES.map((k) => `attributes.${k}`),
  ];
  const out: string[] = [];
  for (const c of all) {
    const lc = c.toLowerCase();
    if (lc === token) return [];
    const key = lc.slice(lc.indexOf(".") + 1);
    if (lc.startsWith(token) || (!token.includes(".") && key.startsWith(token))) out.push(before + c);
    if (out.length >= 20) break;
  }
  return out;
}
