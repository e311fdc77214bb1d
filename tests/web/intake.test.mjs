// Intake: a report, a person with the live duplicate warning (fuzzy search as the user types, with
// its explanation), a refusal shown next to its field without losing what was typed, then a new
// case or an existing one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, launchBrowser, login, screenshot, startHaven, usersByRole } from './harness.mjs';

let haven;
let users;
before(async () => {
  haven = await startHaven();
  users = await usersByRole(haven.url);
});
after(async () => haven?.stop());

async function fillReport(page) {
  await page.locator('#main-nav').getByRole('link', { name: 'New intake' }).click();
  await page.getByLabel('Received through').selectOption('community');
  await page.getByLabel('Priority').selectOption('high');
  await page.getByLabel('Form of exploitation').selectOption('labour_fishing');
  await page.getByLabel('Country').fill('PH');
  await page.getByLabel('What was reported').fill('A fisherman says his crew has not been paid for eight months and cannot leave the boat.');
  await page.getByRole('button', { name: 'Save the report' }).click();
  await page.getByText(/Report RP-\d{4}-\d+ is saved/).waitFor();
}

test('a person already registered is flagged while typing, and can be used instead', async () => {
  const api = await apiAs(haven.url, users.caseworker);
  const { items } = await api.get('/persons?limit=20');
  const known = items.find((p) => p.given_name && p.family_name && p.birth_date);
  assert.ok(known, 'the demo gives the caseworker people with names and birth dates');
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await fillReport(page);
    await page.getByLabel('Given name').fill(known.given_name);
    await page.getByLabel('Family name').fill(known.family_name);
    await page.getByLabel('Date of birth').fill(known.birth_date);
    const warning = page.getByTestId('duplicate-warning');
    await warning.getByText(/Already registered\?/).waitFor();
    const match = warning.locator('li', { hasText: known.display_code }).first();
    await match.waitFor();
    assert.ok((await match.locator('.explanation').textContent()).length > 0, 'the match is explained');
    await screenshot(page, 'intake-duplicate-warning');
    await match.getByRole('button', { name: 'This is the same person: use this record' }).click();
    await page.getByText(`Person: `).waitFor();
    await page.getByLabel('Their role in the case').selectOption('victim');
    await page.getByLabel('Add to an existing case').check();
    await page.getByRole('button', { name: 'Add to an existing case' }).click();
    await page.getByRole('heading', { name: 'People and their roles' }).waitFor();
    assert.match(page.url(), /\/cases\/\d+$/);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('a new person and a new case; a refused field keeps what was typed', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await fillReport(page);
    await page.getByLabel('Given name').fill('Anaïs');
    await page.getByLabel('Family name').fill('Đặng-वर्मा');
    await page.getByLabel('Date of birth').fill('2099-01-01');
    await page.getByLabel('Phone').fill('+63 917 555 0199');
    await page.getByRole('button', { name: 'Register this person' }).click();
    // The server refuses a birth date in the future; the message is next to that field.
    const error = page.locator('[data-field="birth_date"] .field-error');
    await error.waitFor();
    assert.match(await error.textContent(), /future|today/i);
    assert.equal(await page.getByLabel('Given name').inputValue(), 'Anaïs');
    assert.equal(await page.getByLabel('Family name').inputValue(), 'Đặng-वर्मा');
    await screenshot(page, 'intake-field-error');
    await page.getByLabel('Date of birth').fill('2001-05-17');
    await page.getByRole('button', { name: 'Register this person' }).click();
    await page.getByText('Person: Anaïs Đặng-वर्मा').waitFor();
    await page.getByLabel('Title').fill('Unpaid crew on a fishing boat');
    await page.getByRole('button', { name: 'Open a new case' }).click();
    await page.getByRole('heading', { name: 'People and their roles' }).waitFor();
    await page.locator('#case-people').getByText('Anaïs Đặng-वर्मा').waitFor();
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
