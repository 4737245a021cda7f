import type { LimitConfig } from "../config/load-config.js";
import { type LimitDecision, type RateLimiter, windowKey } from "./rate-limiter.js";

/** In-process counters: exact for one process; each process (or worker) counts on its own. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { key: string; count: number; endsAt: number }>();

  async hit(endpoint: string, limit: LimitConfig): Promise<LimitDecision> {
    const now = Date.now();
    const w = windowKey(endpoint, limit, now);
    let cur = this.windows.get(endpoint);
    if (!cur || cur.key !== w.key) {
      cur = { key: w.key, count: 0, endsAt: w.endsAt };
      this.windows.set(endpoint, cur);
    }
    cur.count++;
    return { allowed: cur.count <= limit.calls, retryAfter: Math.max(1, Math.ceil((cur.endsAt - now) / 1000)) };
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}
