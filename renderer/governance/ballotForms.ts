import type { TFunction } from 'i18next';
import type { ComponentType } from 'react';
import type { Choice, DecisionMethodName } from '../../shared/governance/decisionMethods';
import type { ProposalProjection } from '../../shared/records/proposal';
import { AdviceBallotForm } from './AdviceBallotForm';
import { ConsentBallotForm } from './ConsentBallotForm';
import { MultipleBallotForm } from './MultipleBallotForm';
import { RankedBallotForm } from './RankedBallotForm';
import { ScoreBallotForm } from './ScoreBallotForm';
import { SingleBallotForm } from './SingleBallotForm';

/*
 * Each decision method's ballot on screen, keyed like shared/governance/decisionMethods.ts: the
 * form a voter fills in (one file per method), the choice it starts from, and a cast choice in
 * words for the revision log.
 */

export type ChoiceByMethod = { [M in DecisionMethodName]: Extract<Choice, { method: M }> };

export interface BallotFormProps<M extends DecisionMethodName> {
  readonly proposal: ProposalProjection;
  readonly choice: ChoiceByMethod[M] | null;
  readonly labels: ReadonlyMap<string, string>;
  readonly isDisabled: boolean;
  readonly onChange: (choice: ChoiceByMethod[M]) => void;
}

export interface BallotForm<M extends DecisionMethodName> {
  readonly Form: ComponentType<BallotFormProps<M>>;
  /** The choice shown before anything is cast; null where the voter must pick first. */
  readonly emptyChoice: (proposal: ProposalProjection) => ChoiceByMethod[M] | null;
  readonly summary: (choice: ChoiceByMethod[M], label: (id: string) => string, t: TFunction) => string;
}

export const ballotForms: { readonly [M in DecisionMethodName]: BallotForm<M> } = {
  consent: {
    Form: ConsentBallotForm,
    emptyChoice: () => null,
    summary: (choice, _label, t) => t(`governance.consent.${choice.position}`),
  },
  single: {
    Form: SingleBallotForm,
    emptyChoice: () => null,
    summary: (choice, label) => label(choice.optionId),
  },
  multiple: {
    Form: MultipleBallotForm,
    emptyChoice: () => ({ method: 'multiple', optionIds: [] }),
    summary: (choice, label) => choice.optionIds.map(label).join(', '),
  },
  ranked: {
    Form: RankedBallotForm,
    emptyChoice: (proposal) => ({ method: 'ranked', ranking: proposal.options.map((o) => o.id) }),
    summary: (choice, label) => choice.ranking.map((id, index) => `${index + 1}. ${label(id)}`).join('  '),
  },
  score: {
    Form: ScoreBallotForm,
    emptyChoice: (proposal) => ({ method: 'score', scores: Object.fromEntries(proposal.options.map((o) => [o.id, 0])) }),
    summary: (choice, label) =>
      Object.entries(choice.scores)
        .map(([id, score]) => `${label(id)}: ${score}`)
        .join(', '),
  },
  advice: {
    Form: AdviceBallotForm,
    emptyChoice: () => ({ method: 'advice' }),
    summary: (choice, label) => [choice.optionId ? label(choice.optionId) : '', choice.note ?? ''].filter(Boolean).join(' — '),
  },
};

/** A cast choice in words, by its own method's summary. */
export function choiceSummary<M extends DecisionMethodName>(choice: ChoiceByMethod[M] & { readonly method: M }, label: (id: string) => string, t: TFunction): string {
  const form: BallotForm<M> = ballotForms[choice.method];
  return form.summary(choice, label, t);
}
