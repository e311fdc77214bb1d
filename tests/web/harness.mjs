// End-to-end harness for the web interface: a real `haven serve` on a fresh demo data directory,
// and Debian's Chromium driven through playwright-core (no browser is downloaded).
//   HAVEN_BIN        the haven binary (CTest passes it)
//   HAVEN_CHROMIUM   the browser (default /usr/bin/chromium)
//   HAVEN_SCREENSHOTS a directory to write screenshots of the main screens into (docs/screenshots)
import { spawn, execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';

// playwright-core is a devDependency of web/, installed there by npm ci.
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const run = promisify(execFile);
export const password = 'haven-demo';
const passphrase = 'haven-e2e-passphrase';

function havenBinary() {
  const bin = process.env.HAVEN_BIN;
  if (!bin || !existsSync(bin)) throw new Error('set HAVEN_BIN to the haven binary (ctest does)');
  return bin;
}

/**
 * A demo data directory served on a free port; stop() ends the server and removes the data.
 * With `data`, an existing data directory (HAVEN_PASSPHRASE from the environment) is served and kept.
 */
export async function startHaven({ persons = 300, seed = 7, data } = {}) {
  const bin = havenBinary();
  const dir = data ? null : mkdtempSync(join(tmpdir(), 'haven-web-'));
  const env = { ...process.env, HAVEN_PASSPHRASE: data ? process.env.HAVEN_PASSPHRASE : passphrase };
  const dataDir = data ?? join(dir, 'data');
  if (!data) await run(bin, ['demo', '--data', dataDir, '--persons', String(persons), '--seed', String(seed)], { env, maxBuffer: 1 << 24 });
  const server = spawn(bin, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haven serve did not start:\n${log}`)), 60000);
    server.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /event=serving address=(http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`haven serve exited (${code}):\n${log}`)));
  });
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${url}/healthz`).catch(() => null);
    if (res?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    log: () => log,
    async stop() {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A bearer-token API client for setting up and checking what the page did. */
export async function apiAs(url, username, pass = passwordOf(username)) {
  const res = await fetch(`${url}/api/v1/sessions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: pass }) });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const { token } = await res.json();
  const call = async (method, path, body, raw = false) => {
    const r = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    if (raw) return text;
    return text ? JSON.parse(text) : undefined;
  };
  return { get: (p) => call('GET', p), getText: (p) => call('GET', p, undefined, true), post: (p, b) => call('POST', p, b ?? {}), patch: (p, b) => call('PATCH', p, b) };
}

// Accounts the tests add when the small demo's first organisation has nobody in a role.
const addedPassword = 'haven-demo-e2e-password';
export const passwordOf = (username) => (username.startsWith('e2e.') ? addedPassword : password);

/** A user name per role in the first organisation: the demo's first, else one added for the tests. */
export async function usersByRole(url) {
  const admin = await apiAs(url, 'admin.1');
  const { items } = await admin.get('/users');
  const out = {};
  for (const u of items) for (const r of u.roles) out[r] ??= u.username;
  for (const role of ['caseworker', 'social_worker', 'lawyer', 'supervisor', 'analyst', 'auditor']) {
    if (out[role]) continue;
    const created = await admin.post('/users', { username: `e2e.${role}`, display_name: `E2E ${role}`, roles: [role], password: addedPassword });
    out[role] = created.username;
  }
  return out;
}

/** Chromium with a fresh profile; close() removes it. */
export async function launchBrowser({ width = 1366, height = 768 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'haven-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.HAVEN_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width, height },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // A failed script or a CSP refusal is a bug: fail the test on it.
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (401|404|409|428|400)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function login(page, url, username, pass = passwordOf(username)) {
  await page.goto(url);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(pass);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

/** Writes a screenshot of the page when HAVEN_SCREENSHOTS names a directory. */
/** Waits until the element with `id` has focus; on a timeout the error says where focus is instead. */
export async function waitForFocus(page, id, timeout = 30000) {
  try {
    await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout });
  } catch (err) {
    const where = await page.evaluate(() => {
      const a = document.activeElement;
      return a ? `<${a.tagName.toLowerCase()} id="${a.id}" class="${a.className}">${(a.textContent ?? '').slice(0, 80)}` : 'nothing';
    });
    throw new Error(`focus never reached #${id}; it is on ${where}`, { cause: err });
  }
}

export async function screenshot(page, name) {
  if (!process.env.HAVEN_SCREENSHOTS) return;
  // Relative to the repository (ctest runs tests in the build directory).
  const dir = resolve(new URL('../../', import.meta.url).pathname, process.env.HAVEN_SCREENSHOTS);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

/** The RFC 6238 code of a base32 secret now (what an authenticator app shows). */
export function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(code).padStart(6, '0');
}

export { readFileSync };
