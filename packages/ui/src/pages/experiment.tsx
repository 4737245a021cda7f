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
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ColumnPicker } from "../column-picker.js";
import { client, errorText } from "../api.js";
import { NameModal, useSlashFocus } from "./experiments.js";
import { DeletePermanentlyModal, MoveRunsModal, Notice } from "./run-actions.js";
import { type ColumnWindow, nestRuns, ROW_H, RunRow, TABLE_CSS } from "./runs-row.js";
import { BASE_COLUMNS, CHECK_W, type Column, keyColumn, NAME_W, STICKY_W, toCsv } from "./runs-columns.js";
import {
  completesKey,
  type DatasetRef,
  effectiveFilter,
  filterSuggestions,
  isFilterExpression,
  parseDatasets,
  TIME_PRESETS,
} from "./runs-filter.js";

const PAGE = 200;

export { runColor } from "./runs-row.js";

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
  const completingKey = completesKey(text);
  const quickSearch = searchFilter.trim() && !isFilterExpression(searchFilter) ? searchFilter.trim() : null;
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
          placeholder="Run name, or metrics.rmse < 1 and params.model = 'tree'   ( / )"
          aria-label="Search runs"
          onFocus={loadKeys}
          value={text}
          onChange={setText}
          data={suggestions}
          filter={({ options }) => options}
          // a bare word may be a run name: Enter searches unless a completion was picked with the arrows
          selectFirstOptionOnChange={completingKey}
          onKeyDown={(e) => {
            if (e.key !== "Enter") return;
            const picking = completingKey || e.currentTarget.getAttribute("aria-activedescendant");
            if (suggestions.length === 0 || !picking) set({ searchFilter: text });
          }}
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
          {quickSearch ? ` · run name contains “${quickSearch}”` : ""}
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
