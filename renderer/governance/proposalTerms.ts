import type { ProposalProjection } from '../../shared/records/proposal';

/** The terms the proposal editor edits: everything but the description, the state and the timestamps. */
export type ProposalTerms = Omit<ProposalProjection, 'description' | 'state' | 'createdAt' | 'updatedAt'>;

export const termsOf = ({ description: _d, state: _s, createdAt: _c, updatedAt: _u, ...terms }: ProposalProjection): ProposalTerms => terms;

/** What a panel of the editor takes: the terms as edited, whether they may change, and how. */
export interface TermsPanelProps {
  readonly terms: ProposalTerms;
  readonly canEdit: boolean;
  readonly change: (patch: Partial<ProposalTerms>) => void;
}
