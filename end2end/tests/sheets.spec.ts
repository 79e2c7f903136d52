// A sheet as its employee and 1st evaluator work on it, in two browser contexts, on the
// demo company (`kouka demo`, the employee's sheet put back to goal drafting): the employee
// writes goals that autosave, is told the weights do not total 100, fixes them and
// submits; the evaluator, told by mail, sends them back — refused without a comment, then
// with one — and the employee, told by mail, reads the comment in the history, submits
// again, and the evaluator approves. Home is each one's desk: what waits for them. Nothing
// typed is lost: a second tab saving over an older version is shown both texts, and goals
// typed while the network is down are kept and saved when it returns. Then the employee
// rates themselves, the score shown as they go, a comment typed offline surviving; the 1st
// evaluator rates beside the self-evaluation, submits, and withdraws before the 2nd begins.
// A goal serves one of the manager's approved goals (上位目標), which the manager sees from
// their own sheet; approved goals are revised with a reason and approved again. The 1st
// evaluator sends the self-evaluation back, the employee submits it again, the 1st
// evaluator submits, and the 2nd evaluator (a third person) rates beside both and submits
// it to calibration; at each hand-over the next person is mailed, and the employee sees no
// evaluator's ratings. An admin finalizes and discloses it; the employee sees the result
// as disclosed and acknowledges it after the 1st evaluator records the interview.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { test, expect, countMails, waitForHydration, waitForMail, watchConsole } from "../fixtures";
import type { Browser, Page } from "@playwright/test";

type Account = { role: string; email: string; password: string };

async function signIn(page: Page, account: Account) {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("企業コード").fill("SHEET");
  await page.getByLabel("メールアドレスまたは社員番号").fill(account.email);
  await page.getByLabel("パスワード", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await expect(page.getByRole("navigation").getByRole("link", { name: "自分の評価" })).toBeVisible();
}

async function signedIn(browser: Browser, baseURL: string, account: Account) {
  const context = await browser.newContext({ baseURL, locale: "ja-JP" });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await signIn(page, account);
  return { context, page, problems };
}

/** The goal fields of goal `n` (1-based) of the first goals section. */
function goal(page: Page, n: number) {
  const box = page.getByRole("group", { name: `目標 ${n}` });
  return {
    title: box.getByLabel("目標", { exact: true }),
    weight: box.getByLabel("ウェイト（%）"),
    upper: box.getByLabel("上位目標"),
  };
}

async function openMySheet(page: Page) {
  await page.getByRole("navigation").getByRole("link", { name: "自分の評価" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "自分の評価" })).toBeVisible();
  await page.getByRole("listitem").filter({ hasText: "状態: 目標設定中" }).getByRole("link").click();
  await expect(page).toHaveURL(/\/evaluation\/sheets\/[0-9a-f-]{36}$/);
  await waitForHydration(page);
}

test("one sheet from goals to acknowledgement by its employee, both evaluators and an admin; nothing typed is lost", async ({ kouka, browser }) => {
  test.setTimeout(180_000);
  const made = kouka.cli(["demo", "--code", "SHEET", "--json"]);
  expect(made.status, made.stderr).toBe(0);
  const accounts: Account[] = JSON.parse(made.stdout).accounts;
  const employee = accounts.find((a) => a.role === "employee")!;
  const manager = accounts.find((a) => a.role === "manager")!;
  // The demo shows the employee a disclosed sheet; this story begins before the goals.
  execFileSync("sqlite3", [
    path.join(kouka.dataDir, "kouka.db"),
    `UPDATE evaluation_sheets SET state = 'goal_drafting', content = '{}' WHERE employee_id = (SELECT id FROM users WHERE email = '${employee.email}')`,
  ]);

  const mine = await signedIn(browser, kouka.baseURL, employee);
  const page = mine.page;
  // Home is the employee's desk: their sheet's step, its deadline.
  await page.goto("/");
  const desk = page.locator("section", { has: page.getByRole("heading", { name: "いまやること" }) });
  await expect(desk.getByText("状態: 目標設定中")).toBeVisible();
  await expect(desk.getByText("あなたの番")).toBeVisible();
  await expect(desk.getByText(/次の締切: \d{4}-\d{2}-\d{2} 23:59 \(JST, \+09:00\)/)).toBeVisible();
  await page.getByRole("navigation").getByRole("link", { name: "自分の評価" }).click();
  const card = page.getByRole("listitem").filter({ hasText: "状態: 目標設定中" });
  await expect(card.getByText("あなたの番")).toBeVisible();
  await openMySheet(page);
  await expect(page.getByText("状態: 目標設定中")).toBeVisible();

  // Two goals whose weights total 90: saved as drafts, the total and the rule shown.
  await page.getByRole("button", { name: "目標を追加する" }).click();
  await goal(page, 1).title.fill("担当エリアの売上 1億2,000万円");
  await goal(page, 1).weight.fill("６０"); // full-width, as an IME types it
  // Goal 1 serves one of the manager's approved goals (上位目標): "none" and their three.
  const upper = goal(page, 1).upper;
  await expect(upper.locator("option")).toHaveCount(4);
  const upperTitle = (await upper.locator("option").nth(1).innerText()).replace(/（[^（]+）$/, "");
  await upper.selectOption({ index: 1 });
  await page.getByRole("button", { name: "目標を追加する" }).click();
  await goal(page, 2).title.fill("新規顧客 15社の開拓");
  await goal(page, 2).weight.fill("30");
  await expect(page.getByText("ウェイトの合計: 90 / 100")).toBeVisible();
  await expect(page.getByText("セクション1の目標: ウェイトの合計を100にしてください（いま90）")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await page.getByRole("button", { name: "目標を提出する" }).click();
  await expect(page.getByText("ウェイトの合計を100にしてください（いま90）").last()).toBeVisible();

  // Fixed and submitted: the evaluator is told by mail.
  await goal(page, 2).weight.fill("40");
  await expect(page.getByText("ウェイトの合計: 100 / 100")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await page.getByRole("button", { name: "目標を提出する" }).click();
  await expect(page.getByText("「目標を提出する」を行いました。")).toBeVisible();
  await expect(page.getByText("状態: 目標承認待ち")).toBeVisible();
  const toManager = await waitForMail(kouka.mailDir, manager.email, "目標承認待ち");
  const link = toManager.body.split(/\s+/).find((w) => w.includes("/evaluation/sheets/"))!;
  expect(link).toBe(page.url());

  // The evaluator: the sheet waits for them; a send-back needs a comment.
  const theirs = await signedIn(browser, kouka.baseURL, manager);
  const evaluator = theirs.page;
  // Home counts what waits for the evaluator, the nearest deadline with it.
  await evaluator.goto("/");
  await expect(evaluator.getByRole("link", { name: /あなたの評価・承認を待っているシート: \d+件/ })).toBeVisible();
  await evaluator.getByRole("navigation").getByRole("link", { name: "評価する" }).click();
  await expect(evaluator.getByRole("listitem").filter({ hasText: "状態: 目標承認待ち" }).first().getByText("あなたの番")).toBeVisible();
  // Filtered by state, then to what waits for them: only such cards remain.
  await waitForHydration(evaluator);
  const cards = evaluator.locator(".sheet-lines li");
  await evaluator.getByLabel("状態で絞り込む").selectOption({ label: "目標承認待ち" });
  await expect(cards.filter({ hasNotText: "状態: 目標承認待ち" })).toHaveCount(0);
  await expect(cards.first()).toBeVisible();
  await evaluator.getByLabel("状態で絞り込む").selectOption({ label: "すべて" });
  // By department: only that department's people remain.
  const department = evaluator.getByLabel("部署で絞り込む");
  const firstDepartment = await department.locator("option").nth(1).innerText();
  await department.selectOption({ label: firstDepartment });
  await expect(cards.filter({ hasNotText: firstDepartment })).toHaveCount(0);
  await expect(cards.first()).toBeVisible();
  await department.selectOption({ label: "すべて" });
  await evaluator.getByLabel("あなたの番のものだけ").check();
  await expect(cards.filter({ hasNotText: "あなたの番" })).toHaveCount(0);
  await evaluator.goto(link);
  await waitForHydration(evaluator);
  await expect(evaluator.getByText("担当エリアの売上 1億2,000万円")).toBeVisible();
  await expect(evaluator.getByRole("button", { name: "目標を追加する" })).toHaveCount(0);
  await evaluator.getByRole("button", { name: "差し戻す" }).click();
  await expect(evaluator.getByText("差し戻す理由をコメントに書いてください")).toBeVisible();
  const reason = "新規顧客の社数の根拠を書き添えてください";
  await evaluator.getByLabel("コメント").fill(reason);
  await evaluator.getByRole("button", { name: "差し戻す" }).click();
  await expect(evaluator.getByText("状態: 目標設定中")).toBeVisible();
  await waitForMail(kouka.mailDir, employee.email, "目標設定中");

  // The employee reads why in the history, and the goals are still there.
  await page.reload();
  await waitForHydration(page);
  const history = page.locator("section", { has: page.getByRole("heading", { name: "評価履歴" }) });
  await expect(history.getByText(reason)).toBeVisible();
  await expect(goal(page, 2).title).toHaveValue("新規顧客 15社の開拓");

  // A second tab saves first: the older tab's save gets both texts, and loses nothing.
  const second = await mine.context.newPage();
  await second.goto(page.url());
  await waitForHydration(second);
  await goal(second, 2).title.fill("新規顧客 15社の開拓（紹介経由 10社）");
  await expect(second.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await goal(page, 1).title.fill("担当エリアの売上 1億3,000万円");
  await expect(page.getByText("ほかの画面または別の人が先にこのシートを保存しました")).toBeVisible();
  await expect(page.getByText("新規顧客 15社の開拓（紹介経由 10社）")).toBeVisible();
  await expect(goal(page, 1).title).toHaveValue("担当エリアの売上 1億3,000万円");
  await page.getByRole("button", { name: "自分の入力で上書きする" }).click();
  await expect(page.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await second.close();

  // The network drops while typing: kept, said so, saved when it returns.
  await mine.context.setOffline(true);
  await goal(page, 2).title.fill("新規顧客 15社の開拓（展示会 5社・紹介 10社）");
  await expect(page.getByText("サーバーに届きません。")).toBeVisible();
  await mine.context.setOffline(false);
  await expect(page.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible({ timeout: 15_000 });
  await page.reload();
  await waitForHydration(page);
  await expect(goal(page, 2).title).toHaveValue("新規顧客 15社の開拓（展示会 5社・紹介 10社）");
  await expect(goal(page, 1).title).toHaveValue("担当エリアの売上 1億3,000万円");

  // Submitted again and approved.
  await page.getByRole("button", { name: "目標を提出する" }).click();
  await expect(page.getByText("状態: 目標承認待ち")).toBeVisible();
  await evaluator.reload();
  await waitForHydration(evaluator);
  await evaluator.getByRole("button", { name: "目標を承認する" }).click();
  await expect(evaluator.getByText("状態: 目標承認済み")).toBeVisible();
  await expect(evaluator.getByText("目標を承認する").last()).toBeVisible();
  await expect(evaluator.getByText(`上位目標: ${upperTitle}`)).toBeVisible();

  // The manager's own sheet shows which goals of their people serve each of theirs.
  await evaluator.getByRole("navigation").getByRole("link", { name: "自分の評価" }).click();
  await evaluator.locator(".sheet-lines li").first().getByRole("link").click();
  await waitForHydration(evaluator);
  const below = evaluator.locator(".goals-below");
  await expect(below.getByRole("heading", { name: "あなたの目標につながるメンバーの目標" })).toBeVisible();
  await expect(below.getByText(/: 担当エリアの売上 1億3,000万円$/)).toBeVisible();

  // The approved goals revised: only with a reason, back to drafting, the link kept, and
  // through the same approval again.
  await page.reload();
  await waitForHydration(page);
  await page.getByRole("button", { name: "目標を修正する" }).click();
  await expect(page.getByText("承認済みの目標を修正する理由をコメントに書いてください")).toBeVisible();
  await page.getByLabel("コメント", { exact: true }).fill("担当エリアが10月から広がったため");
  await page.getByRole("button", { name: "目標を修正する" }).click();
  await expect(page.getByText("状態: 目標設定中")).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await expect(goal(page, 1).upper.locator("option:checked")).toHaveText(new RegExp(`^${upperTitle}`));
  await goal(page, 1).title.fill("担当エリアの売上 1億5,000万円");
  await expect(page.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await page.getByRole("button", { name: "目標を提出する" }).click();
  await expect(page.getByText("状態: 目標承認待ち")).toBeVisible();
  await evaluator.goto(link);
  await waitForHydration(evaluator);
  await expect(evaluator.getByText("担当エリアが10月から広がったため")).toBeVisible();
  await evaluator.getByRole("button", { name: "目標を承認する" }).click();
  await expect(evaluator.getByText("状態: 目標承認済み")).toBeVisible();

  // The self-evaluation: each goal and item rated, one 対象外 with its reason, the score
  // shown as the ratings go in. Its first save begins it and opens the submission.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "自己評価", exact: true })).toBeVisible();
  const entries = page.locator("fieldset.rate");
  await expect(entries).toHaveCount(6); // 2 goals, 4 items of the starter template
  await expect(page.getByText("未評価があと6件あります。")).toBeVisible();
  const rate = (n: number, value: string) => entries.nth(n).getByLabel("評価", { exact: true }).selectOption(value);
  await rate(0, "1"); // A
  await expect(page.getByText("状態: 自己評価中")).toBeVisible();
  await expect(page.getByRole("button", { name: "自己評価を提出する" })).toBeVisible();
  await rate(1, "2"); // B
  await rate(2, "2");
  await rate(3, "1");
  await rate(4, "2");
  await rate(5, "na");
  await expect(page.getByText("未評価があと")).toHaveCount(0);
  await expect(page.getByText("対象外の理由を書いてください")).toBeVisible();
  await entries.nth(5).getByLabel("対象外の理由").fill("上期は該当する業務がなかった");
  const live = page.locator(".score-now");
  await expect(live).toHaveText(/^現在の点数: \d\.\d{2}（= 業績目標 60 % × \d\.\d{2} \+ 行動評価 40 % × \d\.\d{2}）$/);
  const selfScore = (await live.textContent())!.match(/現在の点数: (\d\.\d{2})/)![1];

  // The network drops while the employee writes a comment: the text survives and is
  // saved when it returns.
  await expect(page.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await mine.context.setOffline(true);
  const why = "大口2社の更新が前倒しになり、計画を上回った";
  await entries.nth(0).getByLabel("評価の理由・コメント").fill(why);
  await expect(page.getByText("サーバーに届きません。")).toBeVisible();
  await mine.context.setOffline(false);
  await expect(page.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible({ timeout: 15_000 });
  await page.reload();
  await waitForHydration(page);
  await expect(entries.nth(0).getByLabel("評価の理由・コメント")).toHaveValue(why);
  await expect(entries.nth(5).getByLabel("評価", { exact: true })).toHaveValue("na");
  await page.getByRole("button", { name: "自己評価を提出する" }).click();
  await expect(page.getByText("状態: 一次評価中")).toBeVisible();
  await waitForMail(kouka.mailDir, manager.email, "一次評価中");

  // The 1st evaluator sees the self-evaluation, its reasons and the same score, and rates
  // beside it; nothing of a 2nd evaluator's yet.
  await evaluator.goto(link);
  await waitForHydration(evaluator);
  const ratings = evaluator.locator("section", { has: evaluator.getByRole("heading", { name: "評価", exact: true }) });
  await expect(ratings.getByRole("columnheader", { name: "本人" }).first()).toBeVisible();
  await expect(ratings.getByRole("columnheader", { name: "二次評価" })).toHaveCount(0);
  await expect(ratings.getByText(why)).toBeVisible();
  await expect(ratings.getByText(new RegExp(`^本人: ${selfScore.replace(".", "\\.")}$`))).toBeVisible();
  await expect(evaluator.getByRole("heading", { name: "一次評価", exact: true })).toBeVisible();
  const theirEntries = evaluator.locator("fieldset.rate");
  await expect(theirEntries.nth(0).getByText("これまでの評価: 本人 A")).toBeVisible();
  for (const [n, value] of ["1", "1", "2", "2", "2", "2"].entries()) {
    await theirEntries.nth(n).getByLabel("評価", { exact: true }).selectOption(value);
  }
  await expect(evaluator.locator(".score-now")).toHaveText(/^現在の点数: /);
  await expect(evaluator.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await evaluator.getByRole("button", { name: "評価を提出する" }).click();
  await expect(evaluator.getByText("状態: 二次評価中")).toBeVisible();
  // Withdrawn while the 2nd evaluator has not begun: back to the 1st, ratings kept.
  await evaluator.getByRole("button", { name: "評価の提出を取り下げる" }).click();
  await expect(evaluator.getByText("状態: 一次評価中")).toBeVisible();
  await expect(theirEntries.nth(1).getByLabel("評価", { exact: true })).toHaveValue("1");

  // The 1st evaluator sends the self-evaluation back with a comment: the employee is told,
  // reads why, and submits again.
  const redo = "目標1の自己評価の根拠に、受注の内訳を書き添えてください";
  await evaluator.getByLabel("コメント", { exact: true }).fill(redo);
  await evaluator.getByRole("button", { name: "差し戻す" }).click();
  await expect(evaluator.getByText("状態: 自己評価中")).toBeVisible();
  const toEmployee = await waitForMail(kouka.mailDir, employee.email, "自己評価中");
  expect(toEmployee.body).toContain(redo);
  await page.reload();
  await waitForHydration(page);
  await expect(history.getByText(redo)).toBeVisible();
  await entries.nth(0).getByLabel("評価の理由・コメント").fill(`${why}（A社 6,000万円・B社 4,000万円）`);
  await expect(page.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await page.getByRole("button", { name: "自己評価を提出する" }).click();
  await expect(page.getByText("状態: 一次評価中")).toBeVisible();

  // The 1st evaluator is told, and submits; the 2nd evaluator is told (a second time: the
  // submission withdrawn above told them once).
  await expect.poll(() => countMails(kouka.mailDir, manager.email, "一次評価中")).toBe(2);
  const secondAccount = accounts.find((a) => a.role === "second_evaluator")!;
  const toSecond = countMails(kouka.mailDir, secondAccount.email, "二次評価中");
  await evaluator.reload();
  await waitForHydration(evaluator);
  await evaluator.getByRole("button", { name: "評価を提出する" }).click();
  await expect(evaluator.getByText("状態: 二次評価中")).toBeVisible();
  await expect.poll(() => countMails(kouka.mailDir, secondAccount.email, "二次評価中")).toBe(toSecond + 1);

  // The employee sees none of the evaluators' ratings before disclosure.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByText("状態: 二次評価中")).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "一次評価" })).toHaveCount(0);
  await expect(page.getByRole("columnheader", { name: "二次評価" })).toHaveCount(0);

  // The 2nd evaluator, a third person: the self-evaluation and the 1st evaluation beside
  // their own ratings; submitted, the sheet goes to calibration.
  const third = await signedIn(browser, kouka.baseURL, secondAccount);
  const secondPage = third.page;
  await secondPage.goto(link);
  await waitForHydration(secondPage);
  const seen = secondPage.locator("section", { has: secondPage.getByRole("heading", { name: "評価", exact: true }) });
  await expect(seen.getByRole("columnheader", { name: "本人" }).first()).toBeVisible();
  await expect(seen.getByRole("columnheader", { name: "一次評価" }).first()).toBeVisible();
  await expect(secondPage.getByRole("heading", { name: "二次評価", exact: true })).toBeVisible();
  const secondEntries = secondPage.locator("fieldset.rate");
  await expect(secondEntries.nth(0).getByText("これまでの評価: 本人 A / 一次評価 A")).toBeVisible();
  for (const [n, value] of ["1", "2", "2", "2", "2", "2"].entries()) {
    await secondEntries.nth(n).getByLabel("評価", { exact: true }).selectOption(value);
  }
  await expect(secondPage.getByRole("status").filter({ hasText: /保存しました/ })).toBeVisible();
  await secondPage.getByRole("button", { name: "評価を提出する" }).click();
  await expect(secondPage.getByText("状態: 調整中")).toBeVisible();
  // The 1st evaluator can no longer withdraw: the 2nd has submitted.
  await evaluator.reload();
  await waitForHydration(evaluator);
  await expect(evaluator.getByRole("button", { name: "評価の提出を取り下げる" })).toHaveCount(0);

  // The admin finalizes and discloses this one sheet from its page (calibration.spec
  // changes grades across the period); the employee is told, sees the result the period
  // discloses and no evaluator's ratings, and acknowledges it; the 1st evaluator records
  // the feedback interview.
  const hr = await signedIn(browser, kouka.baseURL, accounts.find((a) => a.role === "system_admin")!);
  await hr.page.goto(link);
  await waitForHydration(hr.page);
  await hr.page.getByRole("button", { name: "確定する" }).click();
  await expect(hr.page.getByText("状態: 確定", { exact: false })).toBeVisible();
  await hr.page.getByRole("button", { name: "開示する" }).click();
  await expect(hr.page.getByText("状態: 開示済み")).toBeVisible();
  await waitForMail(kouka.mailDir, employee.email, "開示済み");
  await page.reload();
  await waitForHydration(page);
  const result = page.locator("section", { has: page.getByRole("heading", { name: "評価結果" }) });
  await expect(result.getByText(/^最終評語: [SABCD]$/)).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "一次評価" })).toHaveCount(0);
  await expect(page.getByRole("columnheader", { name: "二次評価" })).toHaveCount(0);
  await evaluator.goto(link);
  await waitForHydration(evaluator);
  const interview = evaluator.locator("section", { has: evaluator.getByRole("heading", { name: "フィードバック面談" }) });
  await interview.getByLabel("実施日").fill("2026-12-01");
  await interview.getByRole("button", { name: "面談を記録する" }).click();
  await expect(interview.getByText("2026-12-01 に実施しました。")).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await page.getByLabel("コメント", { exact: true }).fill("面談で次期の課題も確認できました");
  await page.getByRole("button", { name: "確認した" }).click();
  await expect(page.getByText("状態: 本人確認済み")).toBeVisible();

  // A hand-made call by someone else on the employee's sheet is refused by the server.
  const id = page.url().split("/").pop()!;
  const refused = await evaluator.request.post("/api/evaluation/sheets/save-goals", {
    form: { id, version: "1", goals: "{}" },
    headers: { origin: kouka.baseURL },
  });
  expect(refused.status()).toBeGreaterThanOrEqual(400);

  // What the story caused on purpose: refused steps (422) and the dropped network.
  const unexpected = (problems: string[]) =>
    problems.filter((p) => !/status of 422|ERR_INTERNET_DISCONNECTED/.test(p));
  expect(unexpected(mine.problems)).toEqual([]);
  expect(unexpected(theirs.problems)).toEqual([]);
  expect(unexpected(third.problems)).toEqual([]);
  expect(unexpected(hr.problems)).toEqual([]);
  await hr.context.close();
  await mine.context.close();
  await theirs.context.close();
  await third.context.close();
});
