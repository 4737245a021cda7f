import { Box, Checkbox, Group, Loader, Text, UnstyledButton } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { CHECK_W, type Column, NAME_W, STICKY_W } from "./runs-columns.js";
import { type ColumnWindow, type DisplayRow, ROW_H, RunRow, TABLE_CSS } from "./runs-row.js";

const kindMark = (id: string) =>
  id.startsWith("metrics.") ? "M " : id.startsWith("params.") ? "P " : id.startsWith("tags.") ? "T " : "";
const kindColor = (id: string) => (id.startsWith("metrics.") ? "blue" : id.startsWith("params.") ? "grape" : "dimmed");

/**
 * The runs table itself: rows and columns virtualized (only the visible window is in the DOM, behind
 * a sticky select/run-name block), header sort, the next page fetched near the end, and the keys
 * `j`/`k` (move), `Enter` (open), `x` (select).
 */
export function RunsGrid(props: {
  display: DisplayRow[];
  columns: Column[];
  /** changes when the column list does (widths are measured again) */
  columnKey: string;
  selected: Set<string>;
  allSelected: boolean;
  onSelectAll: (checked: boolean) => void;
  onToggle: (id: string) => void;
  pinned: readonly string[];
  onPin: (id: string) => void;
  expanded: Set<string>;
  onExpand: (id: string) => void;
  orderByKey: string;
  orderByAsc: boolean;
  onSort: (orderKey: string) => void;
  loading: boolean;
  /** The empty state's text, when there are no rows. */
  empty: string | null;
  /** Called when the last rows come into view. */
  onNearEnd: () => void;
  rowCount: number;
}) {
  const { display, columns } = props;
  const navigate = useNavigate();
  const [cursor, setCursor] = useState(-1);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: display.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 20,
  });
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => columns[i]?.width ?? 120,
    paddingStart: STICKY_W,
    overscan: 6,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: widths change with the column list
  useEffect(() => columnVirtualizer.measure(), [props.columnKey]);
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
  const { onNearEnd, rowCount } = props;
  useEffect(() => {
    if (lastIndex >= rowCount - 40) onNearEnd();
  }, [lastIndex, rowCount, onNearEnd]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (["INPUT", "TEXTAREA"].includes(t.tagName) || e.metaKey || e.ctrlKey) return;
      const row = display[cursor];
      if (e.key === "j" || e.key === "k") {
        const next = Math.max(0, Math.min(display.length - 1, cursor + (e.key === "j" ? 1 : -1)));
        setCursor(next);
        virtualizer.scrollToIndex(next);
      } else if (e.key === "Enter" && row) {
        navigate(`/experiments/${row.run.info.experiment_id}/runs/${row.run.info.run_id}`);
      } else if (e.key === "x" && row) {
        props.onToggle(row.run.info.run_id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const totalWidth = STICKY_W + columns.reduce((s, c) => s + c.width, 0);
  const arrow = (key?: string) => (key && key === props.orderByKey ? (props.orderByAsc ? " ↑" : " ↓") : "");
  return (
    <Box
      ref={scrollRef}
      style={{ flex: 1, overflow: "auto", border: "1px solid var(--mantine-color-default-border)", borderRadius: 6 }}
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
                checked={props.allSelected}
                onChange={(e) => props.onSelectAll(e.currentTarget.checked)}
              />
            </div>
            <UnstyledButton
              className="cell"
              fw={600}
              style={{ width: NAME_W }}
              onClick={() => props.onSort("attributes.run_name")}
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
              style={{ width: c.width, cursor: c.orderKey ? "pointer" : "default" }}
              onClick={() => c.orderKey && props.onSort(c.orderKey)}
            >
              <Text span size="xs" c={kindColor(c.id)}>
                {kindMark(c.id)}
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
                selected={props.selected.has(id)}
                cursor={v.index === cursor}
                pinned={props.pinned.includes(id)}
                expanded={props.expanded.has(id)}
                onToggle={props.onToggle}
                onPin={props.onPin}
                onExpand={props.onExpand}
              />
            );
          })}
        </div>
        {props.loading && (
          <Group p="md">
            <Loader size="sm" />
          </Group>
        )}
        {props.empty && (
          <Text p="md" c="dimmed">
            {props.empty}
          </Text>
        )}
      </div>
      <style>{TABLE_CSS}</style>
    </Box>
  );
}
