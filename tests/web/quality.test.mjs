// Trainings (participants, pre- and post-test scores) and case-file audits (a checklist, the
// compliance the server computes): recorded, listed, exported and corrected in the browser.
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

test('a training with its test scores, then corrected', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await page.getByRole('link', { name: 'Trainings & audits' }).click();
    await page.getByRole('button', { name: 'Record a training' }).click();
    await page.locator('#training-audience_agency').fill('Labour inspectors, Pune');
    await page.locator('#training-held_on').fill('2026-10-14');
    await page.locator('#training-topics').fill('Indicators of forced labour, Interviewing survivors');
    await page.locator('#training-participants').fill('twenty');
    await page.locator('#training-pre_test_mean').fill('41.5');
    await page.locator('#training-post_test_mean').fill('78');
    await page.getByRole('button', { name: 'Create' }).click();
    // Not a number: the server says so next to the field; the rest stays typed.
    await page.locator('[data-field="participants"] .field-error').waitFor();
    assert.equal(await page.locator('#training-audience_agency').inputValue(), 'Labour inspectors, Pune');
    await page.locator('#training-participants').fill('24');
    await page.getByRole('button', { name: 'Create' }).click();
    const row = page.locator('#list-training tbody tr', { hasText: 'Labour inspectors, Pune' });
    await row.waitFor();
    assert.match(await row.textContent(), /\+36\.5/);
    await screenshot(page, 'trainings');

    await row.getByRole('link').click();
    await page.getByText('Mean score after (0–100)').waitFor();
    await page.locator('#edit-training-post_test_mean').fill('80');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#list-training').waitFor();
    const saved = (await api.get('/trainings?limit=100')).items.find((t) => t.audience_agency === 'Labour inspectors, Pune');
    assert.equal(saved.post_test_mean, 80);
    assert.equal(saved.participants, 24);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('a case-file audit: the checklist, and the compliance computed by the server', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await page.goto(`${haven.url}/case-audits`);
    await page.getByRole('button', { name: 'Record an audit' }).click();
    const caseSelect = page.locator('#audit-case_id');
    await caseSelect.locator('option').nth(1).waitFor({ state: 'attached' });
    const caseId = await caseSelect.locator('option').nth(1).getAttribute('value');
    await caseSelect.selectOption(caseId);
    await page.locator('#audit-audited_on').fill('2026-11-02');
    const rows = page.locator('[data-field="checklist"] .row');
    const n = await rows.count();
    assert.ok(n >= 3, 'the checklist starts with the usual points');
    // The first two met, the others not.
    for (let i = 0; i < 2; i++) await rows.nth(i).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Create' }).click();
    const expected = Math.round((200 / n));
    const saved = await (async () => {
      for (let i = 0; i < 50; i++) {
        const { items } = await api.get(`/case-audits?case_id=${caseId}&limit=10`);
        const a = items.find((x) => x.audited_on === '2026-11-02');
        if (a) return a;
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    })();
    assert.ok(saved, 'the audit is saved');
    assert.ok(Math.abs(saved.compliance_percent - expected) <= 1, `${saved.compliance_percent} vs ${expected}`);
    await page.locator('#list-case_audit tbody tr', { hasText: `${saved.compliance_percent} %` }).first().waitFor();
    await page.locator(`#list-case_audit a[href="/case-audits/${saved.id}"]`).click();
    await page.locator('.checklist li').first().waitFor();
    assert.equal(await page.locator('.checklist li', { hasText: 'Not met' }).count(), n - 2);
    await screenshot(page, 'case-audit');
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
