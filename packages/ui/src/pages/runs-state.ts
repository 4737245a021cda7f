import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { client } from "../api.js";
import { sortedIds } from "../links.js";
import { type DatasetRef, effectiveFilter, isFilterExpression, parseDatasets } from "./runs-filter.js";

/**
 * The runs table's state: search facets in the URL (MLflow's query parameters, so links share the
 * view), per-experiment UI state in local storage, and the queries. A table over several
 * experiments keys its state on the sorted id list, as MLflow does.
 */

const PAGE = 200;

export { sortedIds };

/** The local storage key part for one experiment (`1`, as before) or several (`1,2`). */
export function stateKey(ids: readonly string[]): string {
  return sortedIds(ids).join(",");
}

export type Lifecycle = "Active" | "Deleted";

export function useRunsFacets() {
  const [params, setParams] = useSearchParams();
  const searchFilter = params.get("searchFilter") ?? "";
  const orderByKey = params.get("orderByKey") ?? "attributes.start_time";
  const orderByAsc = params.get("orderByAsc") === "true";
  const lifecycle: Lifecycle = params.get("lifecycleFilter") === "Deleted" ? "Deleted" : "Active";
  const startTime = params.get("startTime") ?? "ALL";
  // the preset's cutoff is fixed when the preset is chosen, so paging keeps one consistent filter
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when the preset changes
  const now = useMemo(() => Date.now(), [startTime]);
  const datasetsParam = params.get("datasetsFilter");
  const datasets = useMemo(() => parseDatasets(datasetsParam), [datasetsParam]);
  const filter = effectiveFilter(searchFilter, startTime, now, datasets);
  const quickSearch = searchFilter.trim() && !isFilterExpression(searchFilter) ? searchFilter.trim() : null;
  /** Changes URL parameters (null or "" removes one); other parameters (e.g. `experiments`) stay. */
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };
  return { searchFilter, orderByKey, orderByAsc, lifecycle, startTime, datasets, filter, quickSearch, set };
}

export type RunsFacets = ReturnType<typeof useRunsFacets>;

/**
 * A list kept in local storage under `key` (column ids, pinned run ids); null until first set. The
 * key is read once: the runs view is keyed on its experiments, so another experiment remounts it.
 */
export function useStoredList(key: string): [string[] | null, (next: string[]) => void] {
  const [value, setValue] = useState<string[] | null>(() => {
    const saved = localStorage.getItem(key);
    return saved ? (JSON.parse(saved) as string[]) : null;
  });
  const set = useCallback(
    (next: string[]) => {
      localStorage.setItem(key, JSON.stringify(next));
      setValue(next);
    },
    [key],
  );
  return [value, set];
}

const viewType = (lifecycle: Lifecycle) => (lifecycle === "Deleted" ? "DELETED_ONLY" : "ACTIVE_ONLY");

/** The runs of the experiments, a page of 200 at a time (infinite scroll). */
export function useRuns(ids: readonly string[], f: RunsFacets) {
  const key = stateKey(ids);
  const runs = useInfiniteQuery({
    queryKey: ["runs", key, f.filter, f.orderByKey, f.orderByAsc, f.lifecycle],
    queryFn: ({ pageParam }) =>
      client.searchRuns(sortedIds(ids), {
        filter: f.filter,
        orderBy: [`${f.orderByKey} ${f.orderByAsc ? "ASC" : "DESC"}`],
        maxResults: PAGE,
        pageToken: pageParam,
        runViewType: viewType(f.lifecycle),
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextPageToken || undefined,
  });
  const rows = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data]);
  return { runs, rows };
}

/** The datasets preset's choices, asked for once the first rows are in (keeps the first request alone). */
export function useDatasetOptions(ids: readonly string[], picked: readonly DatasetRef[], enabled: boolean) {
  const experimentDatasets = useQuery({
    queryKey: ["datasets", stateKey(ids)],
    enabled,
    queryFn: () => client.searchDatasets(sortedIds(ids)),
  });
  const options = useMemo(() => {
    const seen = new Map<string, { value: string; label: string }>();
    const add = (d: DatasetRef, context?: string) => {
      const value = JSON.stringify([d.name, d.digest]);
      const prev = seen.get(value);
      if (!prev) seen.set(value, { value, label: `${d.name} (${d.digest})${context ? ` [${context}]` : ""}` });
      else if (context && !prev.label.includes(`[${context}]`)) prev.label += ` [${context}]`;
    };
    for (const d of experimentDatasets.data ?? []) add(d, d.context);
    for (const d of picked) add(d); // picked in the URL, even if no longer logged here
    return [...seen.values()];
  }, [experimentDatasets.data, picked]);
  return { options, pending: experimentDatasets.isPending };
}

export interface RunKeys {
  metrics: string[];
  params: string[];
  tags: string[];
}

/**
 * Every metric, param and tag key seen in the loaded runs, plus (once the picker or the search box
 * is used: a wide experiment's keys are not all in the loaded pages) every key the server lists.
 */
export function useRunKeys(ids: readonly string[], lifecycle: Lifecycle, rows: { data: RunData }[]) {
  const [wanted, setWanted] = useState(false);
  const load = useCallback(() => setWanted(true), []);
  const serverKeys = useQuery({
    queryKey: ["keys", stateKey(ids), lifecycle],
    enabled: wanted,
    queryFn: async () => {
      const all = await Promise.all(
        sortedIds(ids).map((id) => client.experimentKeys(id, { runViewType: viewType(lifecycle), maxResults: 50_000 })),
      );
      return {
        metrics: all.flatMap((k) => k.metrics),
        params: all.flatMap((k) => k.params),
        tags: all.flatMap((k) => k.tags),
      };
    },
  });
  const keys = useMemo((): RunKeys => {
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
  return { keys, load };
}

interface RunData {
  metrics?: { key: string }[];
  params?: { key: string }[];
  tags?: { key: string }[];
}

/** A set of ids in React state with a stable toggle. */
export function useIdSet(): [Set<string>, (id: string) => void, (next: Set<string>) => void] {
  const [set, setSet] = useState<Set<string>>(new Set());
  const toggle = useCallback(
    (id: string) =>
      setSet((s) => {
        const n = new Set(s);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
    [],
  );
  return [set, toggle, setSet];
}
