// 評価調整 on the demo company (`kouka demo`), as its system admin does it: the running
// period's sheets side by side, one grade changed — refused without a reason, then with
// one — and the distribution moving with it; the change in the sheet's history and its
// result; the whole selection finalized, then disclosed. The demo's employee, whose sheet
// was disclosed, sees their grade and score with the sum that makes it, and not what the
// period keeps back (each stage's ratings); their 1st evaluator records the feedback
// interview, and they acknowledge the result with a comment.
import { test, expect, waitForHydration, watchConsole } from "../fixtures";
import type { Browser, Page } from "@playwright/test";

type Account = { role: string; email: string; password: string };

async function signedIn(browser: Browser, baseURL: string, account: Account) {
  const context = await browser.newContext({ baseURL, locale: "ja-JP" });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("企業コード").fill("CALIB");
  await page.getByLabel("メールアドレスまたは社員番号").fill(account.email);
  await page.getByLabel("パスワード", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await expect(page.getByRole("navigation").getByRole("link", { name: "自分の評価" })).toBeVisible();
  return { context, page, problems };
}

/** The number of people the distribution table gives `grade`. */
async function countOf(page: Page, grade: string): Promise<number> {
  const table = page.getByRole("region", { name: "評語の分布" });
  const row = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: grade, exact: true }) });
  return Number((await row.getByRole("cell").first().innerText()).trim());
}

test("calibration changes a grade with its reason, finalizes and discloses; the employee sees what is disclosed", async ({ kouka, browser }) => {
  test.setTimeout(120_000);
  const made = kouka.cli(["demo", "--code", "CALIB", "--json"]);
  expect(made.status, made.stderr).toBe(0);
  const accounts: Account[] = JSON.parse(made.stdout).accounts;
  const admin = await signedIn(browser, kouka.baseURL, accounts.find((a) => a.role === "system_admin")!);
  const page = admin.page;

  // The admin's desk at home says how many sheets wait for calibration, and leads there.
  await page.goto("/");
  await waitForHydration(page);
  const waiting = page.getByRole("link", { name: /: 評価調整を待つシートが\d+件あります$/ });
  await expect(waiting).toBeVisible();
  await page.getByRole("navigation").getByRole("link", { name: "評価期間" }).click();
  await page.locator("table").getByRole("link").first().click();
  await waitForHydration(page);
  await page.getByRole("link", { name: "評価調整へ" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /^評価調整 — / })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByRole("img", { name: /評語の分布（評価済み \d+人）と目標分布/ })).toBeVisible();

  // A sheet in calibration: its computed grade, and another one chosen for it.
  const sheets = page.getByRole("region", { name: "シート" });
  const row = sheets.getByRole("row").filter({ hasText: "調整中" }).first();
  const name = (await row.getByRole("rowheader").innerText()).trim();
  const cells = await row.getByRole("cell").allInnerTexts();
  const computed = cells[cells.length - 2].trim();
  const other = computed === "S" ? "A" : "S";
  const before = await countOf(page, other);
  await row.getByRole("combobox", { name: `${name} — 最終評語` }).selectOption(other);
  await row.getByRole("button", { name: "保存" }).click();
  await expect(page.getByText("計算された評語と違う評語にするには理由を書いてください")).toBeVisible();
  const reason = "期中に大型案件を引き継ぎ、成果を上げた";
  await row.getByLabel("変更の理由").fill(reason);
  await row.getByRole("button", { name: "保存" }).click();
  await expect(page.getByText(`${name} さんの最終評語を ${other} にしました。`)).toBeVisible();
  // The distribution moves with it; the computed grade stays in view.
  await expect.poll(() => countOf(page, other)).toBe(before + 1);
  const changed = sheets.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });
  await expect(changed.getByText(`調整済み（計算上は ${computed}）`)).toBeVisible();

  // The sheet's history and result say what changed and why.
  await changed.getByRole("link", { name }).click();
  await waitForHydration(page);
  const history = page.locator("section", { has: page.getByRole("heading", { name: "評価履歴" }) });
  await expect(history.getByText(`${computed} → ${other}: ${reason}`)).toBeVisible();
  const result = page.locator("section", { has: page.getByRole("heading", { name: "評価結果" }) });
  await expect(result.getByText(`最終評語: ${other}`)).toBeVisible();
  await expect(result.getByText(`評価調整で変更されました（計算上は ${computed}）。理由: ${reason}`)).toBeVisible();
  await page.goBack();
  await waitForHydration(page);

  // The whole selection finalized, then disclosed.
  const finalize = page.getByRole("button", { name: /^調整中のシートをすべて確定する（\d+件）$/ });
  const toFinalize = Number((await finalize.innerText()).match(/（(\d+)件）/)![1]);
  expect(toFinalize).toBeGreaterThan(0);
  page.once("dialog", (dialog) => dialog.accept());
  await finalize.click();
  await expect(page.getByText(`${toFinalize}件のシートに行いました。`)).toBeVisible();
  await expect(page.getByRole("button", { name: "調整中のシートをすべて確定する（0件）" })).toBeDisabled();
  await expect(changed.getByRole("combobox")).toHaveCount(0);
  const disclose = page.getByRole("button", { name: /^確定済みのシートをすべて開示する（\d+件）$/ });
  const toDisclose = Number((await disclose.innerText()).match(/（(\d+)件）/)![1]);
  expect(toDisclose).toBeGreaterThanOrEqual(toFinalize);
  page.once("dialog", (dialog) => dialog.accept());
  await disclose.click();
  await expect(page.getByText(`${toDisclose}件のシートに行いました。`)).toBeVisible();

  // The demo's employee: their disclosed sheet's grade and score, summed; not each
  // stage's ratings, which this period keeps back.
  const employee = await signedIn(browser, kouka.baseURL, accounts.find((a) => a.role === "employee")!);
  const mine = employee.page;
  await mine.getByRole("navigation").getByRole("link", { name: "自分の評価" }).click();
  await mine.locator(".sheet-lines li").filter({ hasText: "開示済み" }).first().getByRole("link").click();
  await waitForHydration(mine);
  const theirs = mine.locator("section", { has: mine.getByRole("heading", { name: "評価結果" }) });
  await expect(theirs.getByText("最終評語: A")).toBeVisible();
  await expect(theirs.getByText("最終点数: 3.67（= 二次評価 100 % × 3.67）")).toBeVisible();
  await expect(mine.getByRole("columnheader", { name: "一次評価" })).toHaveCount(0);
  await expect(mine.getByText("評価調整で変更されました")).toHaveCount(0);

  // A hand-made call by the employee to change a grade is refused by the server.
  const id = mine.url().split("/").pop()!;
  const refused = await mine.request.post("/api/evaluation/calibration/adjust", {
    form: { id, version: "1", grade: "S", reason: "自分で" },
    headers: { origin: kouka.baseURL },
  });
  expect(refused.status()).toBe(403);

  // The 1st evaluator records the feedback interview; the employee acknowledges the
  // result with a comment; the period's list shows both.
  const evaluator = await signedIn(browser, kouka.baseURL, accounts.find((a) => a.role === "manager")!);
  await evaluator.page.goto(mine.url());
  await waitForHydration(evaluator.page);
  const interview = evaluator.page.locator("section", { has: evaluator.page.getByRole("heading", { name: "フィードバック面談" }) });
  await expect(interview.getByText("まだ記録されていません。")).toBeVisible();
  await interview.getByLabel("実施日").fill("2026-11-20");
  await interview.getByRole("button", { name: "面談を記録する" }).click();
  await expect(evaluator.page.getByText("フィードバック面談（2026-11-20）を記録しました。")).toBeVisible();
  await expect(interview.getByText("2026-11-20 に実施しました。")).toBeVisible();
  await mine.reload();
  await waitForHydration(mine);
  await expect(mine.getByText("2026-11-20 に実施しました。")).toBeVisible();
  await expect(mine.getByRole("button", { name: "面談を記録する" })).toHaveCount(0);
  await mine.getByLabel("コメント").fill("面談で説明を受け、納得しました");
  await mine.getByRole("button", { name: "確認した" }).click();
  await expect(mine.getByText("状態: 本人確認済み")).toBeVisible();
  const theirHistory = mine.locator("section", { has: mine.getByRole("heading", { name: "評価履歴" }) });
  await expect(theirHistory.getByText("面談で説明を受け、納得しました")).toBeVisible();
  const heading = await mine.getByRole("heading", { level: 1 }).innerText();
  const employeeName = heading.match(/— (.+) の評価シート/)![1];
  await page.goto(page.url().replace(/\/calibration$/, ""));
  await waitForHydration(page);
  await page.getByLabel("氏名・社員番号で探す").fill(employeeName);
  const listed = page.getByRole("row").filter({ hasText: "本人確認済み" }).filter({ hasText: "面談 2026-11-20" });
  await expect(listed).toHaveCount(1);

  const unexpected = (problems: string[]) => problems.filter((p) => !/status of 422/.test(p));
  expect(unexpected(admin.problems)).toEqual([]);
  expect(unexpected(employee.problems)).toEqual([]);
  expect(unexpected(evaluator.problems)).toEqual([]);
  await evaluator.context.close();
  await admin.context.close();
  await employee.context.close();
});
