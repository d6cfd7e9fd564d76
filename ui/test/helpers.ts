import { vi } from 'vitest';
import indexHtml from '../index.html?raw';
import { useBackend } from '../src/api';
import { type AppHandle, startApp } from '../src/app';
import { setLocale } from '../src/i18n';
import { createMockBackend, MockBackend, type MockOptions } from '../src/mock';
import { resetState } from '../src/state';

/** The real index.html's body in jsdom's document (without the module script). */
export function loadPage(): void {
  const doc = new DOMParser().parseFromString(indexHtml, 'text/html');
  doc.querySelectorAll('script').forEach((s) => s.remove());
  document.body.replaceChildren(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
  document.title = 'Assent';
}

/** A fresh mock backend, the page, and the app started on it. */
export async function boot(opts: MockOptions | MockBackend = {}): Promise<{ app: AppHandle, mock: MockBackend }> {
  const mock = opts instanceof MockBackend ? opts : createMockBackend({ delayMs: 0, ...opts });
  useBackend(mock);
  resetState();
  setLocale('en');
  loadPage();
  const app = await startApp();
  return { app, mock };
}

export function $<T extends HTMLElement = HTMLElement>(selector: string): T {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`no ${selector}`);
  return el;
}

export function type(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

export function submit(form: HTMLFormElement): void {
  form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
}

/** Text without the Unicode isolation marks Fluent placeables may carry. */
export const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u2066-\u2069]/g, '');

export const waitFor = vi.waitFor;
