// Aftercare: a service plan, a service, outcome assessments in six domains with the chart of
// scores over time, and the "restored" status the server derives.
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

const domains = ['Safety', 'Legal protection', 'Mental wellbeing', 'Economic empowerment and education', 'Social support', 'Physical wellbeing'];

const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);

async function assess(page, date, score) {
  await page.getByRole('button', { name: 'Record an assessment' }).click();
  await page.locator('#oa-assessed_on').fill(date);
  for (const d of domains) await page.locator('#care-assessments').getByLabel(d).selectOption(String(score));
  await page.locator('#care-assessments').getByRole('button', { name: 'Create' }).click();
  // The new row, by its date as the page shows it.
  const shown = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
  await page.locator('#care-assessments tbody tr', { hasText: shown }).first().waitFor();
}

test('a survivor’s plan, services and assessments over time, with the restored status', async () => {
  const api = await apiAs(haven.url, users.social_worker);
  const victim = (await api.get('/case-persons?role=victim&limit=1')).items[0];
  assert.ok(victim, 'the demo gives the social worker a victim');
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.social_worker);
    await page.goto(`${haven.url}/cases/${victim.case_id}`);
    await page.locator(`#case-people a[href="/persons/${victim.person_id}/aftercare"]`).click();
    await page.getByRole('heading', { level: 2, name: 'Service plan' }).waitFor();

    await page.getByRole('button', { name: 'Start a service plan' }).click();
    await page.locator('#plan-start_date').fill('2025-02-01');
    await page.locator('#plan-review_date').fill('2025-01-01');
    await page.locator('#plan-goals').fill('Safe housing; back to school; counselling every week.');
    await page.locator('#care-plans').getByRole('button', { name: 'Create' }).click();
    // The server's rule (review on or after the start), next to the field.
    await page.locator('[data-field="review_date"] .field-error').waitFor();
    await page.locator('#plan-review_date').fill('2025-08-01');
    await page.locator('#care-plans').getByRole('button', { name: 'Create' }).click();
    await page.locator('#care-plans li', { hasText: 'back to school' }).waitFor();

    await page.getByRole('button', { name: 'Record a service' }).click();
    await page.locator('#service-type').selectOption('psychosocial');
    await page.locator('#service-start_date').fill('2025-02-03');
    await page.locator('#service-provider').fill('Bahay Silungan counselling');
    await page.locator('#care-services').getByRole('button', { name: 'Create' }).click();
    await page.locator('#care-services tbody tr', { hasText: 'Bahay Silungan' }).waitFor();

    // The latest assessment decides; today's is the latest.
    await assess(page, daysAgo(60), 1);
    await assess(page, daysAgo(30), 2);
    await assess(page, daysAgo(0), 4);
    // A chart per domain over time; the demo's own assessments may come after the first two.
    await page.getByTestId('restored-status').getByText('Restored', { exact: true }).waitFor();
    // The chart of scores over time is drawn (uPlot on a canvas).
    await page.locator('#care-assessments .chart canvas').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'aftercare');
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
