import { describe, expect, it } from 'vitest';
import { EDIT_KINDS, placeAfterEdit } from '../../src/domain/edit-kind';

const NOW = { projectId: 'P', subjectLabel: 'S', sessionLabel: 'E' };

describe('where a session sits after an edit', () => {
  it('When each kind of edit is applied, then only its own label or project changes', () => {
    expect(placeAfterEdit('session-relabel', { sessionLabel: 'E2' }, NOW)).toEqual({ projectId: 'P', subjectLabel: 'S', sessionLabel: 'E2' });
    expect(placeAfterEdit('subject-relabel', { subjectLabel: 'S2' }, NOW)).toEqual({ projectId: 'P', subjectLabel: 'S2', sessionLabel: 'E' });
    expect(placeAfterEdit('reassign', { subjectLabel: 'S3' }, NOW)).toEqual({ projectId: 'P', subjectLabel: 'S3', sessionLabel: 'E' });
    expect(placeAfterEdit('move', { projectId: 'Q' }, NOW)).toEqual({ projectId: 'Q', subjectLabel: 'S', sessionLabel: 'E' });
    expect(EDIT_KINDS).toHaveLength(4);
  });
  it('When the target lacks what the kind needs, then it says which', () => {
    expect(() => placeAfterEdit('move', { sessionLabel: 'x' }, NOW)).toThrow('a move edit needs a project');
    expect(() => placeAfterEdit('session-relabel', {}, NOW)).toThrow('a session-relabel edit needs a session label');
  });
});
