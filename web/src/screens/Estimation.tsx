// Multiple systems estimation of the victims no agency has found (docs/estimation.md): from a
// capture-history table pasted or read from a file (POST /api/v1/estimates), or from Haven's own
// victims by the channels that found them (GET /api/v1/estimates/haven). The estimate is shown
// with its interval, the model chosen and the server's report, and drawn (found, hidden, interval).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, get, post, query } from '../lib/api';
import { formatNumber, t } from '../lib/i18n';
import { errorText, PageHeader, Section } from '../components/ui';

interface Estimate {
  lists: string[];
  observed: number;
  hidden: number;
  total: number;
  ci_low: number;
  ci_high: number;
  level: number;
  model: string[];
  method: string;
  minus_infinity_terms?: string[];
  report: string;
  warnings?: string[];
  caveats?: string[];
  bootstrap?: { replicates: number; percentile?: { low: number; high: number } } | null;
}

const example = `A,B,C,count
1,0,0,120
0,1,0,95
0,0,1,60
1,1,0,30
1,0,1,18
0,1,1,12
1,1,1,6
`;

/** Found, hidden and the interval of the total on one scale, drawn in the page (no image). */
function EstimateChart({ e }: { e: Estimate }) {
  const width = 640;
  // Ticks at round numbers (1, 2 or 5 times a power of ten), four or five of them.
  const rough = Math.max(e.ci_high, e.total, 1) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const max = Math.ceil((Math.max(e.ci_high, e.total, 1) * 1.02) / step) * step;
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const x = (v: number) => 150 + (v / max) * (width - 170);
  const bar = (y: number, from: number, to: number, fill: string, label: string): JSX.Element => (
    <g>
      <text x="140" y={y + 17} text-anchor="end" font-size="13" fill="#1a1d21">
        {label}
      </text>
      <rect x={x(from)} y={y} width={Math.max(1, x(to) - x(from))} height="24" fill={fill} />
    </g>
  );
  const level = formatNumber(e.level * 100);
  return (
    <svg class="estimate-chart" viewBox={`0 0 ${width} 150`} role="img" aria-labelledby="estimate-chart-title">
      <title id="estimate-chart-title">
        {t('estimate.chartLabel', { observed: formatNumber(e.observed), total: formatNumber(e.total), low: formatNumber(e.ci_low), high: formatNumber(e.ci_high), level })}
      </title>
      {bar(10, 0, e.observed, '#1d4e89', t('estimate.found'))}
      {bar(50, 0, e.observed, '#1d4e89', t('estimate.total'))}
      <rect x={x(e.observed)} y="50" width={Math.max(1, x(e.total) - x(e.observed))} height="24" fill="#b3261e" opacity="0.85" />
      <line x1={x(e.ci_low)} x2={x(e.ci_high)} y1="100" y2="100" stroke="#1a1d21" stroke-width="2" />
      <line x1={x(e.ci_low)} x2={x(e.ci_low)} y1="92" y2="108" stroke="#1a1d21" stroke-width="2" />
      <line x1={x(e.ci_high)} x2={x(e.ci_high)} y1="92" y2="108" stroke="#1a1d21" stroke-width="2" />
      <circle cx={x(e.total)} cy="100" r="5" fill="#b3261e" />
      <text x="140" y="105" text-anchor="end" font-size="13" fill="#1a1d21">
        {t('estimate.interval', { level })}
      </text>
      <line x1={x(0)} x2={x(max)} y1="125" y2="125" stroke="#767f8c" />
      {ticks.map((v) => (
        <text key={v} x={x(v)} y="143" font-size="11" text-anchor="middle" fill="#4a5260">
          {formatNumber(v)}
        </text>
      ))}
    </svg>
  );
}

function Result({ e }: { e: Estimate }) {
  return (
    <Section title={t('estimate.result')} id="estimate-result">
      <p class="estimate-headline" aria-live="polite">
        {t('estimate.headline', { total: formatNumber(e.total), low: formatNumber(e.ci_low), high: formatNumber(e.ci_high), level: formatNumber(e.level * 100), observed: formatNumber(e.observed), hidden: formatNumber(e.hidden) })}
      </p>
      {e.warnings && e.warnings.length > 0 && (
        <div class="notice warning" role="status">
          <p>{t('estimate.warnings')}</p>
          <ul>
            {e.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      <EstimateChart e={e} />
      <dl class="facts">
        <div>
          <dt>{t('estimate.lists')}</dt>
          <dd>{e.lists.join(', ')}</dd>
        </div>
        <div>
          <dt>{t('estimate.model')}</dt>
          <dd>{e.model.length ? e.model.join(', ') : t('estimate.independent')}</dd>
        </div>
        <div>
          <dt>{t('estimate.method')}</dt>
          <dd>{e.method}</dd>
        </div>
      </dl>
      {e.caveats && e.caveats.length > 0 && (
        <>
          <h3>{t('estimate.caveats')}</h3>
          <ul class="report-notes">
            {e.caveats.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </>
      )}
      <details>
        <summary>{t('estimate.report')}</summary>
        <pre class="estimate-report">{e.report}</pre>
      </details>
    </Section>
  );
}

export function Estimation() {
  const [source, setSource] = useState<'table' | 'haven'>('table');
  const [csv, setCsv] = useState('');
  const [select, setSelect] = useState('stepwise');
  const [range, setRange] = useState({ from: '', to: '', region: '' });
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const readFile = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    if (file.size > 2_000_000) {
      setError({ field: 'csv', message: t('estimate.tooLarge') });
      return;
    }
    setCsv(await file.text());
    setError(null);
  };

  const run = async (e: Event) => {
    e.preventDefault();
    if (source === 'table' && !csv.trim()) {
      setError({ field: 'csv', message: t('estimate.needTable') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer =
        source === 'table'
          ? await post<Estimate>(`/estimates${query({ select })}`, { csv })
          : await get<Estimate>(`/estimates/haven${query({ select, from: range.from, to: range.to, region: range.region.trim() })}`);
      setEstimate(answer);
    } catch (err) {
      setEstimate(null);
      const field = err instanceof ApiError ? err.problem.field : undefined;
      const where = field === 'select' ? 'select' : field && ['from', 'to', 'region'].includes(field) ? field : source === 'table' ? 'csv' : 'general';
      setError({ field: where, message: err instanceof ApiError ? err.problem.detail : errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const errorFor = (f: string) => (error?.field === f ? error.message : null);

  return (
    <>
      <PageHeader title={t('estimate.title')} sub={t('estimate.intro')} actions={<a href="/reports">{t('reports.title')}</a>} />
      <Section title={t('estimate.data')} id="estimate-form">
        <form onSubmit={run} noValidate>
          <fieldset class="choice">
            <legend>{t('estimate.source')}</legend>
            <label class="check">
              <input type="radio" name="source" checked={source === 'table'} onChange={() => setSource('table')} />
              {t('estimate.fromTable')}
            </label>
            <label class="check">
              <input type="radio" name="source" checked={source === 'haven'} onChange={() => setSource('haven')} />
              {t('estimate.fromHaven')}
            </label>
          </fieldset>
          {source === 'table' ? (
            <>
              <div class={`field wide${errorFor('csv') ? ' invalid' : ''}`}>
                <label for="estimate-csv">{t('estimate.table')}</label>
                <textarea
                  id="estimate-csv"
                  rows={9}
                  class="mono-input"
                  spellcheck={false}
                  value={csv}
                  placeholder={example}
                  aria-describedby={`estimate-csv-hint${errorFor('csv') ? ' estimate-csv-error' : ''}`}
                  aria-invalid={errorFor('csv') ? 'true' : undefined}
                  onInput={(e) => setCsv((e.target as HTMLTextAreaElement).value)}
                />
                <p class="hint" id="estimate-csv-hint">
                  {t('estimate.tableHelp')}
                </p>
                {errorFor('csv') && (
                  <p class="field-error" id="estimate-csv-error" role="alert">
                    {errorFor('csv')}
                  </p>
                )}
              </div>
              <div class="buttons">
                <label class="button secondary file-button">
                  {t('estimate.upload')}
                  <input type="file" accept=".csv,text/csv" class="visually-hidden" onChange={readFile} />
                </label>
                <button type="button" class="secondary" onClick={() => setCsv(example)}>
                  {t('estimate.example')}
                </button>
              </div>
            </>
          ) : (
            <div class="grid">
              {(['from', 'to'] as const).map((k) => (
                <div class={`field${errorFor(k) ? ' invalid' : ''}`} key={k}>
                  <label for={`estimate-${k}`}>{t(`reports.${k}`)}</label>
                  <input id={`estimate-${k}`} type="date" value={range[k]} aria-describedby={errorFor(k) ? `estimate-${k}-error` : undefined} onInput={(e) => setRange((r) => ({ ...r, [k]: (e.target as HTMLInputElement).value }))} />
                  {errorFor(k) && (
                    <p class="field-error" id={`estimate-${k}-error`}>
                      {errorFor(k)}
                    </p>
                  )}
                </div>
              ))}
              <div class="field">
                <label for="estimate-region">{t('persons.region')}</label>
                <input id="estimate-region" value={range.region} dir="auto" onInput={(e) => setRange((r) => ({ ...r, region: (e.target as HTMLInputElement).value }))} />
              </div>
              <p class="hint wide">{t('estimate.havenHelp')}</p>
              {errorFor('general') && (
                <p class="field-error wide" role="alert">
                  {errorFor('general')}
                </p>
              )}
            </div>
          )}
          <div class={`field${errorFor('select') ? ' invalid' : ''}`}>
            <label for="estimate-select">{t('estimate.selection')}</label>
            <select id="estimate-select" value={select} onChange={(e) => setSelect((e.target as HTMLSelectElement).value)}>
              <option value="stepwise">{t('estimate.stepwise')}</option>
              <option value="aic">AIC</option>
              <option value="bic">BIC</option>
            </select>
            {errorFor('select') && <p class="field-error">{errorFor('select')}</p>}
          </div>
          <div class="buttons">
            <button type="submit" disabled={busy} aria-busy={busy}>
              {busy ? t('status.working') : t('estimate.run')}
            </button>
          </div>
        </form>
      </Section>
      {estimate && <Result e={estimate} />}
    </>
  );
}
