// Every call into the Rust side goes through this module. In the Tauri app the
// calls are Tauri commands; in a plain browser (npm run dev) and in the tests
// they go to an in-memory mock backend with the same commands (./mock.ts),
// loaded lazily so it never ends up in the app's main chunk.
import { invoke as tauriInvoke } from '@tauri-apps/api/core';
import { listen as tauriListen } from '@tauri-apps/api/event';
import type { CommandError } from './bindings/CommandError';
import type { ConsentCard } from './bindings/ConsentCard';
import type { DeviceInfo } from './bindings/DeviceInfo';
import type { Enrollment } from './bindings/Enrollment';
import type { EnrollmentState } from './bindings/EnrollmentState';
import type { Grant } from './bindings/Grant';
import type { HistoryFilter } from './bindings/HistoryFilter';
import type { HistoryPage } from './bindings/HistoryPage';
import type { Receipt } from './bindings/Receipt';
import type { RenderRequest } from './bindings/RenderRequest';
import type { RenderResponse } from './bindings/RenderResponse';
import type { Settings } from './bindings/Settings';
import type { Step } from './bindings/Step';
import type { VerifyResult } from './bindings/VerifyResult';
import type { Withdrawn } from './bindings/Withdrawn';

/** Event the backend emits during enrollment; the payload is the step just saved. */
export const ENROLL_PROGRESS_EVENT = 'enroll-progress';

/** What api.ts needs from a backend: Tauri's invoke/listen, or the mock's. */
export interface Backend {
  invoke(cmd: string, args?: Record<string, unknown>): Promise<unknown>;
  listen(event: string, handler: (payload: unknown) => void): Promise<() => void>;
}

/**
 * A failed command: the backend's `{error, message, reason, cause}`, as an Error. `reason`
 * names a failure the user can act on (the UI words it, errors.ts); `cause` is then the
 * technical text behind it.
 */
export class ApiError extends Error implements CommandError {
  readonly error: string;
  readonly reason: string | null;
  override readonly cause: string | null;
  constructor(error: string, message: string, reason: string | null = null, cause: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.error = error;
    this.reason = reason;
    this.cause = cause;
  }
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object' && 'message' in e) {
    const o = e as { error?: unknown, message?: unknown, reason?: unknown, cause?: unknown };
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    return new ApiError(text(o.error) ?? 'unknown', String(o.message), text(o.reason), text(o.cause));
  }
  // Tauri itself rejects with plain strings (e.g. "command not allowed").
  return new ApiError('unknown', typeof e === 'string' ? e : JSON.stringify(e));
}

export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

const tauriBackend: Backend = {
  invoke: (cmd, args) => tauriInvoke(cmd, args),
  listen: (event, handler) => tauriListen(event, (e) => handler(e.payload)),
};

let backend: Promise<Backend> | null = null;

function getBackend(): Promise<Backend> {
  backend ??= inTauri()
    ? Promise.resolve(tauriBackend)
    : import('./mock').then((m) => m.createMockBackend(m.optionsFromLocation()));
  return backend;
}

/** Replaces the backend (tests: a fresh mock for each test). */
export function useBackend(b: Backend): void {
  backend = Promise.resolve(b);
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  const b = await getBackend();
  try {
    return (await b.invoke(cmd, args)) as T;
  } catch (e) {
    throw toApiError(e);
  }
}

// ---- settings ----
export const settingsGet = () => call<Settings>('settings_get');
export const settingsSet = (settings: Settings) => call<Settings>('settings_set', { settings });

// ---- enrollment ----
export const enrollmentStatus = () => call<EnrollmentState | null>('enrollment_status');
export const enrollStart = (number: string) => call<Enrollment>('enroll_start', { number });
export const enrollCode = (text: string) => call<Enrollment>('enroll_code', { text });
/** Renews this device: a fresh proof of the number (stops for the SMS code). */
export const enrollRenew = () => call<Enrollment>('enroll_renew');
export const enrollFromSimulator = () => call<Enrollment>('enroll_from_simulator');

/** Calls `handler` with each step the backend reports; resolves to an unsubscribe function. */
export async function onEnrollProgress(handler: (step: Step) => void): Promise<() => void> {
  const b = await getBackend();
  return b.listen(ENROLL_PROGRESS_EVENT, (payload) => handler(payload as Step));
}

// ---- consent ----
/** Pending requests; waits up to `waitSeconds` for one to arrive. */
export const inbox = (waitSeconds: number) => call<ConsentCard[]>('inbox', { waitSeconds });
/** Resolves to whether the gateway accepted the decision (false: no longer pending). */
export const decide = (id: string, approve: boolean) => call<boolean>('decide', { id, approve });

// ---- access ----
export const grants = () => call<Grant[]>('grants');
export const revoke = (grantId: string) => call<null>('revoke', { grantId });
/**
 * Stops sharing some attributes of a grant and keeps the rest; resolves to what it gives now.
 * Refused (`invalid_input`, the reason in words) for an attribute the grant does not give,
 * or for every attribute it still gives (that is a revocation).
 */
export const withdraw = (grantId: string, attributes: string[]) =>
  call<Withdrawn>('withdraw', { grantId, attributes });
/** The signed consent receipts (given and withdrawn), each verified by the core. */
export const receipts = () => call<Receipt[]>('receipts');
export const flag = (clientId: string, reason: string) => call<null>('flag', { clientId, reason });
export const devices = () => call<DeviceInfo[]>('devices');
export const revokeDevice = (deviceId: string) => call<null>('revoke_device', { deviceId });

// ---- history ----
export const history = (filter: HistoryFilter) => call<HistoryPage>('history', { filter });
export const historyVerify = () => call<VerifyResult>('history_verify');
/** Exports to a file the backend picks (Downloads); resolves to its path. */
export const historyExport = () => call<string>('history_export');

// ---- prompt preview ----
export const renderPrompt = (request: RenderRequest) => call<RenderResponse>('render_prompt', { request });
