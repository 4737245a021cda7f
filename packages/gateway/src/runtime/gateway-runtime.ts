import type { EndpointConfig, GatewayConfig } from "../config/load-config.js";
import type { UpstreamStats } from "../metrics/metrics.js";
import type { Provider, ProviderDeps } from "../providers/provider.js";

export interface ModelRuntime {
  provider: Provider;
  providerId: string;
  /** For metrics and headers: the model name, or the provider id when the model has none. */
  modelName: string;
  weight: number;
  /** This model's upstream counters, looked up once (the hot path skips the key building). */
  stats?: UpstreamStats;
}

export interface EndpointRuntime {
  config: EndpointConfig;
  models: ModelRuntime[];
  totalWeight: number;
  /** Resolved fallback endpoints, in order (their own fallbacks are not followed). */
  fallbacks: EndpointRuntime[];
  /** The MLflow `Endpoint` object (endpoint_url relative to the server). */
  info: Record<string, unknown>;
  /** The legacy (2.5-2.8) `Route` object. */
  routeInfo: Record<string, unknown>;
}

/**
 * One configuration generation, ready to serve: providers built, fallbacks resolved, listing
 * objects precomputed. Hot reload builds a new one and swaps the reference; requests already
 * running keep the generation they started with.
 */
export class GatewayRuntime {
  readonly endpoints = new Map<string, EndpointRuntime>();
  readonly list: EndpointRuntime[] = [];

  constructor(
    readonly config: GatewayConfig,
    deps: ProviderDeps,
  ) {
    for (const e of config.endpoints) {
      const models = e.models.map((m) => ({
        provider: m.provider.create({ name: m.name, config: m.config, endpointType: e.endpointType }, deps),
        providerId: m.provider.id,
        modelName: m.name ?? m.provider.id,
        weight: m.weight,
      }));
      const first = e.models[0];
      const limit = e.limit ? { calls: e.limit.calls, key: e.limit.key, renewal_period: e.limit.renewalPeriod } : null;
      const model = { name: first?.name ?? null, provider: first?.provider.id ?? null };
      const rt: EndpointRuntime = {
        config: e,
        models,
        totalWeight: models.reduce((s, m) => s + m.weight, 0),
        fallbacks: [],
        info: {
          name: e.name,
          endpoint_type: e.endpointType,
          model,
          endpoint_url: `/gateway/${e.name}/invocations`,
          limit,
        },
        routeInfo: {
          name: e.name,
          route_type: e.endpointType,
          model,
          route_url: `/gateway/${e.name}/invocations`,
          limit,
        },
      };
      this.endpoints.set(e.name, rt);
      this.list.push(rt);
    }
    for (const rt of this.list) rt.fallbacks = rt.config.fallbacks.map((f) => this.endpoints.get(f) as EndpointRuntime);
  }
}

/** Weighted random choice among an endpoint's models (the traffic split). */
export function pickModel(ep: EndpointRuntime, random: () => number = Math.random): ModelRuntime {
  const models = ep.models;
  if (models.length === 1) return models[0] as ModelRuntime;
  let r = random() * ep.totalWeight;
  for (const m of models) {
    r -= m.weight;
    if (r < 0) return m;
  }
  return models[models.length - 1] as ModelRuntime;
}
