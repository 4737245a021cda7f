import type { Run } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Checkbox,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ColumnPicker } from "../column-picker.js";
import { client, errorText, formatDuration, formatNumber, formatTime } from "../api.js";
import { useSlashFocus } from "./experiments.js";

const PAGE = 200;
const ROW_H = 34;

interface Column {
  id: string;
  label: string;
  width: number;
  /** MLflow's order_by key, when the column sorts on the server. */
  orderKey?: string;
  value: (r: Run) => string;
}

const STATUS_COLOR: Record<string, string> = { FINISHED: "green", RUNNING: "blue", FAILED: "red", KILLED: "gray" };

const BASE_COLUMNS: Column[] = [
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
    value: (r) => r.data.tags?.find((t) => t.key === "mlflow.source.name")?.value ?? "",
  },
];

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
  const head = ["run_id", "run_name", "status", ...columns.map((c) => c.id)];
  const rows = runs.map((r) => [
    r.info.run_id,
    r.info.run_name ?? "",
    r.info.status ?? "",
    ...columns.map((c) => c.value(r)),
  ]);
  return [head, ...rows].map((row) => row.map(esc).join(",")).join("\n");
}

export function ExperimentPage() {
  const { experimentId = "0" } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const searchFilter = params.get("searchFilter") ?? "";
  const orderByKey = params.get("orderByKey") ?? "attributes.start_time";
  const orderByAsc = params.get("orderByAsc") === "true";
  const lifecycle = params.get("lifecycleFilter") === "Deleted" ? "Deleted" : "Active";
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

  const experiment = useQuery({
    queryKey: ["experiment", experimentId],
    queryFn: () => client.getExperiment(experimentId),
  });
  const runs = useInfiniteQuery({
    queryKey: ["runs", experimentId, searchFilter, orderByKey, orderByAsc, lifecycle],
    queryFn: ({ pageParam }) =>
      client.searchRuns([experimentId], {
        filter: searchFilter || undefined,
        orderBy: [`${orderByKey} ${orderByAsc ? "ASC" : "DESC"}`],
        maxResults: PAGE,
        pageToken: pageParam,
        runViewType: lifecycle === "Deleted" ? "DELETED_ONLY" : "ACTIVE_ONLY",
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextPageToken || undefined,
  });
  const rows = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data]);

  // every metric, param and tag key seen in the loaded runs, for the column picker
  const keys = useMemo(() => {
    const m = new Set<string>();
    const p = new Set<string>();
    const t = new Set<string>();
    for (const r of rows) {
      for (const x of r.data.metrics ?? []) m.add(x.key);
      for (const x of r.data.params ?? []) p.add(x.key);
      for (const x of r.data.tags ?? []) if (!x.key.startsWith("mlflow.")) t.add(x.key);
    }
    return { metrics: [...m].sort(), params: [...p].sort(), tags: [...t].sort() };
  }, [rows]);
  const columnIds = picked ?? [
    ...keys.metrics.slice(0, 6).map((k) => `metrics.${k}`),
    ...keys.params.slice(0, 6).map((k) => `params.${k}`),
  ];
  const columns = [
    ...BASE_COLUMNS,
    ...columnIds.map((id) => {
      const dot = id.indexOf(".");
      return keyColumn(id.slice(0, dot) as "metrics" | "params" | "tags", id.slice(dot + 1));
    }),
  ];
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
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 20,
  });
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
        const next = Math.max(0, Math.min(rows.length - 1, cursor + (e.key === "j" ? 1 : -1)));
        setCursor(next);
        virtualizer.scrollToIndex(next);
      } else if (e.key === "Enter" && rows[cursor]) {
        navigate(`/experiments/${experimentId}/runs/${rows[cursor].info.run_id}`);
      } else if (e.key === "x" && rows[cursor]) {
        toggle(rows[cursor].info.run_id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
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

  const nameWidth = 240;
  const totalWidth = 40 + nameWidth + 90 + columns.reduce((s, c) => s + c.width, 0);
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
        <TextInput
          ref={inputRef}
          style={{ flex: 1, minWidth: 320 }}
          placeholder="metrics.rmse < 1 and params.model = 'tree'   ( / )"
          aria-label="Search runs"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && set({ searchFilter: text })}
          error={runs.error ? errorText(runs.error) : undefined}
          ff="monospace"
        />
        <SegmentedControl
          value={lifecycle}
          onChange={(v) => set({ lifecycleFilter: v === "Deleted" ? "Deleted" : null })}
          data={["Active", "Deleted"]}
        />
        <ColumnPicker
          groups={[
            { group: "Metrics", ids: keys.metrics.map((k) => `metrics.${k}`) },
            { group: "Parameters", ids: keys.params.map((k) => `params.${k}`) },
            { group: "Tags", ids: keys.tags.map((k) => `tags.${k}`) },
          ]}
          value={columnIds}
          onChange={setColumns}
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
              zIndex: 1,
              height: ROW_H,
              alignItems: "center",
              fontWeight: 600,
              background: "var(--mantine-color-body)",
              borderBottom: "1px solid var(--mantine-color-default-border)",
            }}
          >
            <div className="cell" style={{ width: 40 }}>
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
              style={{ width: nameWidth }}
              onClick={() =>
                sortOn({ id: "name", label: "", width: 0, orderKey: "attributes.run_name", value: () => "" })
              }
            >
              Run name{arrow("attributes.run_name")}
            </UnstyledButton>
            <div className="cell" style={{ width: 90 }}>
              Status
            </div>
            {columns.map((c) => (
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
              const r = rows[v.index];
              if (!r) return null;
              const id = r.info.run_id;
              return (
                <div
                  key={id}
                  className="runs-row"
                  data-testid="run-row"
                  data-selected={selected.has(id)}
                  data-cursor={v.index === cursor}
                  style={{
                    position: "absolute",
                    top: 0,
                    transform: `translateY(${v.start}px)`,
                    height: ROW_H,
                    width: "100%",
                    display: "flex",
                    alignItems: "center",
                    borderBottom: "1px solid var(--mantine-color-default-border)",
                  }}
                >
                  <div className="cell" style={{ width: 40 }}>
                    <Checkbox
                      size="xs"
                      aria-label="Select run"
                      checked={selected.has(id)}
                      onChange={() => toggle(id)}
                    />
                  </div>
                  <div className="cell" style={{ width: nameWidth }}>
                    <Anchor component={Link} to={`/experiments/${experimentId}/runs/${id}`} size="sm">
                      {r.info.run_name || id}
                    </Anchor>
                  </div>
                  <div className="cell" style={{ width: 90 }}>
                    <Badge size="xs" variant="light" color={STATUS_COLOR[r.info.status ?? ""] ?? "gray"}>
                      {r.info.status}
                    </Badge>
                  </div>
                  {columns.map((c) => (
                    <div key={c.id} className="cell" style={{ width: c.width }}>
                      {c.value(r)}
                    </div>
                  ))}
                </div>
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
      {experiment.error && <Alert color="red">{errorText(experiment.error)}</Alert>}
    </Stack>
  );
}
