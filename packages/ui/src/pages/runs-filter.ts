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

// MLflow's rule (experimentPage.fetch-utils.ts): the search box holds a filter expression when some
// `<table alias>.<name>` is followed by a comparison operator; any other text searches run names,
// here ANDed with the time and datasets presets (MLflow drops the presets then)
const TABLE_ALIASES = [
  "attribute",
  "attributes",
  "attr",
  "run",
  "metric",
  "metrics",
  "param",
  "params",
  "parameter",
  "tag",
  "tags",
  "dataset",
  "datasets",
  "model",
  "models",
];
// plus quoted names with spaces (`` tags.`my tag` = 'x' ``) and NOT LIKE / NOT IN, which this server accepts
const FILTER_SYNTAX = new RegExp(
  `(${TABLE_ALIASES.join("|")})\\.(\`[^\`]*\`|"[^"]*"|\\S+)\\s*(>|<|>=|<=|=|!=| like| ilike| rlike| in| not like| not ilike| not in)`,
  "i",
);

/** Whether the search box's text is a filter expression (else it is a quick run-name search). */
export function isFilterExpression(text: string): boolean {
  return FILTER_SYNTAX.test(text);
}

/**
 * The quick run-name search: runs whose name contains the text, case-insensitively. MLflow's UI sends
 * `attributes.run_name RLIKE '<text>'`; this server's search has no RLIKE, so it is a substring match,
 * `ILIKE '%<text>%'`, not a regular expression. A quote or backslash cannot be escaped in MLflow's string literals, so it
 * becomes the one-character wildcard `_` (which also matches it); `%` and `_` typed by the user
 * stay wildcards, as in MLflow.
 */
export function quickRunNameFilter(text: string): string {
  return `attributes.run_name ILIKE '%${text.trim().replace(/['\\]/g, "_")}%'`;
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
  if (searchFilter.trim() && !isFilterExpression(searchFilter)) parts.push(quickRunNameFilter(searchFilter));
  else if (searchFilter.trim()) parts.push(/\bor\b/i.test(searchFilter) ? `(${searchFilter})` : searchFilter);
  if (preset?.ms) parts.push(`attributes.start_time >= ${now - preset.ms}`);
  const ds = datasetsClause(datasets);
  if (ds) parts.push(ds);
  return parts.length ? parts.join(" and ") : undefined;
}

const ATTRIBUTES = ["run_name", "status", "start_time", "end_time", "user_id", "run_id", "artifact_uri"];

const KEY_AT_END = /([A-Za-z_][\w.`-]*)$/;

/** Whether the text ends in a qualified key being typed (`metrics.ac`), so Enter takes the first completion. */
export function completesKey(text: string): boolean {
  return KEY_AT_END.exec(text)?.[1]?.includes(".") ?? false;
}

/** Completions for the key being typed at the end of the filter: the whole filter with the key completed. */
export function filterSuggestions(
  text: string,
  keys: { metrics: string[]; params: string[]; tags: string[] },
): string[] {
  const m = KEY_AT_END.exec(text);
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
