import type { Run } from "@mlflow-ts/client";
import { memo } from "react";
import { Link } from "react-router";
import { CHECK_W, type Column, NAME_W } from "./runs-columns.js";

/** One row of the runs table and how rows are ordered (pins, nesting). */

export const ROW_H = 34;

export interface DisplayRow {
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
export function nestRuns(runs: Run[], pinned: Set<string>, expanded: Set<string>): DisplayRow[] {
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
export const TABLE_CSS = `
.runs-sticky { position: sticky; left: 0; z-index: 1; display: flex; align-items: center; height: 100%; background: var(--mantine-color-body); }
.runs-row:hover .runs-sticky { background: linear-gradient(var(--mantine-color-default-hover), var(--mantine-color-default-hover)), var(--mantine-color-body); }
.runs-row[data-selected="true"] .runs-sticky { background: linear-gradient(var(--mantine-color-blue-light), var(--mantine-color-blue-light)), var(--mantine-color-body); }
`;

/** The columns a row renders: indexes [start, end) of the column list, after `offset` px of blank space. */
export interface ColumnWindow {
  start: number;
  end: number;
  offset: number;
}

/** One table row in plain elements (rendered in hundreds while scrolling, so no component-library widgets). */
export const RunRow = memo(function RunRow(props: {
  row: DisplayRow;
  top: number;
  columns: Column[];
  colStart: number;
  colEnd: number;
  colOffset: number;
  width: number;
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
          <Link className="run-link" to={`/experiments/${r.info.experiment_id}/runs/${id}`}>
            {r.info.run_name || id}
          </Link>
        </div>
      </div>
      <div style={{ width: props.colOffset, flex: "none" }} />
      {props.columns.slice(props.colStart, props.colEnd).map((c) => (
        <div key={c.id} className="cell" style={c.style ? { width: c.width, ...c.style(r) } : { width: c.width }}>
          {c.href ? (
            <Link className="cell-link" to={c.href(r)}>
              {c.value(r)}
            </Link>
          ) : (
            c.value(r)
          )}
        </div>
      ))}
    </div>
  );
});
