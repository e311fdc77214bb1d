// An indicator report (GET /api/v1/reports/{name}) in brief: its title, its first table, and the
// server's SVG charts. Small cells come suppressed from the server and are shown as it sends them.
import { get } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { fieldLabel, formatNumber } from '../lib/i18n';
import { ReportChart } from './Chart';
import { ErrorNotice, Loading } from './ui';

interface ReportTable {
  name: string;
  title: string;
  columns: string[];
  rows: Record<string, unknown>[];
}
export interface Report {
  report: string;
  title: string;
  notes: string[];
  tables: ReportTable[];
  charts: { title: string }[];
}

function cell(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v, 2);
  if (v === null || v === undefined) return '–';
  if (typeof v === 'object') return String((v as Record<string, unknown>).text ?? (v as Record<string, unknown>).value ?? JSON.stringify(v));
  return String(v);
}

export function ReportSummary({ name, charts = 1, rows = 6 }: { name: string; charts?: number; rows?: number }) {
  const report = useAsync((signal) => get<Report>(`/reports/${name}`, { signal }), [name]);
  if (report.error) return <ErrorNotice error={report.error} onRetry={report.reload} />;
  if (!report.data) return <Loading />;
  const table = report.data.tables[0];
  return (
    <div class="report-summary">
      <h3>{report.data.title}</h3>
      {report.data.charts.slice(0, charts).map((c, i) => (
        <ReportChart key={i} name={name} index={i} alt={c.title} />
      ))}
      {table && (
        <div class="table-wrap">
          <table>
            <caption>{table.title}</caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th scope="col" key={c}>
                    {fieldLabel(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.slice(-rows).map((r, i) => (
                <tr key={i}>
                  {table.columns.map((c) => (
                    <td key={c}>{cell(r[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
