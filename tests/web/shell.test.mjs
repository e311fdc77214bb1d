// The shell: the menu by role, the language switch (kept across visits), dashboards per role, the
// page at phone width, and the server side of serving the page (SPA paths, caching, gzip, CSP).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, login, screenshot, startHaven, usersByRole } from './harness.mjs';

let haven;
let users;
before(async () => {
  haven = await startHaven();
  users = await usersByRole(haven.url);
});
after(async () => haven?.stop());

const menu = (page) => page.locator('#main-nav').getByRole('link').allTextContents();

test('the page is served with its caching, compression and security headers', async () => {
  const index = await fetch(`${haven.url}/cases/42`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
  const html = await index.text();
  const script = /src="(\/assets\/main-[^"]+\.js)"/.exec(html)[1];
  const asset = await fetch(`${haven.url}${script}`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(asset.headers.get('content-encoding'), 'gzip');
  assert.match(asset.headers.get('content-type'), /javascript/);
  assert.equal((await fetch(`${haven.url}/assets/main-STALE.js`)).status, 404);
  assert.equal((await fetch(`${haven.url}/api/v1/no-such-thing`)).status, 404);
  // The API keeps its own caching rule.
  assert.equal((await fetch(`${haven.url}/api/v1/openapi.json`)).headers.get('cache-control'), 'no-store');
});

test('a caseworker sees their work; the language switch is remembered', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    const started = Date.now();
    await login(page, haven.url, users.caseworker);
    for (const section of ['My cases', 'Upcoming hearings', 'Overdue follow-ups', 'Recent intakes'])
      await page.getByRole('heading', { level: 2, name: section }).waitFor();
    await page.locator('#dash-cases tbody tr').first().waitFor();
    console.log(`# dashboard after login in ${Date.now() - started} ms`);
    const items = await menu(page);
    for (const item of ['Dashboard', 'New intake', 'Cases']) assert.ok(items.includes(item), items.join());
    assert.equal(await page.getByRole('heading', { name: 'Headline indicators' }).count(), 0);
    await screenshot(page, 'dashboard-caseworker');

    // The keyboard: a new screen puts focus on its title (screen readers announce it); Tab goes on
    // into the screen with a visible focus ring; "Skip to content" moves focus past the menu.
    const focused = () => page.evaluate(() => ({ id: document.activeElement.id, text: document.activeElement.textContent, outline: getComputedStyle(document.activeElement).outlineStyle }));
    assert.equal((await focused()).id, 'page-title');
    await page.keyboard.press('Tab');
    assert.equal((await focused()).text, 'All cases');
    assert.notEqual((await focused()).outline, 'none');
    await page.locator('a.skip').focus();
    assert.ok(await page.locator('a.skip').isVisible());
    await page.keyboard.press('Enter');
    assert.equal((await focused()).id, 'main');

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
    await page.getByLabel('Langue').selectOption('hi');
    await page.getByRole('heading', { level: 1, name: 'डैशबोर्ड' }).waitFor();
    await screenshot(page, 'dashboard-hindi');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'डैशबोर्ड' }).waitFor();
    // Only the language is stored in the browser.
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), ['haven.lang']);
    await page.getByLabel('भाषा').selectOption('es');
    await page.getByRole('heading', { level: 1, name: 'Panel' }).waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('a supervisor and an analyst see the headline indicators with charts', async () => {
  for (const role of ['supervisor', 'analyst']) {
    const b = await launchBrowser();
    try {
      const { page } = b;
      await login(page, haven.url, users[role]);
      await page.getByRole('heading', { level: 2, name: 'Headline indicators' }).waitFor();
      const chart = page.locator('img.report-chart').first();
      await chart.waitFor();
      // The charts load lazily, when scrolled into view.
      for (const img of await page.locator('img.report-chart').all()) await img.scrollIntoViewIfNeeded();
      await page.waitForFunction(() => [...document.querySelectorAll('img.report-chart')].every((i) => i.complete && i.naturalWidth > 0));
      if (role === 'analyst') {
        // Analysts work on pseudonymised data: no intake, no case work.
        const items = await menu(page);
        assert.ok(items.includes('Cases') && !items.includes('New intake'), items.join());
        assert.equal(await page.getByRole('heading', { name: 'My cases' }).count(), 0);
      }
      await screenshot(page, `dashboard-${role}`);
      assert.deepEqual(b.problems, []);
    } finally {
      await b.close();
    }
  }
});

test('at phone width the menu folds away and opens', async () => {
  const b = await launchBrowser({ width: 390, height: 844 });
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    const nav = page.locator('#main-nav').getByRole('link', { name: 'New intake' });
    assert.equal(await nav.isVisible(), false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.click();
    await page.getByRole('heading', { level: 1, name: 'New intake' }).waitFor();
    // Nothing is wider than the screen.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    await screenshot(page, 'intake-phone');
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
