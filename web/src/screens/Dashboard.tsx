// The first screen after logging in, by role: the work waiting for whoever works cases (their
// cases, hearings coming up, follow-ups overdue, reports just received), and the headline
// indicators for supervisors and analysts.
import { useState } from 'preact/hooks';
import { formatDateTime, t, today } from '../lib/i18n';
import { has, seesReports, useMe, worksCases } from '../lib/session';
import { RecordList } from '../components/RecordList';
import { ReportSummary } from '../components/ReportSummary';
import { PageHeader, Section } from '../components/ui';

function daysBefore(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

export function Dashboard() {
  const me = useMe();
  // Fixed when the screen opens, so the lists do not reload on every render.
  const [now] = useState(() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const [day] = useState(today);
  // Supervisors and administrators see every case of the organisation, not only those assigned.
  const casesTitle = has(me, 'supervisor', 'org_admin', 'system_admin') ? t('dash.recentCases') : t('dash.myCases');
  return (
    <>
      <PageHeader title={t('dash.title')} sub={t('dash.hello', { name: me.display_name || me.username })} />
      <div class="dash-grid">
        {worksCases(me) && (
          <>
            <Section title={casesTitle} id="dash-cases" actions={<a href="/cases">{t('dash.allCases')}</a>}>
              <RecordList kind="case" caption={casesTitle} columns={['display_code', 'title', 'status', 'opened_on']} sort="opened_on" order="desc" limit={8} href={(r) => `/cases/${r.id}`} empty={t('dash.noCases')} />
            </Section>
            <Section title={t('dash.hearings')} id="dash-hearings">
              <RecordList
                kind="hearing"
                caption={t('dash.hearings')}
                fixed={{ 'scheduled_at.gte': now }}
                columns={[{ field: 'scheduled_at', render: (r) => formatDateTime(String(r.scheduled_at)) }, 'display_code', 'postponed']}
                sort="scheduled_at"
                order="asc"
                limit={8}
                href={(r) => `/legal-cases/${r.legal_case_id}`}
                empty={t('dash.noHearings')}
              />
            </Section>
            <Section title={t('dash.overdue')} id="dash-overdue">
              <RecordList
                kind="service_plan"
                caption={t('dash.overdue')}
                fixed={{ 'review_date.lte': daysBefore(day, 1) }}
                columns={['display_code', 'review_date', 'start_date']}
                sort="review_date"
                order="desc"
                limit={8}
                href={(r) => `/persons/${r.person_id}/aftercare`}
                empty={t('dash.noOverdue')}
              />
            </Section>
            <Section title={t('dash.intakes')} id="dash-intakes" actions={<a href="/intake">{t('nav.intake')}</a>}>
              <RecordList
                kind="report"
                caption={t('dash.intakes')}
                columns={['display_code', 'received_at', 'channel', 'priority']}
                sort="received_at"
                order="desc"
                limit={8}
                {...{ href: (r) => (r.case_id ? `/cases/${r.case_id}` : '/intake') }}
                empty={t('dash.noIntakes')}
              />
            </Section>
          </>
        )}
        {seesReports(me) && (
          <Section title={t('dash.indicators')} id="dash-indicators">
            <div class="indicators">
              <ReportSummary name="funnel" />
              <ReportSummary name="outcomes" />
            </div>
          </Section>
        )}
      </div>
    </>
  );
}
