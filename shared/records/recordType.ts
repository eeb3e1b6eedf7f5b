import { z } from 'zod';

/** Every kind of record that syncs. Each is one Y.Doc with its own module in this folder. */
export const recordTypes = ['network', 'org', 'entry', 'proposal', 'ballot', 'comment', 'offer', 'interest', 'result', 'draft'] as const;
export type RecordType = (typeof recordTypes)[number];
export const recordTypeSchema = z.enum(recordTypes);

/** Roles a member organization can hold in the network. */
export const roles = ['secretariat', 'steward', 'member', 'observer'] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles);

/**
 * The immutable header of a record. The hub sets it from the authenticated identity on first
 * push and never reads it from the Yjs content, so nothing in a Y.Doc can claim an owner.
 */
export interface RecordHeader {
  readonly id: string;
  readonly type: RecordType;
  readonly ownerOrg: string;
  readonly createdAt: number;
}

export const recordIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_~.:-]+$/, 'a record id uses letters, digits and _ ~ . : - only');

export const recordHeaderSchema = z.object({
  id: recordIdSchema,
  type: recordTypeSchema,
  ownerOrg: recordIdSchema,
  createdAt: z.number().int().nonnegative(),
});
