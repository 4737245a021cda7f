/** MLflow's table artifacts (`log_table`): pandas "split" JSON and the `mlflow.loggedArtifacts` tag. */

/** pandas `to_json(orient="split", index=False)`: column names and rows. */
export interface TableData {
  columns: string[];
  data: unknown[][];
}

/** A table as rows (objects), as columns (an object of arrays), or already split. */
export type TableInput = TableData | Record<string, unknown>[] | Record<string, unknown>;

export const LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts";

function isSplit(t: TableInput): t is TableData {
  return !Array.isArray(t) && Array.isArray((t as TableData).columns) && Array.isArray((t as TableData).data);
}

function cell(v: unknown): unknown {
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}

export function toTable(input: TableInput): TableData {
  if (isSplit(input)) return { columns: [...input.columns], data: input.data.map((r) => r.map(cell)) };
  if (Array.isArray(input)) {
    const columns: string[] = [];
    for (const row of input) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
    return { columns, data: input.map((row) => columns.map((c) => cell(row[c]))) };
  }
  const columns = Object.keys(input);
  const values = columns.map((c) => input[c]);
  if (values.every((v) => !Array.isArray(v))) return { columns, data: [values.map(cell)] };
  const n = Math.max(...values.map((v) => (Array.isArray(v) ? v.length : 1)));
  if (values.some((v) => Array.isArray(v) && v.length !== n)) {
    throw new TypeError("All columns of a table must have the same length.");
  }
  return {
    columns,
    data: Array.from({ length: n }, (_, i) => values.map((v) => cell(Array.isArray(v) ? v[i] : v))),
  };
}

/** pandas `concat(ignore_index=True)`: the union of columns, missing cells null. */
export function concatTables(a: TableData, b: TableData): TableData {
  const columns = [...a.columns];
  for (const c of b.columns) if (!columns.includes(c)) columns.push(c);
  const align = (t: TableData) =>
    t.data.map((row) => columns.map((c) => (t.columns.includes(c) ? row[t.columns.indexOf(c)] : null)));
  return { columns, data: [...align(a), ...align(b)] };
}

export function checkTableFile(artifactFile: string): void {
  if (!artifactFile.endsWith(".json")) {
    throw new TypeError(`Table artifact file must end with '.json' (got '${artifactFile}').`);
  }
  if (/["',:[\]{}]/.test(artifactFile)) {
    throw new TypeError(`Table artifact file must not contain any of " ' , : [ ] { } (got '${artifactFile}').`);
  }
}

/** The new value of the `mlflow.loggedArtifacts` tag, or undefined when the entry is there already. */
export function withLoggedArtifact(current: string | undefined, path: string, type = "table"): string | undefined {
  let list: { path: string; type: string }[] = [];
  if (current) {
    try {
      const parsed = JSON.parse(current);
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      list = [];
    }
  }
  if (list.some((e) => e.path === path && e.type === type)) return undefined;
  return JSON.stringify([...list, { path, type }]);
}
