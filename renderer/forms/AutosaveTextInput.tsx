import { Textarea, TextInput } from '@mantine/core';
import { useEffect, useRef, useState, type ReactNode } from 'react';

interface AutosaveTextInputProps {
  readonly label: ReactNode;
  readonly description?: ReactNode;
  /** The value in the record; shown whenever nothing typed is waiting to be saved. */
  readonly value: string;
  readonly onCommit: (value: string) => void;
  readonly onDirty: () => void;
  readonly isReadOnly: boolean;
  readonly isMultiline?: boolean;
  readonly error?: ReactNode;
  readonly testId?: string;
  readonly placeholder?: string;
  readonly lang?: string;
}

const AUTOSAVE_DELAY_MS = 400;

/**
 * A plain field that saves itself: 400 ms after the last keystroke, or when it loses focus. Until
 * then the typed text wins over the record's value; afterwards the record's (which may include a
 * change from another device) shows again.
 */
export function AutosaveTextInput({ label, description, value, onCommit, onDirty, isReadOnly, isMultiline, error, testId, placeholder, lang }: AutosaveTextInputProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const timer = useRef<number | null>(null);
  const latest = useRef<{ draft: string | null; onCommit: (value: string) => void }>({ draft, onCommit });
  latest.current = { draft, onCommit };

  const commit = () => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    const pending = latest.current.draft;
    if (pending === null) return;
    setDraft(null);
    latest.current.onCommit(pending);
  };

  // Leaving the editor saves what was typed.
  useEffect(() => () => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    const pending = latest.current.draft;
    if (pending !== null) latest.current.onCommit(pending);
  }, []);

  const change = (next: string) => {
    setDraft(next);
    latest.current = { ...latest.current, draft: next };
    onDirty();
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(commit, AUTOSAVE_DELAY_MS);
  };

  const common = {
    label,
    description,
    value: draft ?? value,
    readOnly: isReadOnly,
    error,
    placeholder,
    lang,
    'data-testid': testId,
    onBlur: commit,
  };
  return isMultiline ? (
    <Textarea {...common} autosize minRows={2} maxRows={6} onChange={(event) => change(event.currentTarget.value)} />
  ) : (
    <TextInput {...common} onChange={(event) => change(event.currentTarget.value)} />
  );
}
