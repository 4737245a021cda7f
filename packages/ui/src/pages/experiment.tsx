import type { Run } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Autocomplete,
  Box,
  Button,
  Checkbox,
  Group,
  Loader,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type CSSProperties, memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ColumnPicker } from "../column-picker.js";
import { client, errorText, formatDuration, formatNumber, formatTime } from "../api.js";
import { NameModal, useSlashFocus } from "./experiments.js";
import { DeletePermanentlyModal, MoveRunsModal, Notice } from "./run-actions.js";

const PAGE = 200;
const ROW_H = 34;

interface Column {
  id: string;
  label: string;
  width: number;
  /** MLflow's order_by key, when the column sorts on the server. */
  orderKey?: string;
  value: (r: Run) => string;
  style?: (r: Run) => CSSProperties;
}

/** Width of the sticky left block: the select checkbox (40) and the run name (240). */
const CHECK_W = 40;
const NAME_W = 240;
const STICKY_W = CHECK_W + NAME_W;

const STATUS_STYLE: Record<string, string> = {
  FINISHED: "var(--mantine-color-green-light-color)",
  RUNNING: "var(--mantine-color-blue-light-color)",
  FAILED: "var(--mantine-color-red-light-color)",
  KILLED: "var(--mantine-color-gray-6)",
  SCHEDULED: "var(--mantine-color-gray-6)",
};

const BASE_COLUMNS: Column[] = [
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

const TIME_PRESETS: Record<string, { label: string; ms: number }> = {
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

const quote = (k: string) => `\`${k.replace(/`/g, "\\`")}\``;

function keyColumn(kind: "metrics" | "params" | "tags", key: string): Column {
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

function toCsv(runs: Run[], columns: Column[]): string {
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const head = ["run_id", "run_name", ...columns.map((c) => c.id)];
  const rows = runs.map((r) => [r.info.run_id, r.info.run_name ?? "", ...columns.map((c) => c.value(r))]);
  return [head, ...rows].map((row) => row.map(esc).join(",")).join("\n");
}

interface DisplayRow {
  run: Run;
  depth: number;
  children: number;
}

const PALETTE = [
  "#228be6",
  "#fa5252",
  "#40c057",
  "#fab005",
  "#7950f2",
  "#15aabf",
  "#fd7e14",
  "#e64980",
  "#82c91e",
  "#4c6ef5",
];

/** A stable color per run (MLflow colors runs for charts; the same color follows the run everywhere). */
export function runColor(runId: string): string {
  let h = 0;
  for (let i = 0; i < runId.length; i++) h = (h * 31 + runId.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(h) % PALETTE.length] as string;
}

/** Pinned runs first; children (mlflow.parentRunId) under their loaded parent, shown when it is expanded. */
function nestRuns(runs: Run[], pinned: Set<string>, expanded: Set<string>): DisplayRow[] {
  const ids = new Set(runs.map((r) => r.info.run_id));
  const children = new Map<string, Run[]>();
  const top: Run[] = [];
  for (const r of runs) {
    const parent = r.data.tags?.find((t) => t.key === "mlflow.parentRunId")?.value;
    if (parent && ids.has(parent) && parent !== r.info.run_id) {
      const list = children.get(parent) ?? [];
      list.push(r);
      children.set(parent, list);
    } else top.push(r);
  }
  const ordered = [...top.filter((r) => pinned.has(r.info.run_id)), ...top.filter((r) => !pinned.has(r.info.run_id))];
  const out: DisplayRow[] = [];
  const visit = (r: Run, depth: number) => {
    const kids = children.get(r.info.run_id) ?? [];
    out.push({ run: r, depth, children: kids.length });
    if (expanded.has(r.info.run_id) && depth < 10) for (const k of kids) visit(k, depth + 1);
  };
  for (const r of ordered) visit(r, 0);
  return out;
}

/** Sticky cells need an opaque background that follows the row's hover and selection. */
const TABLE_CSS = `
.runs-sticky { position: sticky; left: 0; z-index: 1; display: flex; align-items: center; height: 100%; background: var(--mantine-color-body); }
.runs-row:hover .runs-sticky { background: linear-gradient(var(--mantine-color-default-hover), var(--mantine-color-default-hover)), var(--mantine-color-body); }
.runs-row[data-selected="true"] .runs-sticky { background: linear-gradient(var(--mantine-color-blue-light), var(--mantine-color-blue-light)), var(--mantine-color-body); }
`;

/** The columns a row renders: indexes [start, end) of the column list, after `offset` px of blank space. */
interface ColumnWindow {
  start: number;
  end: number;
  offset: number;
}

/** One table row in plain elements (rendered in hundreds while scrolling, so no component-library widgets). */
const RunRow = memo(function RunRow(props: {
  row: DisplayRow;
  top: number;
  columns: Column[];
  colStart: number;
  colEnd: number;
  colOffset: number;
  width: number;
  experimentId: string;
  selected: boolean;
  cursor: boolean;
  pinned: boolean;
  expanded: boolean;
  onToggle: (id: string) => void;
  onPin: (id: string) => void;
  onExpand: (id: string) => void;
}) {
  const { run: r, depth, children } = props.row;
  const id = r.info.run_id;
  return (
    <div
      className="runs-row"
      data-testid="run-row"
      data-selected={props.selected}
      data-cursor={props.cursor}
      style={{
        position: "absolute",
        top: 0,
        transform: `translateY(${props.top}px)`,
        height: ROW_H,
        width: props.width,
        minWidth: "100%",
        display: "flex",
        alignItems: "center",
        borderBottom: "1px solid var(--mantine-color-default-border)",
      }}
    >
      <div className="runs-sticky">
        <div className="cell" style={{ width: CHECK_W }}>
          <input type="checkbox" aria-label="Select run" checked={props.selected} onChange={() => props.onToggle(id)} />
        </div>
        <div className="cell" style={{ width: NAME_W, paddingLeft: 8 + depth * 18 }}>
          <button
            type="button"
            className="pin"
            data-pinned={props.pinned}
            aria-label={props.pinned ? "Unpin run" : "Pin run"}
            title={props.pinned ? "Unpin" : "Pin to top"}
            onClick={() => props.onPin(id)}
          >
            {props.pinned ? "★" : "☆"}
          </button>
          <span className="run-dot" style={{ background: runColor(id) }} />
          {children > 0 && (
            <button
              type="button"
              className="expander"
              aria-label={props.expanded ? "Collapse child runs" : "Expand child runs"}
              onClick={() => props.onExpand(id)}
            >
              {props.expanded ? "▾" : "▸"} {children}
            </button>
          )}
          <Link className="run-link" to={`/experiments/${props.experimentId}/runs/${id}`}>
            {r.info.run_name || id}
          </Link>
        </div>
      </div>
      <div style={{ width: props.colOffset, flex: "none" }} />
      {props.columns.slice(props.colStart, props.colEnd).map((c) => (
        <div key={c.id} className="cell" style={c.style ? { width: c.width, ...c.style(r) } : { width: c.width }}>
          {c.value(r)}
        </div>
      ))}
    </div>
  );
});

export function ExperimentPage() {
  const { experimentId = "0" } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const searchFilter = params.get("searchFilter") ?? "";
  const orderByKey = params.get("orderByKey") ?? "attributes.start_time";
  const orderByAsc = params.get("orderByAsc") === "true";
  const lifecycle = params.get("lifecycleFilter") === "Deleted" ? "Deleted" : "Active";
  const startTime = params.get("startTime") ?? "ALL";
  // the preset's cutoff is fixed when the preset is chosen, so paging keeps one consistent filter
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when the preset changes
  const now = useMemo(() => Date.now(), [startTime]);
  const datasetsParam = params.get("datasetsFilter");
  const datasets = useMemo(() => parseDatasets(datasetsParam), [datasetsParam]);
  const filter = effectiveFilter(searchFilter, startTime, now, datasets);
  const [text, setText] = useState(searchFilter);
  useEffect(() => setText(searchFilter), [searchFilter]);
  const inputRef = useRef<HTMLInputElement>(null);
  useSlashFocus(inputRef);
  const storageKey = `mlflow-ts.columns.${experimentId}`;
  const [picked, setPicked] = useState<string[] | null>(() => {
    const saved = localStorage.getItem(storageKey);
    return saved ? (JSON.parse(saved) as string[]) : null;
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState(-1);
  const [tagging, setTagging] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [moving, setMoving] = useState(false);
  const [purging, setPurging] = useState(false);
  const [notice, setNotice] = useState<{ text: string; color: string } | null>(null);
  const closeNotice = useCallback(() => setNotice(null), []);

  const experiment = useQuery({
    queryKey: ["experiment", experimentId],
    queryFn: () => client.getExperiment(experimentId),
  });

  const runs = useInfiniteQuery({
    queryKey: ["runs", experimentId, filter, orderByKey, orderByAsc, lifecycle],
    queryFn: ({ pageParam }) =>
      client.searchRuns([experimentId], {
        filter,
        orderBy: [`${orderByKey} ${orderByAsc ? "ASC" : "DESC"}`],
        maxResults: PAGE,
        pageToken: pageParam,
        runViewType: lifecycle === "Deleted" ? "DELETED_ONLY" : "ACTIVE_ONLY",
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextPageToken || undefined,
  });
  const rows = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data]);
  // the datasets preset's choices, asked for once the first rows are in (keeps the first request alone)
  const experimentDatasets = useQuery({
    queryKey: ["datasets", experimentId],
    enabled: !runs.isPending,
    queryFn: () => client.searchDatasets([experimentId]),
  });
  const datasetOptions = useMemo(() => {
    const seen = new Map<string, { value: string; label: string }>();
    const add = (d: DatasetRef, context?: string) => {
      const value = JSON.stringify([d.name, d.digest]);
      const prev = seen.get(value);
      if (!prev) seen.set(value, { value, label: `${d.name} (${d.digest})${context ? ` [${context}]` : ""}` });
      else if (context && !prev.label.includes(`[${context}]`)) prev.label += ` [${context}]`;
    };
    for (const d of experimentDatasets.data ?? []) add(d, d.context);
    for (const d of datasets) add(d); // picked in the URL, even if no longer logged here
    return [...seen.values()];
  }, [experimentDatasets.data, datasets]);
  const pinKey = `mlflow-ts.pinned.${experimentId}`;
  const [pinned, setPinned] = useState<string[]>(() => JSON.parse(localStorage.getItem(pinKey) ?? "[]") as string[]);
  const togglePin = useCallback(
    (id: string) =>
      setPinned((p) => {
        const next = p.includes(id) ? p.filter((x) => x !== id) : [...p, id];
        localStorage.setItem(pinKey, JSON.stringify(next));
        return next;
      }),
    [pinKey],
  );
  const toggleExpand = useCallback(
    (id: string) =>
      setExpanded((e) => {
        const n = new Set(e);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
    [],
  );
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const display = useMemo(() => nestRuns(rows, new Set(pinned), expanded), [rows, pinned, expanded]);

  // every key of the experiment's runs, fetched from the server once the picker or the search box
  // is used (a wide experiment's keys are not all in the loaded pages)
  const [wantKeys, setWantKeys] = useState(false);
  const loadKeys = useCallback(() => setWantKeys(true), []);
  const serverKeys = useQuery({
    queryKey: ["keys", experimentId, lifecycle],
    enabled: wantKeys,
    queryFn: () =>
      client.experimentKeys(experimentId, {
        runViewType: lifecycle === "Deleted" ? "DELETED_ONLY" : "ACTIVE_ONLY",
        maxResults: 50_000,
      }),
  });
  // every metric, param and tag key seen in the loaded runs or listed by the server
  const keys = useMemo(() => {
    const m = new Set<string>(serverKeys.data?.metrics);
    const p = new Set<string>(serverKeys.data?.params);
    const t = new Set<string>(serverKeys.data?.tags.filter((k) => !k.startsWith("mlflow.")));
    for (const r of rows) {
      for (const x of r.data.metrics ?? []) m.add(x.key);
      for (const x of r.data.params ?? []) p.add(x.key);
      for (const x of r.data.tags ?? []) if (!x.key.startsWith("mlflow.")) t.add(x.key);
    }
    return { metrics: [...m].sort(), params: [...p].sort(), tags: [...t].sort() };
  }, [rows, serverKeys.data]);
  const columnIds = picked ?? [
    ...keys.metrics.slice(0, 6).map((k) => `metrics.${k}`),
    ...keys.params.slice(0, 6).map((k) => `params.${k}`),
  ];
  const suggestions = useMemo(() => filterSuggestions(text, keys), [text, keys]);
  const columnKey = columnIds.join("\n");
  // biome-ignore lint/correctness/useExhaustiveDependencies: columnKey stands for columnIds
  const columns = useMemo(
    () => [
      ...BASE_COLUMNS,
      ...columnIds.map((id) => {
        const dot = id.indexOf(".");
        return keyColumn(id.slice(0, dot) as "metrics" | "params" | "tags", id.slice(dot + 1));
      }),
    ],
    [columnKey],
  );
  const setColumns = (ids: string[]) => {
    setPicked(ids);
    localStorage.setItem(storageKey, JSON.stringify(ids));
  };

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };
  const sortOn = (c: Column) => {
    if (!c.orderKey) return;
    set({ orderByKey: c.orderKey, orderByAsc: orderByKey === c.orderKey && !orderByAsc ? "true" : null });
  };

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: display.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 20,
  });
  // columns are virtualized too: only those in view (plus a few) are in the DOM, behind the sticky block
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => columns[i]?.width ?? 120,
    paddingStart: STICKY_W,
    overscan: 6,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: widths change with the column list
  useEffect(() => columnVirtualizer.measure(), [columnKey]);
  const visibleColumns = columnVirtualizer.getVirtualItems();
  const colWindow: ColumnWindow = visibleColumns.length
    ? {
        start: visibleColumns[0]?.index ?? 0,
        end: (visibleColumns[visibleColumns.length - 1]?.index ?? 0) + 1,
        offset: (visibleColumns[0]?.start ?? STICKY_W) - STICKY_W,
      }
    : { start: 0, end: 0, offset: 0 };
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? (items[items.length - 1]?.index ?? 0) : 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 40 && runs.hasNextPage && !runs.isFetchingNextPage) void runs.fetchNextPage();
  }, [lastIndex, rows.length, runs]);

  // keyboard: j/k move, Enter opens, x selects
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (["INPUT", "TEXTAREA"].includes(t.tagName) || e.metaKey || e.ctrlKey) return;
      if (e.key === "j" || e.key === "k") {
        const next = Math.max(0, Math.min(display.length - 1, cursor + (e.key === "j" ? 1 : -1)));
        setCursor(next);
        virtualizer.scrollToIndex(next);
      } else if (e.key === "Enter" && display[cursor]) {
        navigate(`/experiments/${experimentId}/runs/${display[cursor].run.info.run_id}`);
      } else if (e.key === "x" && display[cursor]) {
        toggle(display[cursor].run.info.run_id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const toggle = useCallback(
    (id: string) =>
      setSelected((s) => {
        const n = new Set(s);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
    [],
  );
  const act = async (fn: (id: string) => Promise<void>) => {
    await Promise.all([...selected].map(fn));
    setSelected(new Set());
    await qc.invalidateQueries({ queryKey: ["runs", experimentId] });
  };
  const exportCsv = () => {
    const blob = new Blob([toCsv(rows, columns)], { type: "text/csv" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `runs-${experimentId}.csv`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const totalWidth = STICKY_W + columns.reduce((s, c) => s + c.width, 0);
  const selectedIds = [...selected];
  const arrow = (key?: string) => (key && key === orderByKey ? (orderByAsc ? " ↑" : " ↓") : "");

  return (
    <Stack gap="sm" h="calc(100vh - 52px - 2 * var(--mantine-spacing-md))">
      <Group justify="space-between">
        <div>
          <Anchor component={Link} to="/experiments" size="sm">
            Experiments
          </Anchor>
          <Title order={2}>{experiment.data?.name ?? " "}</Title>
        </div>
        <Text size="sm" c="dimmed">
          Experiment ID {experimentId}
          {experiment.data?.artifact_location ? ` · ${experiment.data.artifact_location}` : ""}
        </Text>
      </Group>
      <Group gap="sm" align="flex-start">
        <Autocomplete
          ref={inputRef}
          style={{ flex: 1, minWidth: 320 }}
          placeholder="metrics.rmse < 1 and params.model = 'tree'   ( / )"
          aria-label="Search runs"
          onFocus={loadKeys}
          value={text}
          onChange={setText}
          data={suggestions}
          filter={({ options }) => options}
          selectFirstOptionOnChange
          onKeyDown={(e) => e.key === "Enter" && suggestions.length === 0 && set({ searchFilter: text })}
          error={runs.error ? errorText(runs.error) : undefined}
          ff="monospace"
        />
        <Select
          w={150}
          aria-label="Time created"
          value={startTime}
          onChange={(v) => set({ startTime: v && v !== "ALL" ? v : null })}
          data={Object.entries(TIME_PRESETS).map(([value, p]) => ({ value, label: p.label }))}
          allowDeselect={false}
        />
        <SegmentedControl
          value={lifecycle}
          onChange={(v) => set({ lifecycleFilter: v === "Deleted" ? "Deleted" : null })}
          data={["Active", "Deleted"]}
        />
        {datasetOptions.length === 0 ? (
          // MLflow's control is disabled when no datasets were logged; the combobox renders once there are some
          <Button w={220} variant="default" disabled aria-label="Datasets" fw={400}>
            {experimentDatasets.isPending ? "Datasets" : "No datasets"}
          </Button>
        ) : (
          <MultiSelect
            w={220}
            aria-label="Datasets"
            placeholder={datasets.length ? undefined : "Datasets"}
            data={datasetOptions}
            value={datasets.map((d) => JSON.stringify([d.name, d.digest]))}
            onChange={(values) => {
              const picked = values.map((v) => {
                const [name, digest] = JSON.parse(v) as [string, string];
                return { name, digest };
              });
              set({ datasetsFilter: picked.length ? JSON.stringify(picked) : null });
            }}
            searchable
            clearable
            nothingFoundMessage="No dataset matches"
          />
        )}
        <ColumnPicker
          groups={[
            { group: "Metrics", ids: keys.metrics.map((k) => `metrics.${k}`) },
            { group: "Parameters", ids: keys.params.map((k) => `params.${k}`) },
            { group: "Tags", ids: keys.tags.map((k) => `tags.${k}`) },
          ]}
          value={columnIds}
          onChange={setColumns}
          onOpen={loadKeys}
        />
      </Group>
      <Group gap="xs">
        <Text size="sm" c="dimmed" data-testid="run-count">
          {rows.length}
          {runs.hasNextPage ? "+" : ""} runs
          {selected.size ? ` · ${selected.size} selected` : ""}
        </Text>
        {selected.size > 0 && lifecycle === "Active" && (
          <Button size="compact-sm" color="red" variant="light" onClick={() => act((id) => client.deleteRun(id))}>
            Delete
          </Button>
        )}
        {selected.size > 0 && lifecycle === "Deleted" && (
          <Button size="compact-sm" variant="light" onClick={() => act((id) => client.restoreRun(id))}>
            Restore
          </Button>
        )}
        {selected.size > 0 && lifecycle === "Deleted" && (
          <Button size="compact-sm" color="red" variant="light" onClick={() => setPurging(true)}>
            Delete permanently
          </Button>
        )}
        {selected.size > 0 && (
          <Button size="compact-sm" variant="light" onClick={() => setMoving(true)}>
            Move
          </Button>
        )}
        {selected.size > 0 && (
          <Button size="compact-sm" variant="light" onClick={() => setTagging(true)}>
            Add tag
          </Button>
        )}
        {selected.size === 1 && (
          <Button size="compact-sm" variant="light" onClick={() => setRenaming(true)}>
            Rename
          </Button>
        )}
        <Button size="compact-sm" variant="default" onClick={exportCsv} disabled={!rows.length}>
          Download CSV
        </Button>
      </Group>
      <Box
        ref={scrollRef}
        style={{
          flex: 1,
          overflow: "auto",
          border: "1px solid var(--mantine-color-default-border)",
          borderRadius: 6,
        }}
        data-testid="runs-table"
      >
        <div style={{ width: totalWidth, minWidth: "100%" }}>
          <div
            style={{
              display: "flex",
              position: "sticky",
              top: 0,
              zIndex: 2,
              height: ROW_H,
              alignItems: "center",
              fontWeight: 600,
              background: "var(--mantine-color-body)",
              borderBottom: "1px solid var(--mantine-color-default-border)",
            }}
          >
            <div className="runs-sticky">
              <div className="cell" style={{ width: CHECK_W }}>
                <Checkbox
                  size="xs"
                  aria-label="Select all"
                  checked={selected.size > 0 && selected.size === rows.length}
                  onChange={(e) =>
                    setSelected(e.currentTarget.checked ? new Set(rows.map((r) => r.info.run_id)) : new Set())
                  }
                />
              </div>
              <UnstyledButton
                className="cell"
                fw={600}
                style={{ width: NAME_W }}
                onClick={() =>
                  sortOn({ id: "name", label: "", width: 0, orderKey: "attributes.run_name", value: () => "" })
                }
              >
                Run name{arrow("attributes.run_name")}
              </UnstyledButton>
            </div>
            <div style={{ width: colWindow.offset, flex: "none" }} />
            {columns.slice(colWindow.start, colWindow.end).map((c) => (
              <UnstyledButton
                key={c.id}
                className="cell"
                fw={600}
                title={c.id}
                data-testid="column-header"
                style={{ width: c.width }}
                onClick={() => sortOn(c)}
              >
                <Text
                  span
                  size="xs"
                  c={c.id.startsWith("metrics.") ? "blue" : c.id.startsWith("params.") ? "grape" : "dimmed"}
                >
                  {c.id.startsWith("metrics.")
                    ? "M "
                    : c.id.startsWith("params.")
                      ? "P "
                      : c.id.startsWith("tags.")
                        ? "T "
                        : ""}
                </Text>
                {c.label}
                {arrow(c.orderKey)}
              </UnstyledButton>
            ))}
          </div>
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {items.map((v) => {
              const row = display[v.index];
              if (!row) return null;
              const id = row.run.info.run_id;
              return (
                <RunRow
                  key={id}
                  row={row}
                  top={v.start}
                  columns={columns}
                  colStart={colWindow.start}
                  colEnd={colWindow.end}
                  colOffset={colWindow.offset}
                  width={totalWidth}
                  experimentId={experimentId}
                  selected={selected.has(id)}
                  cursor={v.index === cursor}
                  pinned={pinned.includes(id)}
                  expanded={expanded.has(id)}
                  onToggle={toggle}
                  onPin={togglePin}
                  onExpand={toggleExpand}
                />
              );
            })}
          </div>
          {runs.isLoading && (
            <Group p="md">
              <Loader size="sm" />
            </Group>
          )}
          {!runs.isLoading && !runs.error && rows.length === 0 && (
            <Text p="md" c="dimmed">
              No runs match.
            </Text>
          )}
        </div>
      </Box>
      {runs.isFetchingNextPage && <Text size="xs">Loading more…</Text>}
      <NameModal
        opened={tagging}
        title={`Add a tag to ${selected.size} run${selected.size === 1 ? "" : "s"}`}
        label="key=value"
        initial=""
        onClose={() => setTagging(false)}
        onSubmit={async (kv) => {
          const eq = kv.indexOf("=");
          if (eq <= 0) throw new Error("Write the tag as key=value.");
          const key = kv.slice(0, eq).trim();
          const value = kv.slice(eq + 1).trim();
          await act((id) => client.setTag(id, key, value));
        }}
      />
      <NameModal
        opened={renaming}
        title="Rename run"
        initial={rows.find((r) => selected.has(r.info.run_id))?.info.run_name ?? ""}
        onClose={() => setRenaming(false)}
        onSubmit={async (name) => {
          await act(async (id) => {
            await client.updateRun(id, { runName: name });
          });
        }}
      />
      {moving && (
        <MoveRunsModal
          opened
          experimentId={experimentId}
          runIds={selectedIds}
          onClose={() => setMoving(false)}
          onMoved={(count, target) => {
            setSelected(new Set());
            setNotice({ text: `Moved ${count} run${count === 1 ? "" : "s"} to ${target.name}.`, color: "green" });
            void qc.invalidateQueries({ queryKey: ["runs"] });
            void qc.invalidateQueries({ queryKey: ["datasets"] });
          }}
        />
      )}
      {purging && (
        <DeletePermanentlyModal
          opened
          runIds={selectedIds}
          onClose={() => setPurging(false)}
          onDeleted={(count, left) => {
            setSelected(new Set());
            setNotice({
              text:
                `Deleted ${count} run${count === 1 ? "" : "s"} permanently.` +
                (left ? ` The artifacts of ${left} could not be removed (not stored by this server).` : ""),
              color: left ? "yellow" : "green",
            });
            void qc.invalidateQueries({ queryKey: ["runs", experimentId] });
          }}
        />
      )}
      <Notice notice={notice} onClose={closeNotice} />
      <style>{TABLE_CSS}</style>
      {experiment.error && <Alert color="red">{errorText(experiment.error)}</Alert>}
    </Stack>
  );
}
