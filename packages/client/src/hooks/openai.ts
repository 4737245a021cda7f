/**
 * Logs calls made with the `openai` SDK to the active MLflow run: per call, metrics
 * `openai/latency_ms`, `openai/prompt_tokens`, `openai/completion_tokens` and
 * `openai/total_tokens` (step = the call's number in the run), and a row in the table artifact
 * `openai_calls.json` (model, inputs, outputs, token counts, latency, error) that MLflow's UI
 * shows in its evaluation view. Rows are written on `flush()` / `endRun()`.
 *
 * ```ts
 * import OpenAI from "openai";
 * import { wrapOpenAI } from "@mlflow-ts/client/openai";
 * const openai = wrapOpenAI(new OpenAI());
 * await openai.chat.completions.create({ model: "gpt-4o-mini", messages: [...] });
 * ```
 *
 * Wrapped: `chat.completions.create` (streaming too), `completions.create`,
 * `embeddings.create` and `responses.create`. Everything else is the SDK's own.
 */
import { getDefaultMlflow } from "../fluent/default.js";
import type { Mlflow } from "../fluent/mlflow.js";

export interface OpenAIWrapOptions {
  /** Defaults to the shared fluent instance. */
  mlflow?: Mlflow;
  /** The table artifact (default `openai_calls.json`). */
  tableFile?: string;
}

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  input_tokens?: number;
  output_tokens?: number;
}

const WRAPPED: Record<string, "chat" | "completion" | "embedding" | "response"> = {
  "chat.completions.create": "chat",
  "completions.create": "completion",
  "embeddings.create": "embedding",
  "responses.create": "response",
};
const PARENTS = new Set(["chat", "chat.completions", "completions", "embeddings", "responses"]);

type Row = Record<string, string | number | null>;

export function wrapOpenAI<T extends object>(client: T, options: OpenAIWrapOptions = {}): T {
  const mlflow = options.mlflow ?? getDefaultMlflow();
  const tableFile = options.tableFile ?? "openai_calls.json";
  const pending = new Map<string, Row[]>();
  const calls = new Map<string, number>();

  mlflow.onFlush(async () => {
    const batches = [...pending];
    pending.clear();
    for (const [runId, rows] of batches) await mlflow.client.logTable(runId, rows, tableFile);
  });

  async function record(
    kind: string,
    body: Record<string, unknown>,
    started: number,
    output: unknown,
    error?: unknown,
  ) {
    const latency = Date.now() - started;
    const runId = await mlflow.resolveRunId(undefined);
    const step = calls.get(runId) ?? 0;
    calls.set(runId, step + 1);
    const usage = ((output as { usage?: Usage } | undefined)?.usage ?? {}) as Usage;
    const prompt = usage.prompt_tokens ?? usage.input_tokens;
    const completion = usage.completion_tokens ?? usage.output_tokens;
    const total = usage.total_tokens ?? (prompt !== undefined ? prompt + (completion ?? 0) : undefined);
    const metrics: Record<string, number> = { "openai/latency_ms": latency };
    if (prompt !== undefined) metrics["openai/prompt_tokens"] = prompt;
    if (completion !== undefined) metrics["openai/completion_tokens"] = completion;
    if (total !== undefined) metrics["openai/total_tokens"] = total;
    await mlflow.logMetrics(metrics, { step, runId });
    const rows = pending.get(runId) ?? [];
    rows.push({
      call: step,
      kind,
      model: typeof body.model === "string" ? body.model : null,
      inputs: JSON.stringify(body.messages ?? body.prompt ?? body.input ?? null),
      outputs: error === undefined ? outputText(kind, output) : null,
      prompt_tokens: prompt ?? null,
      completion_tokens: completion ?? null,
      total_tokens: total ?? null,
      latency_ms: latency,
      error: error === undefined ? null : error instanceof Error ? error.message : String(error),
    });
    pending.set(runId, rows);
  }

  function wrapCreate(target: object, original: (...args: unknown[]) => unknown, kind: string) {
    return async (...args: unknown[]) => {
      const body = (args[0] ?? {}) as Record<string, unknown>;
      const started = Date.now();
      let result: unknown;
      try {
        result = await original.apply(target, args);
      } catch (e) {
        await record(kind, body, started, undefined, e);
        throw e;
      }
      if (body.stream === true && isAsyncIterable(result))
        return tapStream(result, (out) => record(kind, body, started, out));
      await record(kind, body, started, result);
      return result;
    };
  }

  function proxy<O extends object>(target: O, path: string): O {
    return new Proxy(target, {
      get(t, prop, _receiver) {
        const value = Reflect.get(t, prop, t);
        if (typeof prop !== "string") return typeof value === "function" ? value.bind(t) : value;
        const at = path ? `${path}.${prop}` : prop;
        const kind = WRAPPED[at];
        if (kind && typeof value === "function") return wrapCreate(t, value as (...a: unknown[]) => unknown, kind);
        if (PARENTS.has(at) && value && typeof value === "object") return proxy(value as object, at);
        // Methods run on the real object (the SDK uses private fields).
        return typeof value === "function" ? value.bind(t) : value;
      },
    });
  }

  return proxy(client, "");
}

function outputText(kind: string, output: unknown): string | null {
  const o = output as Record<string, unknown> | undefined;
  if (!o) return null;
  if (kind === "chat") {
    const choices = o.choices as { message?: { content?: unknown } }[] | undefined;
    return choices?.map((c) => String(c.message?.content ?? "")).join("\n") ?? null;
  }
  if (kind === "completion") {
    return (o.choices as { text?: string }[] | undefined)?.map((c) => c.text ?? "").join("\n") ?? null;
  }
  if (kind === "response") return typeof o.output_text === "string" ? o.output_text : JSON.stringify(o.output ?? null);
  if (kind === "embedding") return `${(o.data as unknown[] | undefined)?.length ?? 0} embedding(s)`;
  return null;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return !!v && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

/**
 * Streams pass through untouched; when the stream ends the chunks are folded into one
 * completion (content and, with `stream_options.include_usage`, the usage) and logged.
 */
function tapStream<S extends AsyncIterable<unknown>>(stream: S, done: (output: unknown) => Promise<void>): S {
  const iterate = stream[Symbol.asyncIterator].bind(stream);
  let content = "";
  let usage: Usage | undefined;
  (stream as { [Symbol.asyncIterator]: () => AsyncIterator<unknown> })[Symbol.asyncIterator] = () => {
    const it = iterate();
    return {
      async next() {
        const r = await it.next();
        if (r.done) await done({ choices: [{ message: { content } }], usage });
        else {
          const chunk = r.value as { choices?: { delta?: { content?: string } }[]; usage?: Usage };
          content += chunk.choices?.[0]?.delta?.content ?? "";
          if (chunk.usage) usage = chunk.usage;
        }
        return r;
      },
      return: it.return?.bind(it),
    } as AsyncIterator<unknown>;
  };
  return stream;
}
