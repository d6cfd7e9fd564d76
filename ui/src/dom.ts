// Small DOM helpers. Everything user-visible goes in as text (textContent or
// attributes), never as HTML; nothing sets style attributes (CSP: style-src 'self').

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | EventListener>;

function apply(el: Element, props: Props): void {
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'style') throw new Error('style attributes are blocked by the CSP: use a class');
    if (typeof value === 'function') {
      el.addEventListener(key.replace(/^on/, '').toLowerCase(), value);
    } else if (key === 'class') {
      el.setAttribute('class', String(value));
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

const LRI = '\u2066';
const RLI = '\u2067';
const FSI = '\u2068';
const PDI = '\u2069';

/**
 * Text as nodes, with every isolated run (LRI/RLI/FSI … PDI, as i18n.ts marks placeables)
 * turned into a `<bdi>` element with the same direction. Why elements rather than the marks:
 * the isolate controls date from Unicode 6.3 and web engines came to them late, while
 * `<bdi dir>` (CSS `unicode-bidi: isolate`) isolates in every engine; and the structure is
 * visible to the tests, which check the laid-out order in the real window.
 */
export function bidiNodes(text: string): Node[] {
  const root: Node[] = [];
  const stack: { nodes: Node[], el: HTMLElement | null }[] = [{ nodes: root, el: null }];
  let run = '';
  const flush = () => {
    if (run) stack[stack.length - 1].nodes.push(document.createTextNode(run));
    run = '';
  };
  for (const ch of text) {
    if (ch === LRI || ch === RLI || ch === FSI) {
      flush();
      const el = document.createElement('bdi');
      if (ch !== FSI) el.dir = ch === LRI ? 'ltr' : 'rtl';
      stack[stack.length - 1].nodes.push(el);
      stack.push({ nodes: [], el });
    } else if (ch === PDI && stack.length > 1) {
      flush();
      const { nodes, el } = stack.pop()!;
      el!.append(...nodes);
    } else {
      run += ch;
    }
  }
  flush();
  // An isolate left open at the end closes there (as a paragraph end closes it in UAX #9).
  while (stack.length > 1) {
    const { nodes, el } = stack.pop()!;
    el!.append(...nodes);
  }
  return root;
}

/** Replaces an element's content with `text`, isolated runs as `<bdi>` (see bidiNodes). */
export function setText(el: Element, text: string): void {
  el.replaceChildren(...bidiNodes(text));
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (typeof c === 'string') el.append(...bidiNodes(c));
    else el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** h('button', {class: 'btn', onClick: f}, 'Text') */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, props: Props = {}, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** s('rect', {x: 1, y: 2, width: 3, height: 4, class: 'series-0'}) */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K, props: Props = {}, ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

/** The element with this id; throws if the page lacks it (a bug, not a state). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

export function show(el: Element, visible: boolean): void {
  (el as HTMLElement).hidden = !visible;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** <dialog>.showModal() where it exists (browsers), the open attribute elsewhere (jsdom). */
export function openDialog(d: HTMLDialogElement): void {
  if (typeof d.showModal === 'function') {
    try {
      d.showModal();
      return;
    } catch { /* fall through */ }
  }
  d.setAttribute('open', '');
}

export function closeDialog(d: HTMLDialogElement): void {
  if (typeof d.close === 'function') d.close();
  else d.removeAttribute('open');
}

/** A status text into an aria-live region, with a tone class (ok / error / info). */
export function setStatus(el: HTMLElement, text: string, tone: 'ok' | 'error' | 'info' = 'info'): void {
  setText(el, text);
  el.classList.remove('ok', 'error', 'info');
  if (text) el.classList.add(tone);
}
