// What the screens share: names of SPs by client id (from the grants), so the
// history can show "Demo Shop" instead of "demo-shop".
import * as api from './api';

export const spNames = new Map<string, string>();

export function rememberSpNames(grants: readonly { client_id: string, client_name: string }[]): void {
  for (const g of grants) spNames.set(g.client_id, g.client_name);
}

let loaded: Promise<void> | null = null;

/** Loads the names once (best effort: without them the history shows ids). */
export function loadSpNames(): Promise<void> {
  loaded ??= api.grants().then(rememberSpNames, () => { loaded = null; });
  return loaded;
}

export function spLabel(id: string | null): string {
  if (!id) return '—';
  return spNames.get(id) ?? id;
}

/** Clears everything (tests). */
export function resetState(): void {
  spNames.clear();
  loaded = null;
}
