/**
 * Runs as a child of a process that is exiting (see exit-hooks.ts): reads the requests that
 * process could not send any more from stdin and sends them in order, retrying transient
 * failures until the deadline. Exits 1 if anything was left unsent.
 */
interface Work {
  baseUrl: string;
  headers: Record<string, string>;
  requests: { path: string; body: unknown }[];
}

const RETRY = new Set([408, 429, 500, 502, 503, 504]);

async function main(): Promise<number> {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const { work, deadlineMs } = JSON.parse(input) as { work: Work[]; deadlineMs: number };
  const deadline = Date.now() + deadlineMs;
  let failed = 0;
  for (const w of work) {
    for (const r of w.requests) {
      let delay = 100;
      for (;;) {
        let status = 0;
        let text = "";
        try {
          const res = await fetch(`${w.baseUrl}${r.path}`, {
            method: "POST",
            headers: { ...w.headers, "Content-Type": "application/json" },
            body: JSON.stringify(r.body),
            signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
          });
          status = res.status;
          text = await res.text();
        } catch {
          status = 0;
        }
        if (status === 200) break;
        if ((status === 0 || RETRY.has(status)) && Date.now() + delay < deadline) {
          await new Promise((ok) => setTimeout(ok, delay));
          delay = Math.min(5000, delay * 2);
          continue;
        }
        failed++;
        process.stderr.write(`mlflow: could not send ${r.path} at exit (status ${status}): ${text.slice(0, 300)}\n`);
        break;
      }
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`mlflow: exit flush failed: ${String(e)}\n`);
    process.exit(1);
  },
);
