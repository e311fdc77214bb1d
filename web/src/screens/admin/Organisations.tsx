// Organisations of the deployment (NGOs, police units, prosecutors, courts, shelters, labour
// inspectorates, social welfare offices): everyone who works referrals sees the list; only a
// system administrator adds or changes one.
import { get, type RecordBase } from '../../lib/api';
import { useAsync } from '../../lib/hooks';
import { t } from '../../lib/i18n';
import { navigate } from '../../lib/router';
import { has, useMe } from '../../lib/session';
import { AddForm } from '../../components/AddForm';
import { RecordForm } from '../../components/RecordForm';
import { RecordList } from '../../components/RecordList';
import { ExportLinks } from '../../components/ExportLinks';
import { ErrorNotice, Loading, Notice, PageHeader, Section } from '../../components/ui';

export function Organisations() {
  const me = useMe();
  const system = has(me, 'system_admin');
  return (
    <>
      <PageHeader title={t('orgs.title')} sub={t('orgs.intro')} actions={<a href="/admin">{t('admin.title')}</a>} />
      {!system && <Notice>{t('orgs.systemOnly')}</Notice>}
      <Section title={t('orgs.list')} id="orgs-list">
        {system && <AddForm label={t('orgs.add')}>{(done) => <RecordForm kind="organisation" idPrefix="org" onSaved={done} />}</AddForm>}
        <RecordList
          kind="organisation"
          caption={t('orgs.list')}
          columns={['name', 'type', 'country', 'region', 'restored_threshold']}
          filters={['type']}
          sort="name"
          order="asc"
          toolbar={(params) => <ExportLinks collection="organisations" params={params} what={t('orgs.list')} />}
          {...(system ? { href: (r: RecordBase) => `/admin/organisations/${r.id}` } : {})}
        />
      </Section>
    </>
  );
}

export function OrganisationPage({ id }: { id: string }) {
  const org = useAsync((signal) => get<RecordBase>(`/organisations/${id}`, { signal }), [id]);
  if (org.error) return <ErrorNotice error={org.error} onRetry={org.reload} />;
  if (!org.data) return <Loading />;
  return (
    <>
      <PageHeader title={String(org.data.name)} sub={<a href="/admin/organisations">{t('orgs.title')}</a>} />
      <Section title={t('orgs.edit')} id="org-edit">
        <RecordForm kind="organisation" idPrefix="org-edit" record={org.data} onSaved={() => navigate('/admin/organisations')} onCancel={() => navigate('/admin/organisations')} />
      </Section>
    </>
  );
}
