import type { KeyValue, Metric } from "@mlflow-ts/client";
import { Anchor, Group, Table, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { client, formatNumber } from "../api.js";

/** The run page's tables: details, parameters and metrics (searchable by key). */

export function KeyValueTable({ rows, label }: { rows: KeyValue[]; label: string }) {
  if (!rows.length) return <Text c="dimmed">No {label}.</Text>;
  return (
    <Table striped verticalSpacing={4} data-testid={`${label}-table`}>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.key}>
            <Table.Td w="40%">
              <Text size="sm" fw={500}>
                {r.key}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm" style={{ wordBreak: "break-all" }}>
                {r.value}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Longer values than this (or more lines) are cut, with a control to show all of it. */
const LONG_CHARS = 160;
const LONG_LINES = 3;

function cut(value: string): string | null {
  const lines = value.split("\n");
  if (value.length <= LONG_CHARS && lines.length <= LONG_LINES) return null;
  const head = lines.slice(0, LONG_LINES).join("\n");
  return `${head.slice(0, LONG_CHARS).trimEnd()}…`;
}

/** A value that may be long (a JSON config, a prompt): the start, and "Show all N characters". */
function LongValue({ name, value }: { name: string; value: string }) {
  const [open, setOpen] = useState(false);
  const short = cut(value);
  return (
    <>
      <Text
        size="sm"
        data-testid="param-value"
        style={{ wordBreak: "break-all", whiteSpace: "pre-wrap", fontFamily: short ? "monospace" : undefined }}
      >
        {short && !open ? short : value}
      </Text>
      {short && (
        <Anchor
          component="button"
          type="button"
          size="xs"
          aria-expanded={open}
          aria-label={open ? `Show less of ${name}` : `Show all of ${name}`}
          onClick={() => setOpen(!open)}
        >
          {open ? "Show less" : `Show all ${value.length.toLocaleString()} characters`}
        </Anchor>
      )}
    </>
  );
}

/** A filter box for a key list; shows "n of m" while it narrows the list. */
function KeySearch(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  shown: number;
  total: number;
}) {
  return (
    <Group gap="xs" mb="xs" wrap="nowrap">
      <TextInput
        size="xs"
        style={{ flex: 1 }}
        aria-label={props.label}
        placeholder={props.label}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
      {props.value.trim() && (
        <Text size="xs" c="dimmed" data-testid="key-search-count">
          {props.shown} of {props.total}
        </Text>
      )}
    </Group>
  );
}

const matches = (q: string) => {
  const needle = q.trim().toLowerCase();
  return (key: string) => !needle || key.toLowerCase().includes(needle);
};

export function ParamsTable({ params }: { params: KeyValue[] }) {
  const [q, setQ] = useState("");
  if (!params.length) return <Text c="dimmed">No parameters.</Text>;
  const rows = [...params].sort((a, b) => a.key.localeCompare(b.key)).filter((p) => matches(q)(p.key));
  return (
    <>
      <KeySearch label="Search parameters" value={q} onChange={setQ} shown={rows.length} total={params.length} />
      <Table striped verticalSpacing={4} data-testid="params-table">
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key} data-testid="param-row" data-key={r.key}>
              <Table.Td w="40%" style={{ verticalAlign: "top" }}>
                <Text size="sm" fw={500} style={{ wordBreak: "break-all" }}>
                  {r.key}
                </Text>
              </Table.Td>
              <Table.Td>
                <LongValue name={r.key} value={r.value ?? ""} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No parameter matches “{q.trim()}”.
        </Text>
      )}
    </>
  );
}

/**
 * Latest value and its step (as the server sent it: an int64 step beyond 2^53 arrives as its exact
 * decimal text), and min, max and the number of points from each metric's history (up to 50 keys).
 */
export function MetricsTable({ runId, metrics }: { runId: string; metrics: Metric[] }) {
  const [q, setQ] = useState("");
  const keys = metrics.map((m) => m.key).sort();
  const history = useQuery({
    queryKey: ["metric-range", runId, keys.join("\n")],
    enabled: keys.length > 0 && keys.length <= 50,
    queryFn: async () => {
      const out: Record<string, { min: number; max: number; steps: number }> = {};
      await Promise.all(
        keys.map(async (k) => {
          const h = await client.getMetricHistory(runId, k);
          const values = h.map((p) => p.value).filter((v) => !Number.isNaN(v));
          out[k] = { min: Math.min(...values), max: Math.max(...values), steps: h.length };
        }),
      );
      return out;
    },
  });
  if (!metrics.length) return <Text c="dimmed">No metrics.</Text>;
  const rows = [...metrics].sort((a, b) => a.key.localeCompare(b.key)).filter((m) => matches(q)(m.key));
  return (
    <>
      <KeySearch label="Search metrics" value={q} onChange={setQ} shown={rows.length} total={metrics.length} />
      <Table striped verticalSpacing={4} data-testid="metrics-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Metric</Table.Th>
            <Table.Th>Latest</Table.Th>
            <Table.Th>Step</Table.Th>
            <Table.Th>Min</Table.Th>
            <Table.Th>Max</Table.Th>
            <Table.Th>Points</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((m) => {
            const h = history.data?.[m.key];
            return (
              <Table.Tr key={m.key} data-testid="metric-row" data-key={m.key}>
                <Table.Td fw={500} style={{ wordBreak: "break-all" }}>
                  {m.key}
                </Table.Td>
                <Table.Td>{formatNumber(m.value)}</Table.Td>
                <Table.Td data-testid="metric-step">{String(m.step)}</Table.Td>
                <Table.Td>{h ? formatNumber(h.min) : ""}</Table.Td>
                <Table.Td>{h ? formatNumber(h.max) : ""}</Table.Td>
                <Table.Td>{h?.steps ?? ""}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No metric matches “{q.trim()}”.
        </Text>
      )}
    </>
  );
}
