import { Autocomplete, Button, Group, MultiSelect, SegmentedControl, Select } from "@mantine/core";
import { useEffect, useMemo, useRef, useState } from "react";
import { ColumnPicker } from "../column-picker.js";
import { NameModal, useSlashFocus } from "./experiments.js";
import { completesKey, filterSuggestions, TIME_PRESETS } from "./runs-filter.js";
import type { RunKeys, RunsFacets } from "./runs-state.js";

/** The runs table's filter bar: search box (filter or run name), presets, datasets and the column picker. */
export function RunsFilterBar(props: {
  facets: RunsFacets;
  keys: RunKeys;
  /** Asks for every key of the experiments (the picker or the search box is used). */
  onWantKeys: () => void;
  datasetOptions: { value: string; label: string }[];
  datasetsPending: boolean;
  columnIds: string[];
  onColumns: (ids: string[]) => void;
  error?: string | undefined;
}) {
  const { facets: f, keys } = props;
  const [text, setText] = useState(f.searchFilter);
  useEffect(() => setText(f.searchFilter), [f.searchFilter]);
  const inputRef = useRef<HTMLInputElement>(null);
  useSlashFocus(inputRef);
  const suggestions = useMemo(() => filterSuggestions(text, keys), [text, keys]);
  const completingKey = completesKey(text);
  return (
    <Group gap="sm" align="flex-start">
      <Autocomplete
        ref={inputRef}
        style={{ flex: 1, minWidth: 320 }}
        placeholder="Run name, or metrics.rmse < 1 and params.model = 'tree'   ( / )"
        aria-label="Search runs"
        onFocus={props.onWantKeys}
        value={text}
        onChange={setText}
        data={suggestions}
        filter={({ options }) => options}
        // a bare word may be a run name: Enter searches unless a completion was picked with the arrows
        selectFirstOptionOnChange={completingKey}
        onKeyDown={(e) => {
          if (e.key !== "Enter") return;
          const picking = completingKey || e.currentTarget.getAttribute("aria-activedescendant");
          if (suggestions.length === 0 || !picking) f.set({ searchFilter: text });
        }}
        error={props.error}
        ff="monospace"
      />
      <Select
        w={150}
        aria-label="Time created"
        value={f.startTime}
        onChange={(v) => f.set({ startTime: v && v !== "ALL" ? v : null })}
        data={Object.entries(TIME_PRESETS).map(([value, p]) => ({ value, label: p.label }))}
        allowDeselect={false}
      />
      <SegmentedControl
        value={f.lifecycle}
        onChange={(v) => f.set({ lifecycleFilter: v === "Deleted" ? "Deleted" : null })}
        data={["Active", "Deleted"]}
      />
      {props.datasetOptions.length === 0 ? (
        // MLflow's control is disabled when no datasets were logged; the combobox renders once there are some
        <Button w={220} variant="default" disabled aria-label="Datasets" fw={400}>
          {props.datasetsPending ? "Datasets" : "No datasets"}
        </Button>
      ) : (
        <MultiSelect
          w={220}
          aria-label="Datasets"
          placeholder={f.datasets.length ? undefined : "Datasets"}
          data={props.datasetOptions}
          value={f.datasets.map((d) => JSON.stringify([d.name, d.digest]))}
          onChange={(values) => {
            const picked = values.map((v) => {
              const [name, digest] = JSON.parse(v) as [string, string];
              return { name, digest };
            });
            f.set({ datasetsFilter: picked.length ? JSON.stringify(picked) : null });
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
        value={props.columnIds}
        onChange={props.onColumns}
        onOpen={props.onWantKeys}
      />
    </Group>
  );
}

/** "Add a tag" to the selected runs, as `key=value`. */
export function AddTagModal(props: {
  opened: boolean;
  count: number;
  onClose: () => void;
  onSubmit: (key: string, value: string) => Promise<void>;
}) {
  return (
    <NameModal
      opened={props.opened}
      title={`Add a tag to ${props.count} run${props.count === 1 ? "" : "s"}`}
      label="key=value"
      initial=""
      onClose={props.onClose}
      onSubmit={async (kv) => {
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new Error("Write the tag as key=value.");
        await props.onSubmit(kv.slice(0, eq).trim(), kv.slice(eq + 1).trim());
      }}
    />
  );
}
