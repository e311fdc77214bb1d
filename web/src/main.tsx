import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import { App } from './app';
import { languageReady } from './lib/i18n';
import './styles.css';

languageReady().then(() => render(<App />, document.getElementById('app')!));
