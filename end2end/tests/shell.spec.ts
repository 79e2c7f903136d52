import { test, expect, watchConsole, waitForHydration } from "../fixtures";

test("the home page renders in Japanese, hydrates, and breaks no CSP rule", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await expect(page).toHaveTitle("考課");
  await expect(page.locator("html")).toHaveAttribute("lang", "ja");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("人事評価を、もっと確かに。");
  await expect(page.getByRole("navigation", { name: "メインメニュー" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByRole("link", { name: "ログインする" })).toBeVisible();
  expect(problems, "no console errors, no CSP violations").toEqual([]);
});

test("an interactive control reacts once hydrated: the menu button on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  await waitForHydration(page);
  const toggle = page.getByRole("button", { name: "メニューを開く" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("link", { name: "ログイン", exact: true })).toBeHidden();
  await toggle.click();
  await expect(page.getByRole("button", { name: "メニューを閉じる" })).toHaveAttribute(
    "aria-expanded",
    "true",
  );
  await expect(page.getByRole("link", { name: "ログイン", exact: true })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "メニューを開く" })).toHaveAttribute(
    "aria-expanded",
    "false",
  );
});

test("switching to English turns the page English in place, and it is remembered", async ({
  page,
  context,
}) => {
  await page.goto("/");
  await waitForHydration(page);
  // A marker on window survives only if the switch happens without a page load.
  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByRole("link", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Personnel evaluation, done right.");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page).toHaveTitle("Kouka");
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === "kouka_lang")?.value).toBe("en");

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Personnel evaluation, done right.");
  await page.getByRole("link", { name: "日本語" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("人事評価を、もっと確かに。");

  // A page's own title follows the switch too.
  await page.goto("/login");
  await waitForHydration(page);
  await expect(page).toHaveTitle("ログイン | 考課");
  await page.getByRole("link", { name: "English" }).click();
  await expect(page).toHaveTitle("Log in | Kouka");
});

test("an English browser gets English first", async ({ browser, kouka }) => {
  const context = await browser.newContext({ locale: "en-US", baseURL: kouka.baseURL });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  await context.close();
});

test("the page is usable from the keyboard: skip link, then navigation", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "本文へスキップ" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();
  // Client-side navigation to the login route by keyboard.
  await page.getByRole("navigation").getByRole("link", { name: "ログイン" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("ログイン");
});

test("an unknown address shows a page-not-found page with a way home", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("ページが見つかりません");
  await page.getByRole("link", { name: "ホームへ戻る" }).click();
  await expect(page).toHaveURL(/\/$/);
});
