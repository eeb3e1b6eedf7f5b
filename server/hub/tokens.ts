import { createHmac, randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { z } from 'zod';
import { roleSchema, type Role } from '../../shared/records/recordType';
import { HubError } from './hubError';

/*
 * Device credentials: `base64url(payload).base64url(HMAC-SHA256(secret, payload))`. The payload
 * binds organization, device and role; revocation lives in storage and is checked on every
 * request, so a signed token alone is never enough.
 */

const payloadSchema = z.object({
  v: z.literal(1),
  cid: z.string(),
  org: z.string(),
  dev: z.string(),
  role: roleSchema,
  iat: z.number(),
  exp: z.number(),
});
export type TokenClaims = z.infer<typeof payloadSchema>;

export const DEFAULT_TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function issueToken(secret: string, claims: { credentialId: string; orgId: string; deviceId: string; role: Role; now: number; ttlMs?: number }): string {
  const payload: TokenClaims = {
    v: 1,
    cid: claims.credentialId,
    org: claims.orgId,
    dev: claims.deviceId,
    role: claims.role,
    iat: claims.now,
    exp: claims.now + (claims.ttlMs ?? DEFAULT_TOKEN_TTL_MS),
  };
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${sign(secret, encoded)}`;
}

/** Verifies signature and expiry; throws HubError 401 (never says which part was wrong beyond the code). */
export function verifyToken(secret: string, token: string, now: number): TokenClaims {
  const [encoded, signature, extra] = token.split('.');
  if (!encoded || !signature || extra !== undefined) throw new HubError('unauthorized', 'malformed token');
  const expected = Buffer.from(sign(secret, encoded));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new HubError('unauthorized', 'token signature does not verify');
  let claims: TokenClaims;
  try {
    claims = payloadSchema.parse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
  } catch {
    throw new HubError('unauthorized', 'malformed token');
  }
  if (claims.exp <= now) throw new HubError('token-expired', 'the credential has expired; join again with a new invitation');
  return claims;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Invitation codes: 20 characters of Crockford base32 in groups, e.g. FW-7K2M-Q9XD-…; stored only as a hash. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function newInvitationCode(): string {
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => ALPHABET[b % 32]).join('');
  return `FW-${chars.match(/.{4}/g)!.join('-')}`;
}

/**
 * The code's characters without case, spaces, dashes or the `FW` mark; a whole invitation link
 * (`<hub>/#invitation=<code>`) is read as its code.
 */
export function normalizeInvitationCode(code: string): string {
  const mark = code.indexOf('#invitation=');
  const bare = mark >= 0 ? code.slice(mark + '#invitation='.length) : code;
  return bare.trim().toUpperCase().replace(/[\s-]/g, '').replace(/^FW/, '');
}

export function hashInvitationCode(code: string): string {
  return createHash('sha256').update(normalizeInvitationCode(code)).digest('hex');
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}
