// Bundles the web interface for embedding into the haven binary: hashed file names (cached for a
// year by browsers), an index.html that loads them (no inline script: the CSP allows only 'self'),
// and a gzip copy of each file so the server never compresses at request time.
//   node build.mjs --outdir DIR
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { createHash } from 'node:crypto';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--outdir');
if (outIndex < 0 || !args[outIndex + 1]) {
  console.error('usage: node build.mjs --outdir DIR');
  process.exit(2);
}
const outdir = args[outIndex + 1];
const here = new URL('.', import.meta.url).pathname;

rmSync(outdir, { recursive: true, force: true });
mkdirSync(join(outdir, 'assets'), { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: ['src/main.tsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  // Languages other than English and the chart library load when first needed.
  splitting: true,
  chunkNames: '[name]-[hash]',
  charset: 'utf8',
  target: ['es2020'],
  outdir: join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === 'src/main.tsx');
const script = entry && basename(entry[0]);
const style = entry?.[1].cssBundle && basename(entry[1].cssBundle);
// The chunks the entry imports statically (Preact, the shared components): the browser needs them
// before anything shows, so index.html names them for fetching at once, not after main.js.
const staticChunks = [];
const follow = (path) => {
  for (const i of result.metafile.outputs[path]?.imports ?? [])
    if (i.kind === 'import-statement' && !staticChunks.includes(basename(i.path))) {
      staticChunks.push(basename(i.path));
      follow(i.path);
    }
};
if (entry) follow(entry[0]);
if (!script || !style) {
  console.error('build: esbuild produced no script or no stylesheet');
  process.exit(1);
}

// A favicon of our own, so the browser does not ask for /favicon.ico and get the page back.
const icon = readFileSync(join(here, 'src/favicon.svg'));
const iconName = `favicon-${createHash('sha256').update(icon).digest('hex').slice(0, 8)}.svg`;
writeFileSync(join(outdir, 'assets', iconName), icon);

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Haven</title>
<link rel="icon" href="/assets/${iconName}" type="image/svg+xml">
<link rel="stylesheet" href="/assets/${style}">
${staticChunks.map((c) => `<link rel="modulepreload" href="/assets/${c}">\n`).join('')}<script type="module" src="/assets/${script}"></script>
</head>
<body>
<div id="app"><noscript>Haven needs JavaScript.</noscript></div>
</body>
</html>
`;
writeFileSync(join(outdir, 'index.html'), html);

// Precompress every file; the manifest lists what the server embeds, with its sizes.
const files = [];
const walk = (dir, prefix) => {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
    else if (!name.endsWith('.gz')) files.push(`${prefix}${name}`);
  }
};
walk(outdir, '');
let raw = 0;
let gzipped = 0;
const manifest = [];
for (const file of files) {
  const body = readFileSync(join(outdir, file));
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(join(outdir, `${file}.gz`), gz);
  manifest.push({ path: `/${file}`, bytes: body.length, gzip_bytes: gz.length });
  if (file !== 'index.html' && !file.endsWith('.txt')) {
    raw += body.length;
    gzipped += gz.length;
  }
}
// What the first visit loads (index.html aside): the entry script and the stylesheet.
const first = manifest.filter((f) => [script, style, ...staticChunks].some((name) => f.path === `/assets/${name}`));
const initial = first.reduce((n, f) => n + f.bytes, 0);
const initialGzip = first.reduce((n, f) => n + f.gzip_bytes, 0);
writeFileSync(join(outdir, 'manifest.json'), JSON.stringify({ files: manifest, raw, gzipped, initial, initial_gzipped: initialGzip }, null, 1));
console.log(`web bundle: ${raw} bytes (${gzipped} gzipped) in all; first load ${initial} bytes (${initialGzip} gzipped): ${[script, style, ...staticChunks].join(', ')}`);
