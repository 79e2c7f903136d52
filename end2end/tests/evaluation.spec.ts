// The evaluation's setup as an evaluation admin meets it: a sheet template built from the
// starter, every invalid choice refused with its reason where it was made, a preview of
// the sheet, saved, read back, and copied.
import { test, expect, waitForHydration, watchConsole, createTenant, choosePassword } from "../fixtures";
import type { Page } from "@playwright/test";

const ADMIN_PASSWORD = "秋の夜長に虫の声をじっと聞く";

function problems(page: Page) {
  return page.locator(".problem-list");
}

test("an admin builds a sheet template, is told each mistake where it is, previews and saves it", async ({ page, kouka }) => {
  const console = watchConsole(page);
  await page.goto(createTenant(kouka, "SHEET", 20));
  await choosePassword(page, ADMIN_PASSWORD);

  await page.goto("/evaluation/templates");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: "評価シートのテンプレート" })).toBeVisible();
  await expect(page.getByText("テンプレートはまだありません")).toBeVisible();
  await page.getByRole("link", { name: "新規作成" }).click();

  // The starter: goals 60 %, four behaviour items 40 %, a comment; nothing to fix.
  await expect(page.getByRole("heading", { name: "このテンプレートは保存して使えます。" })).toBeVisible();
  await page.getByLabel("テンプレート名").fill("2026年度 総合職");
  await expect(page.getByRole("heading", { level: 1, name: "2026年度 総合職" })).toBeVisible();

  // Section weights that do not total 100, named with the total they make.
  const goals = page.getByRole("article", { name: "セクション1" });
  const behaviour = page.getByRole("article", { name: "セクション2" });
  await goals.getByLabel("ウェイト（%）").fill("50");
  await expect(problems(page)).toContainText("セクション: ウェイトの合計を100にしてください（現在 90）");
  await expect(page.getByRole("heading", { name: "直すところが1件あります" })).toBeVisible();
  await behaviour.getByLabel("ウェイト（%）").first().fill("50");
  await expect(page.getByRole("heading", { name: "このテンプレートは保存して使えます。" })).toBeVisible();

  // A weight that is not a number is named, not turned into 0; full-width digits are fine.
  const firstItemWeight = behaviour.getByLabel("ウェイト（%）").nth(1);
  await firstItemWeight.fill("２５ｋ");
  await expect(behaviour.getByText("セクション2の項目1: 数値を入力してください")).toBeVisible();
  await expect(firstItemWeight).toHaveAttribute("aria-invalid", "true");
  await firstItemWeight.fill("２５");
  await expect(problems(page).locator("li")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "このテンプレートは保存して使えます。" })).toBeVisible();

  // Goal counts out of order.
  await goals.getByLabel("目標数（最小）").fill("6");
  await expect(goals.getByText("セクション1: 目標の数は 1 以上、最小 ≦ 最大、最大 20 までで指定してください")).toBeVisible();
  await goals.getByLabel("目標数（最小）").fill("2");

  // A custom scale of four levels with a decimal, and a duplicate label refused.
  const scale = page.getByRole("region", { name: "評価尺度" });
  await scale.getByRole("button", { name: "削除" }).last().click();
  await expect(scale.getByLabel("記号")).toHaveCount(4);
  await scale.getByLabel("記号").nth(2).fill("A");
  await expect(scale.getByText("評価尺度の3段階目: 「A」が重複しています")).toBeVisible();
  await scale.getByLabel("記号").nth(2).fill("B");
  await scale.getByLabel("点数").nth(3).fill("1.5");

  // Thresholds out of order, refused on their row.
  const grades = page.getByRole("region", { name: "評語の区分" });
  await grades.getByLabel("下限点（以上）").nth(1).fill("4.6");
  await expect(grades.getByText("評語の2行目: 下限点は上の評語ほど高く、重複しないようにしてください")).toBeVisible();
  await grades.getByLabel("下限点（以上）").nth(1).fill("3.8");
  await expect(page.getByRole("heading", { name: "このテンプレートは保存して使えます。" })).toBeVisible();

  // The preview shows the sheet as the employee will: goals to write, items to rate.
  await page.getByRole("button", { name: "プレビューを表示" }).click();
  const preview = page.getByRole("region", { name: "社員に表示されるシート" });
  await expect(preview.getByRole("heading", { name: "2026年度 総合職" })).toBeVisible();
  await expect(preview.getByText("社員が目標を2〜5件書きます（ウェイトの合計100%）。")).toBeVisible();
  await expect(preview.getByRole("heading", { name: /主体性/ })).toContainText("ウェイト 25%");
  await expect(preview.getByText("C (1.5)")).toBeVisible();
  await expect(preview.getByText("A ≥ 3.8")).toBeVisible();

  // Saved, and read back as it was left.
  await page.getByRole("button", { name: "保存する" }).click();
  await expect(page.getByText("保存しました。")).toBeVisible();
  await expect(page).toHaveURL(/\/evaluation\/templates\/[0-9a-f-]{36}$/);
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByLabel("テンプレート名")).toHaveValue("2026年度 総合職");
  await expect(page.getByRole("region", { name: "評価尺度" }).getByLabel("点数").nth(3)).toHaveValue("1.5");
  await expect(page.getByRole("article", { name: "セクション1" }).getByLabel("目標数（最小）")).toHaveValue("2");

  // Listed, and copied under a free name.
  await page.getByRole("link", { name: "テンプレート一覧へ" }).click();
  await expect(page.getByRole("link", { name: "2026年度 総合職", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "コピー" }).click();
  await expect(page.getByText("コピーしました。")).toBeVisible();
  await expect(page.getByRole("link", { name: "2026年度 総合職 のコピー" })).toBeVisible();
  expect(console).toEqual([]);
});
