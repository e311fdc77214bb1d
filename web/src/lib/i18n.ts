// Interface languages: message catalogues (web/src/i18n/*.ts, each complete: the type checker
// refuses a missing key), dates and numbers through Intl in the chosen locale, and sorting by
// Intl.Collator. Only the language choice is kept in browser storage.
import { en, type MessageKey } from '../i18n/en';

export const languages = { en: 'English', fr: 'Français', es: 'Español', hi: 'हिन्दी' } as const;
export type Lang = keyof typeof languages;
type Catalogue = Record<MessageKey, string>;
// English is in the main bundle; the others load when chosen (each its own file).
const loaders: Record<Exclude<Lang, 'en'>, () => Promise<Catalogue>> = {
  fr: () => import('../i18n/fr').then((m) => m.fr),
  es: () => import('../i18n/es').then((m) => m.es),
  hi: () => import('../i18n/hi').then((m) => m.hi),
};
const catalogues: Partial<Record<Lang, Catalogue>> = { en };

async function load(l: Lang): Promise<void> {
  if (!catalogues[l] && l !== 'en') catalogues[l] = await loaders[l]();
}
const storageKey = 'haven.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(storageKey);
  if (saved && saved in languages) return saved as Lang;
  for (const wanted of navigator.languages ?? [navigator.language]) {
    const base = wanted.slice(0, 2).toLowerCase();
    if (base in languages) return base as Lang;
  }
  return 'en';
}

let current: Lang = initialLang();
const listeners = new Set<() => void>();
let collator = new Intl.Collator(current);

export function lang(): Lang {
  return current;
}

/** Loads the language the page starts in; render after it. */
export function languageReady(): Promise<void> {
  return load(current).catch(() => {
    current = 'en'; // the page still works, in English
  });
}

export async function setLang(next: Lang): Promise<void> {
  await load(next);
  current = next;
  collator = new Intl.Collator(next);
  localStorage.setItem(storageKey, next);
  document.documentElement.lang = next;
  listeners.forEach((l) => l());
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

document.documentElement.lang = current;

/** The message `key` in the current language, with {name} placeholders filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  let text = catalogues[current]?.[key] ?? en[key];
  if (params) for (const [k, v] of Object.entries(params)) text = text.split(`{${k}}`).join(String(v));
  return text;
}

function has(key: string): key is MessageKey {
  return key in en;
}

function humanise(name: string): string {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A field's label: "f.given_name" from the catalogue, or the name made readable. */
export function fieldLabel(name: string): string {
  const key = `f.${name}`;
  return has(key) ? t(key) : humanise(name);
}

/** An enumerated value's label: "v.sex_trafficking", or the value made readable. */
export function valueLabel(value: string): string {
  const key = `v.${value}`;
  return has(key) ? t(key) : humanise(value);
}

/** A calendar date (YYYY-MM-DD, no time zone) in the user's locale. */
export function formatDate(iso: string | undefined | null): string {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso.slice(0, 10));
  if (!m) return iso;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** An instant (UTC in storage) in the user's locale and time zone. */
export function formatDateTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatNumber(n: number, digits = 0): string {
  return new Intl.NumberFormat(current, { maximumFractionDigits: digits }).format(n);
}

/** A number with its sign ("+4.2", "−1.5", "0"), e.g. a weight of evidence. */
export function formatSigned(n: number, digits = 1): string {
  return new Intl.NumberFormat(current, { signDisplay: 'exceptZero', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** A share from 0 to 1 as a percentage ("78.5 %" as the language writes it). */
export function formatPercent(share: number, digits = 1): string {
  return new Intl.NumberFormat(current, { style: 'percent', maximumFractionDigits: digits }).format(share);
}

/** Compares texts as the user's language sorts them. */
export function compareText(a: string, b: string): number {
  return collator.compare(a, b);
}

/** Today's date (YYYY-MM-DD) where the user is. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
