// The user's own account: change the password (every session ends; log in again) and turn on
// the second factor with an authenticator app.
import { useState } from 'preact/hooks';
import { ApiError, post } from '../lib/api';
import { t } from '../lib/i18n';
import { useMe } from '../lib/session';
import { Badge, ErrorNotice, Facts, Notice, PageHeader, Section, errorText } from '../components/ui';

export function Account() {
  const me = useMe();
  return (
    <>
      <PageHeader title={t('account.title')} sub={me.username} />
      <Section title={t('account.details')}>
        <Facts
          items={[
            [t('login.username'), me.username],
            [t('account.roles'), me.roles.join(', ')],
            [t('account.totp'), me.totp_enabled ? <Badge tone="good">{t('account.totpOn')}</Badge> : <Badge tone="warn">{t('account.totpOff')}</Badge>],
          ]}
        />
      </Section>
      <PasswordChange />
      {!me.totp_enabled && <TotpEnrolment />}
    </>
  );
}

function PasswordChange() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setGeneral(null);
    if (next !== repeat) return setErrors({ repeat: t('account.mismatch') });
    setErrors({});
    try {
      await post('/me/password', { current_password: current, new_password: next }, { noReauth: true });
      setDone(true);
      // Every session has ended, this one too: the page starts again at the login form.
      setTimeout(() => location.assign('/'), 1500);
    } catch (err) {
      if (err instanceof ApiError && err.problem.field === '/new_password') setErrors({ next: err.problem.detail });
      else if (err instanceof ApiError && (err.problem.field === '/current_password' || err.status === 401 || err.status === 403))
        setErrors({ current: err.problem.detail });
      else setGeneral(err);
    }
  };
  const input = (id: string, label: string, value: string, set: (v: string) => void, auto: string) => (
    <div class={`field${errors[id] ? ' invalid' : ''}`}>
      <label for={`pw-${id}`}>{label}</label>
      <input
        id={`pw-${id}`}
        type="password"
        autoComplete={auto}
        value={value}
        onInput={(e) => set((e.target as HTMLInputElement).value)}
        aria-invalid={errors[id] ? 'true' : undefined}
        aria-describedby={errors[id] ? `pw-${id}-error` : undefined}
      />
      {errors[id] && (
        <p class="field-error" id={`pw-${id}-error`}>
          {errors[id]}
        </p>
      )}
    </div>
  );
  return (
    <Section title={t('account.changePassword')}>
      {done ? (
        <Notice kind="success">{t('account.passwordChanged')}</Notice>
      ) : (
        <form onSubmit={submit} noValidate>
          {general !== null && <ErrorNotice error={general} />}
          <div class="grid">
            {input('current', t('account.currentPassword'), current, setCurrent, 'current-password')}
            {input('next', t('account.newPassword'), next, setNext, 'new-password')}
            {input('repeat', t('account.repeatPassword'), repeat, setRepeat, 'new-password')}
          </div>
          <p class="hint">{t('account.passwordRule')}</p>
          <div class="buttons">
            <button type="submit">{t('account.changePassword')}</button>
          </div>
        </form>
      )}
    </Section>
  );
}

function TotpEnrolment() {
  const [secret, setSecret] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const start = async () => {
    setError(null);
    try {
      const answer = await post<{ secret: string }>('/me/totp');
      setSecret(answer.secret);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await post('/me/totp/confirm', { secret, code });
      setDone(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.problem.detail : errorText(err));
    }
  };
  return (
    <Section title={t('account.totpTitle')}>
      {done ? (
        <Notice kind="success">{t('account.totpDone')}</Notice>
      ) : !secret ? (
        <>
          <p>{t('account.totpIntro')}</p>
          {error && <p class="field-error">{error}</p>}
          <button type="button" onClick={start}>
            {t('account.totpStart')}
          </button>
        </>
      ) : (
        <form onSubmit={confirm} noValidate>
          <p>{t('account.totpSecret')}</p>
          <p>
            <code class="secret" data-testid="totp-secret">
              {secret}
            </code>
          </p>
          <div class={`field${error ? ' invalid' : ''}`}>
            <label for="totp-code">{t('login.totp')}</label>
            <input id="totp-code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value.trim())} aria-describedby={error ? 'totp-code-error' : undefined} />
            {error && (
              <p class="field-error" id="totp-code-error">
                {error}
              </p>
            )}
          </div>
          <div class="buttons">
            <button type="submit">{t('account.totpConfirm')}</button>
          </div>
        </form>
      )}
    </Section>
  );
}
