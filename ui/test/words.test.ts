import { FluentBundle, FluentResource } from '@fluent/bundle';
import type { Message } from '@fluent/bundle/esm/ast';
import { afterEach, describe, expect, it } from 'vitest';
import sentencesJson from '../../crates/core/tests/sentences.json?raw';
import type { ApiError } from '../src/api';
import { toApiError } from '../src/api';
import type { Description } from '../src/bindings/Description';
import { errorNodes } from '../src/errors';
import { setLocale } from '../src/i18n';
import { HISTORY_FTL, LOCALES } from '../src/locales';
import { ENTRY_KINDS, kindLabel, sentence } from '../src/words';

type Example = { locale: string, description: Description, sentence: string };

afterEach(() => setLocale('en'));

describe('the history in words', () => {
  // crates/core/tests/sentences.json: the command's sentence for every shape of entry, in
  // three languages (written by the core's own test, which fails when it is stale).
  const examples = JSON.parse(sentencesJson) as Example[];

  it('says every entry exactly as the command says it', () => {
    expect(examples.length).toBeGreaterThan(150);
    for (const ex of examples) {
      setLocale(ex.locale);
      expect([ex.locale, ex.description.message, sentence(ex.description, { timeZone: 'UTC' })])
        .toEqual([ex.locale, ex.description.message, ex.sentence]);
    }
  });

  it('names the kinds of entry in words in every language', () => {
    for (const l of LOCALES) {
      setLocale(l);
      const labels = ENTRY_KINDS.map(kindLabel);
      expect(new Set(labels).size).toBe(ENTRY_KINDS.length);
      for (const label of labels) expect(label).not.toMatch(/_|^kind-/);
    }
  });

  it('says "a service" when the SP has no name, never an id or a dash', () => {
    const unnamed: Description = {
      message: 'event-revoked-here', specific: true, facts: [],
      args: { sp: { type: 'text', value: '' }, sp_known: { type: 'choice', value: 'no' } },
    };
    expect(sentence(unnamed)).toBe("You revoked a service's access on this device.");
  });
});

describe('the history files', () => {
  /** Message ids and, per message, the variables it uses. */
  function shape(source: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const m of new FluentResource(source).body as Message[]) {
      out[m.id] = [...new Set([...JSON.stringify(m).matchAll(/"type":"var","name":"(\w+)"/g)].map((x) => x[1]))].sort();
    }
    return out;
  }

  it('are there for every language of the UI', () => {
    for (const l of LOCALES) expect(HISTORY_FTL[l]).toBeDefined();
  });

  for (const [tag, source] of Object.entries(HISTORY_FTL)) {
    it(`${tag} has English's messages with the same variables, without syntax errors`, () => {
      expect(shape(source)).toEqual(shape(HISTORY_FTL.en));
      expect(new FluentBundle(tag).addResource(new FluentResource(source))).toEqual([]);
    });
  }
});

describe('failures in words', () => {
  const offline = (): ApiError => toApiError({
    error: 'gateway', message: 'The gateway cannot be reached. …', reason: 'gateway_unreachable', cause: 'cannot reach the gateway: could not connect',
  });

  it('say what happened and what to do, the cause behind a disclosure', () => {
    const box = document.createElement('p');
    box.append(...errorNodes(offline()));
    expect(box.querySelector('.error-sentence')!.textContent).toBe('The gateway cannot be reached.');
    expect(box.querySelector('.error-action')!.textContent).toBe('Check your internet connection and the gateway address in Settings, then try again.');
    const details = box.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')!.textContent).toBe('Technical details');
    expect(details.textContent).toContain('could not connect');
    setLocale('de');
    box.replaceChildren(...errorNodes(offline()));
    expect(box.querySelector('.error-sentence')!.textContent).toBe('Das Gateway ist nicht erreichbar.');
  });

  it('keep the backend words for a failure without a reason', () => {
    const box = document.createElement('p');
    box.append(...errorNodes(toApiError({ error: 'no_such_grant', message: 'no grant g-1' })));
    expect(box.textContent).toBe('Something went wrong: no grant g-1');
    expect(box.querySelector('details')).toBeNull();
  });
});
