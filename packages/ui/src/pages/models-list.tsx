import type { ModelVersion, RegisteredModel } from "@mlflow-ts/client";
import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { client, errorText, formatTime } from "../api.js";
import { useSlashFocus } from "./experiments.js";

/**
 * The registered models (`/#/models`): MLflow's columns (name, latest version, aliased versions,
 * created by, last modified, tags; the 2.x Staging and Production columns while any listed model
 * has a version there), search by name, server-side sort by name or last modified, and paging.
 */

const PAGE = 100;
const SORTS: Record<string, string> = { name: "name", last_updated_timestamp: "last_updated_timestamp" };

const versionPath = (name: string, version: string | number) =>
  `/models/${encodeURIComponent(name)}/versions/${version}`;

/** The highest version number among the model's latest versions (one per stage). */
function latestVersion(m: RegisteredModel): ModelVersion | undefined {
  return [...(m.latest_versions ?? [])].sort((a, b) => Number(b.version) - Number(a.version))[0];
}

function StageCell({ m, stage }: { m: RegisteredModel; stage: string }) {
  const v = m.latest_versions?.find((x) => x.current_stage === stage);
  if (!v) return null;
  return (
    <Anchor component={Link} to={versionPath(m.name, v.version)} size="sm">
      Version {v.version}
    </Anchor>
  );
}

const SHOWN_TAGS = 3;

/** The first few tags as `key: value` badges, then "+N" with the rest in its tooltip. */
function TagBadges({ tags }: { tags: { key: string; value?: string }[] }) {
  const rest = tags.slice(SHOWN_TAGS);
  return (
    <Group gap={4} data-testid="model-tags">
      {tags.slice(0, SHOWN_TAGS).map((t) => (
        <Badge key={t.key} size="sm" variant="outline" color="gray" tt="none">
          {t.key}: {t.value}
        </Badge>
      ))}
      {rest.length > 0 && (
        <Text size="xs" c="dimmed" title={rest.map((t) => `${t.key}: ${t.value}`).join("\n")}>
          +{rest.length}
        </Text>
      )}
    </Group>
  );
}

export function ModelsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("searchInput") ?? "";
  const orderByKey = SORTS[params.get("orderByKey") ?? ""] ?? "name";
  const orderByAsc = params.get("orderByAsc") !== null ? params.get("orderByAsc") === "true" : orderByKey === "name";
  const [text, setText] = useState(search);
  useEffect(() => setText(search), [search]);
  const ref = useRef<HTMLInputElement>(null);
  useSlashFocus(ref);
  const filter = search ? `name ILIKE '%${search.replace(/'/g, "\\'")}%'` : undefined;
  const models = useInfiniteQuery({
    queryKey: ["models", filter, orderByKey, orderByAsc],
    queryFn: ({ pageParam }) =>
      client.searchRegisteredModels({
        filter,
        maxResults: PAGE,
        orderBy: [`${orderByKey} ${orderByAsc ? "ASC" : "DESC"}`],
        pageToken: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextPageToken || undefined,
  });
  const items = models.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  const sortBy = (key: string) => {
    const asc = orderByKey === key ? !orderByAsc : key === "name";
    set({ orderByKey: key, orderByAsc: String(asc) });
  };
  const arrow = (key: string) => (orderByKey === key ? (orderByAsc ? " ↑" : " ↓") : "");
  const stages = ["Staging", "Production"].filter((s) =>
    items.some((m) => m.latest_versions?.some((v) => v.current_stage === s)),
  );
  // MLflow's REST API (and this server) leaves a registered model's user_id empty; shown when a server sends it
  const withCreator = items.some((m) => m.user_id);

  return (
    <Stack>
      <Title order={2}>Registered models</Title>
      <TextInput
        ref={ref}
        w={360}
        aria-label="Search models"
        placeholder="Search models by name  ( / )"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => e.key === "Enter" && set({ searchInput: text })}
      />
      {models.error && <Alert color="red">{errorText(models.error)}</Alert>}
      <Table striped highlightOnHover data-testid="models-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th style={{ cursor: "pointer" }} onClick={() => sortBy("name")}>
              Name{arrow("name")}
            </Table.Th>
            <Table.Th>Latest version</Table.Th>
            {stages.map((s) => (
              <Table.Th key={s}>{s}</Table.Th>
            ))}
            <Table.Th>Aliased versions</Table.Th>
            {withCreator && <Table.Th>Created by</Table.Th>}
            <Table.Th style={{ cursor: "pointer" }} onClick={() => sortBy("last_updated_timestamp")}>
              Last modified{arrow("last_updated_timestamp")}
            </Table.Th>
            <Table.Th>Tags</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((m) => {
            const latest = latestVersion(m);
            return (
              <Table.Tr key={m.name} data-testid="model-row" data-name={m.name}>
                <Table.Td>
                  <Anchor component={Link} to={`/models/${encodeURIComponent(m.name)}`} size="sm">
                    {m.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {latest && (
                    <Anchor component={Link} to={versionPath(m.name, latest.version)} size="sm">
                      Version {latest.version}
                    </Anchor>
                  )}
                </Table.Td>
                {stages.map((s) => (
                  <Table.Td key={s} data-testid={`stage-${s}`}>
                    <StageCell m={m} stage={s} />
                  </Table.Td>
                ))}
                <Table.Td>
                  <Group gap={4} data-testid="model-aliases">
                    {[...(m.aliases ?? [])]
                      .sort((a, b) => a.alias.localeCompare(b.alias))
                      .map((a) => (
                        <Badge
                          key={a.alias}
                          component={Link}
                          to={versionPath(m.name, a.version)}
                          size="sm"
                          variant="light"
                          tt="none"
                          style={{ cursor: "pointer" }}
                        >
                          @{a.alias} · v{a.version}
                        </Badge>
                      ))}
                  </Group>
                </Table.Td>
                {withCreator && <Table.Td>{m.user_id ?? ""}</Table.Td>}
                <Table.Td>{formatTime(m.last_updated_timestamp)}</Table.Td>
                <Table.Td>
                  <TagBadges tags={m.tags ?? []} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {models.isLoading && <Loader size="sm" />}
      {models.data && items.length === 0 && (
        <Text c="dimmed">
          {search
            ? `No registered model matches “${search}”.`
            : "No registered models yet. Register one from a run's logged model."}
        </Text>
      )}
      {models.hasNextPage && (
        <Button variant="light" w={160} onClick={() => models.fetchNextPage()} loading={models.isFetchingNextPage}>
          Load more
        </Button>
      )}
    </Stack>
  );
}
