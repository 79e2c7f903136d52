// 進捗 on the demo company (`kouka demo`), whose self-evaluation deadline passed three days
// ago: the admin opens the running period's progress, sees the late people and a
// department's share of them, previews the reminder in both languages and sends it to two
// late people — one reads mail in English, one in Japanese, and each gets it in their own;
// the reminders are listed as sent. The results CSV in Shift_JIS opens with its columns
// and the disclosed member's grade. The member's 2nd evaluator, the business admin of their
// division, sees their division's sheets only.
import { test, expect, waitForHydration, waitForMail, watchConsole } from "../fixtures";
import type { Browser } from "@playwright/test";
import { spawnSync } from "node:child_process";
import path from "node:path";

type Account = { role: string; email: string; password: string };

/** One value from the test server's SQLite database, as text. */
function queryText(dataDir: string, sql: string): string {
  const result = spawnSync("sqlite3", [path.join(dataDir, "kouka.db"), sql], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`sqlite3: ${result.stderr}`);
  return result.stdout.trim();
}

/** Shift_JIS (CP932) bytes as text. */
function fromShiftJis(bytes: Buffer): string {
  const result = spawnSync("python3", ["-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().decode('cp932').encode('utf-8'))"], {
    input: bytes,
  });
  if (result.status !== 0) throw new Error(`not Shift_JIS: ${result.stderr}`);
  return result.stdout.toString("utf8");
}

async function signedIn(browser: Browser, baseURL: string, account: Account) {
  const context = await browser.newContext({ baseURL, locale: "ja-JP" });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("企業コード").fill("PROG");
  await page.getByLabel("メールアドレスまたは社員番号").fill(account.email);
  await page.getByLabel("パスワード", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await expect(page.getByRole("navigation").getByRole("link", { name: "自分の評価" })).toBeVisible();
  return { context, page, problems };
}

/** The number before 「シート」 in the summary. */
async function sheetCount(page: import("@playwright/test").Page): Promise<number> {
  const summary = page.getByRole("region", { name: "概要" });
  const text = await summary.getByRole("listitem").first().innerText();
  return Number(text.replace(/[^\d]/g, ""));
}

test("progress shows the late by department, reminds them in their own language, and gives the results CSV", async ({ kouka, browser }) => {
  test.setTimeout(150_000);
  const made = kouka.cli(["demo", "--code", "PROG", "--json"]);
  expect(made.status, made.stderr).toBe(0);
  const accounts: Account[] = JSON.parse(made.stdout).accounts;
  const account = (role: string) => accounts.find((a) => a.role === role)!;
  const manager = account("manager");
  // The manager reads their mail in English.
  queryText(kouka.dataDir, `UPDATE users SET language = 'en' WHERE email = '${manager.email}'`);
  const managerName = queryText(kouka.dataDir, `SELECT display_name FROM users WHERE email = '${manager.email}'`);

  const admin = await signedIn(browser, kouka.baseURL, account("system_admin"));
  const page = admin.page;
  await page.getByRole("navigation").getByRole("link", { name: "評価期間" }).click();
  await page.locator("table").getByRole("link").first().click();
  await waitForHydration(page);
  await page.getByRole("link", { name: "進捗を見る" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /^進捗 — / })).toBeVisible();
  await waitForHydration(page);
  const periodUrl = page.url();
  await expect(page.getByRole("img", { name: /件のシートのフェーズごとの完了率/ })).toBeVisible();
  const lateHeading = page.getByRole("heading", { name: /^期限を過ぎているシート（\d+件）$/ });
  const lateCount = async () => Number((await lateHeading.innerText()).replace(/[^\d]/g, ""));
  const allLate = await lateCount();
  expect(allLate).toBeGreaterThan(1);
  const everyone = await sheetCount(page);

  // Down the tree (the company's one root holds everyone) to a department holding a part:
  // its subtree only, then back to everything.
  const departments = page.getByRole("region", { name: "部署ごとの状況" });
  const crumbs = page.getByRole("navigation", { name: "表示している部署" });
  for (let level = 0; level < 3 && (await sheetCount(page)) === everyone; level++) {
    const row = departments.getByRole("row").filter({ has: page.getByRole("rowheader") }).filter({ hasNot: page.getByText("（所属なし）") }).first();
    const department = (await row.getByRole("button").innerText()).replace("›", "").trim();
    await row.getByRole("button").click();
    await expect(crumbs.getByRole("button", { name: department })).toHaveAttribute("aria-current", "page");
  }
  expect(await sheetCount(page)).toBeLessThan(everyone);
  expect(await lateCount()).toBeLessThanOrEqual(allLate);
  await page.getByRole("navigation", { name: "表示している部署" }).getByRole("button", { name: "全体" }).click();
  await expect.poll(() => sheetCount(page)).toBe(everyone);

  // The manager is late with their own self-evaluation; one more late person waited on
  // as the employee.
  const late = page.getByRole("region", { name: /^期限を過ぎているシート/ });
  const managerRow = late.getByRole("row").filter({ has: page.getByRole("rowheader", { name: managerName, exact: true }) });
  await managerRow.getByRole("checkbox").check();
  const otherRow = late
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: "本人", exact: true }) })
    .filter({ hasNot: page.getByRole("rowheader", { name: managerName, exact: true }) })
    .first();
  const otherName = (await otherRow.getByRole("rowheader").innerText()).trim();
  await otherRow.getByRole("checkbox").check();
  const otherEmail = queryText(kouka.dataDir, `SELECT email FROM users WHERE display_name = '${otherName}' LIMIT 1`);

  // The preview shows the mail in both languages before anything is sent.
  await page.getByText("メールの文面を確認する").click();
  await expect(page.locator(".preview__lang").nth(1)).toHaveText("English");
  await expect(page.locator(".preview__subject").first()).toContainText("締切を過ぎています");
  await expect(page.locator(".preview__subject").nth(1)).toContainText("past its deadline");
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "選んだ 2 件にリマインドを送る" }).click();
  await expect(page.getByText(/^2 件のシートについて、\d+ 通のリマインドを送信待ちにしました。$/)).toBeVisible();

  // Each in their own language, with the link to the sheet.
  const english = await waitForMail(kouka.mailDir, manager.email, "past its deadline");
  expect(english.body).toContain(`Dear ${managerName}`);
  expect(english.body).toContain(`${kouka.baseURL}/evaluation/sheets/`);
  const japanese = await waitForMail(kouka.mailDir, otherEmail, "締切を過ぎています");
  expect(japanese.body).toContain(`${otherName} 様`);
  const sent = page.getByRole("region", { name: "送信したリマインド" });
  await expect(sent.getByRole("row").filter({ hasText: managerName }).first()).toBeVisible();
  await expect(sent.getByRole("cell", { name: "手動" }).first()).toBeVisible();

  // The results file, in Shift_JIS as Excel opens it.
  const link = page.getByRole("link", { name: "Shift_JIS" }).first();
  const href = await link.getAttribute("href");
  expect(href).toContain("/results.csv?encoding=sjis");
  const response = await page.request.get(href!);
  expect(response.status()).toBe(200);
  const csv = fromShiftJis(await response.body());
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  expect(header.split(",")).toEqual(
    expect.arrayContaining(["社員番号", "氏名", "部署", "等級", "状態", "一次評価者", "二次評価者", "本人評価の点数", "一次評価の点数", "二次評価の点数", "最終点数", "計算上の評語", "最終評語", "調整の理由", "本人確認"]),
  );
  const member = account("employee");
  const memberName = queryText(kouka.dataDir, `SELECT display_name FROM users WHERE email = '${member.email}'`);
  const memberRow = rows.find((row) => row.split(",")[1] === memberName);
  expect(memberRow, csv).toBeTruthy();
  const cells = memberRow!.split(",");
  const grade = cells[header.split(",").indexOf("最終評語")];
  expect(grade).toMatch(/^[SABCD]$/);
  expect(admin.problems).toEqual([]);

  // The member's 2nd evaluator, business admin of their division: that division only.
  const division = await signedIn(browser, kouka.baseURL, account("second_evaluator"));
  await division.page.goto(periodUrl);
  await waitForHydration(division.page);
  await expect(division.page.getByText("あなたが担当する人（管理範囲の人、評価する人）のシートの進み具合です。")).toBeVisible();
  const theirs = await sheetCount(division.page);
  expect(theirs).toBeGreaterThan(0);
  expect(theirs).toBeLessThan(everyone);
  expect(division.problems).toEqual([]);
  await division.context.close();
  await admin.context.close();
});
