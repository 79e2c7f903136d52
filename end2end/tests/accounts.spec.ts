import { execFileSync } from "node:child_process";
import path from "node:path";
import { test, expect, waitForHydration, waitForMail, linkIn, watchConsole, createTenant, choosePassword } from "../fixtures";
import type { Page } from "@playwright/test";

const ADMIN_PASSWORD = "春の小川はさらさら流れる";
const USER_PASSWORD = "秋の夜長に本を読みましょう";

/** Console errors other than the browser's note on a deliberately refused request. */
function unexpected(problems: string[]): string[] {
  return problems.filter((p) => !p.startsWith("Failed to load resource"));
}

test("the whole account story: setup, invitation, roles, deactivation", async ({ page, browser, kouka }) => {
  const adminConsole = watchConsole(page);
  // The operator's CLI creates the tenant and prints the setup notice.
  const setupUrl = createTenant(kouka, "STORY", 10);
  const again = kouka.cli(["tenant", "create", "--code", "story", "--name", "x", "--seats", "1",
    "--admin-email", "a@b.example", "--admin-name", "x"]);
  expect(again.status).not.toBe(0);
  expect(again.stderr).toContain("already taken");

  // The setup link lets the admin choose their own password, and signs them in.
  await page.goto(setupUrl);
  await expect(page.getByText("人事 花子")).toBeVisible();
  await choosePassword(page, ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { name: "ようこそ、人事 花子 さん" })).toBeVisible();

  // The link works once.
  await page.goto(setupUrl);
  await expect(page.getByRole("alert")).toContainText("このリンクは無効です");

  // The admin creates a user; the invitation arrives in the mail folder.
  await page.goto("/admin/users");
  await waitForHydration(page);
  await page.getByLabel("氏名", { exact: true }).fill("評価 太郎");
  await page.getByLabel("メールアドレス", { exact: true }).fill("taro@story.example");
  await page.getByLabel("社員番号", { exact: true }).fill("E100");
  await page.getByRole("button", { name: "追加して招待メールを送る" }).click();
  await expect(page.getByRole("status")).toContainText("招待メールを送りました");
  await expect(page.getByRole("link", { name: "評価 太郎" })).toBeVisible();
  const invitation = await waitForMail(kouka.mailDir, "taro@story.example", "Invitation");
  expect(invitation.body).toContain("評価 太郎 様");
  expect(invitation.body).toContain("Dear 評価 太郎");
  const inviteUrl = linkIn(invitation, `${kouka.baseURL}/invite`);

  // The user, in a browser of their own, sets a password and is signed in.
  const userContext = await browser.newContext({ baseURL: kouka.baseURL, locale: "ja-JP" });
  const userPage = await userContext.newPage();
  const userConsole = watchConsole(userPage);
  await userPage.goto(inviteUrl);
  await choosePassword(userPage, USER_PASSWORD);

  // The user cannot reach admin pages, nor call admin server functions.
  await expect(userPage.getByRole("link", { name: "ユーザー管理" })).toHaveCount(0);
  await userPage.goto("/admin/users");
  // A plain page that says what is missing, and no form that would be refused.
  await expect(userPage.getByRole("heading", { name: "この画面を使う権限がありません" })).toBeVisible();
  await expect(userPage.getByText("システム管理者")).toBeVisible();
  await expect(userPage.locator("form input[name=email]")).toHaveCount(0);
  const direct = await userPage.request.post("/api/users/list", {
    form: { query: "", page: "1" },
    headers: { origin: kouka.baseURL },
  });
  expect(direct.status()).toBe(403);
  await userPage.goto("/");
  await waitForHydration(userPage);

  // The admin deactivates the user …
  await page.getByRole("link", { name: "評価 太郎" }).click();
  await waitForHydration(page);
  // Deactivating is asked first, and says what it did beside the buttons.
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "無効にする" }).click();
  await expect(page.getByRole("button", { name: "有効にする" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "アカウントを無効にしました" })).toBeVisible();

  // … and the user's open session is dead on their next click.
  // Signed out, a page that needs a sign-in sends them to it, to come back afterwards.
  await userPage.getByRole("link", { name: "アカウント" }).click();
  await expect(userPage).toHaveURL(/\/login\?next=%2Faccount$/);
  await expect(userPage.getByRole("navigation").getByRole("link", { name: "ログイン" })).toBeVisible();

  // Logging in again is refused with the one message for every failure.
  await userPage.goto("/login");
  await waitForHydration(userPage);
  await userPage.getByLabel("企業コード").fill("story");
  await userPage.getByLabel("メールアドレスまたは社員番号").fill("E100");
  await userPage.getByLabel("パスワード", { exact: true }).fill(USER_PASSWORD);
  await userPage.getByRole("button", { name: "ログイン" }).click();
  await expect(userPage.getByRole("alert")).toContainText("いずれかが正しくありません");
  await userContext.close();

  // No hydration error, panic or CSP violation on any page of the story.
  expect(unexpected(adminConsole), "admin's console").toEqual([]);
  expect(unexpected(userConsole), "user's console").toEqual([]);
});

test("an expired setup link is refused", async ({ page, kouka }) => {
  const setupUrl = createTenant(kouka, "EXPIRE", 5);
  // Age every unused link past its validity, as 72 hours would.
  execFileSync("sqlite3", [path.join(kouka.dataDir, "kouka.db"), "UPDATE one_time_tokens SET expires_at = 0 WHERE used_at IS NULL"]);
  await page.goto(setupUrl);
  await expect(page.getByRole("alert")).toContainText("有効期限が切れています");
});

test("the seat limit is enforced with a clear message, in Japanese and in English", async ({ page, kouka }) => {
  const setupUrl = createTenant(kouka, "SEATS", 2);
  await page.goto(setupUrl);
  await choosePassword(page, ADMIN_PASSWORD);
  await page.goto("/admin/users");
  await waitForHydration(page);
  await expect(page.getByText("利用中 1 / 契約 2 席")).toBeVisible();
  for (const [name, email] of [["一人目 社員", "one@seats.example"], ["二人目 社員", "two@seats.example"]]) {
    await page.getByLabel("氏名", { exact: true }).fill(name);
    await page.getByLabel("メールアドレス", { exact: true }).fill(email);
    await page.getByRole("button", { name: "追加して招待メールを送る" }).click();
    await expect(page.getByRole("link", { name: "一人目 社員" })).toBeVisible();
  }
  await expect(page.getByRole("alert")).toContainText("契約席数（2席）の上限に達しているため");

  await page.getByRole("link", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Add and send invitation" }).click();
  await expect(page.getByRole("alert")).toContainText("seat limit (2 seats) is reached");

  // Logging out ends the session.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("navigation").getByRole("link", { name: "Log in" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  await expect(page.getByRole("status")).toContainText("Please sign in to see this page.");
});
