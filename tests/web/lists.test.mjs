// Lists and search: the persons list with indexed filters, sort and cursor paging, CSV and XLSX
// of exactly the list's query, the cases list's exports, and the fuzzy person search with the
// explanation of each match.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, launchBrowser, login, screenshot, startHaven, usersByRole } from './harness.mjs';

let haven;
let users;
let api;
before(async () => {
  haven = await startHaven();
  users = await usersByRole(haven.url);
  api = await apiAs(haven.url, users.caseworker);
});
after(async () => haven?.stop());

/** What a download link of the page gives, fetched with the page's own session cookie. */
async function download(page, locator) {
  const href = await locator.getAttribute('href');
  const body = await page.evaluate(async (h) => {
    const res = await fetch(h, { credentials: 'same-origin' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: new TextDecoder().decode(bytes), head: [...bytes.slice(0, 2)] };
  }, href);
  return { href, ...body };
}

test('persons: filters, sort and paging by the API, and exports of the same query', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    // The organisation's administrator sees all its people (a caseworker, those of their cases).
    await login(page, haven.url, users.org_admin);
    const started = Date.now();
    await page.goto(`${haven.url}/persons`);
    const rows = page.locator('#list-person tbody tr');
    await rows.first().waitFor();
    console.log(`# persons list loaded in ${Date.now() - started} ms`);
    await screenshot(page, 'persons');

    // Sex, an indexed choice: every row shown is one.
    await page.locator('.filters label', { hasText: 'Sex' }).locator('select').selectOption('female');
    await page.waitForFunction(() => [...document.querySelectorAll('#list-person tbody tr td:nth-child(2)')].every((td) => td.textContent === 'Female'));
    assert.ok((await rows.count()) > 0);

    // Sorting by region, an indexed field, both ways.
    const region = page.getByRole('button', { name: /^Region/ });
    await region.click();
    await page.locator('th[aria-sort="descending"]', { hasText: 'Region' }).waitFor();
    // The rows the server sends for the new order replace the old ones.
    await page.waitForFunction(() => {
      const regions = [...document.querySelectorAll('#list-person tbody tr td:nth-child(5)')].map((td) => td.textContent);
      return regions.length > 1 && regions.every((r, i) => i === 0 || regions[i - 1] >= r);
    });
    await region.click();
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Region' }).waitFor();

    // A bad country code is said next to the field; what was typed stays.
    const country = page.getByLabel('Country (code)');
    await country.fill('IND');
    await page.locator('#persons-country-error', { hasText: 'ISO country code' }).waitFor();
    assert.equal(await country.inputValue(), 'IND');
    assert.equal(await country.getAttribute('aria-invalid'), 'true');
    await country.fill('');

    // The CSV carries the list's filters and sort, and only matching people.
    const csv = await download(page, page.getByRole('link', { name: 'CSV' }));
    assert.match(csv.href, /^\/api\/v1\/exports\/persons\.csv\?/);
    assert.match(csv.href, /sex=female/);
    assert.match(csv.href, /sort=region&order=asc/);
    assert.equal(csv.status, 200);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    const header = lines[0].split(',');
    const sexColumn = header.indexOf('sex');
    assert.ok(sexColumn >= 0, header.join(','));
    assert.ok(lines.length > 1);
    for (const line of lines.slice(1)) assert.ok(line.includes(',female,'), line);
    const xlsx = await download(page, page.getByRole('link', { name: 'Excel (XLSX)' }));
    assert.equal(xlsx.status, 200);
    assert.deepEqual(xlsx.head, [0x50, 0x4b], 'an XLSX file is a zip');

    // Cursor paging: the next page is other people, and the previous page comes back.
    await page.locator('.filters label', { hasText: 'Sex' }).locator('select').selectOption('');
    await page.waitForFunction(() => document.querySelectorAll('#list-person tbody tr').length === 25);
    const first = await rows.first().textContent();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    await page.waitForFunction((f) => document.querySelector('#list-person tbody tr')?.textContent !== f, first);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1').waitFor();
    await page.waitForFunction((f) => document.querySelector('#list-person tbody tr')?.textContent === f, first);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('cases: the exports follow the list filters', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await page.goto(`${haven.url}/cases`);
    await page.locator('#list-case tbody tr').first().waitFor();
    const status = (await api.get('/cases?limit=1')).items[0].status;
    await page.locator('.filters label', { hasText: 'Status' }).locator('select').selectOption(status);
    const link = page.getByRole('link', { name: 'CSV' });
    await page.waitForFunction((s) => document.querySelector('a[href^="/api/v1/exports/cases.csv"]')?.getAttribute('href')?.includes(`status=${s}`), status);
    const csv = await download(page, link);
    assert.equal(csv.status, 200);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    const expected = (await api.get(`/cases?status=${status}&limit=200`)).items.length;
    assert.ok(expected > 0);
    assert.equal(lines.length - 1, expected);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('person search: a misspelt name finds the person, and says why', async () => {
  const { items } = await api.get('/persons?limit=50');
  const person = items.find((p) => typeof p.given_name === 'string' && /^[A-Za-z]{5,}$/.test(p.given_name) && p.family_name && p.birth_date);
  assert.ok(person, 'a person with a Latin name and a birth date');
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await page.goto(`${haven.url}/persons/search`);
    // Nothing filled in: said next to the first field, no request.
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#search-given_name-error', { hasText: 'at least one field' }).waitFor();

    // One letter dropped from the given name, the birth date right.
    const misspelt = person.given_name.slice(0, 2) + person.given_name.slice(3);
    await page.getByLabel('Given name').fill(misspelt);
    await page.getByLabel('Family name').fill(person.family_name);
    await page.getByLabel('Date of birth').fill(person.birth_date);
    const started = Date.now();
    await page.getByRole('button', { name: 'Search' }).click();
    const hit = page.locator('.search-results > li', { hasText: person.display_code });
    await hit.waitFor();
    console.log(`# person search answered in ${Date.now() - started} ms`);
    assert.ok((await hit.locator('.explanation').textContent()).length > 0);
    assert.ok((await hit.locator('.verdicts li').count()) > 0);
    await screenshot(page, 'person-search');
    // The names typed never go into the address.
    assert.ok(!page.url().includes(misspelt));
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('at phone width the new screens fit: no sideways scrolling of the page', async () => {
  const b = await launchBrowser({ width: 390, height: 844 });
  try {
    const { page } = b;
    await login(page, haven.url, users.org_admin);
    const screens = [
      ['/persons', '#list-person tbody tr'],
      ['/persons/search', '#search-form'],
      ['/duplicates', '#dup-queue'],
      ['/referrals', '#refs-outgoing'],
      ['/trainings', '#list-training tbody tr'],
      ['/case-audits', '#list-case_audit'],
      ['/reports', '.report-table tbody tr'],
      ['/estimates', '#estimate-form'],
      ['/admin/users', '#users-table tbody tr'],
      ['/admin/organisations', '#list-organisation tbody tr'],
      ['/admin/forms', '#forms-history'],
    ];
    for (const [path, ready] of screens) {
      await page.goto(`${haven.url}${path}`);
      await page.locator(ready).first().waitFor();
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(scroll <= width, `${path}: the page is ${scroll} px wide on a ${width} px screen`);
      if (path === '/persons' || path === '/reports') await screenshot(page, `${path.slice(1)}-phone`);
    }
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
