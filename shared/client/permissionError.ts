import type { Action } from '../records/recordModule';
import type { RecordType, Role } from '../records/recordType';
import type { Ownership } from '../rules/rules';

/** A change the rules table does not allow this identity; nothing was written. */
export class PermissionError extends Error {
  constructor(
    readonly type: RecordType,
    readonly action: Action,
    readonly role: Role,
    readonly ownership: Ownership,
  ) {
    super(`${role === 'observer' ? 'an' : 'a'} ${role} may not ${action} ${ownership === 'own' ? 'its own' : "another organization's"} ${type}`);
    this.name = 'PermissionError';
  }
}
