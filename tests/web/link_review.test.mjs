// The linkage review queue: a supervisor opens the demo's run, sees each field's comparison with
// its weight, decides one pair "same person" (with a note) and another "not the same person" by
// keyboard, undoes the last decision, and the counts and the server agree; an analyst sees the
// levels and weights but no values and no decision buttons. Nothing wider than a phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiAs, launchBrowser, login, screenshot, startHaven, usersByRole, waitForFocus } from './harness.mjs';

let haven;
let users;
let supervisor;
let run;
let top;
before(async () => {
  haven = await startHaven();
  users = await usersByRole(haven.url);
  supervisor = await apiAs(haven.url, users.supervisor);
  const runs = (await supervisor.get('/link-reviews/runs')).items;
  run = runs.find((r) => r.pending >= 3);
  assert.ok(run, `the demo has a linkage run with pairs to review (runs: ${JSON.stringify(runs)})`);
  // The screen's order: the likeliest first.
  top = (await supervisor.get(`/link-reviews?run=${encodeURIComponent(run.run)}&status=pending&sort=match_probability&order=desc&limit=1000`)).items;
  assert.equal(top.length, run.pending, 'the run overview counts what the list holds');
  for (let i = 1; i < top.length; i++) assert.ok(top[i - 1].match_probability >= top[i].match_probability, 'the likeliest first');
});
after(async () => haven?.stop());

// How the page writes a weight in English (en-GB): signed, one decimal.
const weightText = (w) => new Intl.NumberFormat('en-GB', { signDisplay: 'exceptZero', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(w);
const reviewedText = (s) => `${s.match + s.non_match} of ${s.total} reviewed`;
const runNow = async () => (await supervisor.get('/link-reviews/runs')).items.find((r) => r.run === run.run);

test('a supervisor decides pairs with the per-field explanation, by mouse and keyboard, and undoes one', async () => {
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.supervisor);
    await page.getByRole('link', { name: 'Linkage review' }).click();
    const card = page.locator(`[data-run="${run.run}"]`);
    await card.getByText(reviewedText(run)).waitFor();
    await card.getByRole('button', { name: `Review run ${run.run}` }).click();

    // The likeliest pending pair opens first, each field with its values, level and weight.
    const first = top[0];
    const view = page.locator(`.pair-view[data-pair="${first.id}"]`);
    await view.waitFor();
    assert.ok(first.comparisons.length > 0, 'a pair carries its comparisons');
    for (const c of first.comparisons) {
      const row = view.locator(`tr[data-field="${c.field}"]`);
      await row.locator('.weight-num', { hasText: weightText(c.weight) }).waitFor();
      await row.getByText(c.weight > 0 ? 'for' : c.weight < 0 ? 'against' : 'neutral', { exact: true }).waitFor();
      assert.equal(await row.locator(c.weight > 0 ? 'rect.wbar-for' : 'rect.wbar-against').count(), c.weight === 0 ? 0 : 1, `the bar of ${c.field} points the way of its weight`);
      if (c.left) await row.locator('td.value').first().getByText(c.left, { exact: true }).waitFor();
      if (c.right) await row.locator('td.value').nth(1).getByText(c.right, { exact: true }).waitFor();
    }
    await view.locator('tr.total .weight-num', { hasText: weightText(first.match_weight) }).waitFor();
    await screenshot(page, 'link-review');

    // Same person, with a note (the letters typed in the note decide nothing).
    const note = 'Same mother’s name and village on both lists; spoke to the shelter.';
    await view.getByLabel('Note (optional)').fill(note);
    await view.getByRole('button', { name: 'Same person', exact: true }).click();
    const second = top[1];
    await page.locator(`.pair-view[data-pair="${second.id}"]`).waitFor();
    const decided = await supervisor.get(`/link-reviews/${first.id}`);
    assert.equal(decided.status, 'match');
    assert.equal(decided.note, note);

    // Keyboard: focus is on the new pair; J and K move through the queue, N decides.
    await waitForFocus(page, 'pair-h');
    await page.keyboard.press('j');
    await page.locator(`.pair-view[data-pair="${top[2].id}"]`).waitFor();
    await waitForFocus(page, 'pair-h');
    await page.keyboard.press('k');
    await page.locator(`.pair-view[data-pair="${second.id}"]`).waitFor();
    await waitForFocus(page, 'pair-h');
    await page.keyboard.press('n');
    await page.locator(`.pair-view[data-pair="${top[2].id}"]`).waitFor();
    assert.equal((await supervisor.get(`/link-reviews/${second.id}`)).status, 'non_match');
    const progress = page.locator('.link-review > .run-progress');
    await progress.getByText(reviewedText({ ...run, match: run.match + 1, non_match: run.non_match + 1 })).waitFor();
    assert.deepEqual(await runNow(), { ...run, pending: run.pending - 2, match: run.match + 1, non_match: run.non_match + 1 });

    // Undo the last decision: the pair is pending again, shown again, and counted as such.
    await page.getByText(`${second.display_code}: Not the same person.`).waitFor();
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await page.locator(`.pair-view[data-pair="${second.id}"]`).getByText('To review', { exact: true }).waitFor();
    await progress.getByText(reviewedText({ ...run, match: run.match + 1 })).waitFor();
    assert.equal((await supervisor.get(`/link-reviews/${second.id}`)).status, 'pending');
    assert.deepEqual(await runNow(), { ...run, pending: run.pending - 1, match: run.match + 1 });

    // Decided pairs stay viewable, with their status and note.
    await page.getByLabel('Show').selectOption('match');
    await page.locator(`button.pair-pick[data-pair="${first.id}"]`).click();
    const done = page.locator(`.pair-view[data-pair="${first.id}"]`);
    await done.getByText('Decided: Same person').waitFor();
    await done.getByText(note).waitFor();
    assert.equal(await done.getByRole('button', { name: 'Same person', exact: true }).count(), 0, 'a decided pair cannot be decided again');

    // Decided by someone else while a note is typed: the server's refusal shows, the note stays.
    await page.getByLabel('Show').selectOption('pending');
    const again = page.locator(`.pair-view[data-pair="${second.id}"]`);
    await again.waitFor();
    await supervisor.post(`/link-reviews/${second.id}/non-match`);
    const late = 'Typed while a colleague decided the same pair.';
    await again.getByLabel('Note (optional)').fill(late);
    await again.getByRole('button', { name: 'Same person', exact: true }).click();
    await again.getByRole('alert').waitFor();
    await again.getByText('Decided: Not the same person').waitFor();
    assert.equal(await again.getByLabel('Your note, not saved').inputValue(), late);
    const after = await supervisor.get(`/link-reviews/${second.id}`);
    assert.equal(after.status, 'non_match');
    assert.equal(after.note, undefined, 'the refused note was not stored');

    // The overview counts what was decided.
    const final = { ...run, pending: run.pending - 2, match: run.match + 1, non_match: run.non_match + 1 };
    await page.getByRole('button', { name: 'All runs' }).click();
    await card.getByText(reviewedText(final)).waitFor();
    assert.deepEqual(await runNow(), final);

    // No sideways scrolling at phone width, on the overview and on a pair.
    await page.setViewportSize({ width: 390, height: 844 });
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    assert.ok(await fits(), 'the runs fit 390 px');
    await card.getByRole('button', { name: `Review run ${run.run}` }).click();
    await page.locator(`.pair-view[data-pair="${top[2].id}"]`).waitFor();
    assert.ok(await fits(), 'a pair fits 390 px');
    await screenshot(page, 'link-review-phone');
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});

test('an analyst sees the pairs without the compared values and cannot decide', async () => {
  const analyst = await apiAs(haven.url, users.analyst);
  const pair = top[2];
  await assert.rejects(analyst.post(`/link-reviews/${pair.id}/match`), /: 403 /, 'the server refuses an analyst’s decision');
  // What the server gives an analyst: the pair without its comparisons (they hold the values).
  const seen = await analyst.get(`/link-reviews/${pair.id}`);
  assert.equal(seen.comparisons, undefined);
  assert.equal(seen.match_weight, pair.match_weight);
  // Values that cannot be on the page for another reason (a record id, a short number).
  const values = pair.comparisons
    .flatMap((c) => [c.left, c.right])
    .filter((v) => typeof v === 'string' && v.trim().length >= 4 && v !== pair.record_l && v !== pair.record_r);
  assert.ok(values.length > 0, 'the supervisor sees values to hide');
  const b = await launchBrowser();
  try {
    const { page } = b;
    await login(page, haven.url, users.analyst);
    await page.getByRole('link', { name: 'Linkage review' }).click();
    await page.locator(`[data-run="${run.run}"]`).getByRole('button', { name: new RegExp(`^(Review|View) run ${run.run.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).click();
    await page.locator(`button.pair-pick[data-pair="${pair.id}"]`).click();
    const view = page.locator(`.pair-view[data-pair="${pair.id}"]`);
    await view.getByText('For your role the compared values and each field’s evidence are hidden').waitFor();
    await view.locator('tr.total .weight-num', { hasText: weightText(pair.match_weight) }).waitFor();
    assert.equal(await view.locator('tr[data-field], td.value').count(), 0, 'no fields, no values');
    assert.equal(await page.getByRole('button', { name: /^(Same person|Not the same person|Reopen for review|Undo)$/ }).count(), 0, 'no decision buttons');
    const text = await page.locator('main').innerText();
    for (const v of values) assert.ok(!text.includes(v), `the value "${v}" is not on the analyst's page`);
    // The keyboard still moves through the queue.
    await waitForFocus(page, 'pair-h');
    await page.keyboard.press('j');
    await page.locator(`.pair-view[data-pair="${top[3].id}"]`).waitFor();
    await screenshot(page, 'link-review-analyst');
    assert.deepEqual(b.problems, []);
  } finally {
    await b.close();
  }
});
