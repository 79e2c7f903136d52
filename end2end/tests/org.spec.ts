import { readFileSync } from "node:fs";
import {
  test,
  expect,
  waitForHydration,
  waitForMail,
  linkIn,
  watchConsole,
  createTenant,
  choosePassword,
  shiftJis,
  queryNumber,
} from "../fixtures";
import type { Locator, Page } from "@playwright/test";

const ADMIN_PASSWORD = "冬の朝は白い息がきれいに見える";
const SECOND_PASSWORD = "春の夜は桜の花びらが静かに舞う";

/** A row of the org tree, by its department name. */
function row(page: Page, name: string): Locator {
  return page.getByRole("treeitem", { name: new RegExp(name) });
}

/** A row of the org tree, by its department code. */
function rowByCode(page: Page, code: string): Locator {
  return page.getByRole("treeitem", { name: new RegExp(`^${code} `) });
}

/** Expects the keyboard on `item`: the tree holds the focus and names the row as its
 * active descendant (the rows themselves come and go as the chart changes). */
async function expectActiveRow(item: Locator) {
  const tree = item.page().getByRole("tree");
  const id = await item.getAttribute("id");
  await expect(tree).toBeFocused();
  await expect(tree).toHaveAttribute("aria-activedescendant", id ?? "(no id)");
}

/** One of the add-a-department forms, by its heading. */
function addForm(page: Page, heading: string): Locator {
  return page.locator("form", { has: page.getByRole("heading", { name: heading }) });
}

async function addTopLevel(page: Page, code: string, name: string) {
  const form = addForm(page, "最上位に部署を追加");
  await form.getByLabel("部署コード").fill(code);
  await form.getByLabel("部署名").fill(name);
  await form.getByRole("button", { name: "追加" }).click();
  await expect(row(page, name)).toBeVisible();
}

/** Console errors other than the browser's note on a deliberately refused request. */
function unexpected(problems: string[]): string[] {
  return problems.filter((p) => !p.startsWith("Failed to load resource"));
}

test("two admins edit the chart live, a stale edit is refused, and the keyboard moves departments", async ({
  page,
  browser,
  kouka,
}) => {
  const firstConsole = watchConsole(page);
  await page.goto(createTenant(kouka, "LIVE", 20));
  await choosePassword(page, ADMIN_PASSWORD);

  // A second admin, of the organization subsystem, invited through the admin screens.
  await page.goto("/admin/users");
  await waitForHydration(page);
  await page.getByLabel("氏名", { exact: true }).fill("組織 次郎");
  await page.getByLabel("メールアドレス", { exact: true }).fill("jiro@live.example");
  await page.getByLabel("組織サブシステム管理者").check();
  await page.getByRole("button", { name: "追加して招待メールを送る" }).click();
  await expect(page.getByRole("status")).toContainText("招待メールを送りました");
  const invitation = await waitForMail(kouka.mailDir, "jiro@live.example");
  const second = await browser.newContext({ baseURL: kouka.baseURL, locale: "ja-JP" });
  const other = await second.newPage();
  const otherConsole = watchConsole(other);
  await other.goto(linkIn(invitation, `${kouka.baseURL}/invite`));
  await choosePassword(other, SECOND_PASSWORD);

  // The new tenant's admin is told at home that the chart comes first.
  await page.goto("/");
  await expect(page.getByText("まだ部署がありません。組織図で作るか、CSVで取り込んでください。")).toBeVisible();
  await expect(page.getByRole("link", { name: "組織図で部署を作る" })).toBeVisible();

  // Both look at the empty chart.
  for (const p of [page, other]) {
    await p.getByRole("navigation").getByRole("link", { name: "組織図", exact: true }).click();
    await waitForHydration(p);
    await expect(p.getByRole("heading", { name: "組織図", level: 1 })).toBeVisible();
    await expect(p.getByText("部署がまだありません。")).toBeVisible();
  }

  // One adds departments; the other sees each appear without reloading.
  await addTopLevel(page, "HQ", "本社");
  await expect(row(other, "本社")).toBeVisible();
  await addTopLevel(page, "SALES", "営業部");
  await addTopLevel(page, "DEV", "開発部");
  await expect(row(other, "開発部")).toHaveAttribute("aria-level", "1");

  // Dragging 開発部 onto 本社 puts it under 本社, on both screens.
  await row(page, "開発部").dragTo(row(page, "本社"));
  await expect(row(page, "開発部")).toHaveAttribute("aria-level", "2");
  // The other admin's 本社 now has a sub-department (collapsed: their view is their own).
  await expect(row(other, "本社")).toHaveAttribute("aria-expanded", "false");
  await expect(row(other, "開発部")).toHaveCount(0);
  await row(other, "本社").click();
  await other.keyboard.press("ArrowRight");
  await expect(row(other, "本社")).toHaveAttribute("aria-expanded", "true");
  await expect(row(other, "開発部")).toHaveAttribute("aria-level", "2");

  // Both open 営業部; the first renames it, then the second saves a rename based on the
  // version they opened: refused, and the fresh name is shown.
  await row(page, "営業部").click();
  await row(other, "営業部").click();
  const firstRename = page.locator("form", { has: page.getByRole("heading", { name: "名前・コードを変更" }) });
  const otherRename = other.locator("form", { has: other.getByRole("heading", { name: "名前・コードを変更" }) });
  await expect(otherRename.getByLabel("部署名")).toHaveValue("営業部");
  await firstRename.getByLabel("部署名").fill("営業本部");
  await otherRename.getByLabel("部署名").fill("営業統括部");
  await firstRename.getByRole("button", { name: "保存" }).click();
  await expect(row(page, "営業本部")).toBeVisible();
  await expect(row(other, "営業本部")).toBeVisible();
  await otherRename.getByRole("button", { name: "保存" }).click();
  await expect(other.getByRole("alert").first()).toContainText("他の人が先に変更しました");
  await expect(row(other, "営業本部")).toBeVisible();
  await expect(row(page, "営業統括部")).toHaveCount(0);

  // A keyboard-only user on a fresh page: Tab into the tree (its first row), walk down to
  // 営業本部, move it under 本社 (Alt+→: under the department above), then first among its
  // siblings (Alt+↑).
  await other.goto("/org");
  await waitForHydration(other);
  await other.locator("body").focus();
  for (let i = 0; i < 40; i++) {
    await other.keyboard.press("Tab");
    const role = await other.evaluate(() => document.activeElement?.getAttribute("role"));
    if (role === "tree") break;
  }
  await expectActiveRow(row(other, "本社"));
  await other.keyboard.press("ArrowDown");
  await expectActiveRow(row(other, "開発部"));
  await other.keyboard.press("ArrowDown");
  await expectActiveRow(row(other, "営業本部"));
  await other.keyboard.press("Alt+ArrowRight");
  await expect(row(other, "営業本部")).toHaveAttribute("aria-level", "2");
  await expectActiveRow(row(other, "営業本部"));
  await other.keyboard.press("Alt+ArrowUp");
  await expect(row(other, "営業本部")).toHaveAttribute("aria-posinset", "1");
  await expect(other.getByRole("status").first()).toContainText("移動しました");
  // The first admin sees it.
  await expect(row(page, "営業本部")).toHaveAttribute("aria-level", "2");
  await expect(row(page, "営業本部")).toHaveAttribute("aria-posinset", "1");
  await expect(row(page, "開発部")).toHaveAttribute("aria-posinset", "2");
  // Stored, too: a fresh page shows the same.
  await page.reload();
  await waitForHydration(page);
  await expect(row(page, "営業本部")).toHaveAttribute("aria-level", "2");
  await expect(row(page, "営業本部")).toHaveAttribute("aria-posinset", "1");

  // Quick keys: three moves pressed before the first is saved never conflict with each
  // other, and end where they should (one place down) on both screens.
  await other.keyboard.press("Alt+ArrowDown");
  await other.keyboard.press("Alt+ArrowUp");
  await other.keyboard.press("Alt+ArrowDown");
  await expect(row(page, "営業本部")).toHaveAttribute("aria-posinset", "2");
  await expect(row(page, "開発部")).toHaveAttribute("aria-posinset", "1");
  await expect(row(other, "営業本部")).toHaveAttribute("aria-posinset", "2");
  await expect(other.getByRole("alert")).toHaveCount(0);
  // Keys faster still, a few milliseconds apart: the event of the first move comes while
  // the last is planned, and must not put the row back where the first left it (this
  // lost the last key in CI). Each key goes to whatever has the focus at that moment.
  await other.evaluate(async () => {
    for (const key of ["ArrowUp", "ArrowDown", "ArrowUp"]) {
      document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key, altKey: true, bubbles: true }));
      await new Promise((done) => setTimeout(done, 0));
    }
  });
  await expect(row(page, "営業本部")).toHaveAttribute("aria-posinset", "1");
  await expect(row(other, "営業本部")).toHaveAttribute("aria-posinset", "1");
  await expectActiveRow(row(other, "営業本部"));

  // A move under its own sub-department is refused with the reason.
  await row(page, "本社").click();
  const moveForm = page.locator("form", { has: page.getByRole("heading", { name: "上位部署を変更" }) });
  const newParent = moveForm.getByRole("combobox", { name: /新しい上位部署/ });
  await newParent.fill("DEV");
  await expect(moveForm.getByRole("option", { name: /DEV 開発部/ })).toBeVisible();
  await newParent.press("Enter");
  await moveForm.getByRole("button", { name: "移動" }).click();
  await expect(page.getByRole("alert").first()).toContainText("自分自身やその配下の部署の下へ移動することはできません");
  await expect(row(page, "本社")).toHaveAttribute("aria-level", "1");
  await second.close();

  expect(unexpected(firstConsole), "first admin's console").toEqual([]);
  expect(unexpected(otherConsole), "second admin's console").toEqual([]);
});

test("a change made while a page is still connecting to the live stream shows on it", async ({ page, kouka }) => {
  const problems = watchConsole(page);
  await page.goto(createTenant(kouka, "LATE", 20));
  await choosePassword(page, ADMIN_PASSWORD);
  await page.goto("/org");
  await waitForHydration(page);

  // A second tab of the same admin loads the chart, but its live stream connects only
  // after the first tab has added a department.
  const late = await page.context().newPage();
  let releaseStream: () => void = () => {};
  const streamHeld = new Promise<void>((resolve) => (releaseStream = resolve));
  await late.route("**/api/org/events", async (route) => {
    await streamHeld;
    await route.continue();
  });
  await late.goto("/org");
  await waitForHydration(late);
  await expect(late.getByText("部署がまだありません。")).toBeVisible();

  await addTopLevel(page, "HQ", "本社");
  releaseStream();
  // Nothing else changes, yet the late tab catches up as soon as its stream opens.
  await expect(row(late, "本社")).toBeVisible();
  // And it stays live.
  await addTopLevel(page, "DEV", "開発部");
  await expect(row(late, "開発部")).toBeVisible();
  expect(unexpected(problems)).toEqual([]);
});

const DEPARTMENTS = "部署コード,部署名,上位部署コード,表示順\r\nHQ,本社,,10\r\nSALES,営業部,HQ,10\r\nDEV,開発部,HQ,20\r\n";
const EMPLOYEES_HEADER = "社員番号,氏名,フリガナ,メールアドレス,所属部署コード,兼務部署コード,責任者部署コード,役職,等級,雇用区分,入社日\r\n";
const EMPLOYEES = [
  "E001,山田 太郎,ヤマダ タロウ,taro@csv.example,SALES,,SALES,部長,M3,正社員,2010/4/1",
  "E002,鈴木 花子,スズキ ハナコ,hanako@csv.example,SALES,DEV,,主任,S2,正社員,2015/4/1",
  "E003,佐藤 次郎,サトウ ジロウ,jiro@csv.example,DEV,,,,,契約社員,2024/4/1",
];

async function chooseAndCheck(page: Page, kind: "部署" | "社員", name: string, bytes: Buffer) {
  await page.getByRole("radio", { name: kind, exact: true }).check();
  await page.getByLabel("CSVファイル").setInputFiles({ name, mimeType: "text/csv", buffer: bytes });
  await page.getByRole("button", { name: "内容を確認" }).click();
}

test("a Shift_JIS file with a bad row is refused by line and column, the fixed one imports", async ({ page, kouka }) => {
  const problems = watchConsole(page);
  await page.goto(createTenant(kouka, "CSV", 20));
  await choosePassword(page, ADMIN_PASSWORD);
  await page.getByRole("link", { name: "CSV取込・出力" }).click();
  await waitForHydration(page);

  // Departments first.
  await chooseAndCheck(page, "部署", "departments.csv", Buffer.from(DEPARTMENTS, "utf8"));
  await expect(page.getByText("問題はありません")).toBeVisible();
  await expect(page.getByText("追加 3 件")).toBeVisible();
  await page.getByRole("button", { name: "取り込む" }).click();
  await expect(page.getByText("取り込みました。")).toBeVisible();

  // Employees as Excel saves them, with a broken e-mail address on line 3.
  const bad = [...EMPLOYEES];
  bad[1] = bad[1].replace("hanako@csv.example", "hanako(at)csv.example");
  await chooseAndCheck(page, "社員", "社員.csv", shiftJis(EMPLOYEES_HEADER + bad.join("\r\n") + "\r\n"));
  await expect(page.getByRole("alert")).toContainText("問題が 1 件あります");
  const problemRow = page.locator("table.problems tbody tr");
  await expect(problemRow).toHaveCount(1);
  await expect(problemRow.locator("td").nth(0)).toHaveText("3");
  await expect(problemRow.locator("td").nth(1)).toHaveText("メールアドレス");
  await expect(problemRow.locator("td").nth(2)).toHaveText("hanako(at)csv.example");
  await expect(page.getByRole("button", { name: "取り込む" })).toHaveCount(0);
  expect(queryNumber(kouka, "SELECT COUNT(*) FROM users WHERE employee_code IS NOT NULL"), "nothing written").toBe(0);

  // The problems as CSV, in Shift_JIS like the upload.
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "問題の一覧をCSVでダウンロード" }).click();
  const download = await downloading;
  const text = new TextDecoder("shift_jis").decode(readFileSync((await download.path())!));
  expect(text).toContain("3,メールアドレス,hanako(at)csv.example,");

  // The fixed file imports, with invitations.
  await chooseAndCheck(page, "社員", "社員.csv", shiftJis(EMPLOYEES_HEADER + EMPLOYEES.join("\r\n") + "\r\n"));
  await expect(page.getByText("追加 3 件")).toBeVisible();
  await page.getByRole("button", { name: "取り込む" }).click();
  await expect(page.getByText("取り込みました。")).toBeVisible();
  await expect(page.getByText("招待メール 3 通")).toBeVisible();
  for (const email of ["taro@csv.example", "hanako@csv.example", "jiro@csv.example"]) {
    const mail = await waitForMail(kouka.mailDir, email, "Invitation");
    expect(mail.body).toContain(`${kouka.baseURL}/invite/`);
  }

  // The employees are in their departments: 営業部 has its manager and a member.
  await page.getByRole("link", { name: "組織図" }).first().click();
  await waitForHydration(page);
  await row(page, "営業部").click();
  const members = page.locator("section", { has: page.getByRole("heading", { name: "所属社員" }) });
  await expect(members.getByRole("row")).toHaveCount(3);
  await expect(members.getByRole("row").nth(1)).toContainText("山田 太郎");
  await expect(members.getByRole("row").nth(1)).toContainText("責任者");
  await expect(members.getByRole("row").nth(2)).toContainText("鈴木 花子");
  await expect(row(page, "営業部")).toContainText("2名");
  await expect(row(page, "開発部")).toContainText("2名");

  // 鈴木 花子's page: her posts and her reporting line from the chart.
  await members.getByRole("link", { name: "鈴木 花子" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "鈴木 花子", level: 1 })).toBeVisible();
  await expect(page.getByText("営業部 (SALES)")).toBeVisible();
  await expect(page.getByText("開発部 (DEV)")).toBeVisible();
  await expect(page.getByRole("link", { name: "山田 太郎" })).toBeVisible();
  await expect(page.locator("dt", { hasText: "入社日" })).toBeVisible();
  expect(unexpected(problems)).toEqual([]);
});

test("an employee browses the chart read-only and sees no one else's HR details", async ({ page, browser, kouka }) => {
  await page.goto(createTenant(kouka, "READ", 20));
  await choosePassword(page, ADMIN_PASSWORD);
  await page.goto("/org/import");
  await waitForHydration(page);
  await chooseAndCheck(page, "部署", "departments.csv", Buffer.from(DEPARTMENTS, "utf8"));
  await page.getByRole("button", { name: "取り込む" }).click();
  await expect(page.getByText("取り込みました。")).toBeVisible();
  await chooseAndCheck(page, "社員", "employees.csv", Buffer.from(EMPLOYEES_HEADER + EMPLOYEES.join("\r\n") + "\r\n", "utf8"));
  await page.getByRole("button", { name: "取り込む" }).click();
  await expect(page.getByText("取り込みました。")).toBeVisible();

  // 佐藤 次郎 accepts his invitation and looks around.
  const invitation = await waitForMail(kouka.mailDir, "jiro@csv.example", "Invitation");
  const context = await browser.newContext({ baseURL: kouka.baseURL, locale: "ja-JP" });
  const jiro = await context.newPage();
  const problems = watchConsole(jiro);
  await jiro.goto(linkIn(invitation, `${kouka.baseURL}/invite`));
  await choosePassword(jiro, "ひまわり畑の向こうに海が見える");
  await expect(jiro.getByRole("link", { name: "CSV取込・出力" })).toHaveCount(0);
  await jiro.getByRole("link", { name: "組織図" }).click();
  await waitForHydration(jiro);
  await expect(jiro.getByText("部署を選ぶと、責任者と所属する社員が表示されます。")).toBeVisible();
  await expect(row(jiro, "営業部")).toHaveAttribute("draggable", "false");
  await expect(jiro.getByRole("heading", { name: "最上位に部署を追加" })).toHaveCount(0);
  await row(jiro, "営業部").click();
  await expect(jiro.getByRole("heading", { name: "名前・コードを変更" })).toHaveCount(0);
  const members = jiro.locator("section", { has: jiro.getByRole("heading", { name: "所属社員" }) });
  await members.getByRole("link", { name: "鈴木 花子" }).click();
  await waitForHydration(jiro);
  await expect(jiro.getByRole("heading", { name: "鈴木 花子", level: 1 })).toBeVisible();
  await expect(jiro.locator("dt", { hasText: "入社日" })).toHaveCount(0);
  await expect(jiro.getByRole("heading", { name: "社員情報の編集" })).toHaveCount(0);
  // His own page shows his HR details.
  await jiro.getByRole("link", { name: "社員一覧へ戻る" }).click();
  await jiro.getByRole("link", { name: "佐藤 次郎" }).click();
  await expect(jiro.getByRole("heading", { name: "佐藤 次郎", level: 1 })).toBeVisible();
  await expect(jiro.getByText("2024-04-01")).toBeVisible();
  // An edit sent by hand is refused.
  const direct = await jiro.request.post("/api/org/create", {
    form: { parent_id: "", code: "X", name: "勝手な部署" },
    headers: { origin: kouka.baseURL },
  });
  expect(direct.status()).toBe(403);
  await context.close();
  expect(unexpected(problems)).toEqual([]);
});

test("at 5,000 departments only the rows in view exist, and search reveals a deep one", async ({ page, kouka }) => {
  const problems = watchConsole(page);
  await page.goto(createTenant(kouka, "BIG", 20));
  await choosePassword(page, ADMIN_PASSWORD);
  // 50 top-level departments, 10 under each, 9 under each of those.
  let csv = "部署コード,部署名,上位部署コード,表示順\r\n";
  for (let n = 0; n < 5000; n++) {
    const parent = n < 50 ? "" : n < 550 ? `D${String(n % 50).padStart(4, "0")}` : `D${String(50 + (n % 500)).padStart(4, "0")}`;
    csv += `D${String(n).padStart(4, "0")},部署${n},${parent},\r\n`;
  }
  await page.goto("/org/import");
  await waitForHydration(page);
  await chooseAndCheck(page, "部署", "big.csv", Buffer.from(csv, "utf8"));
  await expect(page.getByText("追加 5000 件")).toBeVisible();
  await page.getByRole("button", { name: "取り込む" }).click();
  await expect(page.getByText("取り込みました。")).toBeVisible();

  await page.goto("/org");
  await waitForHydration(page);
  await expect(rowByCode(page, "D0000")).toBeVisible();
  const rendered = await page.getByRole("treeitem").count();
  expect(rendered, "a window of rows, not all 550 that are open").toBeLessThan(80);

  // A department three levels down: search, Enter, and it is shown, chosen and focused.
  await page.getByRole("searchbox", { name: "部署コードまたは部署名で検索" }).fill("D4999");
  await page.keyboard.press("Enter");
  await expectActiveRow(rowByCode(page, "D4999"));
  await expect(rowByCode(page, "D4999")).toHaveAttribute("aria-selected", "true");
  await expect(rowByCode(page, "D4999")).toHaveAttribute("aria-level", "3");
  await expect(page.getByRole("heading", { name: "D4999 部署4999" })).toBeVisible();
  // Home and End travel the whole open list, 560 rows; the window follows. (The last open
  // row is D4999 itself: the last of the last top-level department's last sub-department.)
  await page.keyboard.press("Home");
  await expectActiveRow(rowByCode(page, "D0000"));
  await page.keyboard.press("End");
  await expectActiveRow(rowByCode(page, "D4999"));
  await expect(rowByCode(page, "D0000")).toHaveCount(0);
  await page.keyboard.press("Home");
  await expectActiveRow(rowByCode(page, "D0000"));
  expect(await page.getByRole("treeitem").count()).toBeLessThan(80);
  expect(unexpected(problems)).toEqual([]);
});
