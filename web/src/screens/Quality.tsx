// Trainings of justice-system officials (participants, pre- and post-test scores) and case-file
// audits against a checklist (compliance computed by the server): lists with filters, sort and
// exports, a form to add one, and a page to correct one.
import { get, query, type Page, type RecordBase } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { formatDate, formatNumber, t } from '../lib/i18n';
import { navigate } from '../lib/router';
import { useMe, worksCases } from '../lib/session';
import { AddForm } from '../components/AddForm';
import { ExportLinks } from '../components/ExportLinks';
import { RecordForm } from '../components/RecordForm';
import { RecordList } from '../components/RecordList';
import { Badge, ErrorNotice, Facts, Loading, PageHeader, Section } from '../components/ui';

function gain(r: RecordBase): string {
  if (typeof r.pre_test_mean !== 'number' || typeof r.post_test_mean !== 'number') return '';
  const d = r.post_test_mean - r.pre_test_mean;
  return `${d >= 0 ? '+' : ''}${formatNumber(d, 1)}`;
}

function compliance(r: RecordBase) {
  if (typeof r.compliance_percent !== 'number') return '';
  const p = r.compliance_percent;
  return <Badge tone={p >= 90 ? 'good' : p >= 70 ? 'warn' : 'bad'}>{formatNumber(p)} %</Badge>;
}

export function Trainings() {
  const me = useMe();
  return (
    <>
      <PageHeader title={t('trainings.title')} sub={t('trainings.intro')} actions={<a href="/case-audits">{t('audits.title')}</a>} />
      <Section title={t('trainings.list')} id="training-list">
        {worksCases(me) && <AddForm label={t('trainings.add')}>{(done) => <RecordForm kind="training" idPrefix="training" onSaved={done} />}</AddForm>}
        <RecordList
          kind="training"
          caption={t('trainings.list')}
          columns={['held_on', 'audience_agency', 'participants', 'topics', 'pre_test_mean', 'post_test_mean', { field: 'gain', label: t('trainings.gain'), render: gain }]}
          filters={['held_on']}
          sort="held_on"
          order="desc"
          href={(r) => `/trainings/${r.id}`}
          toolbar={(params) => <ExportLinks collection="trainings" params={params} what={t('trainings.list')} />}
        />
      </Section>
    </>
  );
}

/** A recent case for the audit form's case choice. */
function useRecentCases() {
  return useAsync((signal) => get<Page<RecordBase>>(`/cases${query({ sort: 'opened_on', order: 'desc', limit: 100 })}`, { signal }), []);
}

/** The points of the organisation's latest audit, or the usual ones; the auditor edits, removes or adds to them. */
function standardChecklist(latest: RecordBase | undefined): Record<string, unknown>[] {
  const items = (latest?.checklist as { item: string }[] | undefined) ?? [];
  if (items.length) return items.map((c) => ({ item: c.item, compliant: false }));
  return ['audits.item.consent', 'audits.item.risk', 'audits.item.plan', 'audits.item.review', 'audits.item.referral', 'audits.item.evidence', 'audits.item.closure'].map((k) => ({
    item: t(k as Parameters<typeof t>[0]),
    compliant: false,
  }));
}

export function CaseAudits() {
  const me = useMe();
  const cases = useRecentCases();
  const latest = useAsync((signal) => get<Page<RecordBase>>(`/case-audits${query({ sort: 'audited_on', order: 'desc', limit: 1 })}`, { signal }), []);
  const preset = new URLSearchParams(location.search).get('case_id');
  const caseOptions = (cases.data?.items ?? []).map((c) => ({ value: String(c.id), label: `${c.display_code}${c.opened_on ? ` · ${formatDate(String(c.opened_on))}` : ''}` }));
  if (preset && !caseOptions.some((o) => o.value === preset)) caseOptions.unshift({ value: preset, label: `#${preset}` });
  return (
    <>
      <PageHeader title={t('audits.title')} sub={t('audits.intro')} actions={<a href="/trainings">{t('trainings.title')}</a>} />
      <Section title={t('audits.list')} id="audit-list">
        {worksCases(me) &&
          (cases.error ? (
            <ErrorNotice error={cases.error} onRetry={cases.reload} />
          ) : latest.loading ? (
            <Loading />
          ) : (
            <AddForm label={t('audits.add')}>
              {(done) => (
                <RecordForm
                  kind="case_audit"
                  idPrefix="audit"
                  options={{ case_id: caseOptions }}
                  defaults={{ checklist: standardChecklist(latest.data?.items[0]), ...(preset ? { case_id: Number(preset) } : {}) }}
                  onSaved={done}
                />
              )}
            </AddForm>
          ))}
        <RecordList
          kind="case_audit"
          caption={t('audits.list')}
          columns={['audited_on', { field: 'case_id', label: t('audits.case'), render: (r) => <a href={`/cases/${r.case_id}`}>#{String(r.case_id)}</a> }, { field: 'compliance_percent', render: compliance }, { field: 'items', label: t('audits.items'), render: (r) => String((r.checklist as unknown[] | undefined)?.length ?? 0) }]}
          filters={['audited_on']}
          sort="audited_on"
          order="desc"
          href={(r) => `/case-audits/${r.id}`}
          toolbar={(params) => <ExportLinks collection="case-audits" params={params} what={t('audits.list')} />}
        />
      </Section>
    </>
  );
}

/** One training or audit: its facts and a form to correct it. */
function RecordPage({ kind, collection, id, title, back }: { kind: string; collection: string; id: string; title: (r: RecordBase) => string; back: string }) {
  const me = useMe();
  const record = useAsync((signal) => get<RecordBase>(`/${collection}/${id}`, { signal }), [collection, id]);
  const cases = useRecentCases();
  if (record.error) return <ErrorNotice error={record.error} onRetry={record.reload} />;
  if (!record.data) return <Loading />;
  const r = record.data;
  return (
    <>
      <PageHeader title={title(r)} sub={<a href={back}>{t('quality.back')}</a>} />
      {kind === 'training' ? (
        <Section title={t('trainings.results')} id="record-facts">
          <Facts
            items={[
              [t('trainings.participants'), formatNumber(Number(r.participants))],
              [t('trainings.pre'), typeof r.pre_test_mean === 'number' ? formatNumber(r.pre_test_mean, 1) : ''],
              [t('trainings.post'), typeof r.post_test_mean === 'number' ? formatNumber(r.post_test_mean, 1) : ''],
              [t('trainings.gain'), gain(r)],
            ]}
          />
        </Section>
      ) : (
        <Section title={t('audits.checklist')} id="record-facts">
          <p>
            {t('audits.compliance')} {compliance(r)}
          </p>
          <ul class="checklist">
            {((r.checklist as { item: string; compliant: boolean }[] | undefined) ?? []).map((c, i) => (
              <li key={i}>
                <Badge tone={c.compliant ? 'good' : 'bad'}>{c.compliant ? t('audits.yes') : t('audits.no')}</Badge> <span dir="auto">{c.item}</span>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {worksCases(me) && (
        <Section title={t('quality.edit')} id="record-edit">
          <RecordForm
            kind={kind}
            idPrefix={`edit-${kind}`}
            record={r}
            options={kind === 'case_audit' ? { case_id: [{ value: String(r.case_id), label: `#${String(r.case_id)}` }, ...(cases.data?.items ?? []).filter((c) => c.id !== r.case_id).map((c) => ({ value: String(c.id), label: c.display_code }))] } : {}}
            onSaved={() => {
              record.reload();
              navigate(back);
            }}
          />
        </Section>
      )}
    </>
  );
}

export function TrainingPage({ id }: { id: string }) {
  return <RecordPage kind="training" collection="trainings" id={id} back="/trainings" title={(r) => t('trainings.one', { who: String(r.audience_agency ?? ''), date: formatDate(String(r.held_on)) })} />;
}

export function CaseAuditPage({ id }: { id: string }) {
  return <RecordPage kind="case_audit" collection="case-audits" id={id} back="/case-audits" title={(r) => t('audits.one', { code: r.display_code, date: formatDate(String(r.audited_on)) })} />;
}
