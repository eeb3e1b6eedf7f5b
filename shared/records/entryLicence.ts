import { z } from 'zod';
import { readField, writeFields } from './layout';
import { defineMutator } from './recordModule';
import { shortText } from './fieldSchemas';
import type { InvariantViolation } from './invariants';
import type * as Y from 'yjs';

/*
 * An entry's licence or conditions of use: one of the Creative Commons licences a network commonly
 * uses, all rights reserved, or the community's own conditions in its own words. `unspecified`
 * (the default, and what an entry written before the field reads as) says nobody has chosen yet.
 * Stored as the plain `licence` field of the `fields` map: `{ id, conditions }`.
 */

export const licenceIds = ['unspecified', 'cc-by-4.0', 'cc-by-nc-4.0', 'cc-by-sa-4.0', 'all-rights-reserved', 'community-conditions'] as const;
export type LicenceId = (typeof licenceIds)[number];

export const licenceSchema = z.object({
  id: z.enum(licenceIds),
  /** The conditions in the community's words; needed for `community-conditions`, a note for the others. */
  conditions: shortText(2000),
});
export type Licence = z.infer<typeof licenceSchema>;

export const unspecifiedLicence: Licence = { id: 'unspecified', conditions: '' };

export const readLicence = (doc: Y.Doc): Licence => readField(doc, 'licence', licenceSchema, unspecifiedLicence);

/** The community's own conditions must say what they are. */
export function licenceViolation(licence: Licence): InvariantViolation | null {
  return licence.id === 'community-conditions' && licence.conditions.trim() === ''
    ? { field: 'licence.conditions', reason: 'the community’s own conditions of use need their text' }
    : null;
}

export const setEntryLicence = defineMutator('entry', 'setLicence', 'edit', licenceSchema, (doc, licence) => writeFields(doc, { licence }));
