import { z } from 'zod';
import { assessmentSchema, maxAttachmentBytesSchema, optionalSectionsSchema, stageSchema } from '../records/network';
import type { OptionalSection } from '../records/entryTemplates';
import { regionNodeSchema, MAX_REGION_NODES, type RegionNode } from '../records/regionTree';
import { roleSchema, type Role } from '../records/recordType';

/*
 * The secretariat's administration on the wire (docs/PROTOCOL.md, "Administration"): request
 * schemas the hub parses with, and the shapes it answers. The console (renderer/admin) may import
 * both. Request objects are strict: an unknown field is `bad-request`.
 */

const text = (min: number, max: number) => z.string().trim().min(min).max(max).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** Roles an invitation (new organization) or a role change may give: the secretariat is fixed at `hub init`. */
export const grantableRoles = ['member', 'steward', 'observer'] as const;

export const DEFAULT_INVITATION_DAYS = 14;
export const MAX_INVITATION_DAYS = 90;

/** `<hubAddress>/#invitation=<code>`: the one string an invitation is handed over as. */
export const INVITATION_LINK_MARK = '/#invitation=';

export const hubAddressSchema = z
  .string()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '' && !value.endsWith('/') && !value.includes('#') && !value.includes('?');
    } catch {
      return false;
    }
  }, 'must be an http(s) address without query, fragment or trailing slash');

export function invitationLink(hubAddress: string, code: string): string {
  return `${hubAddress}${INVITATION_LINK_MARK}${code}`;
}

/** Reads an invitation link back into its hub address and code; null for anything else (a bare code, say). */
export function parseInvitationLink(text: string): { hubAddress: string; code: string } | null {
  const trimmed = text.trim();
  const at = trimmed.indexOf(INVITATION_LINK_MARK);
  if (at <= 0) return null;
  const hubAddress = trimmed.slice(0, at);
  const code = trimmed.slice(at + INVITATION_LINK_MARK.length);
  if (!hubAddressSchema.safeParse(hubAddress).success || code === '') return null;
  return { hubAddress, code };
}

export const createInvitationRequestSchema = z
  .strictObject({
    orgName: text(1, 200).optional(),
    orgId: z.string().min(1).max(100).optional(),
    role: z.enum(grantableRoles).optional(),
    expiresInDays: z.number().int().min(1).max(MAX_INVITATION_DAYS).optional(),
    hubAddress: hubAddressSchema.optional(),
  })
  .refine((request) => (request.orgName === undefined) !== (request.orgId === undefined), 'give exactly one of orgName (a new organization) and orgId (another device)')
  .refine((request) => request.orgId === undefined || request.role === undefined, 'another device gets its organization\'s role: leave role out with orgId');
export type CreateInvitationRequest = z.infer<typeof createInvitationRequestSchema>;

export const revokeRequestSchema = z.strictObject({ reason: text(1, 500), wipe: z.boolean().optional() });
export type RevokeRequest = z.infer<typeof revokeRequestSchema>;

export const setRoleRequestSchema = z.strictObject({ role: roleSchema });

export const setStewardScopesRequestSchema = z.strictObject({
  scopes: z
    .array(z.string().max(60))
    .max(10)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'scopes must not repeat'),
});

export const settingsUpdateSchema = z.strictObject({
  networkName: text(1, 200).optional(),
  secretariatName: text(1, 200).optional(),
  topic: text(0, 200).optional(),
  topics: z
    .array(text(1, 80))
    .max(50)
    .refine((topics) => new Set(topics).size === topics.length, 'topics must be distinct')
    .optional(),
  // The tree's shape (ids, parents, levels) is checked by the hub: `bad-region-tree`, not `bad-request`.
  regions: z.array(regionNodeSchema).max(MAX_REGION_NODES).optional(),
  stages: z
    .array(stageSchema.strict())
    .max(20)
    .refine((stages) => new Set(stages.map((stage) => stage.id)).size === stages.length, 'stage ids must be unique')
    .optional(),
  assessment: assessmentSchema.nullable().optional(),
  /** The largest attachment rendition the hub takes, in bytes (network record `maxAttachmentBytes`). */
  maxAttachmentBytes: maxAttachmentBytesSchema.optional(),
  /** The optional entry sections the entry form offers (network record `optionalSections`); a name not in the list is `bad-request`. */
  optionalSections: optionalSectionsSchema.optional(),
});
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

export const auditQuerySchema = z.strictObject({
  format: z.enum(['json', 'csv']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

// ---- Answers -----------------------------------------------------------------------------------

export type InvitationState = 'pending' | 'used' | 'expired' | 'withdrawn';

export interface InvitationView {
  readonly id: string;
  readonly orgId: string;
  readonly orgName: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly state: InvitationState;
  readonly usedAt: number | null;
  readonly usedBy: { readonly credentialId: string; readonly deviceId: string; readonly deviceName: string } | null;
  readonly withdrawnAt: number | null;
}

export interface CreatedInvitation {
  /** Shown once: the hub keeps only its hash. */
  readonly code: string;
  readonly link: string;
  readonly invitation: InvitationView;
}

export interface DeviceView {
  readonly credentialId: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly role: Role;
  readonly joinedAt: number;
  readonly lastSeenAt: number | null;
  readonly appVersion: string | null;
  readonly revokedAt: number | null;
  readonly revokeReason: string | null;
  readonly wipe: boolean;
  readonly isYou: boolean;
}

export interface OrgView {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly lastSeenAt: number | null;
  readonly revokedAt: number | null;
  readonly revokeReason: string | null;
  readonly stewardScopes: readonly string[];
  readonly devices: readonly DeviceView[];
}

export interface NetworkSettings {
  readonly networkName: string;
  readonly secretariatName: string;
  readonly topic: string;
  readonly topics: readonly string[];
  readonly regions: readonly RegionNode[];
  readonly stages: readonly { readonly id: string; readonly label: string }[];
  readonly assessment: z.infer<typeof assessmentSchema> | null;
  readonly maxAttachmentBytes: number;
  readonly optionalSections: readonly OptionalSection[];
}

export const APP_VERSION_HEADER = 'fieldwise-app-version';
/** An app version as a device reports it: printable ASCII, at most 40 characters. */
export const appVersionSchema = z.string().regex(/^[\x20-\x7e]{1,40}$/);
