// The audit log, for auditors: who did what to which record and when, filtered by user, record
// kind, record, action and dates (GET /api/v1/audit), oldest first and paged by sequence number.
// Break-glass reads (staff opening a record outside their cases in an emergency) are flagged for
// review. Viewing the log is itself logged by the server.
import { useState } from 'preact/hooks';
import { get, query } from '../../lib/api';
import { useAsync } from '../../lib/hooks';
import { formatDateTime, t } from '../../lib/i18n';
import { Badge, Empty, ErrorNotice, Loading, PageHeader, Section } from '../../components/ui';

interface Entry {
  seq: number;
  at: string;
  user_id: number;
  actor: string;
  action: string;
  kind: string;
  record_id: number;
  detail: Record<string, unknown> | null;
  hash: string;
}

const actions = ['read', 'list', 'search', 'create', 'update', 'attach', 'export', 'report', 'estimate', 'login', 'login_failed', 'login_throttled', 'logout', 'csrf_refused', 'break_glass', 'permission_change', 'password_change', 'password_reset', 'totp_enabled', 'merge', 'merge_undo', 'duplicate_confirm', 'duplicate_reject', 'referral_accept', 'referral_decline', 'referral_revoke', 'audit_view'] as const;

/** An action in words; one the page does not know (added to the server later) as it is logged. */
const actionLabel = (a: string) => ((actions as readonly string[]).includes(a) ? t(`audit.act.${a as (typeof actions)[number]}`) : a.replace(/_/g, ' '));
type Filters = { user_id: string; kind: string; record_id: string; action: string; from: string; to: string };
/** The log reads oldest first: it opens on the last 30 days, so that the first page is recent. */
function lastMonth(): Filters {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - 30);
  return { user_id: '', kind: '', record_id: '', action: '', from: d.toISOString().slice(0, 10), to: '' };
}

function detailText(d: Entry['detail']): string {
  if (!d || typeof d !== 'object') return '';
  return Object.entries(d)
    .filter(([k]) => k !== 'flagged')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

export function AuditLog() {
  const [typed, setTyped] = useState<Filters>(lastMonth);
  const [applied, setApplied] = useState<Filters>(lastMonth);
  const [errors, setErrors] = useState<Partial<Record<keyof Filters, string>>>({});
  // Sequence numbers each page starts after, to go back.
  const [starts, setStarts] = useState<number[]>([]);
  const after = starts[starts.length - 1];
  const log = useAsync(
    (signal) =>
      get<{ items: Entry[]; next_after_seq?: number }>(
        `/audit${query({ ...applied, after_seq: after, limit: 50 })}`,
        { signal },
      ),
    [JSON.stringify(applied), after],
  );
  const apply = (e: Event) => {
    e.preventDefault();
    const bad: Partial<Record<keyof Filters, string>> = {};
    for (const k of ['user_id', 'record_id'] as const) if (typed[k] && !/^\d+$/.test(typed[k].trim())) bad[k] = t('audit.wholeNumber');
    if (typed.from && typed.to && typed.from > typed.to) bad.to = t('reports.toBeforeFrom');
    setErrors(bad);
    if (Object.keys(bad).length) return;
    setStarts([]);
    setApplied({ ...typed, user_id: typed.user_id.trim(), record_id: typed.record_id.trim(), kind: typed.kind.trim() });
  };
  const input = (k: keyof Filters, label: string, type: 'text' | 'date' = 'text') => (
    <div class={`field${errors[k] ? ' invalid' : ''}`}>
      <label for={`audit-${k}`}>{label}</label>
      <input
        id={`audit-${k}`}
        type={type as 'text'}
        inputMode={k.endsWith('_id') ? 'numeric' : undefined}
        value={typed[k]}
        aria-invalid={errors[k] ? 'true' : undefined}
        aria-describedby={errors[k] ? `audit-${k}-error` : undefined}
        onInput={(e) => setTyped((f) => ({ ...f, [k]: (e.target as HTMLInputElement).value }))}
      />
      {errors[k] && (
        <p class="field-error" id={`audit-${k}-error`}>
          {errors[k]}
        </p>
      )}
    </div>
  );
  return (
    <>
      <PageHeader title={t('audit.title')} sub={t('audit.intro')} />
      <Section title={t('list.filters')} id="audit-filters">
        <form class="inline-form" onSubmit={apply} noValidate role="search" aria-label={t('audit.title')}>
          <div class="field">
            <label for="audit-action">{t('audit.action')}</label>
            <select id="audit-action" value={typed.action} onChange={(e) => setTyped((f) => ({ ...f, action: (e.target as HTMLSelectElement).value }))}>
              <option value="">{t('list.any')}</option>
              {actions.map((a) => (
                <option value={a} key={a}>
                  {actionLabel(a)}
                </option>
              ))}
            </select>
          </div>
          {input('kind', t('audit.kind'))}
          {input('record_id', t('audit.record'))}
          {input('user_id', t('audit.user'))}
          {input('from', t('reports.from'), 'date')}
          {input('to', t('reports.to'), 'date')}
          <button type="submit">{t('reports.show')}</button>
        </form>
      </Section>
      <Section title={t('audit.entries')} id="audit-entries">
        {log.error ? (
          <ErrorNotice error={log.error} onRetry={log.reload} />
        ) : !log.data ? (
          <Loading />
        ) : log.data.items.length === 0 ? (
          <Empty>{t('audit.none')}</Empty>
        ) : (
          <div class="table-wrap" aria-busy={log.loading}>
            <table id="audit-table">
              <caption class="visually-hidden">{t('audit.entries')}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('audit.when')}</th>
                  <th scope="col">{t('audit.who')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.what')}</th>
                  <th scope="col">{t('audit.detail')}</th>
                </tr>
              </thead>
              <tbody>
                {log.data.items.map((e) => {
                  const flagged = e.action === 'break_glass' || e.detail?.flagged === true;
                  return (
                    <tr key={e.seq} class={flagged ? 'flagged' : ''}>
                      <td class="mono">{e.seq}</td>
                      <td>{formatDateTime(e.at)}</td>
                      <td>
                        <bdi>{e.actor}</bdi> <span class="mono">#{e.user_id}</span>
                      </td>
                      <td>{flagged ? <Badge tone="bad">⚑ {t('audit.breakGlass')}</Badge> : actionLabel(e.action)}</td>
                      <td>{e.kind ? `${e.kind}${e.record_id ? ` #${e.record_id}` : ''}` : ''}</td>
                      <td class="small" dir="auto">
                        {detailText(e.detail)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {(starts.length > 0 || log.data?.next_after_seq) && (
          <nav class="pager" aria-label={t('list.pages', { what: t('audit.entries') })}>
            <button type="button" class="secondary" disabled={!starts.length} onClick={() => setStarts((s) => s.slice(0, -1))}>
              {t('list.previous')}
            </button>
            <span>{t('list.page', { n: starts.length + 1 })}</span>
            <button type="button" class="secondary" disabled={!log.data?.next_after_seq} onClick={() => log.data?.next_after_seq && setStarts((s) => [...s, log.data!.next_after_seq!])}>
              {t('list.next')}
            </button>
          </nav>
        )}
      </Section>
    </>
  );
}
