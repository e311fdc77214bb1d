// The case page (people, timeline, documents, operations, referrals, a status change only as the
// workflow allows) and a legal case (charges, defendants, stages, hearings calendar, verdict and
// sentence), with what the rules forbid disabled and explained.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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

test('a case page: people, timeline, documents, and a status change the workflow allows', async () => {
  const { items } = await api.get('/cases?status=prosecution&limit=1');
  const theCase = items[0] ?? (await api.get('/cases?limit=1')).items[0];
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    const started = Date.now();
    await page.goto(`${haven.url}/cases/${theCase.id}`);
    await page.locator('#case-people li').first().waitFor();
    await page.locator('#case-timeline li').first().waitFor();
    console.log(`# case page loaded in ${Date.now() - started} ms`);
    for (const section of ['Details', 'People and their roles', 'Timeline', 'Documents and evidence', 'Operations', 'Legal cases', 'Referrals'])
      await page.getByRole('heading', { level: 2, name: section }).waitFor();
    await screenshot(page, 'case');

    // A document: its SHA-256 is computed in the browser and the server keeps the file only if it matches.
    await page.getByLabel('Description').fill('Photo of the pay ledger');
    const ledger = Buffer.from('ledger: 8 months unpaid\n');
    await page.getByLabel('File').setInputFiles({ name: 'ledger.txt', mimeType: 'text/plain', buffer: ledger });
    await page.getByRole('button', { name: 'Add the document' }).click();
    await page.locator('#case-documents li', { hasText: 'Photo of the pay ledger' }).waitFor();
    const stored = (await api.get(`/evidence-items?case_id=${theCase.id}&limit=100`)).items.find((i) => i.description === 'Photo of the pay ledger');
    assert.equal(stored.sha256, createHash('sha256').update(ledger).digest('hex'));
    assert.equal(await api.getText(`/evidence-items/${stored.id}/file`), ledger.toString());

    // A note in the timeline.
    await page.getByRole('button', { name: 'Add to the timeline' }).click();
    await page.locator('#ev-summary').fill('Called the survivor; she is safe at the shelter.');
    await page.locator('#case-timeline').getByRole('button', { name: 'Create' }).click();
    await page.locator('#case-timeline li', { hasText: 'Called the survivor' }).waitFor();

    // Status: only what the workflow allows from here is offered, and the page says why.
    await page.getByRole('button', { name: 'Edit the case' }).click();
    const status = page.locator('#form-case-status');
    const from = theCase.status ?? 'open';
    const allowed = { open: ['investigation', 'prosecution', 'aftercare', 'closed'], investigation: ['prosecution', 'aftercare', 'closed'], prosecution: ['aftercare', 'closed'], aftercare: ['prosecution', 'closed'], closed: ['open'] }[from];
    for (const s of ['open', 'investigation', 'prosecution', 'aftercare', 'closed']) {
      const disabled = await status.locator(`option[value="${s}"]`).isDisabled();
      assert.equal(disabled, s !== from && !allowed.includes(s), `status ${s} from ${from}`);
    }
    await page.locator('[data-field="status"] .hint', { hasText: 'a case can move to' }).waitFor();
    await status.selectOption(allowed[0]);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Edit the case' }).waitFor();
    assert.equal((await api.get(`/cases/${theCase.id}`)).status, allowed[0]);
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('a long timeline shows its newest entries first and the earlier ones on request', async () => {
  const theCase = await api.post('/cases', { title: 'Long-running labour case', exploitation_form: 'labour_brick_kiln', country: 'IN', opened_on: '2024-01-01', assigned_user_ids: [(await api.get('/me')).id] });
  for (let i = 0; i < 60; i++)
    await api.post('/case-events', { case_id: theCase.id, occurred_at: new Date(Date.UTC(2024, 1, 1 + i)).toISOString(), type: 'note', summary: `Visit ${i + 1}` });
  const total = (await api.get(`/cases/${theCase.id}/timeline`)).entries.length;
  assert.ok(total > 60, `the case's timeline has every event (${total})`);
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await page.goto(`${haven.url}/cases/${theCase.id}`);
    const entries = page.locator('#case-timeline li');
    await entries.first().waitFor();
    assert.equal(await entries.count(), 50);
    assert.match(await entries.first().innerText(), /Visit 60/);
    await page.locator('#case-timeline').getByRole('button', { name: `Show ${total - 50} earlier entries` }).click();
    await page.locator('#case-timeline li').nth(total - 1).waitFor();
    assert.equal(await entries.count(), total);
  } finally {
    await b.close();
  }
});

test('a legal case: stages in order with what is not possible explained, verdict, sentence, hearings', async () => {
  const theCase = (await api.get('/cases?limit=5')).items[0];
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.caseworker);
    await page.goto(`${haven.url}/cases/${theCase.id}`);
    await page.getByRole('button', { name: 'Open a legal case' }).click();
    await page.locator('#lc-court').fill('Regional Trial Court, Branch 12');
    await page.locator('#lc-docket_number').fill('CR-2026-0412');
    await page.locator('#case-legal').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { level: 2, name: 'Stages' }).waitFor();

    // Charges, as rows of a list.
    await page.getByRole('button', { name: 'Edit the charges' }).click();
    await page.getByRole('button', { name: 'Add to Charges' }).click();
    await page.locator('#charges-charges-0-statute').fill('RA 9208 sec. 4(a)');
    await page.locator('#charges-charges-0-counts').fill('3');
    await page.locator('#legal-charges').getByRole('button', { name: 'Save' }).click();
    await page.locator('#legal-charges li', { hasText: 'RA 9208' }).waitFor();

    // Stages: a verdict is not possible before charges are filed, and the page says so.
    await page.getByRole('button', { name: 'Add the next stage' }).click();
    const stage = page.locator('#stage-stage');
    assert.equal(await stage.locator('option[value="verdict"]').isDisabled(), true);
    await page.locator('#stage-rules li[data-stage="verdict"]', { hasText: 'a verdict needs charges filed first' }).waitFor();
    await page.locator('#stage-rules li[data-stage="sentence"]', { hasText: 'a sentence needs a conviction or plea' }).waitFor();
    const addStage = page.locator('#legal-stages form button[type="submit"]');
    await stage.selectOption('complaint');
    await addStage.click();
    await page.locator('#legal-stages ol li', { hasText: 'Complaint' }).waitFor();
    for (const next of ['charges_filed', 'verdict', 'sentence']) {
      await stage.selectOption(next);
      if (next === 'verdict') await page.locator('#stage-verdict').selectOption('conviction');
      if (next === 'sentence') await page.locator('#stage-months').fill('96');
      // Once complaint is recorded it cannot come again.
      assert.equal(await stage.locator('option[value="complaint"]').isDisabled(), true);
      await addStage.click();
      await page.locator('#legal-stages ol li').nth(['charges_filed', 'verdict', 'sentence'].indexOf(next) + 1).waitFor();
    }
    await page.locator('#legal-summary').getByText('Conviction').waitFor();
    await page.locator('#legal-summary').getByText('96 months').waitFor();

    // Hearings: held and postponed at once is refused before sending, with the reason.
    await page.getByRole('button', { name: 'Schedule a hearing' }).click();
    await page.locator('#hearing-scheduled_at').fill('2026-01-15T09:30');
    await page.locator('#hearing-held').check();
    await page.locator('#hearing-postponed').check();
    await page.locator('#legal-hearings').getByRole('button', { name: 'Create' }).click();
    await page.locator('[data-field="postponed"] .field-error', { hasText: 'cannot be both held and postponed' }).waitFor();
    await page.locator('#hearing-postponed').uncheck();
    await page.locator('#legal-hearings').getByRole('button', { name: 'Create' }).click();
    await page.locator('#legal-hearings .calendar li').first().waitFor();
    await page.locator('#legal-hearings .calendar h3', { hasText: '2026' }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'legal-case');
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
