import type { Run } from "@mlflow-ts/client";
import type { CSSProperties } from "react";
import { formatDuration, formatNumber, formatTime } from "../api.js";

/** The runs table's columns: attributes (MLflow's defaults) and metric/param/tag columns by key. */

export interface Column {
  id: string;
  label: string;
  width: number;
  /** MLflow's order_by key, when the column sorts on the server. */
  orderKey?: string;
  value: (r: Run) => string;
  /** The cell links here (an in-app route). */
  href?: (r: Run) => string;
  style?: (r: Run) => CSSProperties;
}

/** Width of the sticky left block: the select checkbox (40) and the run name (240). */
export const CHECK_W = 40;
export const NAME_W = 240;
export const STICKY_W = CHECK_W + NAME_W;

const STATUS_STYLE: Record<string, string> = {
  FINISHED: "var(--mantine-color-green-light-color)",
  RUNNING: "var(--mantine-color-blue-light-color)",
  FAILED: "var(--mantine-color-red-light-color)",
  KILLED: "var(--mantine-color-gray-6)",
  SCHEDULED: "var(--mantine-color-gray-6)",
};

export const BASE_COLUMNS: Column[] = [
  {
    id: "status",
    label: "Status",
    width: 90,
    value: (r) => r.info.status ?? "",
    style: (r) => ({ fontSize: 11, fontWeight: 700, color: STATUS_STYLE[r.info.status ?? ""] }),
  },
  {
    id: "created",
    label: "Created",
    width: 170,
    orderKey: "attributes.start_time",
    value: (r) => formatTime(r.info.start_time),
  },
  { id: "duration", label: "Duration", width: 90, value: (r) => formatDuration(r.info.start_time, r.info.end_time) },
  { id: "user", label: "User", width: 110, orderKey: "attributes.user_id", value: (r) => r.info.user_id ?? "" },
  {
    id: "source",
    label: "Source",
    width: 140,
    orderKey: "tags.`mlflow.source.name`",
    value: (r) => r.data.tags?.find((t) => t.key === "mlflow.source.name")?.value ?? "",
  },
  {
    id: "version",
    label: "Version",
    width: 70,
    orderKey: "tags.`mlflow.source.git.commit`",
    value: (r) => r.data.tags?.find((t) => t.key === "mlflow.source.git.commit")?.value.slice(0, 7) ?? "",
  },
  { id: "models", label: "Models", width: 130, value: loggedModels },
  { id: "dataset", label: "Dataset", width: 150, value: datasetInputs },
];

/** The run's logged models (tag `mlflow.log-model.history`): `artifact_path (flavor)`, comma-separated. */
function loggedModels(r: Run): string {
  const history = r.data.tags?.find((t) => t.key === "mlflow.log-model.history")?.value;
  if (!history) return "";
  try {
    const models = JSON.parse(history) as { artifact_path?: string; flavors?: Record<string, unknown> }[];
    if (!Array.isArray(models)) return "";
    return models
      .map((m) => {
        const flavor = Object.keys(m.flavors ?? {}).find((f) => f !== "python_function") ?? "";
        return `${m.artifact_path ?? "model"}${flavor ? ` (${flavor})` : ""}`;
      })
      .join(", ");
  } catch {
    return "";
  }
}

/** The run's dataset inputs: `name (digest)` with the context when set, comma-separated. */
function datasetInputs(r: Run): string {
  return (r.inputs?.dataset_inputs ?? [])
    .map((d) => {
      const context = d.tags?.find((t) => t.key === "mlflow.data.context")?.value;
      return `${d.dataset.name} (${d.dataset.digest})${context ? ` ${context}` : ""}`;
    })
    .join(", ");
}

/** The runs of several experiments: the run's experiment by name, linking to it. */
export function experimentColumn(names: ReadonlyMap<string, string>): Column {
  return {
    id: "experiment",
    label: "Experiment",
    width: 170,
    value: (r) => names.get(r.info.experiment_id) ?? r.info.experiment_id,
    href: (r) => `/experiments/${r.info.experiment_id}`,
  };
}

const quote = (k: string) => `\`${k.replace(/`/g, "\\`")}\``;

export function keyColumn(kind: "metrics" | "params" | "tags", key: string): Column {
  return {
    id: `${kind}.${key}`,
    label: key,
    width: 120,
    orderKey: `${kind}.${quote(key)}`,
    value: (r) => {
      if (kind === "metrics") return formatNumber(r.data.metrics?.find((m) => m.key === key)?.value);
      return (kind === "params" ? r.data.params : r.data.tags)?.find((p) => p.key === key)?.value ?? "";
    },
  };
}

export function toCsv(runs: Run[], columns: Column[]): string {
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const head = ["run_id", "run_name", ...columns.map((c) => c.id)];
  const rows = runs.map((r) => [r.info.run_id, r.info.run_name ?? "", ...columns.map((c) => c.value(r))]);
  return [head, ...rows].map((row) => row.map(esc).join(",")).join("\n");
}
