import type { Run } from "@mlflow-ts/client";
import { Button, Group, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { client } from "../api.js";
import { NameModal } from "./experiments.js";
import { DeletePermanentlyModal, MoveRunsModal, Notice } from "./run-actions.js";
import { type Column, toCsv } from "./runs-columns.js";
import { type Lifecycle, sortedIds, stateKey } from "./runs-state.js";
import { AddTagModal } from "./runs-toolbar.js";

/**
 * The line above the runs table: the count, the quick-search hint, and the actions on the selected
 * runs (delete, restore, delete permanently, move, tag, rename) with their dialogs, and CSV export.
 * Moving needs one source experiment, so a table over several experiments does not offer it.
 */
export function RunsActionBar(props: {
  experimentIds: string[];
  rows: Run[];
  columns: Column[];
  more: boolean;
  lifecycle: Lifecycle;
  quickSearch: string | null;
  selected: Set<string>;
  onSelected: (next: Set<string>) => void;
}) {
  const { selected, rows, lifecycle } = props;
  const qc = useQueryClient();
  const key = stateKey(props.experimentIds);
  const single = props.experimentIds.length === 1 ? props.experimentIds[0] : undefined;
  const [dialog, setDialog] = useState<"tag" | "rename" | "move" | "purge" | null>(null);
  const close = useCallback(() => setDialog(null), []);
  const [notice, setNotice] = useState<{ text: string; color: string } | null>(null);
  const closeNotice = useCallback(() => setNotice(null), []);
  const selectedIds = [...selected];
  const n = selected.size;
  const act = async (fn: (id: string) => Promise<void>) => {
    await Promise.all(selectedIds.map(fn));
    props.onSelected(new Set());
    await qc.invalidateQueries({ queryKey: ["runs", key] });
  };
  const exportCsv = () => {
    const blob = new Blob([toCsv(rows, props.columns)], { type: "text/csv" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `runs-${sortedIds(props.experimentIds).join("-")}.csv`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <Group gap="xs">
      <Text size="sm" c="dimmed" data-testid="run-count">
        {rows.length}
        {props.more ? "+" : ""} runs
        {props.quickSearch ? ` · run name contains “${props.quickSearch}”` : ""}
        {n ? ` · ${n} selected` : ""}
      </Text>
      {n > 0 && lifecycle === "Active" && (
        <Button size="compact-sm" color="red" variant="light" onClick={() => act((id) => client.deleteRun(id))}>
          Delete
        </Button>
      )}
      {n > 0 && lifecycle === "Deleted" && (
        <Button size="compact-sm" variant="light" onClick={() => act((id) => client.restoreRun(id))}>
          Restore
        </Button>
      )}
      {n > 0 && lifecycle === "Deleted" && (
        <Button size="compact-sm" color="red" variant="light" onClick={() => setDialog("purge")}>
          Delete permanently
        </Button>
      )}
      {n > 0 && single !== undefined && (
        <Button size="compact-sm" variant="light" onClick={() => setDialog("move")}>
          Move
        </Button>
      )}
      {n > 0 && (
        <Button size="compact-sm" variant="light" onClick={() => setDialog("tag")}>
          Add tag
        </Button>
      )}
      {n === 1 && (
        <Button size="compact-sm" variant="light" onClick={() => setDialog("rename")}>
          Rename
        </Button>
      )}
      <Button size="compact-sm" variant="default" onClick={exportCsv} disabled={!rows.length}>
        Download CSV
      </Button>
      <AddTagModal
        opened={dialog === "tag"}
        count={n}
        onClose={close}
        onSubmit={(k, v) => act((id) => client.setTag(id, k, v))}
      />
      <NameModal
        opened={dialog === "rename"}
        title="Rename run"
        initial={rows.find((r) => selected.has(r.info.run_id))?.info.run_name ?? ""}
        onClose={close}
        onSubmit={(name) =>
          act(async (id) => {
            await client.updateRun(id, { runName: name });
          })
        }
      />
      {dialog === "move" && single !== undefined && (
        <MoveRunsModal
          opened
          experimentId={single}
          runIds={selectedIds}
          onClose={close}
          onMoved={(count, target) => {
            props.onSelected(new Set());
            setNotice({ text: `Moved ${count} run${count === 1 ? "" : "s"} to ${target.name}.`, color: "green" });
            void qc.invalidateQueries({ queryKey: ["runs"] });
            void qc.invalidateQueries({ queryKey: ["datasets"] });
          }}
        />
      )}
      {dialog === "purge" && (
        <DeletePermanentlyModal
          opened
          runIds={selectedIds}
          onClose={close}
          onDeleted={(count, left) => {
            props.onSelected(new Set());
            setNotice({
              text:
                `Deleted ${count} run${count === 1 ? "" : "s"} permanently.` +
                (left ? ` The artifacts of ${left} could not be removed (not stored by this server).` : ""),
              color: left ? "yellow" : "green",
            });
            void qc.invalidateQueries({ queryKey: ["runs"] });
          }}
        />
      )}
      <Notice notice={notice} onClose={closeNotice} />
    </Group>
  );
}
