import type { LimitConfig, RenewalPeriod } from "../config/load-config.js";

/** Length of each renewal period in ms (as the `limits` library MLflow uses: a month is 30 days, a year 12 months). */
export const PERIOD_MS: Record<RenewalPeriod, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  month: 30 * 86_400_000,
  year: 12 * 30 * 86_400_000,
};

export interface LimitDecision {
  allowed: boolean;
  /** Seconds until the window renews (for `Retry-After`). */
  retryAfter: number;
}

/**
 * A fixed-window counter per endpoint (MLflow's default strategy): `calls` per `renewal_period`,
 * shared by every client of the endpoint so the limit protects the budget.
 */
export interface RateLimiter {
  hit(endpoint: string, limit: LimitConfig): Promise<LimitDecision>;
  close(): Promise<void>;
}

export function windowKey(
  endpoint: string,
  limit: LimitConfig,
  now: number,
): { key: string; endsAt: number; periodMs: number } {
  const periodMs = PERIOD_MS[limit.renewalPeriod];
  const window = Math.floor(now / periodMs);
  return {
    key: `${endpoint}:${limit.calls}/${limit.renewalPeriod}:${window}`,
    endsAt: (window + 1) * periodMs,
    periodMs,
  };
}

export function describeLimit(limit: LimitConfig): string {
  return `${limit.calls} per 1 ${limit.renewalPeriod}`;
}
