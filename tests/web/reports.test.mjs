// Reports and estimation for supervisors and analysts: parameters, suppressed cells shown as
// "<5", the server's charts, downloads; the estimate of hidden victims from a pasted table and
// from Haven's own records; and an analyst's exports pseudonymised.
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

test('reports: parameters, "<5" cells, charts and downloads', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.supervisor);
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.locator('.report-table tbody tr').first().waitFor();
    // Small counts come suppressed from the server and are shown so, with words for screen readers.
    const suppressed = page.locator('.report-table .suppressed').first();
    await suppressed.waitFor();
    assert.match(await suppressed.textContent(), /^<5/);
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll('img.report-chart')];
      return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    });
    await screenshot(page, 'reports');

    // From after To: said next to To, nothing sent.
    await page.getByLabel('From', { exact: true }).fill('2025-06-30');
    await page.getByLabel('To', { exact: true }).fill('2025-01-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#report-to-error').waitFor();
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('Per').selectOption('quarter');
    await page.getByLabel('Broken down by').selectOption('region');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForFunction(() => location.search.includes('period=quarter') && location.search.includes('by=region'));
    await page.locator('.report-table th', { hasText: 'region' }).first().waitFor();
    await page.locator('.report-table tbody th', { hasText: /\d{4}-Q\d/ }).first().waitFor();

    // The other reports, with the same parameters.
    for (const [tab, name] of [['Time to justice', 'time-to-justice'], ['Survivors’ outcomes', 'outcomes'], ['Justice-system strengthening', 'strengthening']]) {
      await page.getByRole('link', { name: tab }).click();
      await page.waitForURL(new RegExp(`/reports/${name}\\?`));
      await page.locator('#report-body h2').waitFor();
    }

    // Downloads: the table as CSV (suppressed cells stay suppressed), the report as XLSX.
    const csvHref = await page.getByRole('link', { name: /as CSV$/ }).first().getAttribute('href');
    assert.match(csvHref, /format=csv/);
    assert.match(csvHref, /period=quarter/);
    const got = await page.evaluate(async (h) => {
      const r = await fetch(h);
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    }, csvHref);
    assert.equal(got.status, 200);
    assert.match(got.type, /text\/csv/);
    const xlsxHref = await page.getByRole('link', { name: 'Download the report (Excel)' }).getAttribute('href');
    const xlsx = await page.evaluate(async (h) => {
      const r = await fetch(h);
      return { status: r.status, head: [...new Uint8Array(await r.arrayBuffer()).slice(0, 2)] };
    }, xlsxHref);
    assert.equal(xlsx.status, 200);
    assert.deepEqual(xlsx.head, [0x50, 0x4b]);

    // A parameter the server refuses (an address edited by hand) is said next to its control.
    await page.goto(`${haven.url}/reports/funnel?period=decade`);
    await page.locator('[class~="field"]', { has: page.locator('#report-period') }).locator('.field-error', { hasText: 'period must be' }).waitFor();

    // In Hindi and French: the page's own words change; the numbers stay.
    await page.getByLabel('Language').selectOption('hi');
    await page.getByRole('heading', { level: 1, name: 'रिपोर्ट' }).waitFor();
    await page.getByRole('link', { name: 'न्याय तक का समय' }).waitFor();
    await page.getByLabel('भाषा').selectOption('fr');
    await page.getByRole('heading', { level: 2, name: 'Paramètres' }).waitFor();
    await page.getByLabel('Langue').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('estimation: a pasted table, a refused one, and Haven’s own victims', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.supervisor);
    await page.goto(`${haven.url}/estimates`);
    const table = page.getByLabel('Capture-history table (CSV)');
    // A count that is not a number: the server names the line, next to the table; the text stays.
    await table.fill('A,B,C,count\n1,0,0,120\n0,1,0,ninety\n');
    await page.getByRole('button', { name: 'Estimate', exact: true }).click();
    await page.locator('#estimate-csv-error').waitFor();
    assert.match(await table.inputValue(), /ninety/);

    // A table read from a file fills the text box.
    await page.locator('#estimate-form input[type="file"]').setInputFiles({ name: 'lists.csv', mimeType: 'text/csv', buffer: Buffer.from('X,Y,count\n1,0,40\n0,1,30\n1,1,10\n') });
    await page.waitForFunction(() => document.querySelector('#estimate-csv')?.value.startsWith('X,Y,count'));
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    await page.getByRole('button', { name: 'Estimate', exact: true }).click();
    const headline = page.locator('.estimate-headline');
    await headline.waitFor();
    assert.match(await headline.textContent(), /341 found on the lists/);
    await page.locator('svg.estimate-chart').waitFor();
    await page.getByText('The full report').click();
    assert.ok((await page.locator('.estimate-report').textContent()).length > 100);
    await screenshot(page, 'estimation');

    await page.getByLabel('Haven’s own victims, by the channel that found them').check();
    await page.getByRole('button', { name: 'Estimate', exact: true }).click();
    await page.waitForFunction(() => /hotline|police|community/.test(document.querySelector('#estimate-result dl')?.textContent ?? ''));
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('an analyst exports persons pseudonymised', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.analyst);
    await page.getByRole('link', { name: 'Persons' }).click();
    await page.locator('#list-person tbody tr').first().waitFor();
    const href = await page.getByRole('link', { name: 'CSV' }).getAttribute('href');
    const text = await page.evaluate(async (h) => (await fetch(h)).text(), href);
    const header = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0].split(',');
    assert.ok(!header.includes('given_name') && !header.includes('family_name') && !header.includes('phone'), header.join(','));
    // No search for analysts: they work on pseudonymised data.
    assert.equal(await page.getByRole('link', { name: 'Find a person' }).count(), 0);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
