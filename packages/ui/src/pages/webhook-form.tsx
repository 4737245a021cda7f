// The webhook form (create and edit, checked before it is sent, server errors inline), the delete
// confirmation, the enable/disable switch and the status badge, used by the webhooks pages.
import type { Webhook, WebhookEvent, WebhookStatus } from "@mlflow-ts/client";
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  PasswordInput,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { client, errorText } from "../api.js";

/** Every event a webhook can subscribe to; `satisfies` keeps the list in step with the protocol's. */
const EVENT_DESCRIPTIONS = {
  "registered_model.created": "A registered model is created",
  "model_version.created": "A model version is created",
  "model_version.stage_transitioned": "A version moves to another stage",
  "model_version_alias.created": "An alias is set or moved",
  "model_version_alias.deleted": "An alias is removed",
  "model_version_tag.set": "A version tag is set",
  "model_version_tag.deleted": "A version tag is deleted",
  "registered_model_tag.set": "A model tag is set",
  "registered_model_tag.deleted": "A model tag is deleted",
} satisfies Record<WebhookEvent, string>;
const EVENTS = Object.keys(EVENT_DESCRIPTIONS) as WebhookEvent[];

export function StatusBadge({ status }: { status: string }) {
  const color =
    status === "ACTIVE" || status === "SUCCEEDED"
      ? "green"
      : status === "FAILED"
        ? "red"
        : status === "PENDING"
          ? "yellow"
          : "gray";
  return (
    <Badge size="sm" variant="light" color={color}>
      {status}
    </Badge>
  );
}

interface FormValues {
  name: string;
  url: string;
  events: WebhookEvent[];
  description: string;
  secret: string;
  removeSecret: boolean;
  status: WebhookStatus;
}

/** Client-side checks, the same the server makes (it stays the authority: its errors show too). */
export function validateWebhook(v: FormValues): Partial<Record<"name" | "url" | "events", string>> {
  const errors: Partial<Record<"name" | "url" | "events", string>> = {};
  if (!v.name.trim()) errors.name = "A name is required.";
  let url: URL | null = null;
  try {
    url = new URL(v.url.trim());
  } catch {
    url = null;
  }
  if (!v.url.trim()) errors.url = "A URL is required.";
  else if (!url || !/^https?:$/.test(url.protocol)) errors.url = "Use an http:// or https:// URL.";
  if (!v.events.length) errors.events = "Pick at least one event.";
  return errors;
}

export function WebhookForm(props: { editing: Webhook | null; opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const empty: FormValues = {
    name: "",
    url: "",
    events: ["model_version.created"],
    description: "",
    secret: "",
    removeSecret: false,
    status: "ACTIVE",
  };
  const [values, setValues] = useState<FormValues>(empty);
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the modal opens
  useEffect(() => {
    if (!props.opened) return;
    const w = props.editing;
    setValues(
      w
        ? {
            name: w.name,
            url: w.url,
            events: [...w.events],
            description: w.description ?? "",
            secret: "",
            removeSecret: false,
            status: w.status,
          }
        : empty,
    );
    setTouched(false);
    setServerError(null);
  }, [props.opened, props.editing]);
  const errors = validateWebhook(values);
  const set = <K extends keyof FormValues>(k: K, v: FormValues[K]) => setValues((prev) => ({ ...prev, [k]: v }));
  const submit = async () => {
    setTouched(true);
    if (Object.keys(errors).length) return;
    setBusy(true);
    setServerError(null);
    try {
      const common = {
        name: values.name.trim(),
        url: values.url.trim(),
        events: values.events,
        description: values.description,
        status: values.status,
      };
      if (props.editing) {
        const secret = values.removeSecret ? { secret: "" } : values.secret ? { secret: values.secret } : {};
        await client.updateWebhook(props.editing.id, { ...common, ...secret });
      } else await client.createWebhook({ ...common, ...(values.secret ? { secret: values.secret } : {}) });
      await qc.invalidateQueries({ queryKey: ["webhooks"] });
      if (props.editing) await qc.invalidateQueries({ queryKey: ["webhook", props.editing.id] });
      props.onClose();
    } catch (e) {
      setServerError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const show = (k: "name" | "url" | "events") => (touched ? errors[k] : undefined);
  const title = props.editing ? `Edit webhook ${props.editing.name}` : "Create webhook";
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={title} size="lg">
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          data-autofocus
          value={values.name}
          onChange={(e) => set("name", e.currentTarget.value)}
          error={show("name")}
        />
        <TextInput
          label="URL"
          required
          placeholder="https://ci.example.com/hooks/mlflow"
          description="Each event is POSTed here as JSON."
          value={values.url}
          onChange={(e) => set("url", e.currentTarget.value)}
          error={show("url")}
        />
        <Checkbox.Group
          label="Events"
          required
          value={values.events}
          onChange={(v) => set("events", v as WebhookEvent[])}
          error={show("events")}
        >
          <SimpleGrid cols={2} spacing={6} verticalSpacing={6} mt={6}>
            {EVENTS.map((e) => (
              <Tooltip key={e} label={EVENT_DESCRIPTIONS[e]} openDelay={400}>
                <Checkbox value={e} label={<Code>{e}</Code>} />
              </Tooltip>
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <PasswordInput
          label="Secret"
          description={
            props.editing?.has_secret
              ? "Deliveries are signed. Leave empty to keep the current secret, or type a new one."
              : "Optional: deliveries are signed with HMAC-SHA256 (X-MLflow-Ts-Signature)."
          }
          value={values.secret}
          disabled={values.removeSecret}
          onChange={(e) => set("secret", e.currentTarget.value)}
          autoComplete="new-password"
        />
        {props.editing?.has_secret && (
          <Checkbox
            label="Remove the secret (send unsigned deliveries)"
            checked={values.removeSecret}
            onChange={(e) => set("removeSecret", e.currentTarget.checked)}
          />
        )}
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={values.description}
          onChange={(e) => set("description", e.currentTarget.value)}
        />
        <Switch
          label="Active (deliver events)"
          checked={values.status === "ACTIVE"}
          onChange={(e) => set("status", e.currentTarget.checked ? "ACTIVE" : "DISABLED")}
        />
        {serverError && (
          <Alert color="red" title="The server refused the webhook" data-testid="webhook-form-error">
            {serverError}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={busy}>
            {props.editing ? "Save" : "Create"}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function DeleteWebhook(props: { webhook: Webhook | null; onClose: () => void; onDeleted?: () => void }) {
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (props.webhook) setError(null);
  }, [props.webhook]);
  return (
    <Modal opened={props.webhook !== null} onClose={props.onClose} title="Delete webhook">
      <Stack>
        <Text size="sm">
          Delete <b>{props.webhook?.name}</b>? Its pending deliveries and the deliveries log go with it. This cannot be
          undone.
        </Text>
        {error && <Alert color="red">{error}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={busy}
            onClick={async () => {
              if (!props.webhook) return;
              setBusy(true);
              try {
                await client.deleteWebhook(props.webhook.id);
                await qc.invalidateQueries({ queryKey: ["webhooks"] });
                props.onClose();
                props.onDeleted?.();
              } catch (e) {
                setError(errorText(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The enable/disable switch of one webhook (a PATCH of its status). */
export function ActiveSwitch({ webhook }: { webhook: Webhook }) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Tooltip label={error ?? ""} disabled={!error} color="red" opened={error ? true : undefined}>
      <Switch
        aria-label={`Active: ${webhook.name}`}
        checked={webhook.status === "ACTIVE"}
        disabled={busy}
        onChange={async (e) => {
          const status: WebhookStatus = e.currentTarget.checked ? "ACTIVE" : "DISABLED";
          setBusy(true);
          setError(null);
          try {
            await client.updateWebhook(webhook.id, { status });
            await qc.invalidateQueries({ queryKey: ["webhooks"] });
            await qc.invalidateQueries({ queryKey: ["webhook", webhook.id] });
          } catch (err) {
            setError(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      />
    </Tooltip>
  );
}
