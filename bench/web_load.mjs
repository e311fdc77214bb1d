// Page load times of the web interface in Debian's Chromium against a served data directory:
// from the start of a full page load (browser cache warm, as on a user's second visit, and cold)
// to the moment the screen shows its data. Figures go in docs/benchmarks.md.
//   HAVEN_BIN=build/haven HAVEN_PASSPHRASE=... node bench/web_load.mjs --data DIR [--runs 7]
import { apiAs, launchBrowser, passwordOf, startHaven, usersByRole } from '../tests/web/harness.mjs';

const args = process.argv.slice(2);
const data = args[args.indexOf('--data') + 1];
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 7);
if (!args.includes('--data') || !data) {
  console.error('usage: HAVEN_BIN=... HAVEN_PASSPHRASE=... node bench/web_load.mjs --data DIR [--runs N]');
  process.exit(2);
}

const haven = await startHaven({ data });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const users = await usersByRole(haven.url);
  const worker = await apiAs(haven.url, users.caseworker);
  const aCase = (await worker.get('/cases?limit=1')).items[0];
  const legal = (await worker.get(`/legal-cases?limit=1`)).items[0];
  const victim = (await worker.get('/case-persons?role=victim&limit=1')).items[0];
  // Each screen, and what shows that its data has arrived.
  const screens = [
    ['dashboard (caseworker)', users.caseworker, '/', ['#dash-cases tbody tr, #dash-cases .empty', '#dash-hearings tbody tr, #dash-hearings .empty', '#dash-overdue tbody tr, #dash-overdue .empty', '#dash-intakes tbody tr, #dash-intakes .empty']],
    ['cases list', users.caseworker, '/cases', ['table tbody tr']],
    ['case page', users.caseworker, `/cases/${aCase.id}`, ['#case-people li', '#case-timeline li', '#case-legal table']],
    ...(legal ? [['legal case', users.caseworker, `/legal-cases/${legal.id}`, ['#legal-stages h2', '#legal-hearings h2', '#legal-defendants h2']]] : []),
    ...(victim ? [['aftercare', users.caseworker, `/persons/${victim.person_id}/aftercare`, ['#care-services table', '#care-assessments h2']]] : []),
    ['intake form', users.caseworker, '/intake', ['#form-report-channel']],
    ['dashboard (supervisor), lists', users.supervisor, '/', ['#dash-cases tbody tr, #dash-cases .empty']],
    ['dashboard (supervisor), indicator charts', users.supervisor, '/', ['img.report-chart']],
  ];
  console.log(`| screen | first load (empty browser cache) | median of ${runs} loads (cached assets) | slowest |`);
  console.log('|---|---|---|---|');
  for (const [name, user, path, ready] of screens) {
    const b = await launchBrowser();
    try {
      // A session made through the API, so the first load finds the browser's cache empty.
      const res = await fetch(`${haven.url}/api/v1/sessions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: passwordOf(user) }) });
      const { token } = await res.json();
      await b.context.addCookies([{ name: 'haven_session', value: token, url: haven.url }]);
      const times = [];
      for (let i = 0; i <= runs; i++) {
        const started = Date.now();
        await b.page.goto(`${haven.url}${path}`);
        for (const selector of ready) await b.page.locator(selector).first().waitFor({ timeout: 120000 });
        // The charts load lazily, when scrolled into view (as a user would).
        if (name.includes('charts')) for (const img of await b.page.locator('img.report-chart').all()) await img.scrollIntoViewIfNeeded();
        if (name.includes('charts')) await b.page.waitForFunction(() => [...document.querySelectorAll('img.report-chart')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 120000 });
        times.push(Date.now() - started);
      }
      const [first, ...rest] = times;
      console.log(`| ${name} | ${first} ms | ${median(rest)} ms | ${Math.max(...rest)} ms |`);
    } finally {
      await b.close();
    }
  }
} finally {
  await haven.stop();
}
