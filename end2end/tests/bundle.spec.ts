import { test, expect, watchConsole, waitForHydration, createTenant, choosePassword } from "../fixtures";
import type { Page } from "@playwright/test";

const PASSWORD = "秋の空は高く雲がゆっくり流れる";

/** Every WebAssembly file the page fetches, by name without its content hash. */
function watchWasm(page: Page): string[] {
  const names: string[] = [];
  page.on("request", (request) => {
    const file = new URL(request.url()).pathname.split("/").pop() ?? "";
    if (file.endsWith(".wasm")) names.push(file.split(".")[0]);
  });
  return names;
}

test("a page's code is fetched only when the page is opened, and it then works", async ({ page, kouka }) => {
  const problems = watchConsole(page);
  await page.goto(createTenant(kouka, "SPLIT", 5));
  await choosePassword(page, PASSWORD);

  // Home, signed in as an admin: the main bundle, not the org chart's code.
  const fetched = watchWasm(page);
  await page.goto("/");
  await waitForHydration(page);
  expect(fetched).toContain("kouka");
  expect(fetched.filter((name) => name.includes("org_chart"))).toEqual([]);

  // Following the menu link fetches the org chart's chunk, and the page is live.
  await page.getByRole("link", { name: "組織図", exact: true }).click();
  await expect(page).toHaveURL(/\/org$/);
  await expect(page.getByRole("heading", { name: "組織図", level: 1 })).toBeVisible();
  expect(fetched.some((name) => name.includes("org_chart"))).toBe(true);
  const form = page.locator("form", { has: page.getByRole("heading", { name: "最上位に部署を追加" }) });
  await form.getByLabel("部署コード").fill("D100");
  await form.getByLabel("部署名").fill("営業本部");
  await form.getByRole("button", { name: "追加" }).click();
  await expect(page.getByRole("treeitem", { name: /営業本部/ })).toBeVisible();

  // Opened directly, the server-rendered page hydrates with its chunk and reacts.
  await page.goto("/org/employees");
  await waitForHydration(page);
  await page.goto("/org");
  await waitForHydration(page);
  const item = page.getByRole("treeitem", { name: /営業本部/ });
  await item.click();
  await expect(item).toHaveAttribute("aria-selected", "true");
  expect(problems, "no console errors, no CSP violations").toEqual([]);
});

/** Signs in a new tenant's admin and waits on the hydrated home page. */
async function adminAtHome(page: Page, kouka: Parameters<typeof createTenant>[0], code: string) {
  await page.goto(createTenant(kouka, code, 5));
  await choosePassword(page, PASSWORD);
  await page.goto("/");
  await waitForHydration(page);
}

test("a tab left open across a new version loads the page afresh when its old code is gone", async ({ page, kouka }) => {
  await adminAtHome(page, kouka, "STALE");
  // The first fetch of the org chart's code fails, as for a chunk a deployment removed.
  let attempts = 0;
  await page.route(/split_org_chart/, (route) => (attempts++ === 0 ? route.abort() : route.continue()));
  await page.getByRole("link", { name: "組織図", exact: true }).click();
  await expect(page).toHaveURL(/\/org$/);
  await waitForHydration(page);
  expect(attempts).toBeGreaterThan(1);
  const form = page.locator("form", { has: page.getByRole("heading", { name: "最上位に部署を追加" }) });
  await form.getByLabel("部署コード").fill("D200");
  await form.getByLabel("部署名").fill("管理本部");
  await form.getByRole("button", { name: "追加" }).click();
  await expect(page.getByRole("treeitem", { name: /管理本部/ })).toBeVisible();
});

test("when a page's code cannot be fetched at all, the page says so instead of looking alive", async ({ page, kouka }) => {
  await adminAtHome(page, kouka, "OFFLINE");
  await page.route(/split_org_chart/, (route) => route.abort());
  await page.getByRole("link", { name: "組織図", exact: true }).click();
  const alert = page.getByRole("alert").filter({ hasText: "ページを表示できません" });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText("通信状況を確認して");
  await expect(alert.getByRole("link", { name: "再読み込み" })).toHaveAttribute("href", "/org");
  await expect(page.getByRole("tree")).toHaveCount(0);
  await expect(page).toHaveTitle(/ページを表示できません/);

  // Once the code can be fetched again, the link brings the page back.
  await page.unroute(/split_org_chart/);
  await alert.getByRole("link", { name: "再読み込み" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "組織図", level: 1 })).toBeVisible();
});
