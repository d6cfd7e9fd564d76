import { FluentBundle, FluentResource } from '@fluent/bundle';
import type { Message } from '@fluent/bundle/esm/ast';
import { describe, expect, it } from 'vitest';
import indexHtml from '../index.html?raw';
import coreSettingsRs from '../../crates/core/src/settings.rs?raw';
import promptL10nRs from '../../crates/prompt/src/l10n.rs?raw';
import { type Locale, LOCALES, NATIVE_NAMES, PROMPT_FTL, RTL_LOCALES, UI_FTL } from '../src/locales';

/** Message ids (with their attributes, as "id.attr") of a Fluent resource; terms left out. */
function ids(source: string): string[] {
  const res = new FluentResource(source);
  return res.body
    .filter((m): m is Message => !m.id.startsWith('-'))
    .flatMap((m) => [m.id, ...Object.keys(m.attributes).map((a) => `${m.id}.${a}`)])
    .sort();
}

/** Every variable name a message uses, so a translation cannot rename one. */
function variables(source: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of new FluentResource(source).body) {
    out.set(m.id, [...JSON.stringify(m).matchAll(/"type":"var","name":"(\w+)"/g)].map((x) => x[1]).sort());
  }
  return out;
}

const ARGS = { number: '+33 6', expires: '1 Jan', client: 'Demo Shop', time: '10:00', total: 3, services: 2, days: 4,
  path: '/tmp/x', entries: 12, message: 'boom', encoding: 'gsm7', bytes: 42, attributes: 'email', seq: 7, name: 'Work laptop', from: '1 Jan',
  to: '3 Jan', attribute: 'email', date: '8 Jan' };

describe('UI strings', () => {
  const en = ids(UI_FTL.en);

  it('English has the ids the page uses', () => {
    const used = [...indexHtml.matchAll(/data-l10n-id="([\w-]+)"/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(50);
    for (const id of used) expect(en).toContain(id);
  });

  for (const locale of LOCALES) {
    it(`${locale} has exactly the English ids, without syntax errors`, () => {
      // Junk (a syntax error) would make a message vanish, so the ids would differ.
      expect(ids(UI_FTL[locale])).toEqual(en);
    });

    it(`${locale} uses the same variables as English and formats without errors`, () => {
      const enVars = variables(UI_FTL.en);
      const vars = variables(UI_FTL[locale]);
      for (const [id, v] of enVars) expect([id, vars.get(id)]).toEqual([id, v]);
      const bundle = new FluentBundle(locale);
      expect(bundle.addResource(new FluentResource(UI_FTL[locale]))).toEqual([]);
      for (const id of en.filter((x) => !x.includes('.'))) {
        const msg = bundle.getMessage(id)!;
        const errors: Error[] = [];
        if (msg.value) bundle.formatPattern(msg.value, ARGS, errors);
        for (const attr of Object.values(msg.attributes)) bundle.formatPattern(attr, ARGS, errors);
        expect([id, errors]).toEqual([id, []]);
      }
    });
  }
});

describe('prompt crate strings (attribute and group labels)', () => {
  const en = ids(PROMPT_FTL.en);
  it('has attribute labels', () => {
    expect(en).toContain('attr-given_name');
    expect(en).toContain('group-contact');
  });
  for (const locale of LOCALES) {
    it(`${locale} has every prompt id English has`, () => {
      expect(ids(PROMPT_FTL[locale])).toEqual(en);
    });
  }
});

describe('the languages the app offers', () => {
  /** The language of each Fluent file a glob finds, sorted. */
  const languages = (files: Record<string, unknown>) =>
    Object.keys(files).map((path) => path.replace(/^.*\/(\w+)\.ftl$/, '$1')).sort();

  it('are the prompt renderer\'s and the core settings\' languages, each with both Fluent files', () => {
    // crates/prompt/src/l10n.rs: `const SHIPPED: [...] = [("en", Direction::…, …), …]`.
    const shipped = [...promptL10nRs.matchAll(/\(\s*"([a-z]{2})",\s*Direction::/g)].map((m) => m[1]);
    expect(shipped).toEqual([...LOCALES]);
    // crates/core/src/settings.rs: the languages a settings file may name.
    const core = /pub const LOCALES: \[&str; \d+\] = \[([^\]]*)\]/.exec(coreSettingsRs);
    expect([...core![1].matchAll(/"([a-z]{2})"/g)].map((m) => m[1])).toEqual([...LOCALES]);
    expect(languages(import.meta.glob('../locales/*.ftl'))).toEqual([...LOCALES].sort());
    expect(languages(import.meta.glob('../../crates/prompt/locales/*.ftl'))).toEqual([...LOCALES].sort());
  });

  it('are each in the settings\' language list, named in that language, with its direction', () => {
    const doc = new DOMParser().parseFromString(indexHtml, 'text/html');
    const options = [...doc.querySelectorAll<HTMLOptionElement>('#settings-locale option')];
    expect(options.map((o) => o.value)).toEqual([...LOCALES]);
    for (const option of options) {
      const l = option.value as Locale;
      expect([l, option.textContent, option.lang, option.dir])
        .toEqual([l, NATIVE_NAMES[l], l, RTL_LOCALES.has(l) ? 'rtl' : 'ltr']);
    }
  });
});
