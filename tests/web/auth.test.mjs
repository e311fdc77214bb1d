// Logging in (with a second factor), logging out, changing the password, and a session that
// ends while a form is being filled in: the form keeps what was typed and is sent after logging in
// again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, login, password, screenshot, startHaven, totp, usersByRole } from './harness.mjs';

let haven;
let users;
before(async () => {
  haven = await startHaven();
  users = await usersByRole(haven.url);
});
after(async () => haven?.stop());

test('a wrong password is refused next to the field; logging in and out', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await page.goto(haven.url);
    await screenshot(page, 'login');
    await page.getByLabel('User name').fill(users.caseworker);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('The user name or the password is wrong').waitFor();
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    // Nothing identifying is kept in browser storage: the session is an HttpOnly cookie.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    assert.ok(!/token|csrf|haven_session/i.test(stored), stored);
    // A reload keeps the session (cookie) and can still make changes (the CSRF token comes back from /me).
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('turning on the second factor, then logging in with a code', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.lawyer);
    await page.locator('header a[href="/account"]').click();
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await page.getByRole('button', { name: 'Turn on the second factor' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()).trim();
    await page.getByLabel('Six-digit code').fill('000000' === totp(secret) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('#totp-code-error').waitFor();
    await page.getByLabel('Six-digit code').fill(totp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('The second factor is on').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();

    await page.getByLabel('User name').fill(users.lawyer);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('This account has a second factor').waitFor();
    await page.getByLabel('Six-digit code').fill(totp(secret));
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('changing the password ends the session; the new password logs in', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    const user = users.social_worker;
    await login(page, haven.url, user);
    await page.goto(`${haven.url}/account`);
    await page.getByLabel('Current password').fill(password);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('New password again').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    // The server's rule, next to the field.
    await page.locator('#pw-next-error').getByText('at least 12 characters').waitFor();
    const fresh = 'a long new phrase for haven';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('New password again').fill(fresh);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 10000 });
    await login(page, haven.url, user, fresh);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('an ended session: log in again over the page, and the typed form is sent', async () => {
  const b = await launchBrowser();
  try {
    const { page, context } = b;
    const user = users.caseworker;
    await login(page, haven.url, user);
    await page.locator('#main-nav').getByRole('link', { name: 'New intake' }).click();
    await page.getByLabel('Received through').selectOption('hotline');
    await page.getByLabel('What was reported').fill('Neighbour reports workers locked in a compound at night.');
    await page.getByLabel('Country').fill('PH');
    // The session ends (expired, or ended elsewhere) while the form is open.
    await context.clearCookies();
    await page.getByRole('button', { name: 'Save the report' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor();
    await screenshot(page, 'session-expired');
    await dialog.getByLabel('Password', { exact: true }).fill(password);
    await dialog.getByRole('button', { name: 'Log in' }).click();
    await page.getByText(/Report RP-\d{4}-\d+ is saved/).waitFor();
    assert.equal(await dialog.count(), 0);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
