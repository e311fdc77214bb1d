// Logging in (with the one-time code when the account has a second factor), and logging in
// again over the page when the session has ended, so nothing on the page is lost.
import { useState } from 'preact/hooks';
import { ApiError, get, post, setCsrfToken, type Me } from '../lib/api';
import { languages, lang, setLang, t, type Lang } from '../lib/i18n';
import { Dialog } from '../components/Dialog';
import { errorText } from '../components/ui';

interface SessionAnswer {
  csrf_token: string;
}

function LoginForm({ username: fixedUser, onLoggedIn }: { username?: string; onLoggedIn: (me: Me) => void }) {
  const [username, setUsername] = useState(fixedUser ?? '');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<{ field: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await post<SessionAnswer>('/sessions', { username, password, ...(totp ? { totp } : {}) }, { noReauth: true });
      setCsrfToken(session.csrf_token);
      const me = await get<Me>('/me', { noReauth: true });
      setPassword('');
      onLoggedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.problem.field === '/totp') {
        // 428: the account has a second factor and no code was sent; 401: the code was wrong.
        setNeedsTotp(true);
        setError(err.status === 428 ? { field: 'totp', text: t('login.totpNeeded') } : { field: 'totp', text: t('login.totpWrong') });
      } else if (err instanceof ApiError && err.status === 401) setError({ field: 'password', text: t('login.wrong') });
      else setError({ field: '', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (f: string) =>
    error?.field === f ? (
      <p class="field-error" id={`login-${f}-error`}>
        {error.text}
      </p>
    ) : null;
  return (
    <form onSubmit={submit} class="login-form" noValidate>
      {error?.field === '' && (
        <div class="notice error" role="alert">
          {error.text}
        </div>
      )}
      <div class="field">
        <label for="login-username">{t('login.username')}</label>
        <input id="login-username" name="username" autoComplete="username" value={username} readOnly={!!fixedUser} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} required />
      </div>
      <div class={`field${error?.field === 'password' ? ' invalid' : ''}`}>
        <label for="login-password">{t('login.password')}</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          aria-invalid={error?.field === 'password' ? 'true' : undefined}
          aria-describedby={error?.field === 'password' ? 'login-password-error' : undefined}
          required
        />
        {fieldError('password')}
      </div>
      {needsTotp && (
        <div class={`field${error?.field === 'totp' ? ' invalid' : ''}`}>
          <label for="login-totp">{t('login.totp')}</label>
          <input
            id="login-totp"
            name="totp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={6}
            value={totp}
            onInput={(e) => setTotp((e.target as HTMLInputElement).value.trim())}
            aria-describedby={error?.field === 'totp' ? 'login-totp-error' : undefined}
          />
          {fieldError('totp')}
        </div>
      )}
      <div class="buttons">
        <button type="submit" disabled={busy} aria-busy={busy}>
          {busy ? t('status.working') : t('login.submit')}
        </button>
      </div>
    </form>
  );
}

export function Login({ onLoggedIn }: { onLoggedIn: (me: Me) => void }) {
  return (
    <main class="login" id="main">
      <div class="login-box">
        <h1>Haven</h1>
        <p class="sub">{t('login.intro')}</p>
        <LoginForm onLoggedIn={onLoggedIn} />
        <label class="lang">
          {t('nav.language')}{' '}
          <select value={lang()} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}>
            {Object.entries(languages).map(([code, name]) => (
              <option value={code} key={code} lang={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
    </main>
  );
}

/** Over the page when the session ended: log in as the same user, then what was pending goes on. */
export function Relogin({ username, onDone }: { username: string; onDone: () => void }) {
  return (
    <Dialog title={t('login.expiredTitle')}>
      <p>{t('login.expired')}</p>
      <LoginForm username={username} onLoggedIn={onDone} />
    </Dialog>
  );
}
