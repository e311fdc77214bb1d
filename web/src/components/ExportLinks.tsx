// Download links for a list as it is filtered and sorted now: GET /api/v1/exports/{collection}.csv
// or .xlsx with the same query. The session cookie authorises the download; the server decides
// what leaves (pseudonymised for analysts and auditors) and audits it before any record does.
import { query } from '../lib/api';
import { t } from '../lib/i18n';

export function ExportLinks({ collection, params, what }: { collection: string; params: Record<string, string | number | boolean | undefined>; what: string }) {
  const q = query(params);
  return (
    <span class="export-links" role="group" aria-label={t('export.group', { what })}>
      <a class="button secondary" href={`/api/v1/exports/${collection}.csv${q}`} download>
        {t('export.csv')}
      </a>
      <a class="button secondary" href={`/api/v1/exports/${collection}.xlsx${q}`} download>
        {t('export.xlsx')}
      </a>
    </span>
  );
}
