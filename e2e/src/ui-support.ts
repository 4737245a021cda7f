// Shared helpers for the web UI's browser tests: one Chromium per suite, console errors collected.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function uiBuilt(): boolean {
  const pkg = createRequire(import.meta.url).resolve("@mlflow-ts/ui/package.json");
  return existsSync(join(dirname(pkg), "dist", "index.html"));
}

export async function launch(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  assert.ok(uiBuilt(), "the UI bundle is missing: npm run build -w @mlflow-ts/ui");
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A page whose console errors and uncaught exceptions land in `errors`. */
export async function openPage(
  browser: Browser,
  options: { colorScheme?: "light" | "dark"; width?: number; height?: number } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? "light",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors };
}
