import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { refusalText } from '../i18n/refusalText';
import { SaveTracker, type SaveState } from './saveTracker';

/** What an autosaving form needs: the "saved" state, each field's refusal, and how to write. */
export interface SaveTracking {
  readonly state: SaveState;
  /** Field -> why its last write was refused, in the user's language. */
  readonly fieldErrors: Readonly<Record<string, string>>;
  /** Writes one field's change, following it until durable; a refusal shows under that field. */
  save(field: string, write: () => Promise<void>): void;
  /** A change written another way (rich text on the doc): "saved" waits until this resolves. */
  track(write: Promise<unknown>): void;
  /** For AutosaveTextInput's onDirty: the field has typed text waiting for its autosave. */
  dirty(field: string): () => void;
  /** A refusal found before writing (the record would refuse it too), so the doc stays untouched. */
  refuse(field: string, message: string): void;
}

/**
 * One SaveTracker per mounted form: "saved" means every write so far is in the outbox and the
 * record and no typed text waits (see saveTracker.ts), and a refused write says why beside its field.
 */
export function useSaveTracking(): SaveTracking {
  const { t } = useTranslation();
  const tracker = useMemo(() => new SaveTracker(), []);
  const [state, setState] = useState(tracker.state);
  useEffect(() => tracker.onDidChange(setState), [tracker]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  return {
    state,
    fieldErrors,
    save: (field, write) => {
      tracker.markClean(field);
      const run = write();
      void tracker.track(run);
      run.then(
        () => setFieldErrors(({ [field]: _dropped, ...rest }) => rest),
        (error: unknown) => setFieldErrors((current) => ({ ...current, [field]: refusalText(t, error) })),
      );
    },
    track: (write) => void tracker.track(write),
    dirty: (field) => () => tracker.markDirty(field),
    refuse: (field, message) => setFieldErrors((current) => ({ ...current, [field]: message })),
  };
}
