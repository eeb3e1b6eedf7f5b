import { Anchor, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { CreateProposal, ProposalEditor } from './ProposalEditor';
import { ProposalList } from './ProposalList';
import { ProposalView } from './ProposalView';

/*
 * Governance routes within #/governance/: the list (''), a new proposal ('new'), one proposal
 * ('proposal/<id>') and its editor ('proposal/<id>/edit').
 */
export function GovernanceScreen({ path }: { path: readonly string[] }) {
  const { t } = useTranslation();
  const [section, id, action] = path;
  if (section === undefined) return <ProposalList />;
  if (section === 'new') return <CreateProposal />;
  if (section === 'proposal' && id) return action === 'edit' ? <ProposalEditor key={id} id={id} /> : <ProposalView key={id} id={id} />;
  return (
    <Stack p="lg" className="fw-screen">
      <Text role="alert">{t('governance.notFound')}</Text>
      <Anchor href="#/governance">{t('governance.backToList')}</Anchor>
    </Stack>
  );
}
