// Administration: accounts and roles (create with errors next to the fields, change roles,
// disable and enable, a new password), organisations (system administrator), custom form fields
// (a new version appears in the case form), referrals (accept, the shared case, revoke) and the
// audit log for auditors with break-glass reads flagged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, launchBrowser, login, passwordOf, screenshot, startHaven, usersByRole } from './harness.mjs';

let haven;
let users;
let admin;
let caseworker;
// Logins are few: the server allows 20 in five minutes from one address (the e2e tests' address too).
before(async () => {
  haven = await startHaven();
  users = await usersByRole(haven.url);
  admin = await apiAs(haven.url, 'admin.1');
  caseworker = await apiAs(haven.url, users.caseworker);
});
after(async () => haven?.stop());

const canLogIn = async (username, pass) =>
  (await fetch(`${haven.url}/api/v1/sessions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: pass }) })).ok;

test('users and roles: create, change roles, disable and enable, a new password', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.org_admin);
    await page.goto(`${haven.url}/admin`);
    await page.getByRole('link', { name: 'Users and roles' }).click();
    await page.locator('#users-table tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('User name').fill(users.caseworker); // taken
    await page.getByLabel('Name shown').fill('Asha Verma');
    await page.getByLabel('First password').fill('short');
    await page.getByRole('checkbox', { name: 'Caseworker' }).uncheck();
    await page.getByRole('checkbox', { name: 'Auditor' }).check();
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.locator('#new-user-password-error', { hasText: 'At least 12 characters' }).waitFor();
    await page.getByLabel('First password').fill('a long passphrase for asha');
    await page.getByLabel('New password again').fill('a long passphrase for asha');
    await page.getByRole('button', { name: 'Create the account' }).click();
    // The server refuses the name in use: said next to it, nothing typed lost.
    await page.locator('#new-user-username-error').waitFor();
    assert.equal(await page.getByLabel('Name shown').inputValue(), 'Asha Verma');
    await page.getByLabel('User name').fill('asha.verma');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.getByText('The account is created.').waitFor();
    const row = page.locator('tr[data-user="asha.verma"]');
    await row.waitFor();
    assert.equal(await row.locator('td').nth(1).textContent(), 'Auditor');
    assert.ok(await canLogIn('asha.verma', 'a long passphrase for asha'));
    await screenshot(page, 'admin-users');

    // Roles: an analyst too.
    await page.getByRole('button', { name: 'Change the roles of asha.verma' }).click();
    await page.getByRole('dialog').getByRole('checkbox', { name: 'Analyst' }).check();
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByText('asha.verma is changed.').waitFor();
    await row.getByText(/Analyst, Auditor|Auditor, Analyst/).waitFor();

    // Disabled: cannot log in; enabled again: can.
    await page.getByRole('button', { name: 'Disable asha.verma' }).click();
    await row.getByText('Disabled').waitFor();
    assert.equal(await canLogIn('asha.verma', 'a long passphrase for asha'), false);
    await page.getByRole('button', { name: 'Enable asha.verma' }).click();
    await row.getByText('Active').waitFor();

    // A new password, typed twice.
    await page.getByRole('button', { name: 'Set a new password for asha.verma' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New password', { exact: true }).fill('another long passphrase');
    await dialog.getByLabel('New password again').fill('another long passphrase!');
    await dialog.getByRole('button', { name: 'New password…' }).click();
    await dialog.locator('#reset-repeat-error').waitFor();
    await dialog.getByLabel('New password again').fill('another long passphrase');
    await dialog.getByRole('button', { name: 'New password…' }).click();
    await page.getByText('asha.verma has a new password.').waitFor();
    assert.ok(await canLogIn('asha.verma', 'another long passphrase'));
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('organisations: the system administrator adds and changes one', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, 'admin.1');
    await page.goto(`${haven.url}/admin/organisations`);
    await page.locator('#list-organisation tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Add an organisation' }).click();
    await page.locator('#org-name').fill('Shakti Vahini Shelter, Pune');
    await page.locator('#org-type').selectOption('shelter');
    await page.locator('#org-country').fill('IN');
    await page.locator('#org-region').fill('Maharashtra');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('.filters label', { hasText: 'Type' }).locator('select').selectOption('shelter');
    const link = page.getByRole('link', { name: 'Shakti Vahini Shelter, Pune' });
    await link.click();
    await page.locator('#org-edit-restored_threshold').selectOption('4');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#list-organisation').waitFor();
    const { items } = await admin.get('/organisations?type=shelter&limit=200');
    assert.equal(items.find((o) => o.name === 'Shakti Vahini Shelter, Pune')?.restored_threshold, 4);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('custom form fields: a new version, shown in the case form', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.org_admin);
    await page.goto(`${haven.url}/admin/forms`);
    await page.locator('.filters label', { hasText: 'Form' }).locator('select').selectOption('case');
    await page.getByRole('button', { name: /Add custom fields|Make a new version/ }).click();
    await page.getByRole('button', { name: 'Add to Fields' }).click();
    const rowCount = await page.locator('[data-field="fields"] .row').count();
    const last = page.locator('[data-field="fields"] .row').nth(rowCount - 1);
    await last.getByLabel('Key').fill('Shelter Bed'); // not lower_snake_case: refused by the server
    await last.getByLabel('Label').fill('Shelter bed number');
    await last.getByLabel('Type').selectOption('text');
    await page.getByRole('button', { name: 'Save as the new version' }).click();
    await page.locator('[data-field="fields"] .field-error').first().waitFor();
    assert.equal(await last.getByLabel('Label').inputValue(), 'Shelter bed number');
    await last.getByLabel('Key').fill('shelter_bed');
    await page.getByRole('button', { name: 'Save as the new version' }).click();
    await page.getByRole('heading', { name: /Version \d+ \(in use\)/ }).waitFor();
    await page.locator('#forms-current').getByLabel('Shelter bed number').waitFor();
    await screenshot(page, 'admin-forms');
  } finally {
    await b.close();
  }
  // A caseworker editing a case now has the field.
  const c = await launchBrowser();
  try {
    const { page } = c;
    await login(page, haven.url, users.caseworker);
    const api = caseworker;
    const theCase = (await api.get('/cases?limit=1')).items[0];
    await page.goto(`${haven.url}/cases/${theCase.id}`);
    await page.getByRole('button', { name: 'Edit the case' }).click();
    await page.getByLabel('Shelter bed number').fill('B-12');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Edit the case' }).waitFor();
    assert.equal((await api.get(`/cases/${theCase.id}`)).custom?.shelter_bed, 'B-12');
    assert.deepEqual(c.problems, []);
  } finally {
    await c.close();
  }
});

test('referrals: accept one received, read the shared case, revoke one sent', async () => {
  const api = caseworker;
  const incoming = (await api.get('/referrals/incoming?status=pending')).items[0];
  assert.ok(incoming, 'the demo sends org 1 a pending referral');
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await page.goto(`${haven.url}/referrals`);
    const card = page.locator(`[data-referral="${incoming.display_code}"]`);
    await card.getByRole('button', { name: 'Accept' }).click();
    await card.getByRole('link', { name: 'Open the shared case' }).click();
    await page.getByRole('heading', { level: 1, name: /Shared case/ }).waitFor();
    await page.locator('#shared-people li').first().waitFor();
    await screenshot(page, 'referral-shared-case');
    assert.equal((await api.get('/referrals/incoming')).items.find((r) => r.id === incoming.id).status, 'accepted');

    await page.goto(`${haven.url}/referrals`);
    const sent = (await api.get('/referrals?status=pending&limit=1')).items[0];
    if (sent) {
      await page.getByRole('button', { name: `Revoke referral ${sent.display_code}` }).click();
      await page.locator('#refs-outgoing tr', { hasText: sent.display_code }).getByText('Revoked').waitFor();
    }
    // The list of those sent, as CSV.
    const href = await page.locator('#refs-outgoing').getByRole('link', { name: 'CSV' }).getAttribute('href');
    const csv = await page.evaluate(async (h) => { const r = await fetch(h); return { status: r.status, text: await r.text() }; }, href);
    assert.equal(csv.status, 200);
    assert.match(csv.text.split(/\r?\n/)[0], /display_code/);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('sending a referral: the survivor’s consent is checked before it goes', async () => {
  const consents = (await caseworker.get('/consents?limit=200')).items;
  const consent = consents.find((c) => (c.share_with_org_ids ?? []).length && c.purposes.includes('referral') && !c.withdrawn_on);
  assert.ok(consent, 'a consent naming an organisation, for referral');
  const link = (await caseworker.get(`/case-persons?person_id=${consent.person_id}&limit=10`)).items[0];
  const named = consent.share_with_org_ids[0];
  const orgs = (await caseworker.get('/organisations?limit=50')).items;
  const notNamed = orgs.find((o) => !consent.share_with_org_ids.includes(o.id) && o.id !== 1);
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await page.goto(`${haven.url}/referrals`);
    await page.locator('#send-case').selectOption(String(link.case_id));
    await page.locator('#send-consent_id').selectOption(String(consent.id));
    await page.locator('#send-to_org_id').selectOption(String(notNamed.id));
    await page.locator('#send-purpose').selectOption('referral');
    await page.locator('#refs-send input[name="shared"][value="case_details"]').check();
    // The consent does not name that organisation: said before sending, and nothing is sent.
    await page.locator('#refs-send .notice.warning', { hasText: 'does not name' }).waitFor();
    await page.getByRole('button', { name: 'Send the referral' }).click();
    await page.locator('[data-field="consent_id"] .field-error', { hasText: 'does not name' }).waitFor();
    const before = (await caseworker.get(`/referrals?case_id=${link.case_id}&limit=50`)).items.length;
    await page.locator('#send-to_org_id').selectOption(String(named));
    await page.getByRole('button', { name: 'Send the referral' }).click();
    await page.getByText(/Referral RF-\d{4}-\d+ is sent\./).waitFor();
    const after = (await caseworker.get(`/referrals?case_id=${link.case_id}&limit=50`)).items;
    assert.equal(after.length, before + 1);
    assert.ok(after.some((r) => r.to_org_id === named && r.consent_id === consent.id && r.status === 'pending'));
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('audit log: auditors filter it, and break-glass reads are flagged', async () => {
  // A caseworker opens a case outside their own in an emergency.
  const all = (await admin.get('/cases?limit=100')).items;
  const me = await caseworker.get('/me');
  const other = all.find((c) => !(c.assigned_user_ids ?? []).includes(me.id));
  const login1 = await (await fetch(`${haven.url}/api/v1/sessions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: users.caseworker, password: passwordOf(users.caseworker) }) })).json();
  const glass = await fetch(`${haven.url}/api/v1/cases/${other.id}`, { headers: { Authorization: `Bearer ${login1.token}`, 'X-Haven-Break-Glass': 'imminent_danger' } });
  assert.equal(glass.status, 200);
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.auditor);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('#audit-table tbody tr').first().waitFor();
    await page.getByLabel('Record number').fill('abc');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#audit-record_id-error').waitFor();
    await page.getByLabel('Record number').fill('');
    await page.getByLabel('Action').selectOption('break_glass');
    await page.getByRole('button', { name: 'Show' }).click();
    const flagged = page.locator('#audit-table tr.flagged', { hasText: 'imminent_danger' });
    await flagged.waitFor();
    assert.match(await flagged.textContent(), new RegExp(users.caseworker.replace(/\./g, '\\.')));
    await screenshot(page, 'audit-log');
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
