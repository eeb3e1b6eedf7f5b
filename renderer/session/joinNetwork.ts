import { joinResponseSchema, type JoinResponse } from '../../shared/sync/protocol';
import type { FetchPort } from '../../shared/sync/httpTransport';

/*
 * POST /v1/join: an invitation code becomes this device's credential. The hub's answer is checked
 * against the protocol's schema before anything is stored.
 */

export type JoinOutcome =
  | { readonly ok: true; readonly response: JoinResponse }
  /** `code` is the hub's error code where it sent one (e.g. 'invitation-invalid'), else 'network' or 'bad-response'. */
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * `appVersion` is recorded as the device's app version (the secretariat's console shows it).
 * `devicePublicKey` (base64url) registers the key that signs this device's sync bundles at once;
 * without it the session registers the key after unlocking (POST /v1/device-key).
 */
export async function joinNetwork(fetchPort: FetchPort, hubUrl: string, code: string, deviceName: string, devicePublicKey?: string, appVersion?: string): Promise<JoinOutcome> {
  let response;
  try {
    response = await fetchPort(`${hubUrl}/v1/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: code.trim(), deviceName: deviceName.trim(), ...(devicePublicKey ? { devicePublicKey } : {}), ...(appVersion && /^[\x20-\x7e]{1,40}$/.test(appVersion) ? { appVersion } : {}) }),
    });
  } catch (error) {
    return { ok: false, code: 'network', message: error instanceof Error ? error.message : String(error) };
  }
  let body: unknown = null;
  try {
    body = JSON.parse(await response.text());
  } catch {
    // Not JSON: a proxy's page, or not a hub at all.
  }
  if (response.status !== 200) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return {
      ok: false,
      code: typeof error?.code === 'string' ? error.code : `http-${response.status}`,
      message: typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
    };
  }
  const parsed = joinResponseSchema.safeParse(body);
  if (!parsed.success) return { ok: false, code: 'bad-response', message: 'the address answered, but not as a Fieldwise hub' };
  return { ok: true, response: parsed.data };
}
