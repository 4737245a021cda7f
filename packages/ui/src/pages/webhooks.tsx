// Registry webhooks (mlflow-ts's `/mlflow-ts/webhooks/*`): list, create, edit, enable/disable,
// delete, and per webhook the deliveries log with each attempt's status and response code.
import type { Webhook, WebhookDelivery } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Loader,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { client, errorText, formatTime } from "../api.js";
import { ActiveSwitch, DeleteWebhook, StatusBadge, WebhookForm } from "./webhook-form.js";

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
