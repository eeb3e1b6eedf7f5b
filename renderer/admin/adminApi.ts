import { z } from 'zod';
import { assessmentSchema, stageSchema } from '../../shared/records/network';
import type { FetchResponse } from '../../shared/sync/httpTransport';

/*
 * The secretariat's administration endpoints (docs/PROTOCOL.md, "Administration: /v1/admin/…"),
 * typed: every answer is checked against these schemas before a screen sees it, so a screen never
 * reads a field the hub did not send. Reads are tolerant of fields added later (a newer hub);
 * what this app sends is exactly what the contract names.
 */

export const adminRoles = ['member', 'steward', 'observer'] as const;
export type AdminRole = (typeof adminRoles)[number];
const roleSchema = z.enum(['secretariat', 'steward', 'member', 'observer']);

export const stewardScopeNames = ['proposals', 'offers', 'review'] as const;
export type StewardScopeName = (typeof stewardScopeNames)[number];

export const invitationStates = ['pending', 'used', 'expired', 'withdrawn'] as const;
export type InvitationState = (typeof invitationStates)[number];

export const invitationSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  role: roleSchema,
  createdAt: z.number(),
  expiresAt: z.number(),
  state: z.enum(invitationStates),
  usedAt: z.number().nullable(),
  usedBy: z.object({ credentialId: z.string(), deviceId: z.string(), deviceName: z.string() }).nullable(),
  withdrawnAt: z.number().nullable(),
});
export type AdminInvitation = z.infer<typeof invitationSchema>;

export const deviceSchema = z.object({
  credentialId: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  role: roleSchema,
  joinedAt: z.number(),
  lastSeenAt: z.number().nullable(),
  appVersion: z.string().nullable(),
  revokedAt: z.number().nullable(),
  revokeReason: z.string().nullable(),
  wipe: z.boolean(),
  isYou: z.boolean(),
});
export type AdminDevice = z.infer<typeof deviceSchema>;

export const orgSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: z.number(),
  lastSeenAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  revokeReason: z.string().nullable(),
  // A scope a newer hub knows and this app does not is left out, not a failed read.
  stewardScopes: z.array(z.string()).transform((scopes) => scopes.filter((scope): scope is StewardScopeName => (stewardScopeNames as readonly string[]).includes(scope))),
  devices: z.array(deviceSchema),
});
export type AdminOrg = z.infer<typeof orgSchema>;

export const regionLevels = ['province', 'prefecture', 'county', 'township'] as const;
export type RegionLevel = (typeof regionLevels)[number];
export const regionNodeSchema = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  level: z.enum(regionLevels),
  names: z.object({ zh: z.string(), en: z.string() }),
});
export type RegionNode = z.infer<typeof regionNodeSchema>;

export const settingsSchema = z.object({
  networkName: z.string(),
  secretariatName: z.string(),
  topic: z.string(),
  topics: z.array(z.string()),
  regions: z.array(regionNodeSchema),
  stages: z.array(stageSchema),
  assessment: assessmentSchema.nullable(),
  /** Absent from a hub older than attachments. */
  maxAttachmentBytes: z.number().optional(),
  /** The optional entry sections turned on; absent from a hub older than them. */
  optionalSections: z.array(z.string()).optional(),
});
export type AdminSettings = z.infer<typeof settingsSchema>;

export const auditActions = ['init', 'invite', 'withdraw-invitation', 'join', 'revoke-device', 'revoke-org', 'set-role', 'set-steward-scopes', 'settings'] as const;
export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.number(),
  action: z.string(),
  actor: z.object({ orgId: z.string().nullable(), credentialId: z.string().nullable(), deviceName: z.string() }),
  target: z.object({ kind: z.string(), id: z.string(), name: z.string().nullable().optional() }),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const invitationCreatedSchema = z.object({ code: z.string(), link: z.string(), invitation: invitationSchema });
export type InvitationCreated = z.infer<typeof invitationCreatedSchema>;

export type InviteRequest =
  | { readonly orgName: string; readonly role: AdminRole; readonly expiresInDays: number; readonly hubAddress: string }
  | { readonly orgId: string; readonly expiresInDays: number; readonly hubAddress: string };

export interface RevokeRequest {
  readonly reason: string;
  readonly wipe: boolean;
}

/** Why a request did not give an answer: the hub refused (a code), no answer came, or not a hub's answer. */
export type AdminFailure =
  | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly message: string }
  | { readonly kind: 'offline'; readonly message: string }
  | { readonly kind: 'bad-response'; readonly message: string };

export type AdminResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: AdminFailure };

/** What the console needs of a session: one authenticated request to its hub (Session.hubRequest). */
export interface AdminPort {
  hubRequest(path: string, request: { readonly method: 'GET' | 'POST' | 'PUT'; readonly body?: unknown; readonly accept?: string }): Promise<FetchResponse | null>;
}

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

async function call<T>(port: AdminPort, path: string, request: { method: 'GET' | 'POST' | 'PUT'; body?: unknown }, schema: z.ZodType<T>): Promise<AdminResult<T>> {
  let response: FetchResponse | null;
  try {
    response = await port.hubRequest(path, request);
  } catch (error) {
    return { ok: false, failure: { kind: 'offline', message: error instanceof Error ? error.message : String(error) } };
  }
  if (response === null) return { ok: false, failure: { kind: 'offline', message: 'no device token' } };
  let body: unknown = null;
  try {
    body = JSON.parse(await response.text());
  } catch {
    // Not JSON: a proxy's page, or not a hub.
  }
  if (response.status !== 200) {
    const refusal = errorSchema.safeParse(body);
    return refusal.success
      ? { ok: false, failure: { kind: 'refused', status: response.status, code: refusal.data.error.code, message: refusal.data.error.message } }
      : { ok: false, failure: { kind: 'refused', status: response.status, code: `http-${response.status}`, message: `HTTP ${response.status}` } };
  }
  const parsed = schema.safeParse(body);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, failure: { kind: 'bad-response', message: parsed.error.message } };
}

const pathId = encodeURIComponent;

/** The administration client of one secretariat device. */
export function adminClient(port: AdminPort) {
  return {
    listInvitations: () => call(port, '/v1/admin/invitations', { method: 'GET' }, z.object({ invitations: z.array(invitationSchema) })),
    invite: (request: InviteRequest) => call(port, '/v1/admin/invitations', { method: 'POST', body: request }, invitationCreatedSchema),
    withdrawInvitation: (id: string) => call(port, `/v1/admin/invitations/${pathId(id)}/withdraw`, { method: 'POST', body: {} }, z.object({ invitation: invitationSchema })),
    listOrgs: () => call(port, '/v1/admin/orgs', { method: 'GET' }, z.object({ orgs: z.array(orgSchema) })),
    revokeDevice: (credentialId: string, request: RevokeRequest) => call(port, `/v1/admin/devices/${pathId(credentialId)}/revoke`, { method: 'POST', body: request }, z.object({ device: deviceSchema })),
    revokeOrg: (orgId: string, request: RevokeRequest) => call(port, `/v1/admin/orgs/${pathId(orgId)}/revoke`, { method: 'POST', body: request }, z.object({ org: orgSchema })),
    setRole: (orgId: string, role: AdminRole) => call(port, `/v1/admin/orgs/${pathId(orgId)}/role`, { method: 'PUT', body: { role } }, z.object({ org: orgSchema })),
    setStewardScopes: (orgId: string, scopes: readonly StewardScopeName[]) => call(port, `/v1/admin/orgs/${pathId(orgId)}/steward-scopes`, { method: 'PUT', body: { scopes } }, z.object({ org: orgSchema })),
    getSettings: () => call(port, '/v1/admin/settings', { method: 'GET' }, z.object({ settings: settingsSchema })),
    putSettings: (settings: Partial<AdminSettings>) => call(port, '/v1/admin/settings', { method: 'PUT', body: settings }, z.object({ settings: settingsSchema })),
    audit: (before?: number) => call(port, `/v1/admin/audit?limit=200${before !== undefined ? `&before=${before}` : ''}`, { method: 'GET' }, z.object({ entries: z.array(auditEntrySchema), nextBefore: z.number().nullable() })),
    async auditCsv(): Promise<AdminResult<string>> {
      let response: FetchResponse | null;
      try {
        response = await port.hubRequest('/v1/admin/audit?format=csv', { method: 'GET', accept: 'text/csv' });
      } catch (error) {
        return { ok: false, failure: { kind: 'offline', message: error instanceof Error ? error.message : String(error) } };
      }
      if (response === null) return { ok: false, failure: { kind: 'offline', message: 'no device token' } };
      const text = await response.text();
      // Decoding the answer as text drops the hub's UTF-8 byte-order mark; without it Excel on a
      // Chinese Windows reads the file as GBK and garbles every name.
      if (response.status === 200) return { ok: true, value: text.startsWith('\uFEFF') ? text : `\uFEFF${text}` };
      const refusal = errorSchema.safeParse((() => { try { return JSON.parse(text) as unknown; } catch { return null; } })());
      return { ok: false, failure: { kind: 'refused', status: response.status, code: refusal.success ? refusal.data.error.code : `http-${response.status}`, message: refusal.success ? refusal.data.error.message : `HTTP ${response.status}` } };
    },
  };
}
export type AdminClient = ReturnType<typeof adminClient>;
