import { Redis } from "ioredis";
import type { LimitConfig } from "../config/load-config.js";
import { type LimitDecision, type RateLimiter, windowKey } from "./rate-limiter.js";

// INCR the window's counter and set its expiry on first use, atomically.
const HIT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return c`;

/**
 * Counters in Redis, so every gateway process pointed at the same Redis shares one limit.
 * When Redis cannot be reached the call is allowed (availability over the limit) and the
 * failure is logged at most every 10 s.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private lastWarn = 0;

  constructor(
    url: string,
    private readonly log: (msg: string) => void,
    private readonly prefix = "mlflow-ts:gateway:limit:",
  ) {
    this.redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      connectTimeout: 2000,
    });
    this.redis.on("error", () => this.warn());
    this.redis.defineCommand("gatewayHit", { numberOfKeys: 1, lua: HIT });
  }

  async ready(timeoutMs = 5000): Promise<void> {
    await Promise.race([
      this.redis.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), timeoutMs).unref()),
    ]);
  }

  async hit(endpoint: string, limit: LimitConfig): Promise<LimitDecision> {
    const now = Date.now();
    const w = windowKey(endpoint, limit, now);
    const retryAfter = Math.max(1, Math.ceil((w.endsAt - now) / 1000));
    try {
      const count = (await (this.redis as unknown as { gatewayHit(k: string, ms: number): Promise<number> }).gatewayHit(
        this.prefix + w.key,
        w.periodMs + 1000,
      )) as number;
      return { allowed: count <= limit.calls, retryAfter };
    } catch {
      this.warn();
      return { allowed: true, retryAfter };
    }
  }

  private warn(): void {
    const now = Date.now();
    if (now - this.lastWarn > 10_000) {
      this.lastWarn = now;
      this.log("Rate limit storage (Redis) is unreachable; limits are not enforced until it is back.");
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
