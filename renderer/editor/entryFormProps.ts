import type { Attribution, EntryProjection } from '../../shared/records/entry';
import type { entryMutators } from '../../shared/records/entry';
import type { SaveTracking } from '../forms/useSaveTracking';

/** What every panel of the entry form works with: the entry as the doc has it, and how to change it. */
export interface EntryFormProps {
  readonly p: EntryProjection;
  readonly canEdit: boolean;
  /** The entry's language where it names one: set on its text, for fonts and screen readers. */
  readonly lang: string | undefined;
  readonly saving: SaveTracking;
  readonly setFields: (field: string, values: Parameters<typeof entryMutators.setFields.apply>[1]) => void;
  readonly setAttribution: (patch: Partial<Attribution>) => void;
}
