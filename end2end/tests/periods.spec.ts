// An evaluation period as an evaluation admin runs it, on the demo company (`kouka demo`):
// planned for two sections and two executives added by hand, refused where a deadline is
// out of order, previewed with the evaluators the org chart proposes, one person without
// evaluator fixed by hand and another by CSV, everyone downloaded with their evaluators,
// launched (everyone has a sheet with the evaluators the preview showed), unchanged by a
// later edit of its template, and one manager's sheets handed over to another.
import { readFile } from "node:fs/promises";
import { test, expect, waitForHydration, watchConsole } from "../fixtures";
import type { Locator, Page } from "@playwright/test";

const ADMIN = { email: "admin@e2e.demo.example", password: "デモの管理者のパスワード" };

async function signIn(page: Page) {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("企業コード").fill("E2E");
  await page.getByLabel("メールアドレスまたは社員番号").fill(ADMIN.email);
  await page.getByLabel("パスワード", { exact: true }).fill(ADMIN.password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await expect(page.getByRole("navigation").getByRole("link", { name: "評価期間" })).toBeVisible();
}

/** Picks `code` in the picker labelled `label` inside `scope`. */
async function pick(scope: Locator | Page, label: string | RegExp, code: string) {
  const box = scope.getByRole("combobox", { name: label });
  await box.fill(code);
  await expect(scope.getByRole("option", { name: new RegExp(`^${code} `) })).toBeVisible();
  await box.press("Enter");
}

/** code → [1st, 2nd evaluator] of a table whose code is in the first column. */
async function evaluatorsOf(table: Locator, first: number): Promise<Map<string, string[]>> {
  const rows = await table.locator("tbody tr").all();
  const out = new Map<string, string[]>();
  for (const row of rows) {
    const cells = await row.locator("td").allInnerTexts();
    out.set(cells[0].trim(), [cells[first].trim(), cells[first + 1].trim()]);
  }
  return out;
}

test("an admin plans a period, fixes its evaluators by hand and by CSV, launches it and hands a manager's sheets over", async ({ page, kouka }) => {
  const made = kouka.cli(["demo", "--code", "E2E", "--json"]);
  expect(made.status, made.stderr).toBe(0);
  const console = watchConsole(page);
  await signIn(page);

  await page.getByRole("navigation").getByRole("link", { name: "評価期間" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: "評価期間" })).toBeVisible();
  // The demo's own running period is listed.
  await expect(page.getByRole("table").getByText("実施中")).toBeVisible();

  const form = page.getByRole("region", { name: "新しい評価期間" });
  await form.getByLabel("評価期間名").fill("2027年度上期");
  await form.getByLabel("対象期間の開始日").fill("2027-04-01");
  await form.getByLabel("対象期間の終了日").fill("2027-09-30");
  await form.getByLabel("評価シート").selectOption({ label: "標準評価シート" });
  await form.getByRole("button", { name: "作成する" }).click();
  await expect(page).toHaveURL(/\/evaluation\/periods\/[0-9a-f-]{36}$/);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: /2027年度上期/ })).toContainText("準備中");

  // Two sections, and the president and a division head added by hand.
  const plan = page.getByRole("region", { name: "設定" });
  await pick(plan, /部署（配下の部署を含む）/, "S00001");
  await pick(plan, /部署（配下の部署を含む）/, "S00002");
  await pick(plan, /個別に追加する人/, "E000001");
  await pick(plan, /個別に追加する人/, "E000002");

  // A deadline before the one of the phase before it is named where it is.
  await plan.getByLabel("目標承認").fill("2027-04-02");
  await expect(page.getByRole("region", { name: "保存する前に直すこと" })).toContainText(
    "目標承認の締切: 前のフェーズの締切より前の日付です",
  );
  await plan.getByLabel("目標承認").fill("2027-04-22");
  await expect(page.getByRole("region", { name: "保存する前に直すこと" })).toHaveCount(0);
  // Deadlines are read in the company's zone, with the offset.
  await expect(plan.getByText("2027-04-15 23:59 (JST, +09:00)")).toBeVisible();
  await page.getByRole("button", { name: "保存する" }).click();
  await expect(page.getByText("保存しました。")).toBeVisible();

  // The preview: who is in, and the two the chart proposes nobody (or too few) for.
  await expect(page.getByRole("heading", { name: "評価者が決まっていない人（2人）" })).toBeVisible();
  const count = Number((await page.getByText(/対象者は \d+ 人です。/).innerText()).match(/\d+/)![0]);
  expect(count).toBeGreaterThan(10);

  // The president, by hand.
  const president = page.getByRole("group", { name: /^E000001 / });
  await pick(president, "一次評価者", "E000002");
  await pick(president, "二次評価者", "E000003");
  await president.getByRole("button", { name: "評価者を決める" }).click();
  await expect(page.getByRole("heading", { name: "評価者が決まっていない人（1人）" })).toBeVisible();

  // The division head, by CSV: first a file with a mistake, which changes nothing.
  const csv = page.locator("section", { has: page.getByRole("heading", { name: "評価者をCSVでまとめて指定" }) });
  await csv.getByLabel("CSVファイル").setInputFiles({
    name: "evaluators.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("社員番号,一次評価者,二次評価者\r\nE000002,E000002,E000003\r\n", "utf8"),
  });
  await csv.getByRole("button", { name: "取り込む" }).click();
  await expect(csv.getByText("2行目: 評価者: 本人を評価者にはできません")).toBeVisible();
  await expect(page.getByRole("heading", { name: "評価者が決まっていない人（1人）" })).toBeVisible();
  await csv.getByLabel("CSVファイル").setInputFiles({
    name: "evaluators.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("社員番号,一次評価者,二次評価者\r\nE000002,E000001,E000003\r\n", "utf8"),
  });
  await csv.getByRole("button", { name: "確認する" }).click();
  await expect(csv.getByText("問題はありません。")).toBeVisible();
  await csv.getByRole("button", { name: "取り込む" }).click();
  await expect(page.getByText("1 行の評価者を反映しました。")).toBeVisible();
  await expect(page.getByText("全員の評価者が決まっています。")).toBeVisible();
  // Everyone, with their evaluators, downloads in the file's own format, names beside codes.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    csv.getByRole("link", { name: "UTF-8（BOM付き）でダウンロード" }).click(),
  ]);
  const lines = (await readFile(await download.path())).toString("utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
  expect(lines[0]).toBe("社員番号,氏名,一次評価者,一次評価者氏名,二次評価者,二次評価者氏名");
  expect(lines.length).toBe(count + 1);
  expect(lines.find((line) => line.startsWith("E000002,"))).toContain(",E000001,");
  const proposed = await evaluatorsOf(page.locator("table", { has: page.locator("caption") }), 2);
  expect(proposed.size).toBe(count);
  expect(proposed.get("E000002")).toEqual(["E000001 " + (await nameOf(page, "E000001")), "E000003 " + (await nameOf(page, "E000003"))]);

  // Launch: a sheet for everyone, with the evaluators the preview showed.
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "評価を開始する" }).click();
  await expect(page.getByText(`評価を開始しました。${count} 人のシートを作り、お知らせメールを送ります。`)).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: /2027年度上期/ })).toContainText("実施中");
  const sheetsSection = page.locator("section", { has: page.getByRole("heading", { name: "評価シート", exact: true }) });
  await expect(sheetsSection.getByText(`${count}件のシート`)).toBeVisible();
  const sheets = sheetsSection.locator("table");
  const launched = await evaluatorsOf(sheets, 3);
  expect(launched).toEqual(proposed);
  await expect(sheets.getByText("目標設定中").first()).toBeVisible();

  // The template edited afterwards: the period keeps the sheet it was launched with.
  const periodUrl = page.url();
  await page.goto("/evaluation/templates");
  await waitForHydration(page);
  await page.getByRole("link", { name: "標準評価シート", exact: true }).click();
  await waitForHydration(page);
  await page.getByLabel("テンプレート名").fill("標準評価シート（改訂版）");
  await page.getByRole("button", { name: "保存する" }).click();
  await expect(page.getByText("保存しました。")).toBeVisible();
  await page.goto(periodUrl);
  await waitForHydration(page);
  await expect(page.locator(".lead").first()).toContainText("標準評価シート ·");

  // A hand-over: the manager of S00001 gives every open sheet to the manager of S00002.
  const leaving = [...launched.entries()].filter(([, chain]) => chain[0].startsWith("E000008 "));
  expect(leaving.length).toBeGreaterThan(0);
  const handover = page.locator("section", { has: page.getByRole("heading", { name: "評価者の引き継ぎ" }) });
  await pick(handover, "引き継ぐ評価者", "E000008");
  await pick(handover, "引き継ぎ先", "E000009");
  page.once("dialog", (dialog) => dialog.accept());
  await handover.getByRole("button", { name: "引き継ぐ" }).click();
  await expect(page.getByText(`${leaving.length} 件のシートを引き継ぎました。`)).toBeVisible();
  await expect(sheetsSection.locator("tbody tr").first()).toBeVisible();
  const after = await evaluatorsOf(sheetsSection.locator("table"), 3);
  for (const [code] of leaving) {
    expect(after.get(code)![0]).toMatch(/^E000009 /);
  }
  expect([...after.values()].some((chain) => chain[0].startsWith("E000008 "))).toBe(false);
  expect(console).toEqual([]);
});

/** The name shown for an employee code in the preview or the sheets. */
async function nameOf(page: Page, code: string): Promise<string> {
  const cell = page.locator("td", { hasText: new RegExp(`^${code} `) }).first();
  return (await cell.innerText()).trim().slice(code.length + 1);
}
