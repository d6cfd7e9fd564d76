// The Fluent resources, bundled as text. The UI's own strings are in ui/locales;
// attribute and group labels come from the prompt renderer's resources, so the
// app and the prompts on the handset use the same words; the history's sentences come
// from the core's resources, so the app and the `assent` command say the same.
import uiAr from '../locales/ar.ftl?raw';
import uiDe from '../locales/de.ftl?raw';
import uiEn from '../locales/en.ftl?raw';
import uiEs from '../locales/es.ftl?raw';
import uiFr from '../locales/fr.ftl?raw';
import uiHi from '../locales/hi.ftl?raw';
import uiJa from '../locales/ja.ftl?raw';
import uiPt from '../locales/pt.ftl?raw';
import uiTr from '../locales/tr.ftl?raw';
import promptAr from '../../crates/prompt/locales/ar.ftl?raw';
import promptDe from '../../crates/prompt/locales/de.ftl?raw';
import promptEn from '../../crates/prompt/locales/en.ftl?raw';
import promptEs from '../../crates/prompt/locales/es.ftl?raw';
import promptFr from '../../crates/prompt/locales/fr.ftl?raw';
import promptHi from '../../crates/prompt/locales/hi.ftl?raw';
import promptJa from '../../crates/prompt/locales/ja.ftl?raw';
import promptPt from '../../crates/prompt/locales/pt.ftl?raw';
import promptTr from '../../crates/prompt/locales/tr.ftl?raw';
import coreAr from '../../crates/core/locales/ar.ftl?raw';
import coreDe from '../../crates/core/locales/de.ftl?raw';
import coreEn from '../../crates/core/locales/en.ftl?raw';
import coreEs from '../../crates/core/locales/es.ftl?raw';
import coreFr from '../../crates/core/locales/fr.ftl?raw';
import coreHi from '../../crates/core/locales/hi.ftl?raw';
import coreJa from '../../crates/core/locales/ja.ftl?raw';
import corePt from '../../crates/core/locales/pt.ftl?raw';
import coreTr from '../../crates/core/locales/tr.ftl?raw';

/** The languages the prompt renderer ships (crates/prompt/src/l10n.rs), in its order. */
export const LOCALES = ['en', 'de', 'fr', 'es', 'pt', 'tr', 'ar', 'ja', 'hi'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language's name in that language (the language picker shows these). */
export const NATIVE_NAMES: Record<Locale, string> = {
  en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español', pt: 'Português', tr: 'Türkçe', ar: 'العربية',
  ja: '日本語', hi: 'हिन्दी',
};

export const RTL_LOCALES: ReadonlySet<Locale> = new Set<Locale>(['ar']);

export const UI_FTL: Record<Locale, string> = {
  en: uiEn, de: uiDe, fr: uiFr, es: uiEs, pt: uiPt, tr: uiTr, ar: uiAr, ja: uiJa, hi: uiHi,
};

export const PROMPT_FTL: Record<Locale, string> = {
  en: promptEn, de: promptDe, fr: promptFr, es: promptEs, pt: promptPt, tr: promptTr, ar: promptAr,
  ja: promptJa, hi: promptHi,
};

/** "de-DE", "DE", null… → a shipped locale (default en). */
export function normalizeLocale(tag: string | null | undefined): Locale {
  const base = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(base) ? (base as Locale) : 'en';
}

/**
 * The history's sentences (crates/core/locales), by language tag. The core ships them in
 * more languages than the UI may have yet: a language the UI adds finds its sentences here.
 */
export const HISTORY_FTL: Readonly<Record<string, string>> = {
  en: coreEn, de: coreDe, fr: coreFr, es: coreEs, pt: corePt, tr: coreTr, ar: coreAr, ja: coreJa, hi: coreHi,
};
