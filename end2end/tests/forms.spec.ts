// Forms that do not make people type codes: departments and managers are picked by
// searching their names, dates are typed as Japanese people write them (or picked from a
// calendar), and the grades in use are suggested.
import { test, expect, waitForHydration, watchConsole, createTenant, choosePassword } from "../fixtures";
import type { Locator, Page } from "@playwright/test";

const ADMIN_PASSWORD = "冬の朝は白い息がきれいに見える";

function row(page: Page, name: string): Locator {
  return page.getByRole("treeitem", { name: new RegExp(name) });
}

async function addTopLevel(page: Page, code: string, name: string) {
  const form = page.locator("form", { has: page.getByRole("heading", { name: "最上位に部署を追加" }) });
  await form.getByLabel("部署コード").fill(code);
  await form.getByLabel("部署名").fill(name);
  await form.getByRole("button", { name: "追加" }).click();
  await expect(row(page, name)).toBeVisible();
}

test("an admin adds an employee by picking departments and typing a Japanese-era date", async ({ page, kouka }) => {
  const problems = watchConsole(page);
  await page.goto(createTenant(kouka, "PICK", 20));
  await choosePassword(page, ADMIN_PASSWORD);
  // Signed in, the home page greets the user and offers no sign-in button.
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  await expect(page.getByRole("link", { name: "ログインする" })).toHaveCount(0);
  await page.goto("/org");
  await waitForHydration(page);
  await addTopLevel(page, "HQ", "本社");
  await addTopLevel(page, "SALES", "営業部");
  await addTopLevel(page, "DEV", "開発部");

  await page.goto("/org/employees");
  await waitForHydration(page);
  const form = page.locator("#new-employee-form");
  await form.getByLabel("社員番号").fill("E100");
  await form.getByLabel("氏名", { exact: true }).fill("山田 一郎");
  await form.getByLabel("メールアドレス").fill("ichiro@pick.example");
  await form.getByLabel("等級").fill("G3");

  // The hire date in the Japanese era, read back as the day it means.
  const hire = form.getByRole("textbox", { name: "入社日" });
  await hire.fill("令和6年4月1日");
  await expect(form.getByText("2024年4月1日（月）として登録します")).toBeVisible();
  await hire.fill("平成31年5月1日");
  await expect(form.getByText("その元号の期間外の日付です")).toBeVisible();
  await hire.fill("R6.4.1");
  await expect(form.getByText("2024年4月1日（月）として登録します")).toBeVisible();

  // The primary department by part of its name, with the keyboard.
  const primary = form.getByRole("combobox", { name: "所属部署" });
  await primary.fill("営業");
  await expect(form.getByRole("option", { name: /SALES 営業部/ })).toBeVisible();
  await expect(form.getByRole("listbox", { name: "所属部署" }).getByRole("option")).toHaveCount(1);
  await primary.press("ArrowDown");
  await expect(primary).toHaveAttribute("aria-activedescendant", /department_code-option-0/);
  await primary.press("Enter");
  const primaryChosen = form.getByRole("list", { name: "選択中" }).first();
  await expect(primaryChosen.getByText("SALES 営業部")).toBeVisible();
  await expect(primary).toHaveValue("");

  // Two concurrent posts, by code in any case and by a click; one removed again.
  const concurrent = form.getByRole("combobox", { name: "兼務部署" });
  await concurrent.fill("dev");
  await concurrent.press("Enter");
  await concurrent.fill("本");
  await form.getByRole("option", { name: /HQ 本社/ }).click();
  await concurrent.fill("営業");
  await concurrent.press("Escape");
  // Text left in the box is not silently dropped: it says it is not picked.
  await expect(form.getByText("「営業」はまだ選ばれていません")).toBeVisible();
  await concurrent.fill("");
  await form.getByRole("button", { name: "HQ 本社を外す" }).click();
  await expect(form.getByRole("button", { name: "DEV 開発部を外す" })).toBeVisible();
  await expect(form.getByRole("button", { name: "HQ 本社を外す" })).toHaveCount(0);

  await form.getByLabel("招待メールを送る").uncheck();
  await form.getByRole("button", { name: "追加", exact: true }).click();
  await expect(form.getByRole("status").filter({ hasText: "社員を追加しました。" })).toBeVisible();
  // The form starts afresh: no chips, no date.
  await expect(form.getByRole("button", { name: /を外す$/ })).toHaveCount(0);
  await expect(hire).toHaveValue("");
  // The grade just used is suggested to the next one typed.
  await expect(form.locator("#grade-suggestions option[value='G3']")).toHaveCount(1);

  // What was stored: the date as a date, the posts as picked.
  await page.getByRole("link", { name: "山田 一郎" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "山田 一郎", level: 1 })).toBeVisible();
  await expect(page.getByText("2024-04-01").first()).toBeVisible();
  const edit = page.locator("form", { has: page.getByRole("combobox", { name: "所属部署" }) });
  await expect(edit.getByRole("button", { name: "SALES 営業部を外す" })).toBeVisible();
  await expect(edit.getByRole("button", { name: "DEV 開発部を外す" })).toBeVisible();
  await expect(edit.getByRole("textbox", { name: "入社日" })).toHaveValue("2024-04-01");

  // The department's manager is picked by name on the chart.
  await page.goto("/org");
  await waitForHydration(page);
  await row(page, "営業部").click();
  const managerForm = page.locator("form", { has: page.getByRole("heading", { name: "責任者を設定" }) });
  const manager = managerForm.getByRole("combobox", { name: /責任者/ });
  await manager.fill("山田");
  await expect(managerForm.getByRole("option", { name: /E100 山田 一郎/ })).toBeVisible();
  await manager.press("Enter");
  await managerForm.getByRole("button", { name: "責任者を設定" }).click();
  await expect(page.getByRole("status").filter({ hasText: "保存しました。" })).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await row(page, "営業部").click();
  await expect(
    page.locator("form", { has: page.getByRole("heading", { name: "責任者を設定" }) }).getByText("E100 山田 一郎"),
  ).toBeVisible();

  expect(problems).toEqual([]);
});

test("the employee form fits a phone and speaks English", async ({ page, kouka }) => {
  await page.goto(createTenant(kouka, "NARROW", 20));
  await choosePassword(page, ADMIN_PASSWORD);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.context().addCookies([{ name: "kouka_lang", value: "en", url: kouka.baseURL }]);
  await page.goto("/org/employees");
  await waitForHydration(page);
  const form = page.locator("#new-employee-form");
  await form.getByRole("textbox", { name: "Hire date" }).fill("2024年4月1日");
  await expect(form.getByText("Saved as Mon 1 April 2024")).toBeVisible();
  await form.getByRole("combobox", { name: "Primary department" }).fill("x");
  await expect(form.getByText("Nothing matches.")).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
});
