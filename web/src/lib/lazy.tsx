// Screens load with their first visit (each is its own file in the bundle), so the first page
// downloads the shell and the screen it shows, not every screen there is.
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice, Loading } from '../components/ui';

export function lazy<P extends object>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> {
  let loaded: FunctionComponent<P> | null = null;
  let pending: Promise<FunctionComponent<P>> | null = null;
  const start = () => (pending ??= load().then((c) => (loaded = c)).catch((e: unknown) => {
    pending = null; // a later visit tries again
    throw e;
  }));
  return function Lazy(props: P) {
    // A function given to useState is called as its initialiser: wrap the component.
    const [, setLoaded] = useState(() => loaded);
    const [error, setError] = useState<unknown>(null);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (loaded) return;
      let alive = true;
      start().then(
        (c) => alive && setLoaded(() => c),
        (e: unknown) => alive && setError(e),
      );
      return () => {
        alive = false;
      };
    }, [attempt]);
    if (loaded) {
      const Screen = loaded;
      return <Screen {...props} />;
    }
    if (error) return <ErrorNotice error={error} onRetry={() => (setError(null), setAttempt((n) => n + 1))} />;
    return <Loading />;
  };
}
