// Registry webhooks (mlflow-ts's `/mlflow-ts/webhooks/*`): list, create, edit, enable/disable,
// delete, and per webhook the deliveries log with each attempt's status and response code.
import type { Webhook, WebhookDelivery, WebhookEvent, WebhookStatus } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Loader,
  Modal,
  Paper,
  PasswordInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { client, errorText, formatTime } from "../api.js";

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

function StatusBadge({ status }: { status: string }) {
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

function WebhookForm(props: { editing: Webhook | null; opened: boolean; onClose: () => void }) {
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

function DeleteWebhook(props: { webhook: Webhook | null; onClose: () => void; onDeleted?: () => void }) {
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
function ActiveSwitch({ webhook }: { webhook: Webhook }) {
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

export function WebhooksPage() {
  const hooks = useQuery({ queryKey: ["webhooks"], queryFn: () => client.listWebhooks({ maxResults: 1000 }) });
  const [form, setForm] = useState<{ editing: Webhook | null } | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const items = hooks.data?.items ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Webhooks</Title>
        <Button onClick={() => setForm({ editing: null })}>Create webhook</Button>
      </Group>
      <Text size="sm" c="dimmed">
        Registry events (new models and versions, stage changes, aliases, tags) are POSTed as JSON to each active
        webhook subscribed to them, retried with backoff until a 2xx answer.
      </Text>
      {hooks.error && <Alert color="red">{errorText(hooks.error)}</Alert>}
      {hooks.isLoading && <Loader size="sm" />}
      {hooks.data && !items.length && (
        <Paper withBorder p="xl" ta="center">
          <Text fw={500}>No webhooks yet.</Text>
          <Text size="sm" c="dimmed" mb="sm">
            Create one to notify CI, chat or a deployment service when the registry changes.
          </Text>
          <Button variant="light" onClick={() => setForm({ editing: null })}>
            Create webhook
          </Button>
        </Paper>
      )}
      {items.length > 0 && (
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="webhooks-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Active</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>URL</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>Signed</Table.Th>
              <Table.Th>Last modified</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((w) => (
              <Table.Tr key={w.id} data-testid="webhook-row">
                <Table.Td>
                  <ActiveSwitch webhook={w} />
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/webhooks/${w.id}`} size="sm" fw={500}>
                    {w.name}
                  </Anchor>
                  {w.description && (
                    <Text size="xs" c="dimmed" lineClamp={1}>
                      {w.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace" style={{ overflowWrap: "anywhere" }}>
                    {w.url}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {w.events.map((e) => (
                      <Badge key={e} size="xs" variant="outline" tt="none">
                        {e}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>{w.has_secret ? "yes" : "no"}</Table.Td>
                <Table.Td>
                  <Text size="xs" style={{ whiteSpace: "nowrap" }}>
                    {formatTime(w.last_updated_timestamp)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setForm({ editing: w })}>
                      Edit
                    </Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => setDeleting(w)}>
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <WebhookForm editing={form?.editing ?? null} opened={form !== null} onClose={() => setForm(null)} />
      <DeleteWebhook webhook={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}

function AttemptLog({ delivery }: { delivery: WebhookDelivery }) {
  const log = delivery.attempt_log ?? [];
  if (!log.length)
    return (
      <Text size="xs" c="dimmed">
        No attempts yet.
      </Text>
    );
  return (
    <Table fz="xs" verticalSpacing={2} withTableBorder data-testid="attempt-log">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Attempt</Table.Th>
          <Table.Th>When</Table.Th>
          <Table.Th>Response</Table.Th>
          <Table.Th>Duration</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {log.map((a) => (
          <Table.Tr key={a.attempt}>
            <Table.Td>{a.attempt}</Table.Td>
            <Table.Td>{formatTime(a.timestamp)}</Table.Td>
            <Table.Td>{a.response_status ?? a.error_message ?? ""}</Table.Td>
            <Table.Td>{a.duration_ms} ms</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Deliveries({ webhookId, active }: { webhookId: string; active: boolean }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState("ALL");
  const [testing, setTesting] = useState(false);
  const [expanded, setExpanded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const deliveries = useQuery({
    queryKey: ["webhook-deliveries", webhookId, status],
    queryFn: () =>
      client.listWebhookDeliveries({ webhookId, maxResults: 100, ...(status === "ALL" ? {} : { status }) }),
    // while something is on its way, watch it land
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === "PENDING") ? 1500 : false),
  });
  const items = deliveries.data?.items ?? [];
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Deliveries</Title>
        <Group gap="xs">
          <SegmentedControl
            size="xs"
            value={status}
            onChange={setStatus}
            data={["ALL", "PENDING", "SUCCEEDED", "FAILED"].map((s) => ({
              value: s,
              label: s === "ALL" ? "All" : s.charAt(0) + s.slice(1).toLowerCase(),
            }))}
          />
          <Tooltip label="Enable the webhook to send a test event" disabled={active}>
            <Button
              size="compact-xs"
              variant="light"
              disabled={!active}
              loading={testing}
              onClick={async () => {
                setError(null);
                setTesting(true);
                try {
                  await client.testWebhook(webhookId);
                  await qc.invalidateQueries({ queryKey: ["webhook-deliveries", webhookId] });
                } catch (e) {
                  setError(errorText(e));
                } finally {
                  setTesting(false);
                }
              }}
            >
              Send test event
            </Button>
          </Tooltip>
          <Button size="compact-xs" variant="default" onClick={() => deliveries.refetch()}>
            Refresh
          </Button>
        </Group>
      </Group>
      {(deliveries.error || error) && <Alert color="red">{error ?? errorText(deliveries.error)}</Alert>}
      {deliveries.isLoading && <Loader size="sm" />}
      {deliveries.data && !items.length && (
        <Text size="sm" c="dimmed">
          {status === "ALL"
            ? "No deliveries yet. They appear here when a subscribed registry event happens."
            : `No ${status.toLowerCase()} deliveries.`}
        </Text>
      )}
      {items.length > 0 && (
        <Table verticalSpacing={4} fz="sm" data-testid="deliveries-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Created</Table.Th>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Response</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((d) => (
              <Fragment key={d.id}>
                <Table.Tr data-testid="delivery-row">
                  <Table.Td>{formatTime(d.creation_timestamp)}</Table.Td>
                  <Table.Td>
                    <Code>{d.event}</Code>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={d.status} />
                  </Table.Td>
                  <Table.Td>{d.attempts}</Table.Td>
                  <Table.Td data-testid="delivery-response">
                    {d.response_status !== undefined ? (
                      <Text size="sm" c={d.response_status < 300 ? undefined : "red"}>
                        HTTP {d.response_status}
                      </Text>
                    ) : d.error_message ? (
                      <Text size="xs" c="red" lineClamp={1}>
                        {d.error_message}
                      </Text>
                    ) : (
                      ""
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setExpanded(expanded === d.id ? null : d.id)}
                      >
                        {expanded === d.id ? "Hide attempts" : "Attempts"}
                      </Button>
                      <Button
                        size="compact-xs"
                        variant="light"
                        disabled={d.status === "PENDING"}
                        onClick={async () => {
                          setError(null);
                          try {
                            await client.redeliverWebhookDelivery(d.id);
                            await qc.invalidateQueries({ queryKey: ["webhook-deliveries", webhookId] });
                          } catch (e) {
                            setError(errorText(e));
                          }
                        }}
                      >
                        Redeliver
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
                {expanded === d.id && (
                  <Table.Tr>
                    <Table.Td colSpan={6}>
                      <AttemptLog delivery={d} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

export function WebhookPage() {
  const { webhookId = "" } = useParams();
  const navigate = useNavigate();
  const hook = useQuery({ queryKey: ["webhook", webhookId], queryFn: () => client.getWebhook(webhookId) });
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  if (hook.error) return <Alert color="red">{errorText(hook.error)}</Alert>;
  if (!hook.data) return <Loader />;
  const w = hook.data;
  return (
    <Stack>
      <Group gap={6}>
        <Anchor component={Link} to="/webhooks" size="sm">
          Webhooks
        </Anchor>
      </Group>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{w.name}</Title>
          <StatusBadge status={w.status} />
        </Group>
        <Group gap="xs">
          <ActiveSwitch webhook={w} />
          <Button variant="default" onClick={() => setEditing(true)}>
            Edit
          </Button>
          <Button color="red" variant="light" onClick={() => setDeleting(true)}>
            Delete
          </Button>
        </Group>
      </Group>
      <Paper withBorder p="md">
        <Table verticalSpacing={4} data-testid="webhook-details">
          <Table.Tbody>
            {(
              [
                ["URL", <Code key="url">{w.url}</Code>],
                [
                  "Events",
                  <Group key="events" gap={4}>
                    {w.events.map((e) => (
                      <Badge key={e} size="sm" variant="outline" tt="none">
                        {e}
                      </Badge>
                    ))}
                  </Group>,
                ],
                ["Signed", w.has_secret ? "yes (HMAC-SHA256, X-MLflow-Ts-Signature)" : "no"],
                ["Description", w.description || <Text c="dimmed">none</Text>],
                ["Created", formatTime(w.creation_timestamp)],
                ["Last modified", formatTime(w.last_updated_timestamp)],
                ["ID", <Code key="id">{w.id}</Code>],
              ] as [string, React.ReactNode][]
            ).map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Td w={160} fw={500}>
                  {k}
                </Table.Td>
                <Table.Td>{v}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Deliveries webhookId={w.id} active={w.status === "ACTIVE"} />
      <WebhookForm editing={editing ? w : null} opened={editing} onClose={() => setEditing(false)} />
      <DeleteWebhook
        webhook={deleting ? w : null}
        onClose={() => setDeleting(false)}
        onDeleted={() => navigate("/webhooks")}
      />
    </Stack>
  );
}
