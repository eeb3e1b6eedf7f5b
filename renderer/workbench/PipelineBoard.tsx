import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecordView } from '../../shared/client/client';
import { interestMutators, pipelineStages, type InterestProjection, type PipelineStage, type PipelineStep } from '../../shared/records/interest';
import { isAllowed } from '../../shared/rules/rules';
import { hrefOf } from '../app/route';
import { useOrgNames } from '../data/useOrgNames';
import { ReasonDialog } from '../governance/TrustPanels';
import { refusalText } from '../i18n/refusalText';
import { useSession } from '../session/SessionContext';
import { formatDateTime } from './reasonText';
import { useInterests, useOffers } from './useWorkbenchData';

/** Who moved an interest where, when and why; the first step is the organization's own. */
export function StepLog({ steps }: { steps: readonly PipelineStep[] }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const names = useOrgNames(session.client);
  return (
    <Stack gap={2} data-testid="step-log">
      {steps.map((step, i) => (
        <Text key={i} size="xs" c="dimmed" data-testid="step" data-stage={step.stage}>
          {formatDateTime(i18n.language, step.at)} · {names.get(step.byOrg) ?? step.byOrg} ·{' '}
          {step.from
            ? t('workbench.pipeline.moved', { from: t(`workbench.stage.${step.from}`), to: t(`workbench.stage.${step.stage}`) })
            : step.stage === 'new'
              ? t('workbench.pipeline.expressed')
              : t('workbench.pipeline.movedTo', { to: t(`workbench.stage.${step.stage}`) })}
          {step.note ? ` · ${step.stage === 'declined' ? t('workbench.pipeline.declinedBecause', { reason: step.note }) : step.note}` : ''}
        </Text>
      ))}
    </Stack>
  );
}

/** The drag payload's type: an interest's record id. */
const DRAG_TYPE = 'application/x-fieldwise-interest';

function InterestCard({
  view,
  offerTitle,
  orgName,
  canMove,
  onMove,
}: {
  view: RecordView<InterestProjection>;
  offerTitle: string;
  orgName: string;
  canMove: boolean;
  onMove: (view: RecordView<InterestProjection>, stage: PipelineStage, note: string) => Promise<boolean>;
}) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const [isOpen, setOpen] = useState(false);
  const p = view.projection;
  const move = (stage: PipelineStage) => {
    void onMove(view, stage, note.trim()).then((isMoved) => {
      if (isMoved) setNote('');
    });
  };
  // Keyboard: with the card focused, the arrow keys move it one column left or right.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!canMove || event.target !== event.currentTarget) return;
    const at = pipelineStages.indexOf(p.stage);
    const next = event.key === 'ArrowRight' ? pipelineStages[at + 1] : event.key === 'ArrowLeft' ? pipelineStages[at - 1] : undefined;
    if (next) {
      event.preventDefault();
      move(next);
    }
  };
  return (
    <Paper
      withBorder
      p="xs"
      radius="sm"
      className="fw-wb-card"
      tabIndex={0}
      onKeyDown={onKeyDown}
      draggable={canMove}
      onDragStart={(event: DragEvent<HTMLDivElement>) => {
        event.dataTransfer.setData(DRAG_TYPE, view.header.id);
        event.dataTransfer.effectAllowed = 'move';
      }}
      aria-label={t('workbench.pipeline.cardLabel', { org: orgName, offer: offerTitle })}
      data-testid="interest-card"
      data-interest-id={view.header.id}
      data-stage={p.stage}
    >
      <Stack gap={4}>
        <Anchor href={hrefOf({ screen: 'offer', id: p.offerId })} size="sm" fw={600}>
          {offerTitle}
        </Anchor>
        <Text size="xs">{orgName}</Text>
        {p.message && (
          <Text size="xs" c="dimmed" lineClamp={3}>
            {p.message}
          </Text>
        )}
        {canMove && (
          <>
            <TextInput size="xs" placeholder={t('workbench.pipeline.note')} aria-label={t('workbench.pipeline.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} data-testid="move-note" />
            <Group gap={4}>
              {pipelineStages
                .filter((s) => s !== p.stage)
                .map((s) => (
                  <Button key={s} size="compact-xs" variant="light" onClick={() => move(s)} data-testid={`move-${s}`}>
                    {t(`workbench.stage.${s}`)}
                  </Button>
                ))}
            </Group>
          </>
        )}
        <Anchor component="button" size="xs" onClick={() => setOpen((v) => !v)} data-testid="toggle-steps">
          {t('workbench.pipeline.steps', { count: p.steps.length })}
        </Anchor>
        {isOpen && <StepLog steps={p.steps} />}
      </Stack>
    </Paper>
  );
}

/** The interest pipeline: a column per stage. The secretariat moves cards; a member follows its own. */
export function PipelineBoard() {
  const { t } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const interests = useInterests(client);
  const offers = useOffers(client);
  const names = useOrgNames(client);
  const [error, setError] = useState<string | null>(null);
  /** The interest being declined: declining is confirmed with a reason, in a dialog. */
  const [declining, setDeclining] = useState<RecordView<InterestProjection> | null>(null);
  const titles = useMemo(() => new Map(offers.map((o) => [o.header.id, o.projection.title])), [offers]);
  const canMove = isAllowed({ role: identity.role, type: 'interest', ownership: 'other', action: 'manage' });
  const shown = canMove ? interests : interests.filter((i) => i.header.ownerOrg === identity.orgId);
  const byStage = new Map<PipelineStage, RecordView<InterestProjection>[]>(pipelineStages.map((s) => [s, []]));
  const moveInterest = async (view: RecordView<InterestProjection>, stage: PipelineStage, note: string): Promise<boolean> => {
    if (stage === view.projection.stage) return false;
    if (stage === 'declined') {
      setDeclining(view);
      return false;
    }
    try {
      await client.mutate(view.header.id, interestMutators.move, { stage, note });
      return true;
    } catch (caught) {
      setError(refusalText(t, caught));
      return false;
    }
  };
  // Dragging a card onto a column moves it there (without a note); buttons and keys do the same.
  const dropHandlers = (stage: PipelineStage) =>
    canMove
      ? {
          onDragOver: (event: DragEvent<HTMLElement>) => {
            if (event.dataTransfer.types.includes(DRAG_TYPE)) event.preventDefault();
          },
          onDrop: (event: DragEvent<HTMLElement>) => {
            const id = event.dataTransfer.getData(DRAG_TYPE);
            const view = shown.find((i) => i.header.id === id);
            if (!view) return;
            event.preventDefault();
            void moveInterest(view, stage, '');
          },
        }
      : {};
  for (const interest of shown) byStage.get(interest.projection.stage)?.push(interest);

  return (
    <Stack gap="md" data-testid="pipeline-board">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {canMove ? t('workbench.pipeline.title') : t('workbench.pipeline.yours')}
        </Title>
        {canMove && (
          <Text size="xs" c="dimmed">
            {t('workbench.pipeline.keyboardHelp')}
          </Text>
        )}
      </Group>
      {error && (
        <Alert color="red" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <ReasonDialog
        isOpen={declining !== null}
        title={t('workbench.pipeline.declineTitle')}
        body={declining ? t('workbench.pipeline.declineBody', { org: names.get(declining.header.ownerOrg) ?? declining.header.ownerOrg, offer: titles.get(declining.projection.offerId) ?? '' }) : ''}
        confirmLabel={t('workbench.pipeline.declineConfirm')}
        onConfirm={async (reason) => {
          if (declining) await client.mutate(declining.header.id, interestMutators.move, { stage: 'declined', note: reason });
        }}
        onClose={() => setDeclining(null)}
        testId="decline-dialog"
        reasonLabel={t('workbench.pipeline.declineReason')}
      />
      <div className="fw-wb-board">
        {pipelineStages.map((stage) => {
          const cards = byStage.get(stage) ?? [];
          return (
            <section key={stage} className="fw-wb-column" {...dropHandlers(stage)} aria-label={t(`workbench.stage.${stage}`)} data-testid={`pipeline-column-${stage}`} data-count={cards.length}>
              <Group justify="space-between" mb="xs">
                <Text fw={600} size="sm">
                  {t(`workbench.stage.${stage}`)}
                </Text>
                <Badge size="sm" variant="light">
                  {cards.length}
                </Badge>
              </Group>
              <Stack gap="xs">
                {cards.map((view) => (
                  <InterestCard
                    key={view.header.id}
                    view={view}
                    offerTitle={titles.get(view.projection.offerId) ?? view.projection.offerId}
                    orgName={names.get(view.header.ownerOrg) ?? view.header.ownerOrg}
                    canMove={canMove}
                    onMove={moveInterest}
                  />
                ))}
              </Stack>
            </section>
          );
        })}
      </div>
    </Stack>
  );
}
