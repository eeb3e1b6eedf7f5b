import { useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { refusalText } from '../i18n/refusalText';
import { SaveTracker, type SaveState } from './saveTracker';

/** What an autosaving form needs: the tracker behind "saved", each field's refusal, and how to write. */
export interface SaveTracking {
  /** Read through SaveIndicator (or useSaveState), so a change of state redraws the indicator alone. */
  readonly tracker: SaveTracker;
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
 * One SaveTracker per mounted form: "saved" means every write so far is durable and no typed text
 * waits (see saveTracker.ts), and a refused write says why beside its field. The form itself is
 * not redrawn when "saving" turns to "saved" (twice per keystroke in rich text): only the
 * indicator that reads the state is.
 */
export function useSaveTracking(): SaveTracking {
  const { t } = useTranslation();
  const tracker = useMemo(() => new SaveTracker(), []);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const translate = useRef(t);
  translate.current = t;
  const actions = useMemo(
    () => ({
      tracker,
      save: (field: string, write: () => Promise<void>) => {
        tracker.markClean(field);
        const run = write();
        void tracker.track(run);
        run.then(
          () => setFieldErrors((current) => (field in current ? (({ [field]: _dropped, ...rest }) => rest)(current) : current)),
          (error: unknown) => setFieldErrors((current) => ({ ...current, [field]: refusalText(translate.current, error) })),
        );
      },
      track: (write: Promise<unknown>) => void tracker.track(write),
      dirty: (field: string) => () => tracker.markDirty(field),
      refuse: (field: string, message: string) => setFieldErrors((current) => ({ ...current, [field]: message })),
    }),
    [tracker],
  );
  return useMemo(() => ({ ...actions, fieldErrors }), [actions, fieldErrors]);
}

/** The tracker's state, redrawing the caller whenever it changes. */
export function useSaveState(tracker: SaveTracker): SaveState {
  return useSyncExternalStore(
    (onChange) => tracker.onDidChange(onChange),
    () => tracker.state,
  );
}
