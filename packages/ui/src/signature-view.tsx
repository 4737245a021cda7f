// An MLmodel file's signature (inputs, outputs, params) as tables, with its empty and error
// states; shared by the version page and the artifact browser's MLmodel preview.
import { Alert, Badge, Code, Group, Stack, Text } from "@mantine/core";
import { errorText } from "./api.js";
import { parseParams, parseSpecs, type Schema, SchemaHeading, SchemaTable } from "./schema-table.js";

export interface MLmodelFile {
  artifact_path?: string;
  flavors?: Record<string, unknown>;
  signature?: { inputs?: unknown; outputs?: unknown; params?: unknown } | null;
  mlflow_version?: string;
}

/** Parses MLmodel YAML (the parser is its own chunk, loaded the first time a model is shown). */
export async function parseMLmodel(text: string): Promise<MLmodelFile> {
  const { parse } = await import("yaml");
  const model = parse(text) as unknown;
  if (!model || typeof model !== "object" || Array.isArray(model)) throw new Error("MLmodel is not a YAML mapping");
  return model as MLmodelFile;
}

export function FlavorBadges({ model }: { model: MLmodelFile }) {
  return (
    <Group gap={4}>
      {Object.keys(model.flavors ?? {}).map((f) => (
        <Badge key={f} size="sm" variant="outline" tt="none">
          {f}
        </Badge>
      ))}
    </Group>
  );
}

export function SignatureView({ model }: { model: MLmodelFile }) {
  let body: React.ReactNode;
  const sig = model.signature;
  let sections: { title: string; schema: Schema | null }[] = [];
  let parseError: string | null = null;
  try {
    sections = [
      { title: "Inputs", schema: parseSpecs(sig?.inputs) },
      { title: "Outputs", schema: parseSpecs(sig?.outputs) },
      { title: "Params", schema: parseParams(sig?.params) },
    ];
  } catch (e) {
    parseError = errorText(e);
  }
  if (parseError)
    body = (
      <Alert color="yellow" title="The signature could not be read">
        {parseError}
      </Alert>
    );
  else if (!sections.some((s) => s.schema))
    body = (
      <Text size="sm" c="dimmed" data-testid="signature-empty">
        This model has no signature. Log it with one (for example <Code>signature=infer_signature(X, y)</Code> or an{" "}
        <Code>input_example</Code>) to record its inputs and outputs.
      </Text>
    );
  else
    body = (
      <Stack gap="md" data-testid="signature">
        {sections.map((s) =>
          s.schema ? (
            <div key={s.title}>
              <SchemaHeading title={s.title} schema={s.schema} />
              <SchemaTable schema={s.schema} testId={`signature-${s.title.toLowerCase()}`} />
            </div>
          ) : s.title === "Params" ? null : (
            <div key={s.title}>
              <Text fw={600} size="sm" mb={4}>
                {s.title}
              </Text>
              <Text size="sm" c="dimmed">
                Not specified.
              </Text>
            </div>
          ),
        )}
      </Stack>
    );
  return body;
}
