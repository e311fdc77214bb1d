// Every case the user may see, with the API's filters, sort and paging.
import { t } from '../lib/i18n';
import { worksCases, useMe } from '../lib/session';
import { RecordList } from '../components/RecordList';
import { PageHeader } from '../components/ui';
import { ExportLinks } from '../components/ExportLinks';

export function CasesList() {
  const me = useMe();
  return (
    <>
      <PageHeader title={t('cases.title')} actions={worksCases(me) ? <a class="button" href="/intake">{t('nav.intake')}</a> : undefined} />
      <RecordList
        kind="case"
        caption={t('cases.title')}
        columns={['display_code', 'title', 'status', 'exploitation_form', 'region', 'opened_on']}
        filters={['status', 'exploitation_form', 'sensitivity', 'opened_on']}
        sort="opened_on"
        order="desc"
        href={(r) => `/cases/${r.id}`}
        toolbar={(params) => <ExportLinks collection="cases" params={params} what={t('cases.title')} />}
      />
    </>
  );
}
