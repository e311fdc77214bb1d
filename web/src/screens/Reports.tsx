// Indicator reports for supervisors and analysts: the funnel from identification to conviction,
// time to justice, survivors' outcomes and justice-system strengthening. Parameters (period,
// breakdown, dates) go to GET /api/v1/reports/{name}; small cells come from the server already
// suppressed ("<5") and are shown as such; charts are the server's SVG; tables download as CSV,
// the whole report as XLSX. Parameters live in the address so a report can be bookmarked.
import { useState } from 'preact/hooks';
import { ApiError, get, query } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { formatNumber, t } from '../lib/i18n';
import { navigate } from '../lib/router';
import { Empty, ErrorNotice, Loading, PageHeader, Section } from '../components/ui';

interface Table {
  name: string;
  title: string;
  columns: string[];
  rows: Record<string, unknown>[];
}
interface Report {
  report: string;
  title: string;
  parameters: Record<string, unknown>;
  notes: string[];
  tables: Table[];
  charts: { title: string; x_label?: string; y_label?: string }[];
}

const reportNames = ['funnel', 'time-to-justice', 'outcomes', 'strengthening'] as const;
type Params = { period: string; by: string; from: string; to: string };
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function paramsFromAddress(): Params {
  const q = new URLSearchParams(location.search);
  return { period: q.get('period') ?? 'year', by: q.get('by') ?? '', from: q.get('from') ?? '', to: q.get('to') ?? '' };
}

/** A cell as the server sends it: suppressed cells are text such as "<5". */
export function ReportCell({ value }: { value: unknown }) {
  if (typeof value === 'string' && /^<\d+$/.test(value))
    return (
      <span class="suppressed" title={t('reports.suppressedHelp')}>
        {value}
        <span class="visually-hidden"> ({t('reports.suppressed')})</span>
      </span>
    );
  if (typeof value === 'number') return <>{formatNumber(value, Number.isInteger(value) ? 0 : 2)}</>;
  if (value === null || value === undefined || value === '') return <>–</>;
  return <bdi>{String(value)}</bdi>;
}

export function Reports({ name }: { name?: string }) {
  const current = name && (reportNames as readonly string[]).includes(name) ? name : 'funnel';
  const [typed, setTyped] = useState<Params>(paramsFromAddress);
  const [applied, setApplied] = useState<Params>(paramsFromAddress);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const q = query({ period: applied.period, by: applied.by, from: applied.from, to: applied.to });
  const report = useAsync((signal) => get<Report>(`/reports/${current}${q}`, { signal }), [current, q]);

  const apply = (e: Event) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    for (const k of ['from', 'to'] as const) if (typed[k] && !datePattern.test(typed[k])) next[k] = t('reports.dateFormat');
    if (!next.to && typed.from && typed.to && typed.from > typed.to) next.to = t('reports.toBeforeFrom');
    setErrors(next);
    if (Object.keys(next).length) return;
    setApplied(typed);
    navigate(`/reports/${current}${query({ period: typed.period, by: typed.by, from: typed.from, to: typed.to })}`, true);
  };
  // A refusal about a parameter is shown next to it.
  const serverField = report.error instanceof ApiError ? report.error.problem : null;
  const fieldError = (k: string) => errors[k] ?? (serverField?.field === k ? serverField.detail : undefined);

  const dateInput = (k: 'from' | 'to') => (
    <div class={`field${fieldError(k) ? ' invalid' : ''}`}>
      <label for={`report-${k}`}>{t(`reports.${k}`)}</label>
      <input
        id={`report-${k}`}
        type="date"
        value={typed[k]}
        aria-invalid={fieldError(k) ? 'true' : undefined}
        aria-describedby={fieldError(k) ? `report-${k}-error` : undefined}
        onInput={(e) => setTyped((p) => ({ ...p, [k]: (e.target as HTMLInputElement).value }))}
      />
      {fieldError(k) && (
        <p class="field-error" id={`report-${k}-error`}>
          {fieldError(k)}
        </p>
      )}
    </div>
  );

  return (
    <>
      <PageHeader title={t('reports.title')} sub={t('reports.intro')} actions={<a href="/estimates">{t('estimate.title')}</a>} />
      <nav class="tabs" aria-label={t('reports.which')}>
        <ul>
          {reportNames.map((n) => (
            <li key={n}>
              <a href={`/reports/${n}${q}`} aria-current={n === current ? 'page' : undefined}>
                {t(`reports.name.${n}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <Section title={t('reports.parameters')} id="report-params">
        <form class="inline-form" onSubmit={apply} noValidate>
          <div class={`field${fieldError('period') ? ' invalid' : ''}`}>
            <label for="report-period">{t('reports.period')}</label>
            <select id="report-period" value={typed.period} onChange={(e) => setTyped((p) => ({ ...p, period: (e.target as HTMLSelectElement).value }))}>
              {(['year', 'quarter', 'month'] as const).map((p) => (
                <option value={p} key={p}>
                  {t(`reports.period.${p}`)}
                </option>
              ))}
            </select>
            {fieldError('period') && <p class="field-error">{fieldError('period')}</p>}
          </div>
          <div class={`field${fieldError('by') ? ' invalid' : ''}`}>
            <label for="report-by">{t('reports.by')}</label>
            <select id="report-by" value={typed.by} onChange={(e) => setTyped((p) => ({ ...p, by: (e.target as HTMLSelectElement).value }))}>
              <option value="">{t('reports.by.none')}</option>
              <option value="region">{t('reports.by.region')}</option>
              <option value="exploitation_form">{t('reports.by.exploitation_form')}</option>
            </select>
            {fieldError('by') && <p class="field-error">{fieldError('by')}</p>}
          </div>
          {dateInput('from')}
          {dateInput('to')}
          <button type="submit">{t('reports.show')}</button>
        </form>
      </Section>
      {report.error && !['period', 'by', 'from', 'to'].includes(serverField?.field ?? '') ? (
        <ErrorNotice error={report.error} onRetry={report.reload} />
      ) : !report.data ? (
        report.loading ? <Loading /> : null
      ) : (
        <div aria-busy={report.loading}>
          <Section
            title={report.data.title}
            id="report-body"
            actions={
              <a class="button secondary" href={`/api/v1/reports/${current}${query({ period: applied.period, by: applied.by, from: applied.from, to: applied.to, format: 'xlsx' })}`} download>
                {t('reports.xlsx')}
              </a>
            }
          >
            {report.data.notes.length > 0 && (
              <ul class="report-notes">
                {report.data.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            )}
            <p class="hint">{t('reports.suppressedHelp')}</p>
            <div class="indicators">
              {report.data.charts.map((c, i) => (
                <figure key={`${q}-${i}`} class="report-figure">
                  <img class="report-chart" src={`/api/v1/reports/${current}/charts/${i}.svg${q}`} alt={c.title} loading="lazy" />
                  <figcaption>{c.title}</figcaption>
                </figure>
              ))}
            </div>
          </Section>
          {report.data.tables.map((table) => (
            <Section
              key={table.name}
              title={table.title}
              id={`table-${table.name}`}
              actions={
                <a
                  class="button secondary"
                  href={`/api/v1/reports/${current}${query({ period: applied.period, by: applied.by, from: applied.from, to: applied.to, format: 'csv', table: table.name })}`}
                  download
                  aria-label={t('reports.csvOf', { what: table.title })}
                >
                  {t('export.csv')}
                </a>
              }
            >
              {table.rows.length === 0 ? (
                <Empty />
              ) : (
                <div class="table-wrap">
                  <table class="report-table">
                    <caption class="visually-hidden">{table.title}</caption>
                    <thead>
                      <tr>
                        {table.columns.map((c) => (
                          <th scope="col" key={c}>
                            {c}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {table.rows.map((r, i) => (
                        <tr key={i}>
                          {table.columns.map((c, j) =>
                            j === 0 ? (
                              <th scope="row" key={c}>
                                <ReportCell value={r[c]} />
                              </th>
                            ) : (
                              <td key={c} class={typeof r[c] === 'number' || (typeof r[c] === 'string' && /^<\d+$/.test(String(r[c]))) ? 'num' : ''}>
                                <ReportCell value={r[c]} />
                              </td>
                            ),
                          )}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
          ))}
        </div>
      )}
    </>
  );
}
