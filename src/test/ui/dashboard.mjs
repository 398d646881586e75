// Drives Debian's chromium through the dashboard of a running zinit. Started by
// zinit.e2e.DashboardIT, which runs the daemon and its services and passes, in the environment:
//   ZINIT_URL (http://127.0.0.1:PORT), ZINIT_TOKEN, OUT (dir for screenshots and reports),
//   CHROMIUM (the browser binary), MODE ("main" or "perf").
// Exits 0 when every check passed; otherwise prints what failed and exits 1.
import {chromium} from 'playwright-core';
import {mkdtempSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import assert from 'node:assert/strict';

const {ZINIT_URL, ZINIT_TOKEN, OUT, CHROMIUM = '/usr/bin/chromium', MODE = 'main'} = process.env;
const UI = `${ZINIT_URL}/ui/`;
const T = 60_000; // generous: the machine is shared and loaded
mkdirSync(OUT, {recursive: true});

const step = (what) => console.log(`-- ${what}`);

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'zinit-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: {width: 1280, height: 800},
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(T);
  // Any request to another host fails the run: the page must work without the network.
  const offsite = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return route.continue();
    offsite.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  const close = async () => { await context.close(); rmSync(profile, {recursive: true, force: true}); };
  return {context, page, offsite, errors, close};
}

const row = (page, name) => page.locator(`#services tr[data-name="${name}"]`);
const cell = (page, name, key) => row(page, name).locator(`td[data-key="${key}"]`);

async function waitCell(page, name, key, re) {
  await page.waitForFunction(([n, k, src]) => {
    const td = document.querySelector(`#services tr[data-name="${n}"] td[data-key="${k}"]`);
    return td && new RegExp(src).test(td.textContent);
  }, [name, key, re.source], {timeout: T});
}

/** Presses Tab until the focused element matches selector (keyboard only, as a user would). */
async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function main() {
  const {page, offsite, errors, close} = await launch();
  const uiBytes = new Map();
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname.startsWith('/ui/')) uiBytes.set(r.url(), (await r.body().catch(() => Buffer.alloc(0))).length);
  });
  try {
    step('the page loads with its security headers and asks for the token');
    const res = await page.goto(UI);
    const headers = res.headers();
    assert.match(headers['content-security-policy'], /default-src 'self'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    await page.locator('#signin').waitFor();

    step('a wrong token is refused');
    await page.fill('#token', 'not-the-token-0123456789');
    await page.click('#signin button[type=submit]');
    await page.locator('#signin-error').filter({hasText: 'Wrong token'}).waitFor();
    assert.equal(await page.locator('#services').count(), 0);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('zinit.token')), null);
    // the browser itself logs the refused request; nothing else may have gone wrong
    assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
    errors.length = 0;

    step('the right token signs in and every service shows with its state');
    await page.fill('#token', ZINIT_TOKEN);
    await page.keyboard.press('Enter');
    await row(page, 'web').waitFor();
    assert.equal(await page.locator('#signin').isVisible(), false);
    await waitCell(page, 'web', 'state', /^Running$/);
    await waitCell(page, 'db', 'state', /^Running$/);
    await waitCell(page, 'api', 'state', /^Running$/);
    await waitCell(page, 'flaky', 'state', /^Error$/);
    await waitCell(page, 'batch', 'state', /^Success$/);
    await waitCell(page, 'web', 'pid', /^\d+$/); // details follow the first paint
    await waitCell(page, 'chatty', 'state', /^Running$/);
    await page.locator('#counts').filter({hasText: '6 services · 4 running · 1 failed · 0 stopped'}).waitFor();
    await page.waitForFunction(() => /\d/.test(document.querySelector('#services tr[data-name="web"] td[data-key="memory"]')?.textContent ?? ''));
    await page.screenshot({path: join(OUT, 'dashboard-services.png')});

    step('sorting by state puts Error first, then back by name');
    const firstRow = (name) => page.waitForFunction((n) => document.querySelector('#services tbody tr')?.dataset.name === n, name, {timeout: T});
    await page.click('th[data-key=state] button');
    await firstRow('flaky'); // Error sorts before Running and Success (flaky is Error between its restarts)
    assert.equal(await page.getAttribute('th[data-key=state]', 'aria-sort'), 'ascending');
    await page.click('th[data-key=name] button');
    await firstRow('api');
    await page.click('th[data-key=name] button');
    await firstRow('web');
    await page.click('th[data-key=name] button');
    await firstRow('api');

    step('stopping db: its button is disabled while the call runs, its row changes without a reload');
    await page.evaluate(() => { window.__sameDocument = true; });
    await page.click('button[aria-label="Stop db"]');
    await page.locator('#confirm[open]').waitFor();
    await page.click('#confirm-ok');
    const stopDb = 'button[aria-label="Stop db"]';
    await page.waitForFunction((sel) => document.querySelector(sel).disabled, stopDb, {timeout: T}); // while the call runs
    await page.waitForFunction((sel) => !document.querySelector(sel).disabled, stopDb, {timeout: T});
    await waitCell(page, 'db', 'target', /^Down$/);
    await waitCell(page, 'db', 'pid', /^–$/);
    assert.equal(await page.evaluate(() => window.__sameDocument), true);
    await page.locator('#counts').filter({hasText: '1 stopped'}).waitFor();

    step('a failing action is explained in words: killing a stopped service');
    await page.click('button[aria-label="Kill db"]');
    await page.locator('#confirm[open]').waitFor();
    await page.selectOption('#kill-signal', 'SIGUSR1');
    await page.click('#confirm-ok');
    await page.locator('#flash').filter({hasText: 'Hint:'}).waitFor();
    const flashText = await page.locator('#flash').textContent();
    assert.match(flashText, /db/);
    console.log(`   error shown: ${flashText.replace(/\s+/g, ' ').replace('×', '').trim()}`);
    await page.click('#flash .close');

    step('keyboard only: skip link, filter, restart web, start db, cancel a kill with Escape');
    const hashBefore = await page.evaluate(() => location.hash);
    await page.locator('header h1 a').focus();
    await page.keyboard.press('Shift+Tab'); // the skip link comes first in the page
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    assert.equal(await page.evaluate(() => location.hash), hashBefore);
    await page.locator('#filter').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('web');
    await page.waitForFunction(() => document.querySelectorAll('#services tbody tr').length === 1);
    const pidBefore = (await cell(page, 'web', 'pid').textContent()).trim();
    await tabTo(page, 'button[aria-label="Restart web"]');
    await page.keyboard.press('Enter');
    await page.locator('#confirm[open]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-ok');
    await page.keyboard.press('Enter');
    await page.waitForFunction((before) => {
      const t = document.querySelector('#services tr[data-name="web"] td[data-key="pid"]')?.textContent ?? '';
      return /^\d+$/.test(t) && t !== before;
    }, pidBefore, {timeout: T});
    await tabTo(page, 'button[aria-label="Kill web"]');
    await page.keyboard.press('Enter');
    await page.locator('#confirm[open]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#confirm:not([open])').waitFor({state: 'attached'});
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Kill web');
    await page.locator('#filter').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('db');
    await tabTo(page, 'button[aria-label="Start db"]');
    await page.keyboard.press('Enter');
    await waitCell(page, 'db', 'state', /^Running$/);
    await page.locator('#filter').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');

    step('a line web prints appears in the live log view, stderr marked');
    await page.click('nav a[href="#/logs"]');
    // all services: chatty's 3000 lines and the rest of the buffer, of which the page keeps 1000
    await page.waitForFunction(() => [...document.querySelectorAll('#log li .svc')].some((e) => e.textContent === 'chatty: ')
      && document.querySelectorAll('#log li').length === 1000, null, {timeout: T});
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('#log li').count(), 1000);
    await page.locator('#log-service option[value=web]').waitFor({state: 'attached'});
    await page.selectOption('#log-service', 'web');
    await page.waitForFunction(() => location.hash === '#/logs/web');
    await page.locator('#log li.stdout', {hasText: /tick \d+/}).first().waitFor();
    const lastTick = async () => Number((await page.locator('#log li.stdout .text', {hasText: /^tick \d+$/}).last().textContent()).split(' ')[1]);
    const seen = await lastTick();
    await page.waitForFunction((n) => [...document.querySelectorAll('#log li.stdout .text')].some((e) => Number(e.textContent.split(' ')[1]) > n), seen, {timeout: T});
    await page.locator('#log li.stderr', {hasText: 'web starting'}).first().waitFor();
    await page.screenshot({path: join(OUT, 'dashboard-logs.png')});
    await page.click('#log-pause');
    const shown = await page.locator('#log li').count();
    await page.locator('.log-status', {hasText: 'held'}).waitFor();
    assert.equal(await page.locator('#log li').count(), shown);
    await page.click('#log-pause');
    await page.fill('#log-filter', 'starting');
    await page.waitForFunction(() => [...document.querySelectorAll('#log li')].filter((li) => !li.hidden).every((li) => li.textContent.includes('starting')));

    step('creating a service with a mistake shows the error at its line; fixed, it starts');
    await page.click('nav a[href="#/new"]');
    await page.fill('#svc-name', 'hello');
    await page.fill('#svc-yaml', 'exec: "sh -c \'echo hello-from-the-dashboard; exec sleep 1000\'"\nshutdown_timeout: soon\nlog: ring\n');
    await page.click('#svc-save');
    await page.locator('#svc-error', {hasText: 'Line 2'}).waitFor();
    assert.equal((await page.locator('.gutter span.bad').textContent()).trim(), '2');
    assert.match(await page.locator('#svc-error').textContent(), /shutdown_timeout/);
    assert.equal(await page.locator('#flash').textContent(), '', 'the mistake is shown at its line only');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'svc-yaml');
    await page.screenshot({path: join(OUT, 'dashboard-editor-error.png')});
    await page.fill('#svc-yaml', 'exec: "sh -c \'echo hello-from-the-dashboard; exec sleep 1000\'"\nshutdown_timeout: 5\nlog: ring\ndescripton: greets\n');
    await page.click('#svc-save');
    // written and started, but the misspelt key is pointed out before moving on
    await page.locator('#svc-error .warning', {hasText: ":4: unknown key 'descripton' ignored"}).waitFor();
    await page.click('#svc-open');
    await page.waitForFunction(() => location.hash === '#/service/hello');
    await page.locator('#status .state', {hasText: 'Running'}).waitFor();
    await page.locator('#log li', {hasText: 'hello-from-the-dashboard'}).waitFor();
    assert.match(await page.locator('#config').textContent(), /shutdown_timeout: 5/);
    await page.waitForTimeout(4500); // a few samples for the chart
    await page.screenshot({path: join(OUT, 'dashboard-service.png'), fullPage: true});

    step('the service page links its dependencies');
    await page.goto(`${UI}#/service/api`);
    await page.locator('#deps a', {hasText: 'db'}).click();
    await page.waitForFunction(() => location.hash === '#/service/db');

    step('editing keeps the file as text; delete asks first');
    await page.goto(`${UI}#/edit/hello`);
    await page.waitForFunction(() => document.querySelector('#svc-yaml')?.value.includes('hello-from-the-dashboard'));
    await page.goto(`${UI}#/service/hello`);
    await page.click('text=Delete…');
    await page.locator('#confirm[open]').waitFor();
    await page.click('#confirm-ok');
    await page.waitForFunction(() => location.hash === '#/');
    await page.waitForFunction(() => !document.querySelector('#services tr[data-name="hello"]') && document.querySelector('#services tr[data-name="web"]'));

    step('phone width and dark scheme');
    await page.emulateMedia({colorScheme: 'dark'});
    await page.setViewportSize({width: 390, height: 844});
    await waitCell(page, 'web', 'state', /^Running$/);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling at 390 px');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.ok(bg.startsWith('rgb(18, 20, 24)'), `dark background, got ${bg}`);
    await page.screenshot({path: join(OUT, 'dashboard-phone-dark.png'), fullPage: true});

    step('nothing left the machine, no console errors, the page is small');
    assert.deepEqual(offsite, []);
    assert.deepEqual(errors, []);
    const total = [...uiBytes.values()].reduce((a, b) => a + b, 0);
    console.log(`   dashboard files: ${uiBytes.size}, ${total} bytes`);
    assert.ok(total < 100 * 1024, `page under 100 KB, got ${total}`);
  } finally {
    await close();
  }
}

async function perf() {
  const {context, page, offsite, errors, close} = await launch();
  try {
    await context.addInitScript((t) => sessionStorage.setItem('zinit.token', t), ZINIT_TOKEN);
    const runs = [];
    for (let i = 0; i < 7; i++) {
      await page.goto(i === 0 ? UI : `${UI}?run=${i}`);
      await page.waitForFunction(() => document.querySelectorAll('#services tbody tr').length === 100
        && performance.getEntriesByName('zinit-services-complete').length, null, {timeout: T});
      runs.push(await page.evaluate(() => ({
        firstPaint: performance.getEntriesByName('first-paint')[0]?.startTime,
        firstContentfulPaint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
        tableOf100: performance.getEntriesByName('zinit-services-rendered')[0]?.startTime,
        detailsOf100: performance.getEntriesByName('zinit-services-complete')[0]?.startTime,
      })));
    }
    await page.screenshot({path: join(OUT, 'dashboard-100-services.png')});
    const warm = runs.slice(1); // the first load also compiles the jar's handler paths in zinit's JVM
    const median = (k) => { const v = warm.map((r) => r[k]).sort((a, b) => a - b); return Math.round(v[v.length >> 1]); };
    const report = {runs, median: {firstPaint: median('firstPaint'), firstContentfulPaint: median('firstContentfulPaint'),
      tableOf100: median('tableOf100'), detailsOf100: median('detailsOf100')}};
    writeFileSync(join(OUT, 'perf.json'), JSON.stringify(report, null, 2));
    console.log(`   first paint with 100 services, median of ${warm.length} warm loads (ms): ${JSON.stringify(report.median)}`);
    assert.deepEqual(offsite, []);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
}

try {
  await (MODE === 'perf' ? perf() : main());
  console.log('OK');
} catch (e) {
  console.error(`FAILED: ${e.stack || e}`);
  process.exitCode = 1;
}
