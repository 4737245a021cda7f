// The runs table at scale: `node e2e/dist/ui-bench.js [runs]` (after `npm run build`). Seeds an
// experiment with N runs (default 10,000) of 20 params and 20 metrics each over REST, then measures
// in Chromium the time from navigation to the first rendered rows, and the longest frame while
// scrolling through the infinite-scroll pages.
import { MlflowClient } from "@mlflow-ts/client";
import { startTestServer } from "@mlflow-ts/server/test-support";
import { launch, openPage } from "./ui-support.js";

const runs = Number(process.argv[2] ?? 10_000);
const server = await startTestServer();
try {
  const client = new MlflowClient(server.url);
  const exp = await client.createExperiment("bench/runs-table");
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (;;) {
        const i = next++;
        if (i >= runs) return;
        const run = await client.createRun(exp, { runName: `run-${i}`, startTime: 1_700_000_000_000 + i });
        await client.logBatch(run.info.run_id, {
          params: Array.from({ length: 20 }, (_, p) => ({ key: `param_${p}`, value: String((i * (p + 3)) % 97) })),
          metrics: Array.from({ length: 20 }, (_, m) => ({
            key: `metric_${m}`,
            value: ((i * 7919 + m * 104729) % 1000) / 1000,
            timestamp: 1,
            step: 0,
          })),
        });
      }
    }),
  );
  console.log(`seeded ${runs} runs (20 params, 20 metrics each) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const browser = await launch();
  const firstRows: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { page, errors } = await openPage(browser);
    await page.goto(`${server.url}/`); // load and cache the bundle, as a returning user has it
    await page.getByText("Experiments").first().waitFor();
    const start = Date.now();
    await page.goto(`${server.url}/#/experiments/${exp}`);
    await page.getByTestId("run-row").first().waitFor();
    firstRows.push(Date.now() - start);
    if (i === 2) {
      // scroll through 10 pages of rows, recording the longest gap between animation frames
      await page.evaluate(`(() => {
        window.__gaps = []; let last = performance.now();
        const tick = (t) => { window.__gaps.push(t - last); last = t; requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
      })()`);
      const table = page.getByTestId("runs-table");
      for (let s = 0; s < 60; s++) {
        await table.evaluate((el) => el.scrollBy(0, 1200));
        await page.waitForTimeout(50);
      }
      await page.waitForTimeout(300);
      const count = await page.getByTestId("run-count").textContent();
      const gaps = (await page.evaluate("window.__gaps")) as number[];
      const sorted = [...gaps].sort((a, b) => a - b);
      console.log(
        `scrolled: ${count}; frames ${gaps.length}, p95 frame ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(0)} ms, ` +
          `longest ${sorted[sorted.length - 1]?.toFixed(0)} ms`,
      );
    }
    if (errors.length) console.log("console errors:", errors);
    await page.context().close();
  }
  console.log(
    `first rows after navigation: ${firstRows.join(", ")} ms (median ${[...firstRows].sort((a, b) => a - b)[1]} ms)`,
  );

  // 5,000 metric keys on one run: the runs table (column picker) and the run page stay usable
  const wide = await client.createExperiment("bench/wide");
  const run = await client.createRun(wide, { runName: "wide-run" });
  await client.logBatch(run.info.run_id, {
    metrics: Array.from({ length: 5000 }, (_, m) => ({ key: `m_${String(m).padStart(4, "0")}`, value: m, step: 0 })),
  });
  const { page, errors } = await openPage(browser);
  await page.goto(`${server.url}/`);
  await page.getByText("Experiments").first().waitFor();
  let t = Date.now();
  await page.goto(`${server.url}/#/experiments/${wide}`);
  await page.getByTestId("run-row").first().waitFor();
  const tableMs = Date.now() - t;
  t = Date.now();
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByLabel("Search columns").fill("m_4999");
  await page.getByRole("checkbox", { name: "m_4999" }).check();
  await page.getByTestId("column-header").filter({ hasText: "m_4999" }).waitFor();
  const pickMs = Date.now() - t;
  // every one of the 5,000 keys as a column: only the visible window is rendered
  t = Date.now();
  await page.getByLabel("Search columns").fill("");
  await page.getByRole("button", { name: "Add all", exact: true }).click();
  await page.getByRole("button", { name: "Columns" }).filter({ hasText: "(5000/5000)" }).waitFor();
  await page.keyboard.press("Escape");
  await page.getByTestId("column-header").filter({ hasText: "m_0000" }).waitFor();
  const allColumnsMs = Date.now() - t;
  const headerCells = await page.getByTestId("column-header").count();
  t = Date.now();
  await page.getByTestId("runs-table").evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  await page.getByTestId("column-header").filter({ hasText: "m_4998" }).waitFor();
  const scrollEndMs = Date.now() - t;
  t = Date.now();
  await page.goto(`${server.url}/#/experiments/${wide}/runs/${run.info.run_id}`);
  await page.getByTestId("metrics-table").getByText("m_4999").waitFor();
  const runPageMs = Date.now() - t;
  console.log(
    `5,000 metric keys: runs table ${tableMs} ms, find and add a column ${pickMs} ms, ` +
      `all 5,000 as columns ${allColumnsMs} ms (${headerCells} header cells in the DOM), ` +
      `scroll to the last column ${scrollEndMs} ms, run page ${runPageMs} ms`,
  );
  if (errors.length) console.log("console errors:", errors);
  await browser.close();
} finally {
  await server.close();
}
