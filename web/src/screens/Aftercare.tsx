// A survivor's aftercare: the service plan, the services delivered, and outcome assessments in
// six domains with a chart of the scores over time and whether the survivor counts as restored.
import { get, query, type Page, type RecordBase } from '../lib/api';
import { useAsync, useOnSaved } from '../lib/hooks';
import { fieldLabel, formatDate, t, valueLabel } from '../lib/i18n';
import { useMe, worksCases } from '../lib/session';
import { assessmentDomains } from '../lib/workflow';
import { AddForm } from '../components/AddForm';
import { LineChart } from '../components/Chart';
import { personLabel } from '../components/PersonName';
import { RecordForm } from '../components/RecordForm';
import { RecordList } from '../components/RecordList';
import { Badge, Empty, ErrorNotice, Loading, PageHeader, Section } from '../components/ui';

export function Aftercare({ id }: { id: string }) {
  const me = useMe();
  const person = useAsync((signal) => get<RecordBase>(`/persons/${id}`, { signal }), [id]);
  const plans = useAsync((signal) => get<Page<RecordBase>>(`/service-plans${query({ person_id: id, sort: 'start_date', order: 'desc', limit: 20 })}`, { signal }), [id]);
  useOnSaved(plans.reload);
  if (person.error) return <ErrorNotice error={person.error} onRetry={person.reload} />;
  if (!person.data) return <Loading />;
  const canEdit = worksCases(me);
  const personId = person.data.id;
  const planOptions = (plans.data?.items ?? []).map((p) => ({ value: String(p.id), label: `${p.display_code} · ${formatDate(String(p.start_date))}` }));
  return (
    <>
      <PageHeader title={t('care.title', { who: personLabel(person.data) })} />
      <div class="case-grid">
        <Section title={t('care.plans')} id="care-plans">
          {plans.data && plans.data.items.length === 0 && <Empty>{t('care.noPlan')}</Empty>}
          <ul class="plans">
            {plans.data?.items.map((p) => (
              <li key={p.id}>
                <strong>{p.display_code}</strong> {t('care.planDates', { start: formatDate(String(p.start_date)), review: p.review_date ? formatDate(String(p.review_date)) : '–' })}
                {p.goals ? <p class="prose" dir="auto">{String(p.goals)}</p> : null}
              </li>
            ))}
          </ul>
          {canEdit && (
            <AddForm label={t('care.addPlan')}>
              {(done) => <RecordForm kind="service_plan" fixed={{ person_id: personId }} fields={['start_date', 'review_date', 'goals']} idPrefix="plan" onSaved={done} />}
            </AddForm>
          )}
        </Section>
        <Section title={t('care.services')} id="care-services">
          <RecordList kind="service" caption={t('care.services')} fixed={{ person_id: personId }} columns={['type', 'start_date', 'end_date', 'provider']} sort="start_date" order="desc" limit={20} />
          {canEdit && (
            <AddForm label={t('care.addService')}>
              {(done) => (
                <RecordForm
                  kind="service"
                  fixed={{ person_id: personId }}
                  fields={['type', 'service_plan_id', 'start_date', 'end_date', 'provider', 'notes', 'custom']}
                  options={{ service_plan_id: planOptions }}
                  idPrefix="service"
                  check={(v): Record<string, string> => (v.end_date && v.start_date && String(v.end_date) < String(v.start_date) ? { '/end_date': t('rules.endBeforeStart') } : {})}
                  onSaved={done}
                />
              )}
            </AddForm>
          )}
        </Section>
        <Assessments personId={personId} canEdit={canEdit} />
      </div>
    </>
  );
}

function Assessments({ personId, canEdit }: { personId: number; canEdit: boolean }) {
  const list = useAsync(
    (signal) => get<Page<RecordBase>>(`/outcome-assessments${query({ person_id: personId, sort: 'assessed_on', order: 'asc', limit: 200 })}`, { signal }),
    [personId],
  );
  useOnSaved(list.reload);
  const items = list.data?.items ?? [];
  const latest = items[items.length - 1];
  const scores = (a: RecordBase) => (a.scores as Record<string, number> | undefined) ?? {};
  return (
    <Section title={t('care.assessments')} id="care-assessments">
      {list.error && <ErrorNotice error={list.error} />}
      {latest && (
        <p class="restored" data-testid="restored-status">
          {latest.restored === true ? <Badge tone="good">{t('care.restored')}</Badge> : <Badge tone="warn">{t('care.notRestored')}</Badge>}{' '}
          {t('care.asOf', { date: formatDate(String(latest.assessed_on)) })}
        </p>
      )}
      {items.length === 0 && <Empty>{t('care.noAssessments')}</Empty>}
      {items.length > 0 && (
        <>
          <LineChart
            label={t('care.chartLabel')}
            xLabel={fieldLabel('assessed_on')}
            x={items.map((a) => String(a.assessed_on))}
            series={assessmentDomains.map((d) => ({ label: fieldLabel(d), values: items.map((a) => scores(a)[d] ?? null) }))}
            yMin={0.5}
            yMax={4.5}
          />
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">{t('care.assessments')}</caption>
              <thead>
                <tr>
                  <th scope="col">{fieldLabel('assessed_on')}</th>
                  {assessmentDomains.map((d) => (
                    <th scope="col" key={d}>
                      {fieldLabel(d)}
                    </th>
                  ))}
                  <th scope="col">{fieldLabel('restored')}</th>
                </tr>
              </thead>
              <tbody>
                {[...items].reverse().map((a) => (
                  <tr key={a.id}>
                    <td>{formatDate(String(a.assessed_on))}</td>
                    {assessmentDomains.map((d) => (
                      <td key={d}>{scores(a)[d] ?? ''}</td>
                    ))}
                    <td>{a.restored === true ? t('form.yes') : t('form.no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {canEdit && (
        <AddForm label={t('care.addAssessment')}>
          {(done) => <RecordForm kind="outcome_assessment" fixed={{ person_id: personId }} fields={['assessed_on', 'scores', 'notes', 'custom']} idPrefix="oa" onSaved={done} />}
        </AddForm>
      )}
      <p class="hint">{t('care.scale', { low: valueLabel('crisis'), high: valueLabel('thriving') })}</p>
    </Section>
  );
}
