import { TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCoordinates, parseCoordinates, type Coordinates } from '../../shared/records/coordinates';

/**
 * Where the organization is, as coordinates (the partner finder weighs distance from it). Saved
 * when the field is left or Enter is pressed, not while typing: a half-typed position is not a
 * position. Text the app cannot read stays in the field with the reason beside it.
 */
export function PositionInput({ value, onSave, isReadOnly, error }: { value: Coordinates | null; onSave: (coordinates: Coordinates | null) => void; isReadOnly: boolean; error?: string | undefined }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const commit = () => {
    if (draft === null) return;
    const parsed = parseCoordinates(draft);
    if (parsed.kind === 'bad') {
      setProblem(t(`orgs.positionBad.${parsed.reason}`));
      return;
    }
    setProblem(null);
    setDraft(null);
    const next = parsed.kind === 'ok' ? parsed.value : null;
    if (formatCoordinates(next) !== formatCoordinates(value)) onSave(next);
  };
  return (
    <TextInput
      label={t('orgs.position')}
      description={t('orgs.positionHelp')}
      placeholder="27.7136, 100.5023"
      value={draft ?? formatCoordinates(value)}
      onChange={(event) => {
        setDraft(event.currentTarget.value);
        setProblem(null);
      }}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit();
      }}
      readOnly={isReadOnly}
      error={problem ?? error}
      data-testid="org-position"
    />
  );
}
