// Browser tests of the web page: Debian's Chromium driven by playwright-core
// against a running server (RIA_URL, default http://127.0.0.1:8080): `ria
// serve`, or tests/browser/mock_server.py (run.sh starts it when RIA_URL is
// not set). Screenshots go to tests/browser/artifacts/.
//
// Environment:
//   RIA_URL          the server (default http://127.0.0.1:8080)
//   RIA_API_KEY      the key to type when the page asks for one
//   RIA_TEST_UPLOAD  0 skips the CSV upload (it adds a version to the store)
//   CHROMIUM         the browser (default /usr/bin/chromium)

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const ART = join(HERE, 'artifacts');
const URL_BASE = (process.env.RIA_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const ORIGIN = new URL(URL_BASE).origin;
const KEY = process.env.RIA_API_KEY || '';
const UPLOAD = process.env.RIA_TEST_UPLOAD !== '0';
const TIMEOUT = 20000;

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

mkdirSync(ART, { recursive: true });

let page;
let keyShot = false;
const problems = []; // console errors, page errors, failed or foreign requests
const feedbackBodies = [];

function watch(p, label) {
  p.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // the server answers 401 until the key is given: Chromium logs that
    if (KEY && /status of 401/.test(text)) return;
    problems.push(`${label} console: ${text}`);
  });
  p.on('pageerror', (err) => problems.push(`${label} page error: ${err.message}`));
  p.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(ORIGIN) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`${label} external request: ${u}`);
    if (u.includes('/api/feedback') && req.method() === 'POST') feedbackBodies.push(JSON.parse(req.postData() || '{}'));
  });
  p.on('requestfailed', (req) => {
    const f = req.failure();
    // aborted suggestion requests and closed event streams are normal
    if (f && /ERR_ABORTED/.test(f.errorText)) return;
    problems.push(`${label} request failed: ${req.url()} ${f ? f.errorText : ''}`);
  });
}

async function open(p, hash = '') {
  await p.goto(`${URL_BASE}/${hash}`, { waitUntil: 'domcontentloaded' });
  await p.waitForFunction(() => document.querySelector('#key-dialog')?.open || document.querySelector('#examples .example, #examples p'), null, { timeout: TIMEOUT });
  if (await p.evaluate(() => document.querySelector('#key-dialog').open)) {
    assert.ok(KEY, 'the server asked for an API key: set RIA_API_KEY');
    if (!keyShot) {
      keyShot = true;
      await shot(p, '00-api-key', false);
    }
    await p.fill('#key-input', KEY);
    await p.press('#key-input', 'Enter');
    await p.waitForSelector('#examples .example, #examples p', { timeout: TIMEOUT });
  }
}

/** Asks a question through the ask box; returns the new turn's locator. */
async function ask(p, question) {
  const before = await p.locator('#turns .turn').count();
  await p.fill('#ask-input', question);
  await p.press('#ask-input', 'Enter');
  const turn = p.locator('#turns .turn').nth(before);
  await turn.locator('.answer:not(.pending)').waitFor({ timeout: TIMEOUT });
  return turn;
}

async function noHorizontalScroll(p) {
  return p.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    ok: document.documentElement.scrollWidth <= window.innerWidth,
  }));
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the
 * page's Content-Security-Policy stays on) and returns the moderate, serious and
 * critical violations as readable lines.
 */
async function a11y(p, label) {
  await p.evaluate(AXE);
  const res = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations
    .filter((v) => ['moderate', 'serious', 'critical'].includes(v.impact))
    .map((v) => `${label}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

function shot(p, name, fullPage = true) {
  return p.screenshot({ path: join(ART, `${name}.png`), fullPage });
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const profiles = [];
const contexts = [];

/** A browser context in a fresh user-data-dir (Playwright passes it as --user-data-dir). */
async function launch(options) {
  const dir = mkdtempSync(join(tmpdir(), 'ria-chromium-'));
  profiles.push(dir);
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    ...options,
  });
  contexts.push(ctx);
  return ctx;
}

before(async () => {
  const context = await launch({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  page = context.pages()[0] || await context.newPage();
  watch(page, 'desktop');
  await open(page);
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  for (const d of profiles) rmSync(d, { recursive: true, force: true });
});

test('the empty thread shows example questions', async () => {
  const n = await page.locator('#examples .example').count();
  assert.ok(n >= 1, 'at least one example question');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ask-input', 'the ask box has the focus');
  await shot(page, '01-empty', false);
});

test('suggestions appear as you type and Escape closes them', async () => {
  await page.fill('#ask-input', '');
  await page.locator('#ask-input').pressSequentially('revenue by c', { delay: 20 });
  await page.waitForSelector('#ask-suggestions:not([hidden]) li', { timeout: TIMEOUT });
  assert.equal(await page.getAttribute('#ask-input', 'aria-expanded'), 'true');
  await page.press('#ask-input', 'ArrowDown');
  assert.ok(await page.getAttribute('#ask-input', 'aria-activedescendant'), 'a suggestion is active');
  await shot(page, '02-suggestions', false);
  await page.press('#ask-input', 'Escape');
  assert.equal(await page.isHidden('#ask-suggestions'), true);
  await page.fill('#ask-input', '');
});

test('a question gets the sentence, the key figure and what was computed', async () => {
  const turn = await ask(page, 'What were Electronics sales in California in Q1 2024?');
  const text = await turn.locator('.answer-text').textContent();
  assert.match(text, /Electronics/);
  const fig = (await turn.locator('.figure-value').textContent()).trim();
  assert.match(fig, /^\$[\d,]+\.\d\d$/, `money figure, got ${fig}`);
  const chips = await turn.locator('.interp .chip').allTextContents();
  assert.ok(chips.some((c) => /California/.test(c)), `a California chip in ${chips}`);
  assert.ok(chips.some((c) => /Q1 2024/.test(c)), 'the period chip');
  assert.ok(chips.some((c) => /data version \d+/.test(c)), 'the data version chip');
  const meta = await turn.locator('.meta').first().textContent();
  assert.match(meta, /ms/, 'the time taken');
});

test('a follow-up keeps the conversation: "and in Texas?"', async () => {
  const turn = await ask(page, 'and in Texas?');
  const chips = await turn.locator('.interp .chip-filter').allTextContents();
  assert.ok(chips.some((c) => /Texas|TX/.test(c)), `a Texas filter chip in ${chips}`);
  assert.ok(chips.some((c) => /Electronics/.test(c)), 'the category filter is kept');
  assert.match(await turn.locator('.figure-value').textContent(), /^\$/);
});

test('a breakdown draws a chart and a table with right-aligned numbers', async () => {
  const turn = await ask(page, 'revenue by category in 2024');
  const canvas = turn.locator('figure.chart canvas');
  await canvas.waitFor({ timeout: TIMEOUT });
  await page.waitForFunction((el) => el && el.width > 0 && el.height > 0, await canvas.elementHandle());
  const drawn = await turn.evaluate((el) => Boolean(el.querySelector('figure.chart').chart));
  assert.ok(drawn, 'Chart.js drew the chart');
  const rows = await turn.locator('table.data tbody tr').count();
  assert.ok(rows >= 2, 'table rows');
  const align = await turn.locator('table.data tbody td.num').first().evaluate((td) => getComputedStyle(td).textAlign);
  assert.equal(align, 'right');
  // Show SQL toggles the statements
  const sqlBtn = turn.locator('button[aria-controls^="sql"]');
  assert.equal((await sqlBtn.textContent()).trim(), 'Show SQL');
  await sqlBtn.click();
  assert.match(await turn.locator('.sql pre').first().textContent(), /SELECT/i);
  assert.equal(await sqlBtn.getAttribute('aria-expanded'), 'true');
  assert.equal((await sqlBtn.textContent()).trim(), 'Hide SQL');
  await sqlBtn.click();
  assert.equal(await turn.locator('.sql').isHidden(), true);
});

test('a time series draws a line chart', async () => {
  const turn = await ask(page, 'monthly revenue in 2024');
  await turn.locator('figure.chart canvas').waitFor({ timeout: TIMEOUT });
  const type = await turn.evaluate((el) => el.querySelector('figure.chart').chart?.config.type);
  assert.equal(type, 'line');
});

test('thumbs down opens a form and sends the reason', async () => {
  const turn = page.locator('#turns .turn').first();
  await turn.getByRole('button', { name: 'Bad answer' }).click();
  const form = turn.locator('.fb-form');
  await form.waitFor();
  await form.locator('select').selectOption({ label: 'Wrong number' });
  await form.locator('textarea').fill('expected a different total');
  await shot(page, '03-feedback', false);
  const resp = page.waitForResponse((r) => r.url().includes('/api/feedback'));
  await form.getByRole('button', { name: 'Send feedback' }).click();
  const r = await resp;
  assert.ok(r.ok(), `feedback answered ${r.status()}`);
  const body = await r.json();
  assert.equal(body.ok, true);
  await turn.locator('.fb-status', { hasText: 'Thanks' }).waitFor();
  const sent = feedbackBodies.at(-1);
  assert.equal(sent.rating, 'down');
  assert.equal(sent.reason, 'wrong number');
  assert.equal(sent.comment, 'expected a different total');
  assert.ok(sent.session, 'the session id is sent');
  assert.ok(sent.plan_hash, 'the plan hash is sent');
  assert.equal(typeof sent.data_version, 'number');
  assert.ok(sent.interpretation && sent.interpretation.metric, 'the interpretation is sent');
  assert.match(sent.question, /Electronics/);
});

test('a word not understood is named, with suggestions that re-ask', async () => {
  const turn = await ask(page, 'revenue by flurb');
  await turn.locator('.answer.declined').waitFor();
  const bad = await turn.locator('.chip-bad').allTextContents();
  assert.ok(bad.some((b) => /flurb/.test(b)), `flurb is named: ${bad}`);
  const sugg = turn.locator('.chip-suggest');
  if (await sugg.count()) {
    const s = (await sugg.first().textContent()).trim();
    const n = await page.locator('#turns .turn').count();
    await sugg.first().click();
    const next = page.locator('#turns .turn').nth(n);
    await next.locator('.answer:not(.pending)').waitFor({ timeout: TIMEOUT });
    assert.ok((await next.locator('.q-bubble').textContent()).includes(s), 'the suggestion replaced the word');
  }
  await shot(page, '04-thread');
  assert.deepEqual(await a11y(page, 'ask'), []);
});

test('"/" focuses the ask box and New conversation clears the thread', async () => {
  await page.locator('h1, body').first().evaluate(() => document.activeElement.blur());
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ask-input');
  await page.click('#new-conversation');
  assert.equal(await page.locator('#turns .turn').count(), 0);
  assert.equal(await page.isVisible('#welcome'), true);
  // keyboard only: Shift+Tab from the ask box reaches the last example, Enter asks it
  await page.focus('#ask-input');
  await page.keyboard.press('Shift+Tab');
  const focused = await page.evaluate(() => ({ cls: document.activeElement.className, text: document.activeElement.textContent }));
  assert.equal(focused.cls, 'example', 'the examples come before the ask box in tab order');
  await page.keyboard.press('Enter');
  const turn = page.locator('#turns .turn').first();
  await turn.locator('.answer:not(.pending)').waitFor({ timeout: TIMEOUT });
  assert.equal((await turn.locator('.q-bubble').textContent()).replace('You asked: ', ''), focused.text);
  const chips = await turn.locator('.interp .chip').allTextContents();
  assert.ok(!chips.some((c) => /follow-up/.test(c)), 'a new conversation does not merge with the old one');
});

test('the summary view shows KPI tiles, the trend and the report', async () => {
  await page.click('.tabs a[data-view="summary"]');
  await page.waitForSelector('#summary-body .kpi', { timeout: TIMEOUT });
  const tiles = await page.locator('#summary-body .summary-section').first().locator('.kpi').count();
  assert.ok(tiles >= 4, `KPI tiles: ${tiles}`);
  const labels = await page.locator('.kpi-label').allTextContents();
  assert.ok(labels.some((l) => /revenue/i.test(l)));
  assert.ok(await page.locator('.kpi-delta').count() > 0, 'changes are shown');
  await page.waitForSelector('.trend figure.chart canvas', { timeout: TIMEOUT });
  assert.ok(await page.locator('#summary-body .sentences li').count() > 0, 'the report sentences');
  await page.waitForTimeout(500);
  await shot(page, '05-summary');
  assert.deepEqual(await a11y(page, 'summary'), []);
  // another period
  await page.fill('#summary-period', 'last quarter');
  await page.press('#summary-period', 'Enter');
  await page.waitForFunction(() => {
    const t = document.querySelector('#summary-body .summary-section h2');
    return t && /Q\d|quarter/i.test(t.textContent);
  }, null, { timeout: TIMEOUT });
});

test('the data view shows versions, the quality report and the schema', async () => {
  await page.click('.tabs a[data-view="data"]');
  await page.waitForSelector('#versions table tbody tr', { timeout: TIMEOUT });
  await page.waitForSelector('#quality-body .stats', { timeout: TIMEOUT });
  await page.waitForSelector('#schema table tbody tr', { timeout: TIMEOUT });
  const stats = await page.locator('#quality-body .stat-k').allTextContents();
  assert.ok(stats.includes('accepted'));
  await page.waitForSelector('#quality-body .quarantine table, #quality-body .quarantine p', { timeout: TIMEOUT });
  await page.waitForTimeout(300);
  await shot(page, '06-data');
  assert.deepEqual(await a11y(page, 'data'), []);
});

test('a CSV dropped on the page is loaded with progress and its report', { skip: !UPLOAD && 'RIA_TEST_UPLOAD=0' }, async () => {
  const before = await page.locator('#versions table tbody tr').count();
  const header = 'order_id,order_date,ship_date,status,channel,category,sub_category,sku,quantity,unit_price,discount,amount,cost,customer_id,segment,city,state,region,country';
  const lines = [header];
  for (let i = 0; i < 40; i += 1) {
    const d = `2024-12-${String(1 + (i % 28)).padStart(2, '0')}`;
    const qty = i === 7 ? -2 : 1 + (i % 3); // one row for the quarantine
    const price = 20 + i;
    lines.push([`ORD-TEST-${String(i).padStart(6, '0')}`, `${d} 10:00:00`, d, 'Delivered', 'Online', 'Toys', 'Games', 'TOY-GAM-9001',
      qty, price.toFixed(2), '0.00', (qty * price).toFixed(2), (qty * price * 0.6).toFixed(2), 'C9000001', 'Consumer', 'Austin', 'TX', 'South', 'US'].join(','));
  }
  await page.setInputFiles('#file-input', { name: 'test-upload.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await page.waitForSelector('#upload-result .upload-done, #upload-result .inline-error', { timeout: 60000 });
  const err = await page.locator('#upload-result .inline-error').count();
  assert.equal(err, 0, err ? await page.locator('#upload-result').textContent() : '');
  await page.waitForFunction((n) => document.querySelectorAll('#versions table tbody tr').length > n, before, { timeout: TIMEOUT });
  await page.waitForSelector('#quality-body .stats', { timeout: TIMEOUT });
  const title = await page.textContent('#quality-title');
  assert.match(title, /version \d+/);
  await page.waitForTimeout(300);
  await shot(page, '07-data-upload');
});

test('at phone width (375 px) nothing scrolls sideways', async () => {
  const phone = await launch({ viewport: { width: 375, height: 760 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const p = phone.pages()[0] || await phone.newPage();
  watch(p, 'phone');
  await open(p);
  let s = await noHorizontalScroll(p);
  assert.ok(s.ok, `ask (empty): page ${s.scrollWidth}px wide at ${s.width}px`);
  await shot(p, '08-phone-empty', false);
  await ask(p, 'Q1 vs Q2 2024 by category');
  await ask(p, 'revenue by state in 2024');
  await p.waitForTimeout(400);
  s = await noHorizontalScroll(p);
  assert.ok(s.ok, `ask (answers): page ${s.scrollWidth}px wide at ${s.width}px`);
  await shot(p, '09-phone-thread');
  assert.deepEqual(await a11y(p, 'phone ask'), []);
  await p.click('.tabs a[data-view="summary"]');
  await p.waitForSelector('#summary-body .kpi', { timeout: TIMEOUT });
  await p.waitForSelector('.trend figure.chart canvas', { timeout: TIMEOUT });
  await p.waitForTimeout(400);
  s = await noHorizontalScroll(p);
  assert.ok(s.ok, `summary: page ${s.scrollWidth}px wide at ${s.width}px`);
  await shot(p, '10-phone-summary');
  await p.click('.tabs a[data-view="data"]');
  await p.waitForSelector('#quality-body .stats', { timeout: TIMEOUT });
  await p.waitForSelector('#schema table', { timeout: TIMEOUT });
  await p.waitForTimeout(300);
  s = await noHorizontalScroll(p);
  assert.ok(s.ok, `data: page ${s.scrollWidth}px wide at ${s.width}px`);
  await shot(p, '11-phone-data');
});

test('no console errors, page errors or requests to other hosts', () => {
  assert.deepEqual(problems, []);
});
