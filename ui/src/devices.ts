// The display profiles the settings screen previews the sample prompt on (the
// render_prompt command). The type is generated from assent_prompt::wire::WireDevice.
import type { WireDevice } from './bindings/WireDevice';

/** The phone authenticator's display profile (as in the current preview). */
export const PHONE_DEVICE: WireDevice = {
  kind: 'phone', columns: 32, rows: 8, max_bytes: 220, encodings: ['gsm7', 'ucs2', 'utf8'],
};

/** USSD: one interaction; the renderer knows its size. */
export const USSD_DEVICE: WireDevice = {
  kind: 'ussd', columns: null, rows: null, max_bytes: null, encodings: ['gsm7', 'ucs2'],
};
