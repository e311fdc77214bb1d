// Small building blocks every screen uses, so that screens look and behave alike.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../lib/api';
import { fieldLabel, t } from '../lib/i18n';

export function PageHeader({ title, sub, actions }: { title: string; sub?: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // A screen that opens with nothing focused (after logging in, a reload, a screen loaded late)
  // puts focus on its title, which screen readers announce; focus the user placed stays.
  useEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) heading.current?.focus();
  }, []);
  return (
    <header class="page-header">
      <div>
        <h1 id="page-title" tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {sub && <p class="sub">{sub}</p>}
      </div>
      {actions && <div class="actions">{actions}</div>}
    </header>
  );
}

export function Section({ title, children, actions, id }: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  const headingId = `${id ?? title.replace(/\W+/g, '-').toLowerCase()}-h`;
  return (
    <section class="card" aria-labelledby={headingId} {...(id ? { id } : {})}>
      <div class="card-head">
        <h2 id={headingId}>{title}</h2>
        {actions && <div class="actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** What went wrong, in words the user can act on. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('error.network');
    const where = error.problem.field ? `${fieldLabel(error.problem.field.split('/')[1] ?? '')}: ` : '';
    return `${where}${error.problem.detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="notice error" role="alert">
      <p>{errorText(error)}</p>
      {onRetry && (
        <button type="button" class="secondary" onClick={onRetry}>
          {t('action.retry')}
        </button>
      )}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'warning' | 'success'; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role={kind === 'info' ? 'note' : 'status'}>
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status">
      {t('status.loading')}
    </p>
  );
}

export function Empty({ children }: { children?: ComponentChildren }) {
  return <p class="empty">{children ?? t('status.empty')}</p>;
}

export function Badge({ children, tone = 'neutral' }: { children: ComponentChildren; tone?: 'neutral' | 'good' | 'warn' | 'bad' }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

/** Label–value pairs of a record. */
export function Facts({ items }: { items: [string, ComponentChildren][] }) {
  const shown = items.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!shown.length) return <Empty />;
  return (
    <dl class="facts">
      {shown.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
