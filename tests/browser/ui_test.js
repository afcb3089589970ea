// vigil's web UI in a real browser: Debian's chromium driven by playwright-core (no browser is
// downloaded). Starts nginx and vigil through stack.py (tests/e2e/harness.py), logs in, watches
// a service go down and its incident appear live (Server-Sent Events, no reload), acknowledges
// and resolves it with a note, opens the postmortem, checks the public status page without a
// login, and keeps screenshots of every page at 1280 px and 390 px in
// build/test-artifacts/screenshots/. Exit code 0 only when every step passed.
"use strict";
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");
const { chromium } = require("playwright-core");

const ROOT = path.resolve(__dirname, "..", "..");
const SHOTS = process.env.VIGIL_SCREENSHOTS || path.join(ROOT, "build", "test-artifacts", "screenshots");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const WIDTHS = [
  { name: "1280", width: 1280, height: 800 },
  { name: "390", width: 390, height: 844 },
];

// stack.py: one JSON line per answer.
function startStack() {
  const proc = spawn("python3", [path.join(__dirname, "stack.py")], {
    env: process.env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = readline.createInterface({ input: proc.stdout });
  const waiting = [];
  lines.on("line", (l) => {
    if (!l.startsWith("{")) return console.log("stack: " + l);  // the harness's own messages
    const w = waiting.shift();
    if (w) w(JSON.parse(l));
  });
  const next = () => new Promise((resolve) => waiting.push(resolve));
  const exited = new Promise((resolve) => proc.on("exit", resolve));
  return {
    ready: next(),
    async send(cmd) {
      const answer = next();
      proc.stdin.write(cmd + "\n");
      return answer;
    },
    async quit() {
      proc.stdin.write("quit\n");
      proc.stdin.end();
      return exited;
    },
    kill: () => proc.kill("SIGTERM"),
  };
}

async function shoot(page, name) {
  const size = page.viewportSize();
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w.width, height: w.height });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${w.name}.png`), fullPage: true });
  }
  await page.setViewportSize(size);
}

// Nothing on the page may come from anywhere but vigil itself.
function guardRequests(page, base) {
  const foreign = [];
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith("data:")) foreign.push(u);
  });
  return foreign;
}

async function login(page, base, user, password) {
  await page.goto(base + "/");
  if (!page.url().includes("/login")) return;  // authentication off in this build
  await page.getByLabel(/user/i).fill(user);
  await page.getByLabel(/password/i).fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.keyboard.press("Enter")]);
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const stack = startStack();
  const env = await stack.ready;
  const base = env.base;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-chromium-"));
  const launch = {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 800 },
  };
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, launch);
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(20000);
    const foreign = guardRequests(page, base);

    // Log in (keyboard only: fill, Enter).
    await login(page, base, "alice", env.password);
    await page.goto(base + "/");
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.getByRole("link", { name: "webserver-01" }).waitFor();
    // The skip link is the first thing a keyboard reaches and it moves focus to <main>.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
    await shoot(page, "overview");

    // The open-incidents list, left open while nginx goes down: the incident must appear live.
    await page.goto(base + "/incidents");
    await page.getByText("No open incidents").waitFor();
    await page.locator("#live").filter({ hasText: "Live" }).waitFor();
    await page.evaluate(() => { window.__notReloaded = true; });
    await stack.send("stop-nginx");
    const row = page.locator("#incidents tr", { hasText: "webserver-01" }).locator('a[href^="/incidents/"]').first();
    await row.waitFor({ timeout: 30000 });
    assert.equal(await page.evaluate(() => window.__notReloaded), true, "the list updated without a reload");
    await shoot(page, "incidents");

    // The incident page: acknowledge, then resolve with a note.
    await row.click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    const incidentUrl = page.url();
    assert.match(incidentUrl, /\/incidents\/\d+$/);
    await page.locator("#timeline").getByText("triggered").first().waitFor();
    await shoot(page, "incident-triggered");
    // Escalate now: the policy's next rule pages at once (an "escalated" entry says who did it).
    await page.getByRole("button", { name: "Escalate now" }).click();
    await page.locator("#timeline .tl-escalated").first().waitFor();
    await page.locator("#timeline .tl-paged", { hasText: "rule 2" }).first().waitFor();  // user:alice, now
    // Urgency: lowered, the incident is marked and "Escalate now" goes; raised, it pages again.
    await page.getByRole("button", { name: "Lower to low urgency" }).click();
    await page.locator("#incident-head .badge-low-urgency").waitFor();
    assert.equal(await page.getByRole("button", { name: "Escalate now" }).count(), 0);
    await page.getByRole("button", { name: "Raise to high urgency" }).click();
    await page.locator("#timeline .tl-urgency", { hasText: "urgency raised to high by alice" }).first().waitFor();
    await page.getByRole("button", { name: "Escalate now" }).waitFor();
    assert.equal(await page.locator("#incident-head .badge-low-urgency").count(), 0);
    await page.getByRole("button", { name: "Acknowledge" }).click();
    await page.locator("#incident-head .badge-acknowledged").waitFor();
    // Reassign to victor: back to triggered and a "reassigned" entry; alice acknowledges again.
    await page.getByLabel("Reassign to").selectOption("victor");
    await page.getByRole("button", { name: "Reassign" }).click();
    await page.locator("#timeline .tl-reassigned", { hasText: "reassigned to Victor Viewer (victor) by alice" }).first().waitFor();
    await page.locator("#assignees", { hasText: "Victor Viewer" }).waitFor();  // PagerDuty's "assigned to"
    await page.locator("#incident-head .badge-triggered").waitFor();
    await page.getByRole("button", { name: "Acknowledge" }).click();
    await page.locator("#incident-head .badge-acknowledged").waitFor();
    // The fix: nginx back. The check passes and resolves the incident while the note is still
    // being typed (made certain here by waiting for it); Resolve then keeps the note.
    await page.getByLabel("Resolution note").fill("Restarted nginx; login page back.");
    await stack.send("start-nginx");  // no new incident opens
    const incidentApi = incidentUrl.replace(/\/incidents\//, "/api/v1/incidents/");
    for (let i = 0; ; i++) {
      const status = await page.evaluate(async (u) => (await (await fetch(u)).json()).status, incidentApi);
      if (status === "resolved") break;
      assert.ok(i < 300, "the recovered check resolves the incident");
      await page.waitForTimeout(100);
    }
    await page.getByRole("button", { name: "Resolve" }).click();
    await page.locator("#incident-head .badge-resolved").waitFor();
    await page.locator("#timeline .tl-note", { hasText: "Restarted nginx; login page back." }).first().waitFor();
    await shoot(page, "incident-resolved");

    // The postmortem.
    await page.getByRole("link", { name: "Postmortem" }).click();
    await page.getByRole("heading", { name: /Postmortem of incident/ }).waitFor();
    await shoot(page, "postmortem");

    for (const [url, heading, name] of [["/oncall", "On call", "oncall"], ["/reports", "Reports", "reports"]]) {
      await page.goto(base + url);
      await page.getByRole("heading", { name: heading, exact: true }).waitFor();
      await shoot(page, name);
    }

    // Someone else takes the pager for 8 hours from the On call page, then gives it back.
    await page.goto(base + "/oncall");
    const onCallNow = page.locator(".oncall-now strong");
    const before = await onCallNow.innerText();
    const [other, otherName] = before.startsWith("Alice") ? ["victor", "Victor Viewer"] : ["alice", "Alice Responder"];
    const overrideForm = page.getByRole("form", { name: "Override web-primary" });
    await overrideForm.getByLabel("On call instead").selectOption(other);
    await overrideForm.getByRole("button", { name: "Take the pager" }).click();
    await page.locator(".oncall-now strong", { hasText: otherName }).waitFor();
    const listed = await page.locator("ul.overrides").innerText();
    assert.ok(listed.includes(otherName) && listed.includes(env.auth ? "by alice" : "by web"), listed);
    await shoot(page, "oncall-override");
    await page.locator("ul.overrides").getByRole("button", { name: "Remove" }).click();
    await page.locator(".oncall-now strong", { hasText: before }).waitFor();
    assert.ok((await page.locator("ul.overrides").innerText()).includes("none"));

    // Planned work: internal-api and webserver-01 in one window for an hour, shown on the
    // Overview, then ended.
    const maintForm = page.getByRole("form", { name: "Start maintenance" });
    await maintForm.getByLabel("Services").selectOption(["internal-api", "webserver-01"]);
    await maintForm.getByLabel("What the work is").fill("Kernel update");
    await maintForm.getByRole("button", { name: "Start maintenance" }).click();
    await page.locator("ul.windows", { hasText: "Kernel update" }).waitFor();
    const windowText = await page.locator("ul.windows").innerText();
    assert.ok(windowText.includes("internal-api") && windowText.includes("webserver-01") &&
              windowText.includes(env.auth ? "by alice" : "by web"), windowText);
    await shoot(page, "oncall-maintenance");
    await page.goto(base + "/");
    const apiRow = page.locator("tr", { hasText: "internal-api" });
    await apiRow.locator(".badge-maintenance").waitFor();
    assert.equal(await page.locator(".badge-maintenance").count(), 2);
    await page.goto(base + "/oncall");
    await page.locator("ul.windows").getByRole("button", { name: "End now" }).click();
    await page.locator("ul.windows", { hasText: "none" }).waitFor();
    assert.deepEqual(foreign, [], "no request left vigil");

    // The public status page, without a login: only the public service, under its public name.
    await context.clearCookies();  // signed out from here on
    const statusPage = await context.newPage();
    const sres = await statusPage.goto(base + "/status");
    assert.equal(sres.status(), 200);
    await statusPage.getByRole("heading", { name: "Website" }).waitFor();
    const text = await statusPage.locator("main").innerText();
    assert.ok(!text.includes("internal-api"), "a private service is not on the status page");
    assert.ok(!text.includes("webserver-01"), "the internal name is not shown");
    assert.ok(!text.includes("Restarted nginx"), "notes stay private");
    await shoot(statusPage, "status");
    if (env.auth) {
      const r = await statusPage.goto(base + "/incidents");
      assert.ok(statusPage.url().includes("/login"), `signed out, /incidents asks for a login (got ${r.status()})`);
    }
    console.log("PASS ui_test: login, live incident, acknowledge, resolve, postmortem, status page; screenshots in " + SHOTS);
  } finally {
    if (context) await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
    await stack.quit();
  }
}

main().catch((e) => {
  console.error("FAIL ui_test:", e && e.stack ? e.stack : e);
  process.exit(1);
});
