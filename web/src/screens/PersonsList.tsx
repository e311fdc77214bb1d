// Every person the user may see, by the API's indexed filters, sort and cursor paging (fast on a
// million people: one page read by an index, never a count), with CSV and XLSX of the same query.
// Finding someone by name goes through the fuzzy search page, not this list.
import './more.css';
import { useState } from 'preact/hooks';
import { useDebounced } from '../lib/hooks';
import { t } from '../lib/i18n';
import { useMe, worksCases } from '../lib/session';
import { ExportLinks } from '../components/ExportLinks';
import { personLabel } from '../components/PersonName';
import { RecordList } from '../components/RecordList';
import { PageHeader } from '../components/ui';

/** ISO 3166 alpha-2, as the server stores countries; anything else is said next to the field. */
const countryCode = /^[A-Za-z]{2}$/;

export function PersonsList() {
  const me = useMe();
  const [typed, setTyped] = useState({ nationality: '', country: '', region: '' });
  const settled = useDebounced(typed, 400);
  const bad = (v: string) => v !== '' && !countryCode.test(v);
  const fixed: Record<string, string> = {};
  if (settled.nationality && !bad(settled.nationality)) fixed.nationality = settled.nationality.toUpperCase();
  if (settled.country && !bad(settled.country)) fixed.country = settled.country.toUpperCase();
  if (settled.region.trim()) fixed.region = settled.region.trim();
  const text = (name: 'nationality' | 'country' | 'region', label: string, code: boolean) => (
    <div class={`field${code && bad(typed[name]) ? ' invalid' : ''}`}>
      <label for={`persons-${name}`}>{label}</label>
      <input
        id={`persons-${name}`}
        value={typed[name]}
        dir="auto"
        autoComplete="off"
        maxLength={code ? undefined : 100}
        aria-invalid={code && bad(typed[name]) ? 'true' : undefined}
        aria-describedby={code && bad(typed[name]) ? `persons-${name}-error` : undefined}
        onInput={(e) => setTyped((v) => ({ ...v, [name]: (e.target as HTMLInputElement).value }))}
      />
      {code && bad(typed[name]) && (
        <p class="field-error" id={`persons-${name}-error`}>
          {t('persons.countryCode')}
        </p>
      )}
    </div>
  );
  return (
    <>
      <PageHeader
        title={t('persons.title')}
        sub={t('persons.intro')}
        actions={
          <>
            {worksCases(me) && (
              <>
                <a class="button" href="/persons/search">{t('search.title')}</a>
                <a class="button secondary" href="/duplicates">{t('dups.title')}</a>
              </>
            )}
          </>
        }
      />
      <div class="inline-form text-filters" role="search" aria-label={t('persons.placeFilters')}>
        {text('nationality', t('persons.nationality'), true)}
        {text('country', t('persons.country'), true)}
        {text('region', t('persons.region'), false)}
      </div>
      <RecordList
        kind="person"
        caption={t('persons.title')}
        columns={[
          { field: 'display_code', label: t('f.person_id'), render: (r) => <bdi>{personLabel(r)}</bdi> },
          'sex',
          'nationality',
          'country',
          'region',
          'created_at',
        ]}
        filters={['sex', 'created_at']}
        fixed={fixed}
        sort="id"
        order="desc"
        href={(r) => `/persons/${r.id}/aftercare`}
        toolbar={(params) => <ExportLinks collection="persons" params={params} what={t('persons.title')} />}
      />
    </>
  );
}
