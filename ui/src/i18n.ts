// Strings: Fluent bundles per locale, the current locale, and the DOM pass that
// fills every element marked with data-l10n-id.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import { type Locale, normalizeLocale, PROMPT_FTL, RTL_LOCALES, UI_FTL } from './locales';

export type Args = Record<string, FluentVariable>;

const uiBundles = new Map<Locale, FluentBundle>();
const promptBundles = new Map<Locale, FluentBundle>();

function bundle(cache: Map<Locale, FluentBundle>, sources: Record<Locale, string>, locale: Locale): FluentBundle {
  let b = cache.get(locale);
  if (!b) {
    // Isolation marks are added by isolate() below, only where directions can mix.
    b = new FluentBundle(locale, { useIsolating: false });
    b.addResource(new FluentResource(sources[locale]));
    cache.set(locale, b);
  }
  return b;
}

let current: Locale = 'en';
const listeners = new Set<(l: Locale) => void>();

export function locale(): Locale {
  return current;
}

export function isRtl(l: Locale = current): boolean {
  return RTL_LOCALES.has(l);
}

const RTL_CHARS = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
const NO_STRONG_LETTERS = /^[\d\s+().,:/\-]*$/;

/**
 * Wraps string arguments in FSI…PDI where directions can mix: always in a right-to-left
 * language, and in the others when the value has right-to-left letters (an Arabic SP name
 * in an English sentence). Latin values in Latin sentences stay as they are.
 */
function isolate(args: Args | undefined): Args | null {
  if (!args) return null;
  const out: Args = {};
  for (const [k, v] of Object.entries(args)) out[k] = typeof v === 'string' ? isolateText(v) : v;
  return out;
}

/** One value isolated by the rule above (crates/core/src/words.rs applies the same). */
export function isolateText(v: string): string {
  if (!(isRtl() || RTL_CHARS.test(v))) return v;
  // A phone number or a date in digits has no letter to take its direction from: it
  // is isolated left to right (LRI) so that "+44…" keeps its order in Arabic.
  if (NO_STRONG_LETTERS.test(v)) return `\u2066${v}\u2069`;
  return `\u2068${v}\u2069`;
}

function format(cache: Map<Locale, FluentBundle>, sources: Record<Locale, string>,
  id: string, args?: Args, attr?: string): string | null {
  for (const l of current === 'en' ? ['en' as const] : [current, 'en' as const]) {
    const b = bundle(cache, sources, l);
    const msg = b.getMessage(id);
    const pattern = attr ? msg?.attributes[attr] : msg?.value;
    if (pattern) return b.formatPattern(pattern, isolate(args), []);
  }
  return null;
}

/** The UI string `id` in the current locale (English if missing there; the id if missing everywhere). */
export function t(id: string, args?: Args): string {
  return format(uiBundles, UI_FTL, id, args) ?? id;
}

/** A Fluent attribute of a UI message (`.action` of an error), or null. */
export function tAttr(id: string, attr: string, args?: Args): string | null {
  return format(uiBundles, UI_FTL, id, args, attr);
}

/** Whether the UI has message `id` (in the current language or English). */
export function hasMessage(id: string): boolean {
  return format(uiBundles, UI_FTL, id) !== null;
}

/** The label of an attribute (or group) as the prompt renderer words it: "given_name" → "given name". */
export function attrLabel(name: string): string {
  return format(promptBundles, PROMPT_FTL, `attr-${name}`)
    ?? format(promptBundles, PROMPT_FTL, `group-${name}`)
    ?? name.replace(/_/g, ' ');
}

/** Attributes the DOM pass may set from a message's Fluent attributes. */
const L10N_ATTRS = ['aria-label', 'placeholder', 'title', 'label'];

/**
 * Fills every element with data-l10n-id under root: the message's value becomes the
 * text (elements with children keep them; put the text in a <span> then), its
 * attributes (.aria-label, .placeholder…) become the element's attributes.
 */
export function localizeTree(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-l10n-id]')) {
    const id = el.dataset.l10nId!;
    const args = el.dataset.l10nArgs ? (JSON.parse(el.dataset.l10nArgs) as Args) : undefined;
    const value = format(uiBundles, UI_FTL, id, args);
    if (value !== null && el.children.length === 0) el.textContent = value;
    for (const a of L10N_ATTRS) {
      const v = format(uiBundles, UI_FTL, id, args, a);
      if (v !== null) el.setAttribute(a, v);
    }
  }
}

/** Switches the language: <html lang dir>, every data-l10n-id, then the listeners. */
export function setLocale(tag: string | null | undefined): Locale {
  current = normalizeLocale(tag);
  const html = document.documentElement;
  html.lang = current;
  html.dir = isRtl(current) ? 'rtl' : 'ltr';
  localizeTree(document);
  for (const l of listeners) l(current);
  return current;
}

/** Calls listener after each setLocale; returns the function that stops it. */
export function onLocaleChange(listener: (l: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// ---- dates and numbers, in the current locale ----

export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium' }).format(ms);
}

/** A timestamp string from the backend (RFC 3339) as a date; the raw text if unparsable. */
export function formatIsoDate(iso: string, withTime = false): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return withTime ? formatDateTime(ms) : formatDate(ms);
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(current).format(n);
}

