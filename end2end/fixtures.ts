import { test as base, expect, Page } from "@playwright/test";
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const repo = path.resolve(__dirname, "..");

/** A running `kouka serve` of the release build, on its own port and fresh SQLite file. */
export interface KoukaServer {
  baseURL: string;
  dataDir: string;
  mailDir: string;
  /** Runs a `kouka` command (the operator's CLI) against this server's database. */
  cli(args: string[]): { status: number | null; stdout: string; stderr: string };
}

function serverEnv(dataDir: string, port: number, baseURL: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: `sqlite://${dataDir}/kouka.db`,
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_SITE_ROOT: path.join(repo, "target/site"),
    KOUKA_BASE_URL: baseURL,
    KOUKA_DATA_DIR: dataDir,
    KOUKA_MAIL_DIR: path.join(dataDir, "mail"),
    RUST_LOG: "warn",
  };
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
    const env = serverEnv(dataDir, port, baseURL);
    const child = spawn(path.join(repo, "target/release/kouka"), ["serve"], {
      cwd: repo,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    await waitForHealth(baseURL, child, () => output);
    const cli = (args: string[]) => {
      const result = spawnSync(path.join(repo, "target/release/kouka"), args, { cwd: repo, env, encoding: "utf8" });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    await use({ baseURL, dataDir, mailDir: path.join(dataDir, "mail"), cli });
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    rmSync(dataDir, { recursive: true, force: true });
    // A panic drops the connection it happened on: whatever the page showed, it is a bug.
    if (output.includes("panicked at")) throw new Error(`the server panicked:\n${output}`);
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

/** A mail as the worker wrote it into the mail folder. */
export interface Mail {
  to: string;
  subject: string;
  body: string;
}

function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, kind: string, text: string) =>
    kind.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(
          text.replace(/_/g, " ").replace(/=([0-9a-f]{2})/gi, (_m: string, h: string) => String.fromCharCode(parseInt(h, 16))),
          "latin1",
        ).toString("utf8"),
  );
}

function parseEml(raw: string): Mail {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const body = raw.slice(split + 4);
  const header = (name: string) =>
    head.split("\r\n").find((line) => line.toLowerCase().startsWith(name.toLowerCase() + ":"))?.slice(name.length + 1).trim() ?? "";
  const encoding = header("Content-Transfer-Encoding").toLowerCase();
  let text = body;
  if (encoding === "base64") {
    text = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  } else if (encoding === "quoted-printable") {
    text = Buffer.from(
      body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      "latin1",
    ).toString("utf8");
  }
  return { to: decodeWords(header("To")), subject: decodeWords(header("Subject")), body: text };
}

/** Waits until a mail to `to` arrives in the mail folder, and returns it. */
export async function waitForMail(mailDir: string, to: string, subjectPart = ""): Promise<Mail> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (existsSync(mailDir)) {
      for (const name of readdirSync(mailDir).filter((n) => n.endsWith(".eml")).sort()) {
        const mail = parseEml(readFileSync(path.join(mailDir, name), "utf8"));
        if (mail.to.includes(to) && mail.subject.includes(subjectPart)) return mail;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} arrived`);
}

/** How many mails to `to` whose subject holds `subjectPart` have been written so far. */
export function countMails(mailDir: string, to: string, subjectPart = ""): number {
  if (!existsSync(mailDir)) return 0;
  return readdirSync(mailDir)
    .filter((n) => n.endsWith(".eml"))
    .map((name) => parseEml(readFileSync(path.join(mailDir, name), "utf8")))
    .filter((mail) => mail.to.includes(to) && mail.subject.includes(subjectPart)).length;
}

/** The first link under `base` in a mail's text. */
export function linkIn(mail: Mail, base: string): string {
  const link = mail.body.split(/\s+/).find((word) => word.startsWith(base + "/"));
  if (!link) throw new Error(`no link under ${base} in: ${mail.body}`);
  return link;
}

/** The operator creates a tenant; returns the setup URL from the printed notice. */
export function createTenant(kouka: KoukaServer, code: string, seats: number): string {
  const result = kouka.cli([
    "tenant", "create",
    "--code", code,
    "--name", "考課テスト株式会社",
    "--seats", String(seats),
    "--admin-email", `hr@${code.toLowerCase()}.example`,
    "--admin-name", "人事 花子",
  ]);
  expect(result.status, result.stderr).toBe(0);
  const url = result.stdout.split(/\s+/).find((w) => w.startsWith(`${kouka.baseURL}/setup/`));
  expect(url, result.stdout).toBeTruthy();
  return url!;
}

/** On a setup, invitation or reset page: chooses the password and lands signed in. */
export async function choosePassword(page: Page, password: string) {
  await waitForHydration(page);
  await page.getByLabel("新しいパスワード", { exact: true }).fill(password);
  await page.getByLabel("新しいパスワード（確認）").fill(password);
  await page.getByRole("button", { name: "パスワードを設定してログイン" }).click();
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

/** Text in Shift_JIS (CP932) bytes, as Japanese Excel saves a CSV. */
export function shiftJis(text: string): Buffer {
  const result = spawnSync("python3", ["-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().decode('utf-8').encode('cp932'))"], {
    input: Buffer.from(text, "utf8"),
  });
  if (result.status !== 0) throw new Error(`cannot encode as Shift_JIS: ${result.stderr}`);
  return result.stdout as Buffer;
}

/** A number from the test server's SQLite database. */
export function queryNumber(kouka: KoukaServer, sql: string): number {
  const result = spawnSync("sqlite3", [path.join(kouka.dataDir, "kouka.db"), sql], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`sqlite3: ${result.stderr}`);
  return Number(result.stdout.trim());
}
