import { describe, expect, it } from 'vitest';
import { PREARCHIVE_OPERATIONS, PREARCHIVE_STATUSES, allows, autoArchivePlan, refusalReason, statusesOf } from '../../src/domain/prearchive-status';

// XNAT's table of allowed actions per status (reference §4.5), written out by hand: commit = Archive or
// Review & Archive, move = Change Project. Queued and running operations allow nothing.
const TABLE: Record<string, string[]> = {
  RECEIVING: ['delete', 'rebuild'],
  BUILDING: [],
  READY: ['commit', 'move', 'delete', 'rebuild'],
  ARCHIVING: [],
  CONFLICT: ['commit', 'delete', 'rebuild'],
  ERROR: ['delete', 'rebuild'],
  MOVING: [],
  DELETING: [],
  QUEUED_BUILDING: [],
  QUEUED_ARCHIVING: [],
  QUEUED_MOVING: [],
  QUEUED_DELETING: [],
};

describe('prearchive status rules', () => {
  it('When every status is asked for every operation, then the answers are XNAT\'s table', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...PREARCHIVE_STATUSES].sort());
    for (const status of PREARCHIVE_STATUSES) {
      expect(PREARCHIVE_OPERATIONS.filter((op) => allows(status, op)), status).toEqual(TABLE[status]);
    }
  });

  it('When an operation is accepted, then it queues and then runs under its own statuses, which allow nothing else', () => {
    expect(statusesOf('commit')).toEqual({ queued: 'QUEUED_ARCHIVING', running: 'ARCHIVING' });
    expect(statusesOf('move')).toEqual({ queued: 'QUEUED_MOVING', running: 'MOVING' });
    expect(statusesOf('delete')).toEqual({ queued: 'QUEUED_DELETING', running: 'DELETING' });
    expect(statusesOf('rebuild')).toEqual({ queued: 'QUEUED_BUILDING', running: 'BUILDING' });
    expect(refusalReason('QUEUED_ARCHIVING', 'delete')).toMatch(/already queued or running/);
    expect(refusalReason('CONFLICT', 'move')).toMatch(/cannot change project/);
    expect(refusalReason('ERROR', 'commit')).toBe('a session that is ERROR allows only delete, rebuild; rebuild it first');
    expect(refusalReason('RECEIVING', 'commit')).toBe('its files are still arriving (RECEIVING), which allows only delete, rebuild; rebuild it to build it now, then commit the built session');
    expect(refusalReason('RECEIVING', 'move')).toMatch(/^its files are still arriving \(RECEIVING\), which allows only delete, rebuild; .* then move the built session$/);
  });

  it('When AA: is present it wins over the project code; code 5 overwrites with delete, 4 appends, 0 stays', () => {
    expect(autoArchivePlan(0, undefined)).toEqual({ auto: false, overwrite: 'append' });
    expect(autoArchivePlan(4, undefined)).toEqual({ auto: true, overwrite: 'append' });
    expect(autoArchivePlan(5, undefined)).toEqual({ auto: true, overwrite: 'delete' });
    expect(autoArchivePlan(4, false)).toEqual({ auto: false, overwrite: 'append' });
    expect(autoArchivePlan(0, true)).toEqual({ auto: true, overwrite: 'append' });
  });
});
