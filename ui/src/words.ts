// The history in words: each entry's description (from the core's describer,
// crates/core/src/describe.rs, through the `history` command) formatted with the core's
// Fluent files by the same rules as crates/core/src/words.rs, so that a sentence reads the
// same in the app and in `assent audit`: English where a language lacks a message, the
// prompts' attribute labels, SP names isolated where directions can mix, numbers in ASCII
// digits without grouping, a day and month from the files' own month names.
import { FluentBundle, FluentNumber, FluentResource, type FluentVariable } from '@fluent/bundle';
import type { Arg } from './bindings/Arg';
import type { Description } from './bindings/Description';
import type { EntryKind } from './bindings/EntryKind';
import { attrLabel, isolateText, locale } from './i18n';
import { HISTORY_FTL } from './locales';

/** Every kind of entry, in the order the History filter lists them. */
export const ENTRY_KINDS: readonly EntryKind[] = [
  'resource_access', 'consent', 'answer', 'revocation', 'authorization_request', 'prompt_sent',
  'token_issued', 'notification', 'sp_flagged', 'refusal', 'resource_refused', 'admin',
];

const bundles = new Map<string, FluentBundle>();

function bundle(tag: string): FluentBundle | null {
  const source = HISTORY_FTL[tag];
  if (source === undefined) return null;
  let b = bundles.get(tag);
  if (!b) {
    // Isolation is decided per argument (isolateText), as the command does.
    b = new FluentBundle(tag, { useIsolating: false });
    b.addResource(new FluentResource(source));
    bundles.set(tag, b);
  }
  return b;
}

function format(id: string, args?: Record<string, FluentVariable>): string | null {
  const current = locale();
  for (const tag of current === 'en' ? ['en'] : [current, 'en']) {
    const b = bundle(tag);
    const message = b?.getMessage(id);
    if (b && message?.value) return b.formatPattern(message.value, args ?? null, []);
  }
  return null;
}

/** A message of the history's files without arguments (kind and fact labels). */
export function historyMessage(id: string): string {
  return format(id) ?? id;
}

/** The label of a kind of entry, as the filter and the details show it. */
export function kindLabel(kind: EntryKind): string {
  return historyMessage(`kind-${kind}`);
}

/** "given name, email and phone number". */
function list(names: readonly string[]): string {
  const labels = names.map(attrLabel);
  const last = labels.pop();
  if (last === undefined) return '';
  if (labels.length === 0) return last;
  return format('list-and', { head: labels.join(historyMessage('list-comma')), last }) ?? '';
}

/** "12 June": the day of `ms` in `timeZone` (the device's when not given). */
function dayAndMonth(ms: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, day: 'numeric', month: 'numeric', year: 'numeric' })
    .formatToParts(ms);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return format('date-day-month', { day: part('day'), month: historyMessage(`month-${part('month')}`) }) ?? '';
}

function value(arg: Arg, timeZone?: string): FluentVariable {
  switch (arg.type) {
    case 'text': return isolateText(arg.value);
    case 'choice': return arg.value;
    // ASCII digits, no grouping: as the command writes numbers.
    case 'number': return new FluentNumber(arg.value, { useGrouping: false, numberingSystem: 'latn' } as Intl.NumberFormatOptions);
    case 'message': return historyMessage(arg.id);
    case 'attributes': return list(arg.names);
    case 'date': return dayAndMonth(arg.ms, timeZone);
  }
}

/** The sentence of a description in the current language. */
export function sentence(d: Description, opts: { timeZone?: string } = {}): string {
  const args: Record<string, FluentVariable> = {};
  for (const [name, arg] of Object.entries(d.args)) {
    if (arg) args[name] = value(arg, opts.timeZone);
  }
  return format(d.message, args) ?? d.message;
}
