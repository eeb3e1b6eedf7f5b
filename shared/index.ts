/** The public surface of shared/: what renderer/, electron/ and server/ import. */
export * from './records/recordType';
export * from './records/recordModule';
export * from './records/recordError';
export * from './records/registry';
export * from './records/fieldSchemas';
export * from './records/region';
export * from './records/entry';
export * from './records/org';
export * from './records/network';
export * from './records/proposal';
export * from './records/ballot';
export * from './records/comment';
export * from './records/offer';
export * from './records/interest';
export * from './rules/rules';
export * from './store/store';
// The row types only: the RxDB schemas stay inside the store.
export type { OutboxRow, RecordRow } from './store/schemas';
export * from './store/recordState';
export * from './search/entrySearch';
export * from './search/searchTerms';
export * from './client/client';
export * from './client/permissionError';
