import { ActionIcon, Group, Text } from '@mantine/core';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { moveTo, rankKeyMove, targetIndex, type RankKeyMove } from './rankedOrder';

interface RankedBallotProps {
  /** Option ids in ranked order, first preference first. */
  readonly ranking: readonly string[];
  readonly labels: ReadonlyMap<string, string>;
  readonly onChange: (ranking: string[]) => void;
  readonly isDisabled?: boolean;
}

/**
 * A ranked-choice ballot reorderable three ways: drag an option (HTML5 drag and drop), press its
 * up/down buttons, or focus it and press Alt+ArrowUp/Down (Alt+Home/End for first/last). Every
 * move is announced in a live region, so a screen reader hears where the option went.
 */
export function RankedBallot({ ranking, labels, onChange, isDisabled = false }: RankedBallotProps) {
  const { t } = useTranslation();
  const [announcement, setAnnouncement] = useState('');
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const items = useRef(new Map<string, HTMLLIElement>());
  const focusAfterMove = useRef<string | null>(null);

  // After a keyboard move the moved option keeps the focus in its new place.
  useEffect(() => {
    const id = focusAfterMove.current;
    if (id === null) return;
    focusAfterMove.current = null;
    items.current.get(id)?.focus();
  }, [ranking]);

  const move = (from: number, to: number, isKeyboard: boolean) => {
    if (isDisabled || from === to) return;
    const next = moveTo(ranking, from, to);
    const id = ranking[from]!;
    if (isKeyboard) focusAfterMove.current = id;
    onChange(next);
    setAnnouncement(t('governance.ranked.moved', { option: labels.get(id) ?? id, position: next.indexOf(id) + 1, total: next.length }));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLLIElement>, index: number) => {
    const keyMove: RankKeyMove | null = rankKeyMove(event);
    if (keyMove === null) {
      // Plain arrows move the focus between options, as in a list.
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const next = ranking[index + (event.key === 'ArrowDown' ? 1 : -1)];
        if (next !== undefined) items.current.get(next)?.focus();
      }
      return;
    }
    event.preventDefault();
    move(index, targetIndex(index, keyMove, ranking.length), true);
  };

  return (
    <div className="fw-ranked" data-testid="ranked-ballot">
      <Text size="xs" c="dimmed" id="ranked-help">
        {t('governance.ranked.help')}
      </Text>
      <ol className="fw-ranked-list" aria-describedby="ranked-help" data-testid="ranked-list">
        {ranking.map((id, index) => (
          <li
            key={id}
            ref={(element) => {
              if (element) items.current.set(id, element);
              else items.current.delete(id);
            }}
            className={`fw-ranked-item${dragFrom === index ? ' fw-ranked-dragging' : ''}${dropAt === index && dragFrom !== index ? ' fw-ranked-drop' : ''}`}
            tabIndex={isDisabled ? -1 : 0}
            draggable={!isDisabled}
            aria-label={t('governance.ranked.itemLabel', { option: labels.get(id) ?? id, position: index + 1, total: ranking.length })}
            data-testid="ranked-item"
            data-option-id={id}
            onKeyDown={(event) => onKeyDown(event, index)}
            onDragStart={(event) => {
              event.dataTransfer.effectAllowed = 'move';
              event.dataTransfer.setData('text/plain', id);
              setDragFrom(index);
            }}
            onDragOver={(event) => {
              if (dragFrom === null) return;
              event.preventDefault();
              event.dataTransfer.dropEffect = 'move';
              setDropAt(index);
            }}
            onDrop={(event) => {
              event.preventDefault();
              if (dragFrom !== null) move(dragFrom, index, false);
              setDragFrom(null);
              setDropAt(null);
            }}
            onDragEnd={() => {
              setDragFrom(null);
              setDropAt(null);
            }}
          >
            <Group gap="xs" wrap="nowrap" justify="space-between">
              <Group gap="xs" wrap="nowrap" miw={0}>
                <span className="fw-ranked-handle" aria-hidden="true">
                  ⋮⋮
                </span>
                <span className="fw-ranked-rank" aria-hidden="true">
                  {index + 1}
                </span>
                <Text size="sm" truncate="end">
                  {labels.get(id) ?? id}
                </Text>
              </Group>
              <Group gap={2} wrap="nowrap">
                <ActionIcon size="sm" variant="subtle" aria-label={t('governance.ranked.up', { option: labels.get(id) ?? id })} disabled={isDisabled || index === 0} onClick={() => move(index, index - 1, false)} data-testid="ranked-up" tabIndex={-1}>
                  ↑
                </ActionIcon>
                <ActionIcon size="sm" variant="subtle" aria-label={t('governance.ranked.down', { option: labels.get(id) ?? id })} disabled={isDisabled || index === ranking.length - 1} onClick={() => move(index, index + 1, false)} data-testid="ranked-down" tabIndex={-1}>
                  ↓
                </ActionIcon>
              </Group>
            </Group>
          </li>
        ))}
      </ol>
      <div className="fw-visually-hidden" aria-live="assertive" role="status" data-testid="ranked-announcement">
        {announcement}
      </div>
    </div>
  );
}
