import { Table } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { BallotProjection } from '../../shared/records/ballot';
import { choiceSummary } from './ballotForms';
import { screenDateFormat } from '../i18n/dateTime';

/** Every cast of this organization's ballot: when, from which device, and what it chose. */
export function BallotRevisions({ revisions, labels, deviceId }: { readonly revisions: BallotProjection['revisions']; readonly labels: ReadonlyMap<string, string>; readonly deviceId: string }) {
  const { t, i18n } = useTranslation();
  const dateFormat = useMemo(() => screenDateFormat(i18n.language, 'dateTimeSeconds'), [i18n.language]);
  const label = (id: string) => labels.get(id) ?? id;
  return (
    <details className="fw-gov-revisions" data-testid="ballot-revisions" data-count={revisions.length}>
      <summary>{t('governance.ballot.revisions', { count: revisions.length })}</summary>
      <Table verticalSpacing={4} fz="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('governance.ballot.revisionTime')}</Table.Th>
            <Table.Th>{t('governance.ballot.revisionDevice')}</Table.Th>
            <Table.Th>{t('governance.ballot.revisionChoice')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {revisions.map((revision, index) => (
            <Table.Tr key={index} data-testid="ballot-revision">
              <Table.Td>{dateFormat.format(revision.at)}</Table.Td>
              <Table.Td>{revision.deviceId === deviceId ? t('governance.ballot.thisDevice') : revision.deviceId}</Table.Td>
              <Table.Td>{choiceSummary(revision.choice, label, t)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </details>
  );
}
