// The page: who is logged in, the shell (menu by role, language, account), the screen for the
// path, and the dialog that appears over it when the session has ended.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, onSessionExpired, request, setCsrfToken, type Me } from './lib/api';
import { languages, lang, onLangChange, setLang, t, type Lang } from './lib/i18n';
import { match, navigate, onLinkClick, usePath } from './lib/router';
import { SessionContext } from './lib/session';
import { routes } from './routes';
import { Login, Relogin } from './screens/Login';
import { Loading, PageHeader } from './components/ui';

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [, rerender] = useState(0);
  const [relogin, setRelogin] = useState<{ resolve: () => void } | null>(null);
  useEffect(() => onLangChange(() => rerender((n) => n + 1)), []);

  // A page reloaded under a live session cookie carries on; otherwise the login form.
  useEffect(() => {
    get<Me>('/me', { noReauth: true }).then(
      (m) => {
        setCsrfToken(m.csrf_token ?? '');
        setMe(m);
      },
      () => setMe(null),
    );
  }, []);

  useEffect(() => {
    if (!me) return onSessionExpired(null);
    onSessionExpired(() => new Promise<void>((resolve) => setRelogin({ resolve })));
    return () => onSessionExpired(null);
  }, [me]);

  if (me === undefined) return <Loading />;
  if (me === null)
    return (
      <Login
        onLoggedIn={(m) => {
          setMe(m);
          navigate(location.pathname, true);
        }}
      />
    );
  const logout = async () => {
    try {
      await request('DELETE', '/sessions', undefined, { noReauth: true });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
    }
    setCsrfToken('');
    setMe(null);
    navigate('/', true);
  };
  return (
    <SessionContext.Provider value={me}>
      <Shell me={me} onLogout={logout} />
      {relogin && (
        <Relogin
          username={me.username}
          onDone={() => {
            relogin.resolve();
            setRelogin(null);
          }}
        />
      )}
    </SessionContext.Provider>
  );
}

function Shell({ me, onLogout }: { me: Me; onLogout: () => void }) {
  const path = usePath();
  const main = useRef<HTMLElement>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  let screen = null;
  for (const r of routes) {
    const params = match(r.path, path);
    if (params && (!r.show || r.show(me))) {
      const Screen = r.component;
      screen = <Screen {...params} key={path} />;
      break;
    }
  }
  // A new screen is announced by moving focus to its title (screen readers read it).
  useEffect(() => {
    setMenuOpen(false);
    const title = document.getElementById('page-title');
    if (title && document.activeElement === document.body) title.focus();
  }, [path]);
  const nav = routes.filter((r) => r.nav && (!r.show || r.show(me)));
  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <a class="brand" href="/">Haven</a>
        <button type="button" class="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
          {t('nav.menu')}
        </button>
        <nav id="main-nav" class={menuOpen ? 'open' : ''} aria-label={t('nav.main')}>
          <ul>
            {nav.map((r) => (
              <li key={r.path}>
                <a href={r.path} aria-current={(r.path === '/' ? path === '/' : path.startsWith(r.path)) ? 'page' : undefined}>
                  {t(r.nav!)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="user">
          <label class="lang">
            <span class="visually-hidden">{t('nav.language')}</span>
            <select value={lang()} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)} aria-label={t('nav.language')}>
              {Object.entries(languages).map(([code, name]) => (
                <option value={code} key={code} lang={code}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <a href="/account" class="who" title={t('nav.account')}>
            {me.display_name || me.username}
          </a>
          <button type="button" class="secondary" onClick={onLogout}>
            {t('nav.logout')}
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {screen ?? <PageHeader title={t('error.notFound')} sub={<a href="/">{t('nav.dashboard')}</a>} />}
      </main>
    </div>
  );
}
