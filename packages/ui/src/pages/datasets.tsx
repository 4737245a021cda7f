// The run page's datasets section and the dataset drawer (MLflow's ExperimentViewDatasetDrawer):
// name, digest, context, source type; the drawer adds the source, the schema and the profile.
import type { DatasetInput } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Code,
  Drawer,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useState } from "react";
import { parseDatasetSchema, SchemaHeading, SchemaTable } from "../schema-table.js";

const CONTEXT = "mlflow.data.context";

function contextOf(d: DatasetInput): string | undefined {
  return d.tags?.find((t) => t.key === CONTEXT)?.value;
}

function prettyJson(text: string | undefined): { value: unknown; pretty: string } | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return { value, pretty: JSON.stringify(value, null, 2) };
  } catch {
    return { value: text, pretty: text };
  }
}

/** The source's location when it is a link a browser can follow (http, https). */
function sourceUrl(source: unknown): string | undefined {
  if (!source || typeof source !== "object") return undefined;
  const s = source as Record<string, unknown>;
  for (const k of ["url", "uri", "path"]) {
    const v = s[k];
    if (typeof v === "string" && /^https?:\/\//i.test(v)) return v;
  }
  return undefined;
}

function DatasetDetails({ input }: { input: DatasetInput }) {
  const d = input.dataset;
  const source = prettyJson(d.source);
  const profile = prettyJson(d.profile);
  const link = sourceUrl(source?.value);
  let schema: ReturnType<typeof parseDatasetSchema> = null;
  let schemaError: string | null = null;
  try {
    schema = parseDatasetSchema(d.schema);
  } catch (e) {
    schemaError = e instanceof Error ? e.message : String(e);
  }
  const profileEntries =
    profile?.value && typeof profile.value === "object" && !Array.isArray(profile.value)
      ? Object.entries(profile.value as Record<string, unknown>)
      : null;
  const userTags = (input.tags ?? []).filter((t) => t.key !== CONTEXT);
  return (
    <Stack gap="md" data-testid="dataset-drawer">
      <Table verticalSpacing={4} fz="sm">
        <Table.Tbody>
          <Table.Tr>
            <Table.Td w={120} fw={500}>
              Digest
            </Table.Td>
            <Table.Td>
              <Code>{d.digest}</Code>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td fw={500}>Context</Table.Td>
            <Table.Td>{contextOf(input) ?? <Text c="dimmed">none</Text>}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td fw={500}>Source type</Table.Td>
            <Table.Td>{d.source_type}</Table.Td>
          </Table.Tr>
          {userTags.map((t) => (
            <Table.Tr key={t.key}>
              <Table.Td fw={500}>{t.key}</Table.Td>
              <Table.Td>{t.value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <div>
        <Group justify="space-between" mb={4}>
          <Text fw={600} size="sm">
            Source
          </Text>
          {link && (
            <Anchor href={link} target="_blank" rel="noreferrer" size="sm">
              Open source
            </Anchor>
          )}
        </Group>
        {source ? (
          <Code block data-testid="dataset-source">
            {source.pretty}
          </Code>
        ) : (
          <Text size="sm" c="dimmed">
            No source recorded.
          </Text>
        )}
      </div>
      <div>
        {schemaError ? (
          <>
            <Text fw={600} size="sm" mb={4}>
              Schema
            </Text>
            <Alert color="yellow" title="Schema could not be read">
              {schemaError}
            </Alert>
            <Code block mt={6}>
              {d.schema}
            </Code>
          </>
        ) : schema ? (
          <Stack gap="sm" data-testid="dataset-schema">
            {schema.map((s) => (
              <div key={s.title}>
                <SchemaHeading title={s.title === "Columns" ? "Schema" : `Schema: ${s.title}`} schema={s.schema} />
                <SchemaTable schema={s.schema} />
              </div>
            ))}
          </Stack>
        ) : (
          <>
            <Text fw={600} size="sm" mb={4}>
              Schema
            </Text>
            <Text size="sm" c="dimmed">
              No schema recorded.
            </Text>
          </>
        )}
      </div>
      <div>
        <Text fw={600} size="sm" mb={4}>
          Profile
        </Text>
        {profileEntries ? (
          <Table verticalSpacing={4} fz="sm" withTableBorder data-testid="dataset-profile">
            <Table.Tbody>
              {profileEntries.map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Td w="40%" fw={500}>
                    {k}
                  </Table.Td>
                  <Table.Td>
                    {typeof v === "number" ? v.toLocaleString() : typeof v === "object" ? JSON.stringify(v) : String(v)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : profile ? (
          <Code block>{profile.pretty}</Code>
        ) : (
          <Text size="sm" c="dimmed">
            No profile recorded.
          </Text>
        )}
      </div>
    </Stack>
  );
}

/** The run's dataset inputs; each opens the drawer. Nothing when the run logged none. */
export function DatasetsSection({ inputs }: { inputs: DatasetInput[] }) {
  const [open, setOpen] = useState<number | null>(null);
  if (!inputs.length) return null;
  const current = open === null ? undefined : inputs[open];
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="xs">
        Datasets ({inputs.length})
      </Title>
      <Stack gap={2} data-testid="datasets">
        {inputs.map((d, i) => {
          const context = contextOf(d);
          return (
            <UnstyledButton
              // biome-ignore lint/suspicious/noArrayIndexKey: the same dataset may be logged in two contexts
              key={i}
              data-testid="dataset-row"
              onClick={() => setOpen(i)}
              className="dataset-row"
            >
              <Group gap={8} wrap="nowrap">
                <Text size="sm" fw={500} c="var(--mantine-color-anchor)">
                  {d.dataset.name}
                </Text>
                <Code>{d.dataset.digest}</Code>
                {context && (
                  <Badge size="sm" variant="light" tt="none">
                    {context}
                  </Badge>
                )}
                <Text size="xs" c="dimmed">
                  {d.dataset.source_type}
                </Text>
              </Group>
            </UnstyledButton>
          );
        })}
      </Stack>
      <Drawer
        opened={current !== undefined}
        onClose={() => setOpen(null)}
        position="right"
        size="lg"
        title={
          <Text fw={700} size="lg">
            Dataset: {current?.dataset.name}
          </Text>
        }
      >
        {current && <DatasetDetails input={current} />}
      </Drawer>
    </Paper>
  );
}
