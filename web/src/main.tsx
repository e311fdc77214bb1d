import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import { App } from './app';
import { languageReady } from './lib/i18n';
import { entitySchema } from './lib/schema';
import './styles.css';

// The entity descriptions every form and list needs, fetched while the page starts (they need no
// session); a failure here is retried by the first screen that asks.
entitySchema('case').catch(() => undefined);
languageReady().then(() => render(<App />, document.getElementById('app')!));
