import { test as base, expect, Page } from "@playwright/test";
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const repo = path.resolve(__dirname, "..");

/** A running `kouka serve` of the release build, on its own port and fresh SQLite file. */
export interface KoukaServer {
  baseURL: string;
  dataDir: string;
  mailDir: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kouka exited early:\n${log()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`kouka did not become healthy:\n${log()}`);
}

/** Collects what the page would show a developer in its console: errors and CSP reports. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  return problems;
}

export const test = base.extend<{ kouka: KoukaServer }>({
  kouka: async ({}, use) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "kouka-e2e-"));
    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    let output = "";
    const child = spawn(path.join(repo, "target/release/kouka"), ["serve"], {
      cwd: repo,
      env: {
        ...process.env,
        DATABASE_URL: `sqlite://${dataDir}/kouka.db`,
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: path.join(repo, "target/site"),
        KOUKA_BASE_URL: baseURL,
        KOUKA_DATA_DIR: dataDir,
        KOUKA_MAIL_DIR: path.join(dataDir, "mail"),
        RUST_LOG: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    await waitForHealth(baseURL, child, () => output);
    await use({ baseURL, dataDir, mailDir: path.join(dataDir, "mail") });
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    rmSync(dataDir, { recursive: true, force: true });
  },
  baseURL: async ({ kouka }, use) => {
    await use(kouka.baseURL);
  },
});

export { expect };

/** Resolves once the WebAssembly app has hydrated the page. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
}
