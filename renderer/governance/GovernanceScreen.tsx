import { StewardScopes } from '../admin/StewardScopes';
import type { GovernanceRoute } from '../app/route';
import { CreateProposal, ProposalEditor } from './ProposalEditor';
import { ProposalList } from './ProposalList';
import { ProposalView } from './ProposalView';

/*
 * Governance routes within #/governance/ (renderer/app/route.ts): the list, a new proposal, one
 * proposal and its editor.
 */
export function GovernanceScreen({ route }: { route: GovernanceRoute }) {
  switch (route.screen) {
    case 'governance':
      return (
        <>
          <StewardScopes />
          <ProposalList />
        </>
      );
    case 'proposal-new':
      return <CreateProposal />;
    case 'proposal':
      return <ProposalView key={route.id} id={route.id} />;
    case 'proposal-edit':
      return <ProposalEditor key={route.id} id={route.id} />;
  }
}
