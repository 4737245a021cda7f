import { Stack, Text } from "@mantine/core";
import { type ReactNode, useCallback, useMemo } from "react";
import { errorText } from "../api.js";
import { RunsActionBar } from "./runs-bulk.js";
import { BASE_COLUMNS, experimentColumn, keyColumn } from "./runs-columns.js";
import { RunsGrid } from "./runs-grid.js";
import { nestRuns } from "./runs-row.js";
import {
  stateKey,
  useDatasetOptions,
  useIdSet,
  useRunKeys,
  useRuns,
  useRunsFacets,
  useStoredList,
} from "./runs-state.js";
import { RunsFilterBar } from "./runs-toolbar.js";

/**
 * The runs of one experiment, or of several (`experimentNames` given: an Experiment column links to
 * each run's experiment). Columns and pins are kept per sorted experiment-id list; mount it with
 * `key={stateKey(ids)}` so another experiment starts from its own state.
 */
export function RunsView(props: {
  experimentIds: string[];
  experimentNames?: ReadonlyMap<string, string>;
  header: ReactNode;
}) {
  const { experimentIds, experimentNames } = props;
  const key = stateKey(experimentIds);
  const f = useRunsFacets();
  const { runs, rows } = useRuns(experimentIds, f);
  const datasets = useDatasetOptions(experimentIds, f.datasets, !runs.isPending);
  const [selected, toggle, setSelected] = useIdSet();
  const [expanded, toggleExpand] = useIdSet();
  const [pinnedList, setPinned] = useStoredList(`mlflow-ts.pinned.${key}`);
  const pinned = useMemo(() => pinnedList ?? [], [pinnedList]);
  const togglePin = useCallback(
    (id: string) => setPinned(pinned.includes(id) ? pinned.filter((x) => x !== id) : [...pinned, id]),
    [pinned, setPinned],
  );
  const display = useMemo(() => nestRuns(rows, new Set(pinned), expanded), [rows, pinned, expanded]);
  const { keys, load: loadKeys } = useRunKeys(experimentIds, f.lifecycle, rows);
  const [picked, setPicked] = useStoredList(`mlflow-ts.columns.${key}`);
  const columnIds = picked ?? [
    ...keys.metrics.slice(0, 6).map((k) => `metrics.${k}`),
    ...keys.params.slice(0, 6).map((k) => `params.${k}`),
  ];
  const columnKey = columnIds.join("\n");
  // biome-ignore lint/correctness/useExhaustiveDependencies: columnKey stands for columnIds
  const columns = useMemo(
    () => [
      ...(experimentNames ? [experimentColumn(experimentNames)] : []),
      ...BASE_COLUMNS,
      ...columnIds.map((id) => {
        const dot = id.indexOf(".");
        return keyColumn(id.slice(0, dot) as "metrics" | "params" | "tags", id.slice(dot + 1));
      }),
    ],
    [columnKey, experimentNames],
  );
  const onNearEnd = useCallback(() => {
    if (runs.hasNextPage && !runs.isFetchingNextPage) void runs.fetchNextPage();
  }, [runs]);

  return (
    <Stack gap="sm" h="calc(100vh - 52px - 2 * var(--mantine-spacing-md))">
      {props.header}
      <RunsFilterBar
        facets={f}
        keys={keys}
        onWantKeys={loadKeys}
        datasetOptions={datasets.options}
        datasetsPending={datasets.pending}
        columnIds={columnIds}
        onColumns={setPicked}
        error={runs.error ? errorText(runs.error) : undefined}
      />
      <RunsActionBar
        experimentIds={experimentIds}
        rows={rows}
        columns={columns}
        more={runs.hasNextPage}
        lifecycle={f.lifecycle}
        quickSearch={f.quickSearch}
        selected={selected}
        onSelected={setSelected}
      />
      <RunsGrid
        display={display}
        columns={columns}
        columnKey={`${columnKey}\n${experimentNames ? "experiment" : ""}`}
        selected={selected}
        allSelected={selected.size > 0 && selected.size === rows.length}
        onSelectAll={(checked) => setSelected(checked ? new Set(rows.map((r) => r.info.run_id)) : new Set())}
        onToggle={toggle}
        pinned={pinned}
        onPin={togglePin}
        expanded={expanded}
        onExpand={toggleExpand}
        orderByKey={f.orderByKey}
        orderByAsc={f.orderByAsc}
        onSort={(orderKey) =>
          f.set({ orderByKey: orderKey, orderByAsc: f.orderByKey === orderKey && !f.orderByAsc ? "true" : null })
        }
        loading={runs.isLoading}
        empty={
          !runs.isLoading && !runs.error && rows.length === 0
            ? f.filter || f.lifecycle === "Deleted"
              ? "No runs match."
              : `No runs logged to ${experimentIds.length > 1 ? "these experiments" : "this experiment"} yet.`
            : null
        }
        onNearEnd={onNearEnd}
        rowCount={rows.length}
      />
      {runs.isFetchingNextPage && <Text size="xs">Loading more…</Text>}
    </Stack>
  );
}
