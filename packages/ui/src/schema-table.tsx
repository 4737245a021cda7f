// MLflow's schema formats as tables: column specs (`{"type", "name", "required"}` with array,
// object and map types), tensor specs (`{"type": "tensor", "tensor-spec": {"dtype", "shape"}}`)
// and param specs (`{"name", "type", "default", "shape"}`). Used by the version page (MLmodel
// signature) and the dataset drawer (`{"mlflow_colspec": [...]}` / `{"mlflow_tensorspec": ...}`).
import { Badge, Group, Table, Text, TextInput } from "@mantine/core";
import { useState } from "react";

export interface SchemaRow {
  name?: string;
  type: string;
  required: boolean;
  /** Params only: the default value, as JSON. */
  default?: string;
}

export interface Schema {
  kind: "columns" | "tensors" | "params";
  rows: SchemaRow[];
}

type Spec = Record<string, unknown>;

/** `array<string>`, `object{a: long, b?: string}`, `map<string, double>`, or the scalar name. */
export function typeText(t: unknown): string {
  if (typeof t === "string") return t;
  if (!t || typeof t !== "object") return "unknown";
  const spec = t as Spec;
  switch (spec.type) {
    case "array":
      return `array<${typeText(spec.items)}>`;
    case "map":
      return `map<string, ${typeText(spec.values)}>`;
    case "object": {
      const props = (spec.properties ?? {}) as Record<string, Spec>;
      const inner = Object.entries(props).map(([k, v]) => `${k}${v.required === false ? "?" : ""}: ${typeText(v)}`);
      return `object{${inner.join(", ")}}`;
    }
    case "tensor": {
      const ts = (spec["tensor-spec"] ?? {}) as { dtype?: string; shape?: unknown[] };
      return `tensor<${ts.dtype ?? "?"}> (${(ts.shape ?? []).join(", ")})`;
    }
    default:
      return typeof spec.type === "string" ? spec.type : "unknown";
  }
}

function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return JSON.parse(value);
}

/** A signature's `inputs` or `outputs` (a JSON string in MLmodel) as rows; null when absent. */
export function parseSpecs(value: unknown): Schema | null {
  if (value === null || value === undefined || value === "") return null;
  const list = parseJson(value);
  if (!Array.isArray(list)) throw new Error("a schema is a JSON list of column or tensor specs");
  const specs = list as Spec[];
  const tensors = specs.length > 0 && specs.every((s) => s.type === "tensor");
  return {
    kind: tensors ? "tensors" : "columns",
    rows: specs.map((s) => ({
      ...(typeof s.name === "string" ? { name: s.name } : {}),
      type: typeText(s),
      required: s.required !== false,
    })),
  };
}

/** A signature's `params` (JSON list of ParamSpec); null when absent. */
export function parseParams(value: unknown): Schema | null {
  if (value === null || value === undefined || value === "") return null;
  const list = parseJson(value);
  if (!Array.isArray(list)) throw new Error("params are a JSON list of param specs");
  return {
    kind: "params",
    rows: (list as Spec[]).map((s) => {
      const t = s.type ?? s.dtype;
      const base = typeText(typeof t === "string" && t !== "object" ? t : { ...s, type: t });
      return {
        name: String(s.name ?? ""),
        type: Array.isArray(s.shape) ? `${base}[] (${s.shape.join(", ")})` : base,
        required: false,
        default: JSON.stringify(s.default ?? null),
      };
    }),
  };
}

/**
 * A dataset's `schema` field: `{"mlflow_colspec": [...]}`, `{"mlflow_tensorspec": {"features":
 * "<json>", "targets": "<json>"}}`, or a bare spec list. Several sections for tensor schemas.
 */
export function parseDatasetSchema(text: string | undefined): { title: string; schema: Schema }[] | null {
  if (!text) return null;
  const value = JSON.parse(text) as unknown;
  if (Array.isArray(value)) {
    const s = parseSpecs(value);
    return s ? [{ title: "Columns", schema: s }] : null;
  }
  if (!value || typeof value !== "object") throw new Error("unrecognized schema");
  const obj = value as Spec;
  if (obj.mlflow_colspec !== undefined) {
    const s = parseSpecs(obj.mlflow_colspec);
    return s ? [{ title: "Columns", schema: s }] : null;
  }
  if (obj.mlflow_tensorspec && typeof obj.mlflow_tensorspec === "object") {
    const out: { title: string; schema: Schema }[] = [];
    for (const [k, v] of Object.entries(obj.mlflow_tensorspec as Spec)) {
      const s = parseSpecs(v);
      if (s) out.push({ title: k.charAt(0).toUpperCase() + k.slice(1), schema: s });
    }
    return out.length ? out : null;
  }
  throw new Error("unrecognized schema (expected mlflow_colspec or mlflow_tensorspec)");
}

/** One schema as a table; a filter box appears when there are many rows. */
export function SchemaTable({ schema, testId }: { schema: Schema; testId?: string }) {
  const [filter, setFilter] = useState("");
  const rows = filter
    ? schema.rows.filter((r) => `${r.name ?? ""} ${r.type}`.toLowerCase().includes(filter.toLowerCase()))
    : schema.rows;
  const named = schema.rows.some((r) => r.name);
  return (
    <div data-testid={testId}>
      {schema.rows.length > 10 && (
        <TextInput
          size="xs"
          mb={6}
          w={240}
          placeholder={`Filter ${schema.rows.length} entries`}
          aria-label="Filter schema"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
        />
      )}
      <Table striped withTableBorder verticalSpacing={4} fz="sm">
        <Table.Thead>
          <Table.Tr>
            {(named || schema.kind === "params") && <Table.Th w="35%">Name</Table.Th>}
            <Table.Th>Type</Table.Th>
            {schema.kind === "params" ? <Table.Th>Default</Table.Th> : <Table.Th w={110}>Required</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: unnamed specs are positional
            <Table.Tr key={i}>
              {(named || schema.kind === "params") && (
                <Table.Td fw={500} style={{ wordBreak: "break-word" }}>
                  {r.name ?? <Text c="dimmed">(unnamed)</Text>}
                </Table.Td>
              )}
              <Table.Td>
                <Text ff="monospace" size="xs">
                  {r.type}
                </Text>
              </Table.Td>
              {schema.kind === "params" ? (
                <Table.Td>
                  <Text ff="monospace" size="xs">
                    {r.default}
                  </Text>
                </Table.Td>
              ) : (
                <Table.Td>
                  {r.required ? (
                    <Text size="xs">required</Text>
                  ) : (
                    <Badge size="sm" variant="light" color="gray" tt="none">
                      optional
                    </Badge>
                  )}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

/** A section title with the entry count. */
export function SchemaHeading({ title, schema }: { title: string; schema: Schema }) {
  return (
    <Group gap={6} mb={4}>
      <Text fw={600} size="sm">
        {title}
      </Text>
      <Badge size="sm" variant="light" tt="none">
        {schema.rows.length} {schema.kind === "tensors" ? "tensor" : schema.kind === "params" ? "param" : "column"}
        {schema.rows.length === 1 ? "" : "s"}
      </Badge>
    </Group>
  );
}
