// Prints each failed Playwright test in a few lines: where it failed and the error's first
// lines. scripts/test.sh runs it after a red run, so the end of the log says what broke.
import { readFileSync } from "node:fs";

const reportPath = new URL("./test-results/results.json", import.meta.url);
const MESSAGE_LINES = 8;

function* specsOf(suite, titles = []) {
  const here = suite.title ? [...titles, suite.title] : titles;
  for (const spec of suite.specs ?? []) yield { spec, titles: here };
  for (const child of suite.suites ?? []) yield* specsOf(child, here);
}

let report;
try {
  report = JSON.parse(readFileSync(reportPath, "utf8"));
} catch (error) {
  console.log(`(no Playwright report to summarize: ${error.message})`);
  process.exit(0);
}

const stripColors = (text) => text.replace(/\u001b\[[0-9;]*m/g, "");
console.log("\n==> Failed Playwright tests");
for (const suite of report.suites ?? []) {
  for (const { spec, titles } of specsOf(suite)) {
    for (const test of spec.tests ?? []) {
      const failed = (test.results ?? []).filter((r) => r.status !== "passed" && r.status !== "skipped");
      for (const result of failed) {
        console.log(`\n✘ ${[...titles, spec.title].join(" › ")} (${result.status})`);
        for (const error of result.errors ?? []) {
          const at = error.location ? `${error.location.file}:${error.location.line}` : "";
          if (at) console.log(`  at ${at.replace(process.cwd() + "/", "")}`);
          const lines = stripColors(error.message ?? String(error.value ?? "")).split("\n");
          for (const line of lines.slice(0, MESSAGE_LINES)) console.log(`  ${line}`);
          if (lines.length > MESSAGE_LINES) console.log("  …");
        }
      }
    }
  }
}
