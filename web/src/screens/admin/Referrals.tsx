// Referrals between organisations: those sent (with revoke), those received (accept or decline,
// then read the shared case within what the survivor consented to), and sending one, with the
// survivor's consent checked in the page before the server checks it again.
import { useMemo, useState } from 'preact/hooks';
import { get, post, query, type Page, type RecordBase } from '../../lib/api';
import { announceSaved, useAsync, useOnSaved } from '../../lib/hooks';
import { fieldLabel, formatDate, formatDateTime, t, valueLabel } from '../../lib/i18n';
import { personLabel } from '../../components/PersonName';
import { RecordForm } from '../../components/RecordForm';
import { RecordList } from '../../components/RecordList';
import { ExportLinks } from '../../components/ExportLinks';
import { Badge, Empty, ErrorNotice, Facts, Loading, Notice, PageHeader, Section } from '../../components/ui';

const tone = (s: unknown) => (s === 'accepted' ? 'good' : s === 'declined' || s === 'revoked' ? 'bad' : 'warn');

function useOrgNames() {
  return useAsync((signal) => get<Page<RecordBase>>(`/organisations${query({ limit: 200, sort: 'name', order: 'asc' })}`, { signal }), []);
}

function Incoming() {
  const list = useAsync((signal) => get<{ items: RecordBase[] }>('/referrals/incoming', { signal }), []);
  const orgs = useOrgNames();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<number | null>(null);
  useOnSaved(list.reload);
  const names = new Map((orgs.data?.items ?? []).map((o) => [o.id, String(o.name)]));
  const act = async (r: RecordBase, verb: 'accept' | 'decline') => {
    setBusy(r.id);
    setError(null);
    try {
      await post(`/referrals/${r.id}/${verb}`);
      announceSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section title={t('refs.incoming')} id="refs-incoming">
      {error !== null && <ErrorNotice error={error} />}
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('refs.noIncoming')}</Empty>
      ) : (
        <ul class="match-list ref-list">
          {list.data.items.map((r) => (
            <li key={r.id} data-referral={r.display_code}>
              <div class="match-head">
                <span>
                  {r.display_code} · {t('refs.from', { org: names.get(r.org_id as number) ?? `#${String(r.org_id)}` })}
                </span>
                <Badge tone={tone(r.status)}>{valueLabel(String(r.status))}</Badge>
              </div>
              <p class="match-facts">
                {valueLabel(String(r.purpose))} · {((r.shared as string[]) ?? []).map(valueLabel).join(', ')} · {formatDateTime(r.created_at)}
              </p>
              {r.message ? (
                <p class="prose" dir="auto">
                  {String(r.message)}
                </p>
              ) : null}
              <div class="buttons">
                {r.status === 'pending' && (
                  <>
                    <button type="button" disabled={busy === r.id} onClick={() => act(r, 'accept')}>
                      {t('refs.accept')}
                    </button>
                    <button type="button" class="secondary" disabled={busy === r.id} onClick={() => act(r, 'decline')}>
                      {t('refs.decline')}
                    </button>
                  </>
                )}
                {r.status === 'accepted' && (
                  <a class="button" href={`/shared/cases/${r.case_id}`}>
                    {t('refs.openShared')}
                  </a>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function Outgoing() {
  const [error, setError] = useState<unknown>(null);
  const orgs = useOrgNames();
  const names = new Map((orgs.data?.items ?? []).map((o) => [o.id, String(o.name)]));
  const revoke = async (r: RecordBase) => {
    setError(null);
    try {
      await post(`/referrals/${r.id}/revoke`);
      announceSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title={t('refs.outgoing')} id="refs-outgoing">
      {error !== null && <ErrorNotice error={error} />}
      <RecordList
        kind="referral"
        caption={t('refs.outgoing')}
        columns={[
          'display_code',
          { field: 'case_id', label: t('audits.case'), render: (r) => <a href={`/cases/${r.case_id}`}>#{String(r.case_id)}</a> },
          { field: 'to_org_id', render: (r) => names.get(Number(r.to_org_id)) ?? `#${String(r.to_org_id)}` },
          'purpose',
          { field: 'status', render: (r) => <Badge tone={tone(r.status)}>{valueLabel(String(r.status ?? 'pending'))}</Badge> },
          'created_at',
          {
            field: 'revoke',
            label: t('dups.actions'),
            render: (r) =>
              r.status === 'pending' || r.status === 'accepted' ? (
                <button type="button" class="link" onClick={() => revoke(r)} aria-label={t('refs.revokeOf', { code: r.display_code })}>
                  {t('refs.revoke')}
                </button>
              ) : (
                ''
              ),
          },
        ]}
        filters={['status', 'purpose']}
        sort="id"
        order="desc"
        toolbar={(params) => <ExportLinks collection="referrals" params={params} what={t('refs.outgoing')} />}
      />
    </Section>
  );
}

interface Consent extends RecordBase {
  person_id: number;
  purposes: string[];
  share_with_org_ids?: number[];
  withdrawn_on?: string;
}

function SendReferral() {
  const cases = useAsync((signal) => get<Page<RecordBase>>(`/cases${query({ sort: 'opened_on', order: 'desc', limit: 100 })}`, { signal }), []);
  const orgs = useOrgNames();
  const [caseId, setCaseId] = useState('');
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [sent, setSent] = useState<string | null>(null);
  const consents = useAsync(
    async (signal) => {
      if (!caseId) return [] as { consent: Consent; person: RecordBase }[];
      const people = await get<Page<RecordBase>>(`/case-persons${query({ case_id: caseId, limit: 50 })}`, { signal });
      const out: { consent: Consent; person: RecordBase }[] = [];
      for (const link of people.items) {
        const person = await get<RecordBase>(`/persons/${link.person_id}`, { signal });
        const page = await get<Page<Consent>>(`/consents${query({ person_id: Number(link.person_id), limit: 20 })}`, { signal });
        for (const c of page.items) out.push({ consent: c, person });
      }
      return out;
    },
    [caseId],
  );
  const orgName = new Map((orgs.data?.items ?? []).map((o) => [o.id, String(o.name)]));
  // What the chosen consent allows, said before sending (the server refuses the same).
  const problems = useMemo(() => {
    const chosen = consents.data?.find((c) => String(c.consent.id) === String(values.consent_id ?? ''));
    if (!chosen) return [];
    const out: string[] = [];
    const c = chosen.consent;
    if (c.withdrawn_on) out.push(t('refs.withdrawn', { date: formatDate(c.withdrawn_on) }));
    if (values.purpose && !c.purposes.includes(String(values.purpose))) out.push(t('refs.purposeNot', { purpose: valueLabel(String(values.purpose)), allowed: c.purposes.map(valueLabel).join(', ') }));
    if (values.to_org_id && !(c.share_with_org_ids ?? []).includes(Number(values.to_org_id)))
      out.push(t('refs.orgNot', { org: orgName.get(Number(values.to_org_id)) ?? String(values.to_org_id), allowed: (c.share_with_org_ids ?? []).map((id) => orgName.get(id) ?? `#${id}`).join(', ') || t('form.none') }));
    return out;
  }, [consents.data, values.consent_id, values.purpose, values.to_org_id, orgs.data]);
  return (
    <Section title={t('refs.send')} id="refs-send">
      {sent && <Notice kind="success">{sent}</Notice>}
      {cases.error ? (
        <ErrorNotice error={cases.error} onRetry={cases.reload} />
      ) : (
        <div class="field">
          <label for="send-case">{t('audits.case')}</label>
          <select id="send-case" value={caseId} onChange={(e) => setCaseId((e.target as HTMLSelectElement).value)}>
            <option value="">{t('form.choose')}</option>
            {(cases.data?.items ?? []).map((c) => (
              <option value={String(c.id)} key={c.id}>
                {c.display_code}
                {c.title ? ` · ${String(c.title)}` : ''}
              </option>
            ))}
          </select>
        </div>
      )}
      {caseId &&
        (consents.error ? (
          <ErrorNotice error={consents.error} onRetry={consents.reload} />
        ) : !consents.data ? (
          <Loading />
        ) : consents.data.length === 0 ? (
          <Notice kind="warning">{t('refs.noConsent')}</Notice>
        ) : (
          <RecordForm
            key={caseId}
            kind="referral"
            idPrefix="send"
            fields={['consent_id', 'to_org_id', 'purpose', 'shared', 'message']}
            fixed={{ case_id: Number(caseId) }}
            options={{
              consent_id: consents.data.map(({ consent, person }) => ({ value: String(consent.id), label: `${consent.display_code} · ${personLabel(person)} · ${formatDate(consent.given_on as string)}${consent.withdrawn_on ? ` (${t('refs.withdrawnShort')})` : ''}` })),
              to_org_id: (orgs.data?.items ?? []).map((o) => ({ value: String(o.id), label: String(o.name) })),
            }}
            onValues={setValues}
            check={(): Record<string, string> => (problems.length ? { '/consent_id': problems.join(' ') } : {})}
            submitLabel={t('refs.sendButton')}
            onSaved={(r) => {
              setSent(t('refs.sent', { code: r.display_code }));
              setCaseId('');
              announceSaved();
            }}
          >
            {problems.length > 0 && (
              <div class="notice warning" role="status">
                <p>{t('refs.consentSays')}</p>
                <ul>
                  {problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              </div>
            )}
          </RecordForm>
        ))}
    </Section>
  );
}

export function Referrals() {
  return (
    <>
      <PageHeader title={t('refs.title')} sub={t('refs.intro')} />
      <div class="case-grid">
        <Incoming />
        <SendReferral />
      </div>
      <Outgoing />
    </>
  );
}

interface SharedCase {
  referral: RecordBase;
  case: RecordBase;
  people: (RecordBase & { role?: string; is_minor?: boolean })[];
  events?: RecordBase[];
}

/** A case another organisation shared with this one: only what the referral and consent open. */
export function SharedCase({ id }: { id: string }) {
  const shared = useAsync((signal) => get<SharedCase>(`/shared/cases/${id}`, { signal }), [id]);
  if (shared.error) return <ErrorNotice error={shared.error} onRetry={shared.reload} />;
  if (!shared.data) return <Loading />;
  const { referral, people, events } = shared.data;
  const c = shared.data.case;
  return (
    <>
      <PageHeader title={t('refs.sharedTitle', { code: c.display_code })} sub={<a href="/referrals">{t('refs.title')}</a>} />
      <Notice>{t('refs.sharedHelp', { what: ((referral.shared as string[]) ?? []).map(valueLabel).join(', ') })}</Notice>
      <div class="case-grid">
        <Section title={t('case.details')} id="shared-details">
          <Facts
            items={[
              [t('refs.caseTitle'), c.title ? <span dir="auto">{String(c.title)}</span> : ''],
              [fieldLabel('status'), valueLabel(String(c.status ?? ''))],
              [fieldLabel('exploitation_form'), valueLabel(String(c.exploitation_form ?? ''))],
              [fieldLabel('country'), String(c.country ?? '')],
              [fieldLabel('region'), String(c.region ?? '')],
              [fieldLabel('opened_on'), formatDate(String(c.opened_on ?? ''))],
              [t('refs.summary'), c.summary ? <p class="prose" dir="auto">{String(c.summary)}</p> : ''],
            ]}
          />
        </Section>
        <Section title={t('case.people')} id="shared-people">
          <ul class="people">
            {people.map((p) => (
              <li key={p.id}>
                <bdi>{personLabel(p)}</bdi> {p.role ? <Badge>{valueLabel(p.role)}</Badge> : null} {p.is_minor ? <Badge tone="warn">{t('case.minor')}</Badge> : null}
                {p.birth_date ? <span class="small">{formatDate(String(p.birth_date))}</span> : null}
                {p.phone ? <span class="small">{String(p.phone)}</span> : null}
              </li>
            ))}
          </ul>
        </Section>
      </div>
      {events && (
        <Section title={t('case.timeline')} id="shared-timeline">
          {events.length === 0 ? (
            <Empty />
          ) : (
            <ul class="timeline">
              {events.map((e) => (
                <li key={e.id}>
                  <time>{formatDateTime(String(e.occurred_at ?? e.created_at))}</time>
                  <span>{valueLabel(String(e.type ?? ''))}</span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
    </>
  );
}
